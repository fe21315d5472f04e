"""Run scenarios: a real broker, the real hub on a virtual clock, virtual devices, expectations.

Time jumps from one step (or scheduled job) to the next; between jumps the runner waits until the
broker, the hub and the devices are quiet, so a simulated day takes seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fusehub.app import Hub, RunLoop, build_hub, summarize
from fusehub.client import ask
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig, MqttSettings, ReasonerConfig, Requester, RequestsConfig
from fusehub.events import Command, CommandResult, Decision, Event, HubEvent, StateChanged, Utterance, new_id
from fusehub.home import Home, load_home
from fusehub.journal import Journal
from fusehub.mqtt import EmbeddedBroker, MqttLink
from fusehub.protocol import ConfirmBody
from fusehub.reasoner.planner import Planner
from fusehub.reasoner.rules import entity_value, parse_duration
from fusehub.simulations.broker import Mosquitto, free_port, mosquitto_path
from fusehub.simulations.scenario import Expectation, Scenario, Step, TimeResolver
from fusehub.simulations.world import World
from fusehub.tasks import cancel_and_wait

__all__ = ["Check", "ScenarioResult", "SimSession", "broker_for", "run_scenario"]

log = logging.getLogger(__name__)


@dataclass
class Check:
    label: str
    passed: bool
    detail: str = ""


@dataclass
class ScenarioResult:
    name: str
    checks: list[Check] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    sim_s: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)


@contextlib.asynccontextmanager
async def broker_for(url: str | None, embedded: bool = False) -> AsyncIterator[tuple[str, str]]:
    """(url, protocol) of the broker to use: the given one, else mosquitto on a free port, else embedded amqtt."""
    if url is not None:
        yield url, "5"
        return
    if not embedded and mosquitto_path() is not None:
        with Mosquitto() as m:
            yield m.url, "5"
        return
    port = free_port()
    async with EmbeddedBroker(f"127.0.0.1:{port}"):
        yield f"mqtt://127.0.0.1:{port}", "3.1.1"


class SimSession:
    """A hub, a world and two MQTT links on one broker, with a quiescence barrier."""

    def __init__(
        self, home: Home, rules_files: list[str], start: datetime, broker_url: str, protocol: str,
        *, planner: Planner | None = None, printer: Callable[[str], None] | None = None,
        world_home: Home | None = None, reasoner: ReasonerConfig | None = None,
        requests: RequestsConfig | None = None,
    ) -> None:
        self.clock = VirtualClock(start)
        tag = new_id()[:8]
        self._tmp = tempfile.TemporaryDirectory(prefix="fusehub-sim-")
        self.config = HubConfig(
            hub_id=f"sim{tag}", home="(scenario)", rules=rules_files, data_dir=self._tmp.name,
            mqtt=MqttSettings(url=broker_url, protocol=protocol, client_id=f"fusehub-sim-{tag}"),  # type: ignore[arg-type]
            reasoner=reasoner or ReasonerConfig(), requests=requests or RequestsConfig(),
        )
        self.hub: Hub = build_hub(self.config, clock=self.clock, home=home, journal=Journal(":memory:"),
                                  planner=planner)
        self.world_settings = MqttSettings(url=broker_url, protocol=protocol,  # type: ignore[arg-type]
                                           client_id=f"fusehub-world-{tag}")
        self.home = home
        self.world_home = world_home or home
        self.printer = printer
        self.timeline: list[str] = []
        self._busy = 0
        self._last = 0.0
        self.hub.bus.subscribe("sim-recorder", Event, self._record, first=True)

    def _record(self, ev: Event) -> None:
        if isinstance(ev, StateChanged | HubEvent | Utterance | Decision | Command | CommandResult):
            local = ev.time.astimezone(self.clock.now().tzinfo)
            line = f"{local:%H:%M:%S} {ev.kind:<14} {summarize(ev)}"
            self.timeline.append(line)
            if self.printer:
                self.printer(line)

    async def __aenter__(self) -> SimSession:
        self._hub_link = MqttLink(self.config.mqtt, self.config.hub_id)
        self._world_link = MqttLink(self.world_settings, f"{self.config.hub_id}-world")
        await self._hub_link.__aenter__()
        await self._world_link.__aenter__()
        if not (await self._hub_link.wait_connected(10) and await self._world_link.wait_connected(10)):
            raise RuntimeError("could not connect to the broker")
        self.world = World(self.world_home, self.hub.adapters, self._world_link, self.clock)
        # the daemon's own run loop: attach, then its housekeeping tick as virtual time passes
        self.run_loop = RunLoop(self.hub, self._hub_link)
        await self.run_loop.start()
        self._tasks = [
            asyncio.create_task(self._pump(self._hub_link, self.hub.ingest, with_reply=True)),
            asyncio.create_task(self._pump(self._world_link, self.world.handle, with_command_id=True)),
        ]
        await self.world.start()
        await self.settle()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await cancel_and_wait(getattr(self, "_tasks", []))
        world = getattr(self, "world", None)
        if world is not None:
            await world.clear_retained()
        await self._world_link.__aexit__(None, None, None)
        await self._hub_link.__aexit__(None, None, None)
        self.hub.journal.close()
        self._tmp.cleanup()

    async def _pump(self, link: MqttLink, handler: Callable[..., Any], with_command_id: bool = False,
                    with_reply: bool = False) -> None:
        loop = asyncio.get_running_loop()
        async for m in link.messages():
            self._busy += 1
            try:
                if with_command_id:  # virtual devices deduplicate on the hub's command id, as real ones may
                    await handler(m.topic, m.payload, m.command_id)
                elif with_reply:  # a request's MQTT 5 response topic and correlation data
                    await handler(m.topic, m.payload, response_topic=m.response_topic,
                                  correlation=m.correlation_data)
                else:
                    await handler(m.topic, m.payload)
            except Exception:
                log.exception("handler failed on %s", m.topic)
            finally:
                self._busy -= 1
                self._last = loop.time()

    async def settle(self, quiet: float = 0.03, timeout: float = 10.0) -> None:
        """Wait until no message is queued or being handled and nothing happened for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        self._last = max(self._last, loop.time())
        t0 = loop.time()
        while True:
            await asyncio.sleep(0.005)
            idle = self._busy == 0 and self._hub_link.pending() == 0 and self._world_link.pending() == 0
            if idle and loop.time() - self._last >= quiet:
                return
            if loop.time() - t0 > timeout:
                log.warning("simulation did not settle within %.0fs", timeout)
                return

    async def advance_to(self, when: datetime, pace: float = 0.0) -> None:
        """Move the virtual clock to `when`, running scheduled jobs on the way."""
        while True:
            due = self.hub.scheduler.next_due()
            target = due if due is not None and due <= when else when
            if target > self.clock.now():
                if pace > 0:
                    await asyncio.sleep(min(2.0, (target - self.clock.now()).total_seconds() * pace))
                self.clock.set(target)
            before = (self.hub.bus.published, self._hub_link.published)
            await self.hub.scheduler.run_due()
            await self.run_loop.tick()
            if (self.hub.bus.published, self._hub_link.published) != before:
                await self.settle()
            if target >= when and (due is None or due > when):
                return

    async def do(self, step: Step) -> None:
        w = self.world
        if step.move is not None:
            await w.move(step.move.person, step.move.to, step.move.room)
        elif step.say is not None:
            await w.say(step.say.text, step.say.person, step.say.room)
        elif step.sensor is not None:
            await w.set_state(step.sensor.device, dict(step.sensor.state))
        elif step.offline is not None:
            await w.set_online(step.offline, False)
        elif step.online is not None:
            await w.set_online(step.online, True)
        elif step.confirm is not None:
            await self.confirm(step.confirm.person)
        if step.note and self.printer:
            self.printer(f"{self.clock.now().astimezone(self.clock.now().tzinfo):%H:%M:%S} note           {step.note}")
        await self.settle()


    async def confirm(self, person: str) -> dict[str, Any]:
        """`person` confirms, over MQTT as `fusehub confirm` does, the id their phone's newest notification names."""
        decl = next((p for p in self.world_home.people if p.id == person), None)
        if decl is None or decl.phone is None:
            raise ValueError(f"{person!r} has no phone in the home to get a confirmation on")
        note = str(self.world.devices[decl.phone].state.get("last_notification", ""))
        m = _CONFIRM_ID.search(note)
        if m is None:
            raise ValueError(f"{person}'s phone has no confirmation to answer (last notification: {note[:80]!r})")
        if self.printer:
            self.printer(f"{self.clock.now().astimezone(self.clock.now().tzinfo):%H:%M:%S} note           "
                         f"{person} confirms on the phone: "
                         f"fusehub confirm {m.group(1)} --person {person}")
        settings = self.world_settings.model_copy(update={"client_id": None})
        result = await ask(settings, self.config.hub_id, "confirm", ConfirmBody(pending_id=m.group(1), person=person),
                           timeout=10)
        await self.settle()
        return result


_WORLD_ASKS = RequestsConfig(anonymous=Requester(controller=True))
"""In a scenario the simulated world is the household's trusted controller (its `confirm` steps name the owner),
on whatever broker it runs: the scenario's broker has no users."""

_CONFIRM_ID = re.compile(r"fusehub confirm (\S+) --person")


async def run_scenario(
    sc: Scenario, broker_url: str | None = None, *, pace: float = 0.0,
    printer: Callable[[str], None] | None = None, planner: Planner | None = None, embedded: bool = False,
) -> ScenarioResult:
    """Run one scenario; never raises for scenario errors (they become the result's `error`)."""
    t0 = time.monotonic()
    result = ScenarioResult(sc.name)
    try:
        home = load_home(sc.resolve(sc.home))
        world_home = load_home(sc.resolve(sc.world)) if sc.world else None
        rules = [str(sc.resolve(r)) for r in sc.rules]
        times = TimeResolver(sc.start, home.timezone)
        step_times = [(times.step(s.at), s) for s in sc.timeline]
        end = times.resolve(sc.end) if sc.end else (times.last + timedelta(minutes=1))
        checkpoints: list[tuple[datetime, int]] = []
        for i, e in enumerate(sc.expect):
            if e.state is not None:
                at = times.resolve(e.at, times.start) if e.at else end
                checkpoints.append((at, i))
            if e.after or e.within:
                s = times.resolve(e.after, times.start) if e.after else times.start
                end = max(end, s + timedelta(seconds=parse_duration(e.within or "0")))
        async with (
            broker_for(broker_url, embedded) as (url, proto),
            SimSession(home, rules, times.start, url, proto, planner=planner, printer=printer,
                       world_home=world_home, requests=_WORLD_ASKS) as sim,
        ):
                await _initial(sim, sc)
                state_results: dict[int, Check] = {}
                events: list[tuple[datetime, int, Any]] = [(t, 0, s) for t, s in step_times]
                events += [(t, 1, i) for t, i in checkpoints]
                events.sort(key=lambda x: (x[0], x[1]))
                for when, kind, item in events:
                    await sim.advance_to(when, pace)
                    if kind == 0:
                        await sim.do(item)
                    else:
                        state_results[item] = _check_state(sim, sc.expect[item])
                await sim.advance_to(end, pace)
                for i, e in enumerate(sc.expect):
                    if i in state_results:
                        result.checks.append(state_results[i])
                    else:
                        result.checks.append(_check_command(sim, e, times))
                result.timeline = sim.timeline
                result.sim_s = (end - times.start).total_seconds()
    except Exception as e:
        log.debug("scenario %s failed", sc.name, exc_info=True)
        result.error = f"{type(e).__name__}: {e}"
    result.wall_s = time.monotonic() - t0
    return result


async def _initial(sim: SimSession, sc: Scenario) -> None:
    people = sc.initial.get("people", {}) or {}
    devices = sc.initial.get("devices", {}) or {}
    if not isinstance(people, dict) or not isinstance(devices, dict):
        raise ValueError("initial.people and initial.devices must be mappings")
    for dev, state in devices.items():
        if not isinstance(state, dict):
            raise ValueError(f"initial.devices.{dev} must be a mapping of attributes")
        await sim.world.set_state(dev, state)
    for person, where in people.items():
        room = None
        if isinstance(where, dict):
            room, where = where.get("room"), where.get("at", "home")
        await sim.world.move(person, str(where), room, initial=True)
    await sim.settle()


def _check_state(sim: SimSession, e: Expectation) -> Check:
    s = e.state
    if s is None:
        return Check(e.label(), False, "not a state expectation")
    entity = s.device if s.device is not None else f"person:{s.person}"
    value = entity_value(sim.hub.graph, entity, s.attribute)
    return Check(e.label(), value == s.equals, f"was {value!r}")


def _check_command(sim: SimSession, e: Expectation, times: TimeResolver) -> Check:
    start = times.resolve(e.after, times.start) if e.after else times.start
    stop = start + timedelta(seconds=parse_duration(e.within)) if e.within else None

    def in_window(t: datetime) -> bool:
        return t >= start and (stop is None or t <= stop)

    recv = [r for r in sim.world.received if in_window(r.time)]
    if e.command is not None or e.never is not None:
        m = e.command or e.never
        if m is None:
            return Check(e.label(), False)
        hits = [r for r in recv if r.device == m.device and all(r.state.get(k) == v for k, v in m.state.items())]
        if e.command is not None:
            if hits:
                return Check(e.label(), True, f"at {hits[0].time.astimezone(times.tz):%H:%M:%S}")
            seen = [f"{r.time.astimezone(times.tz):%H:%M:%S} {r.changes}" for r in recv if r.device == m.device]
            return Check(e.label(), False, f"device got {seen or 'no command'}")
        return Check(e.label(), not hits, f"got {len(hits)} such command(s)" if hits else "none")
    if e.said is not None:
        said = e.said
        texts = [str(r.state.get("last_said", "")) for r in recv
                 if (said.device is None or r.device == said.device) and "last_said" in r.changes]
        ok = any(said.contains.lower() in t.lower() for t in texts)
        return Check(e.label(), ok, f"said {texts}" if not ok else "")
    return Check(e.label(), False, "unknown expectation")


def scenario_paths(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args:
        p = Path(a)
        out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return out
