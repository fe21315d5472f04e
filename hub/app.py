"""The composition root: the one place that builds the hub's parts and wires them. No global singletons.

The path of one observation, top to bottom (each stage its own module, see docs/architecture.md):

    MQTT message -> Hub.ingest -> Ingest (fusehub.runtime.ingest): adapter routes (fusehub.router), the
    context graph and the fusion -> events on the bus -> ReasonerFront (rules) -> Executor (policy, skills)
    -> CommandSender (adapter encoders, the durable outbox) -> MQTT

and of one utterance: an Utterance event (a satellite) or a `say` request (ControlServer) -> ReasonerFront
(declared attributes, local intents, the planner) -> Executor -> CommandSender. Timers, situations, the belief
exporter and persistence hang off the same bus and scheduler. Only this module and the CLI know which adapters
and skills are installed and that a simulator exists.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
from pathlib import Path
from typing import Any

from fusehub.adapter import AdapterSpec
from fusehub.bus import Bus
from fusehub.clock import Clock
from fusehub.config import HubConfig
from fusehub.context.fusion import Fusion
from fusehub.context.graph import ContextGraph
from fusehub.errors import ConfigError
from fusehub.events import Actor, Command, Context, Event, Origin, Plan, Utterance
from fusehub.home import Home, load_home
from fusehub.journal import Journal
from fusehub.policy import Policy, Verdict
from fusehub.protocol import (
    BadRequest,
    ConfirmRequest,
    ContextRequest,
    ContextResult,
    NotAuthorized,
    NotFound,
    OutcomeResult,
    PlanAsk,
    PlanResult,
    SayRequest,
    WhyRequest,
    WhyResult,
)
from fusehub.reasoner.pipeline import MatcherLike
from fusehub.reasoner.planner import NullPlanner, Planner, PlanRequest
from fusehub.reasoner.rules import Rule, RuleSet, load_rules
from fusehub.router import Router
from fusehub.runtime.control import Ack, Caller, ControlServer, Identities
from fusehub.runtime.executor import Executor
from fusehub.runtime.export import BeliefExporter
from fusehub.runtime.front import ReasonerFront, ReplyListener
from fusehub.runtime.health import Health
from fusehub.runtime.ingest import Ingest
from fusehub.runtime.outcome import Outcome, Transport, plan_calls, summarize
from fusehub.runtime.persist import restore_graph, save_graph
from fusehub.runtime.sender import CommandSender
from fusehub.runtime.situations import Situations
from fusehub.runtime.timers import Timers
from fusehub.scheduler import Scheduler
from fusehub.sdk import SkillRegistry
from fusehub.skills import load_skills
from fusehub.tasks import cancel_and_wait

__all__ = [
    "Hub",
    "LazyPlanner",
    "Outcome",
    "RunLoop",
    "Transport",
    "build_hub",
    "lazy_planner",
    "load_adapters",
    "load_planner",
    "load_skills",
    "run_forever",
    "summarize",
]

log = logging.getLogger("fusehub")

class Hub:
    """The running hub: its parts, wired. Build it with :func:`build_hub`."""

    def __init__(
        self,
        config: HubConfig,
        *,
        clock: Clock,
        home: Home,
        adapters: dict[str, AdapterSpec],
        skills: SkillRegistry,
        journal: Journal,
        rules: list[Rule],
        planner: Planner | None = None,
        intents: MatcherLike | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.home = home
        self.adapters = adapters
        self.skills = skills
        self.journal = journal
        self.planner: Planner = planner or NullPlanner()
        self.bus = Bus()
        self.health = Health(journal, clock)
        self.metrics = self.health.metrics
        self.policy = Policy(config.policy)
        self.scheduler = Scheduler(clock, home.timezone)
        self.router = Router(adapters)
        self.fusion = Fusion(home)
        self.graph = ContextGraph()
        self.transport: Transport | None = None

        # the home, what the adapters declare for its devices, then what the journal kept
        self.graph.load_home(home, key_for=lambda d: self._declared_key(d.ecosystem, d.id, d.ids))
        for decl in home.devices:
            spec = adapters.get(decl.ecosystem)
            if spec is not None and spec.declared_spec is not None:
                self.graph.upsert_device(spec.declared_spec(decl), node_id=decl.id, declared=True)
        restore_graph(self.graph, journal)
        for dev in self.graph.devices():
            spec = adapters.get(dev.key.split(":", 1)[0])
            if spec is not None and dev.address:
                self.router.watch_device(spec.name, dev.key, dev.address)

        self.sender = CommandSender(graph=self.graph, adapters=adapters, policy=self.policy, journal=journal,
                                    bus=self.bus, clock=clock, health=self.health)
        self.executor = Executor(graph=self.graph, skills=skills, policy=self.policy, bus=self.bus, clock=clock,
                                 health=self.health, send=self.sender.send, send_all=self.sender.send_all,
                                 command_ttl_s=config.command_ttl_s)
        self.timers = Timers(scheduler=self.scheduler, journal=journal, bus=self.bus, clock=clock, graph=self.graph,
                             skill_context=self.executor.skill_context, send=self.sender.send)
        self.executor.timers = self.timers
        self.ingestion = Ingest(graph=self.graph, fusion=self.fusion, router=self.router, home=home, bus=self.bus,
                              clock=clock, health=self.health, subscribe=self._subscribe, save_state=self.save_state)
        self.front = ReasonerFront(graph=self.graph, skills=skills, rules=RuleSet(rules, home.timezone),
                                   intents=intents, planner=self.planner, mode=config.reasoner.mode,
                                   executor=self.executor, scheduler=self.scheduler, journal=journal, clock=clock)
        self.situations = Situations(preferences=home.preferences, autonomy=config.reasoner.autonomy,
                                     timezone=home.timezone, graph=self.graph, fusion=self.fusion,
                                     executor=self.executor, scheduler=self.scheduler, clock=clock,
                                     health=self.health, store=journal)
        self.front.statements = lambda text, ctx: self.situations.statement(text, ctx, intents)
        self.exporter = BeliefExporter(config.hub_id, home.name, adapters, self.graph, clock)
        self.identities = Identities(config.requests, hub_user=config.mqtt.username, embedded=config.mqtt.url is None)
        unknown = sorted(p for p in self.identities.people() if not self.graph.has_person(p))
        if unknown:
            raise ConfigError(f"requests.users: no person {', '.join(map(repr, unknown))} in the home "
                              f"{home.name!r}")
        self.control = ControlServer(config.hub_id, {
            "say": self._req_say, "plan": self._req_plan, "context": self._req_context, "why": self._req_why,
            "confirm": self._req_confirm,
        }, identities=self.identities, clock=clock, health=self.health, requests=journal)

        self.bus.subscribe("journal", Event, self._journal_event)
        self.bus.subscribe("rules", Event, self.front.on_event)
        self.bus.subscribe("utterances", Utterance, self.front.on_utterance)
        self.bus.subscribe("export", Event, self.exporter.on_event)
        self.bus.subscribe("situations", Event, self.situations.on_event)
        self.timers.restore()
        self.scheduler.every("fusion-tick", 10, self.fusion_tick)
        self.scheduler.every("outbox", 5, self.sender.outbox_job)

    @property
    def rules(self) -> RuleSet:
        return self.front.rules

    def _declared_key(self, ecosystem: str, device_id: str, ids: dict[str, str]) -> str:
        spec = self.adapters.get(ecosystem)
        return spec.key_for(device_id, ids) if spec else f"{ecosystem}:{ids.get('key', device_id)}"

    async def _subscribe(self, pattern: str) -> None:
        if self.transport is not None:
            await self.transport.subscribe(pattern)

    async def _journal_event(self, ev: Event) -> None:
        self.journal.record(ev, summary=summarize(ev), durable=isinstance(ev, Command))

    # ------------------------------------------------------------------ MQTT side
    async def attach(self, transport: Transport) -> None:
        """Use `transport` for publishing and subscribe to every adapter route and known device topic, then
        announce the hub, re-send what the outbox holds and raise the start-up barrier."""
        self.transport = self.sender.transport = self.exporter.transport = transport
        for pattern in self.router.patterns():
            await transport.subscribe(pattern)
        await self.control.start(transport)
        for spec in self.adapters.values():
            for msg in spec.on_connect():
                await transport.publish(msg)
        for topic in self.exporter.birth_topics():
            await transport.subscribe(topic)
        await self.exporter.export(configs=True)
        await self.sender.drain()
        await self.control.send_barrier()

    async def ingest(self, topic: str, payload: bytes, *, response_topic: str | None = None,
                     correlation: bytes | None = None, ack: Ack | None = None) -> None:
        """Handle one MQTT message (a request's MQTT 5 response topic and correlation data beside it). Never
        raises: bad input is rejected, logged and counted. `ack`, when the link left the acknowledgement to the hub
        (requests), is called once the message's outcome is durable."""
        self.metrics["messages"] += 1
        try:
            if self.control.handles(topic):
                await self.control.ingest(topic, payload, response_topic=response_topic, correlation=correlation,
                                          ack=ack)
                return
            if not await self.exporter.birth(topic, payload):
                await self.ingestion.route(topic, payload)
            if ack is not None:
                ack()
        except Exception as e:  # the hub keeps running whatever a message does
            log.exception("ingest failed on %s", topic)
            self.health.reject("ingest", f"internal error on {topic[:200]!r}: {type(e).__name__}: {e}", "")

    async def tick(self) -> None:
        """The run loop's once-a-second housekeeping: journal flush, a late barrier, pending exports."""
        self.journal.flush()
        await self.control.barrier_check()
        await self.exporter.flush()

    async def reconnected(self) -> None:
        """The broker is back after an outage: announce the hub again and send what waited."""
        await self.exporter.export(configs=True)
        await self.sender.drain()

    async def fusion_tick(self) -> None:
        """Move beliefs forward in time (silence is evidence too); then the situations the fused context
        crossed (ETAs, the car at the driveway, sunset, the outside temperature)."""
        await self.ingestion.tick()
        await self.situations.tick()

    # ------------------------------------------------------------------ requests (fusehub.protocol)
    def _person(self, caller: Caller, named: str | None) -> str | None:
        """The person a request is attributed to (see :meth:`Caller.speaks_for`), who must be in the home."""
        person = caller.speaks_for(named)
        if person is not None and not self.graph.has_person(person):
            raise NotFound(f"no person {person[:60]!r} in this home")
        return person

    async def _req_say(self, req: SayRequest, caller: Caller) -> OutcomeResult:
        b = req.body
        person = self._person(caller, b.person)
        out = await self.say(b.text, person=person, room=b.room, origin=Origin(b.origin), parent_id=req.id)
        return OutcomeResult.model_validate(out.to_json())

    async def _req_plan(self, req: PlanAsk, caller: Caller) -> PlanResult:
        """What `say` would do with the hub's live state, executing nothing (`fusehub plan` without --home)."""
        b = req.body
        person = self._person(caller, b.person)
        room = self.graph.resolve_room(b.room) if b.room else None
        if b.room and room is None:
            raise NotFound(f"no room {b.room[:60]!r} in this home")
        ctx = Context(actor=Actor.person(person) if person else Actor.unknown(), origin=Origin(b.origin), room=room)
        plan = await self.plan_for(b.text, ctx)
        return PlanResult(text=b.text, source=plan.source, confidence=plan.confidence, cannot=plan.cannot,
                          cannots=plan.cannots, speech=plan.speech,
                          calls=plan_calls(self.policy, plan, ctx, self.skills, self.graph, self.clock.now()))

    async def _req_context(self, req: ContextRequest, caller: Caller) -> ContextResult:
        return ContextResult.model_validate(self.graph.to_dict())

    async def _req_why(self, req: WhyRequest, caller: Caller) -> WhyResult:
        person = req.body.person
        if not self.graph.has_person(person):
            raise NotFound(f"no person {person[:60]!r} in this home")
        return WhyResult(person=person, lines=self.fusion.explain(person))

    async def _req_confirm(self, req: ConfirmRequest, caller: Caller) -> OutcomeResult:
        pid = req.body.pending_id
        person = self._person(caller, req.body.person)
        if person is None:
            raise BadRequest("confirm needs the owner who confirms: `person`")
        if pid not in self.executor.pending and pid not in self.situations.proposals:
            raise NotFound(f"no pending confirmation {pid!r} (used already, or never asked for)")
        if self.graph.person(person).role != "owner":
            raise NotAuthorized(f"{person} is not an owner: only an owner may confirm")
        out = await self.confirm(pid, person)
        if out is None:
            raise NotFound(f"the confirmation {pid!r} expired")
        return OutcomeResult.model_validate(out.to_json())

    # ------------------------------------------------------------------ the hub's verbs
    async def say(
        self, text: str, *, person: str | None = None, room: str | None = None, origin: Origin = Origin.voice,
        parent_id: str | None = None,
    ) -> Outcome:
        """Handle a request as if spoken (used by `fusehub say` and the simulator): a voice request unless
        `origin` says otherwise."""
        return await self.front.say(text, person=person, room=room, origin=origin, parent_id=parent_id)

    async def plan_for(self, text: str, ctx: Context) -> Plan:
        """The plan the hub would make for `text`, executing nothing."""
        return await self.front.plan_for(text, ctx)

    async def execute(self, plan: Plan, ctx: Context, cause: str, parent_id: str | None = None) -> Outcome:
        """Run a plan through policy and skills (see :class:`fusehub.runtime.executor.Executor`)."""
        return await self.executor.execute(plan, ctx, cause, parent_id)

    async def confirm(self, pending_id: str, person: str) -> Outcome | None:
        """An owner confirms a pending secure call, a suggestion, or a proposed preference."""
        if pending_id in self.situations.proposals:
            pref = self.situations.confirm(pending_id, person)
            if pref is None:
                return None
            ctx = Context(actor=Actor.person(person), origin=Origin.phone)
            return await self.executor.execute(
                Plan(source="situation", speech=f"Preference {pref.id} kept."), ctx,
                cause=f"{person} confirmed preference {pref.id} ({pending_id})")
        return await self.executor.confirm(pending_id, person)

    async def send_command(self, cmd: Command) -> Verdict | None:
        """Send one device command through admission, its encoder and the outbox; None when sent."""
        return await self.sender.send(cmd)

    async def drain_outbox(self) -> int:
        """Re-send what the outbox holds; returns how many messages went out."""
        return await self.sender.drain()

    def on_reply(self, fn: ReplyListener) -> None:
        """Call `fn` with the outcome of every utterance the hub answers."""
        self.front.on_reply(fn)

    def save_state(self) -> None:
        save_graph(self.graph, self.journal)


def load_adapters(names: list[str] | None = None) -> dict[str, AdapterSpec]:
    """Built-in adapters plus third-party ones from the `fusehub.adapters` entry-point group."""
    from importlib.metadata import entry_points

    import fusehub.adapters as builtin_adapters

    found: dict[str, str] = dict(builtin_adapters.BUILTIN)
    for ep in entry_points(group="fusehub.adapters"):
        if ep.name in found:
            raise ConfigError(f"adapter {ep.name!r} from {ep.value} clashes with a registered one")
        found[ep.name] = ep.value
    wanted = names if names is not None else list(found)
    out: dict[str, AdapterSpec] = {}
    for name in wanted:
        if name not in found:
            raise ConfigError(f"unknown adapter {name!r}; known: {', '.join(sorted(found))}")
        target = found[name]
        mod_name, _, attr = target.partition(":")
        spec = getattr(importlib.import_module(mod_name), attr or "SPEC")
        if not isinstance(spec, AdapterSpec):
            raise ConfigError(f"adapter {name!r}: {target} is not an AdapterSpec")
        out[spec.name] = spec
    return out


def _model_dir(config: HubConfig) -> Path | None:
    """The configured model folder when the planner is on and the folder is built; None (logged) otherwise."""
    if config.reasoner.planner == "none":
        return None
    from fusehub.reasoner.model_store import default_model_dir

    try:
        model_dir = Path(config.reasoner.model_dir) if config.reasoner.model_dir else default_model_dir()
    except Exception as e:  # the base model package is missing
        log.warning("no planner model (%s); unmatched requests get 'cannot'", e)
        return None
    if not (model_dir / "genai_config.json").exists():
        log.warning("planner model not built in %s: run `fusehub model build`; until then unmatched requests get "
                    "'cannot'", model_dir)
        return None
    return model_dir


def _load_llm(model_dir: Path, config: HubConfig, skills: SkillRegistry) -> Planner:
    try:
        from fusehub.reasoner.llm import LlmPlanner

        return LlmPlanner.load(model_dir, skills, clarify_below=config.reasoner.clarify_below)
    except Exception as e:  # a broken model folder or runtime must not stop the hub
        log.error("planner model in %s failed to load: %s", model_dir, e)
        return NullPlanner()


def load_planner(config: HubConfig, skills: SkillRegistry) -> Planner:
    """The configured planner: the on-hub model when configured and built, else NullPlanner (logged)."""
    model_dir = _model_dir(config)
    return NullPlanner() if model_dir is None else _load_llm(model_dir, config, skills)


class LazyPlanner:
    """The on-hub model, loaded on the first request that reaches it (about 1.7 s): for one-shot commands
    (`fusehub plan`) that local intents mostly answer. The daemon loads eagerly (`load_planner`)."""

    def __init__(self, model_dir: Path, config: HubConfig, skills: SkillRegistry) -> None:
        self._args = (model_dir, config, skills)
        self._loaded: Planner | None = None
        self.name = "llm"

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        if self._loaded is None:
            self._loaded = _load_llm(*self._args)
            self.name = self._loaded.name
        return await self._loaded.plan(request, graph, skills)


def lazy_planner(config: HubConfig, skills: SkillRegistry) -> Planner:
    model_dir = _model_dir(config)
    return NullPlanner() if model_dir is None else LazyPlanner(model_dir, config, skills)


def build_hub(
    config: HubConfig,
    *,
    clock: Clock,
    home: Home | None = None,
    journal: Journal | None = None,
    planner: Planner | None = None,
    with_intents: bool = True,
    lazy: bool = False,
) -> Hub:
    """Build a hub from config: home, adapters, skills, rules, journal, intents. `lazy`: load the planner model
    on the first request that needs it (one-shot commands), not now."""
    if home is None:
        if config.home is None:
            raise ConfigError("no home: set `home:` in the config (the CLI runs the shipped demo home without one)")
        home = load_home(config.home)
    rules: list[Rule] = []
    for path in config.rules:
        rules.extend(load_rules(path))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ConfigError("duplicate rule ids across rule files")
    skills = load_skills()
    if planner is None:
        planner = lazy_planner(config, skills) if lazy else load_planner(config, skills)
    intents = None
    if with_intents and config.reasoner.mode != "planner":
        from fusehub.reasoner.intents import IntentMatcher

        intents = IntentMatcher(config.reasoner.language, skills)
    return Hub(
        config,
        clock=clock,
        home=home,
        adapters=load_adapters(config.adapters),
        skills=skills,
        journal=journal or Journal(config.journal_path()),
        rules=rules,
        planner=planner,
        intents=intents,
    )


class RunLoop:
    """The daemon's run loop over one MQTT link: messages into the hub, once a second its housekeeping
    (:meth:`Hub.tick`), the link's counters into the hub's metrics, a re-announcement and outbox drain when the
    broker comes back, and the graph saved every 30 ticks. `fusehub run` drives it with :func:`run_forever`; the
    simulator calls :meth:`tick` as its virtual clock passes each second, so scenarios exercise the same code."""

    def __init__(self, hub: Hub, link: Any) -> None:
        self.hub = hub
        self.link = link
        self._connects = getattr(link, "connects", 0)
        self._ticks = 0

    async def start(self) -> None:
        pending = getattr(self.link, "pending", None)
        if callable(pending):  # the start-up barrier is not overdue while the hub is still reading its inbox
            self.hub.control.backlog = pending
        await self.hub.attach(self.link)

    def ack_requests_when_done(self) -> None:
        """Have the link leave requests unacknowledged until the hub's outcome for each is durable (see
        :mod:`fusehub.runtime.control`); call before the link connects. Device and state messages stay acknowledged
        on receipt: the hub keeps no per-message durable outcome for them (the graph is saved every 30 s), and a
        held one would block the broker's in-flight window for nothing."""
        defer = getattr(self.link, "ack_after_handling", None)
        if defer is not None:
            defer(self.hub.control.prefix)

    async def pump(self) -> None:
        ack = getattr(self.link, "ack", None)
        async for m in self.link.messages():
            late = functools.partial(ack, m) if ack is not None and getattr(m, "ack_pending", False) else None
            await self.hub.ingest(m.topic, m.payload, response_topic=getattr(m, "response_topic", None),
                                  correlation=getattr(m, "correlation_data", None), ack=late)

    async def tick(self) -> None:
        hub, link = self.hub, self.link
        await hub.tick()
        for name in ("connects", "publish_failures", "dropped"):  # the link's own counts, beside the hub's
            if isinstance(getattr(link, name, None), int):
                hub.metrics[f"mqtt.{name}"] = getattr(link, name)
        if getattr(link, "connects", 0) != self._connects and getattr(link, "connected", False):
            self._connects = link.connects
            await hub.reconnected()
        self._ticks += 1
        if self._ticks % 30 == 0:
            hub.save_state()


async def run_forever(hub: Hub, link: Any, stop: asyncio.Event) -> None:
    """Pump messages from `link` into the hub and run the scheduler until `stop` is set."""
    loop = RunLoop(hub, link)
    loop.ack_requests_when_done()  # before the link's first connection (nothing awaited since it was entered)
    await loop.start()

    async def ticks() -> None:
        while True:
            await asyncio.sleep(1)
            await loop.tick()

    tasks = [asyncio.create_task(loop.pump()), asyncio.create_task(hub.scheduler.run()),
             asyncio.create_task(ticks())]
    try:
        await stop.wait()
    finally:
        await cancel_and_wait(tasks)
        hub.save_state()
