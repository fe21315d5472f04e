"""Test helper for skill authors: run your skill inside the simulator, against a home file, through the
real hub (policy, adapters' encoders) and a real MQTT broker, then look at what the virtual devices got.

    from fusehub.simulations.harness import SkillHarness
    import my_package.skills

    async def test_boost() -> None:
        async with SkillHarness("tests/home.yaml", modules=[my_package.skills],
                                people={"anna": "home"}) as h:
            out = await h.call("humidifier_boost", {"device": "humidifier"}, person="anna")
            assert out.verdicts == ["allowed"]
            assert h.device_state("humidifier")["target_humidity"] == 80

The broker is mosquitto on a free loopback port when installed, else an embedded one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from fusehub.events import JSON, Actor, Context, Origin, Plan, SkillCall
from fusehub.home import load_home
from fusehub.runtime.outcome import Outcome
from fusehub.simulations.runner import SimSession, broker_for
from fusehub.simulations.scenario import TimeResolver
from fusehub.simulations.world import Received

__all__ = ["SkillHarness"]


class SkillHarness:
    """A simulated home with your skill modules registered; use as an async context manager."""

    def __init__(
        self,
        home: str | Path,
        *,
        modules: Iterable[ModuleType] = (),
        rules: Iterable[str | Path] = (),
        start: str = "2026-01-05 12:00",
        people: Mapping[str, str] | None = None,
        broker_url: str | None = None,
    ) -> None:
        self.home = load_home(home)
        self.modules = list(modules)
        self.rules = [str(Path(r).resolve()) for r in rules]
        self.start = TimeResolver(start, self.home.timezone).start
        self.people = dict(people or {})
        self.broker_url = broker_url
        self._stack = contextlib.AsyncExitStack()
        self.sim: SimSession | None = None

    async def __aenter__(self) -> SkillHarness:
        url, proto = await self._stack.enter_async_context(broker_for(self.broker_url))
        sim = SimSession(self.home, self.rules, self.start, url, proto)
        for mod in self.modules:
            already = {s.source for s in sim.hub.skills}
            if mod.__name__ not in already:  # an installed package is already loaded via its entry point
                sim.hub.skills.add_module(mod)
        self.sim = await self._stack.enter_async_context(sim)
        for person, where in self.people.items():
            await self.sim.world.move(person, where, initial=True)
        await self.sim.settle()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def _sim(self) -> SimSession:
        if self.sim is None:
            raise RuntimeError("use SkillHarness as `async with`")
        return self.sim

    async def call(
        self, skill: str, args: Mapping[str, JSON] | None = None, *, person: str | None = None,
        room: str | None = None, origin: Origin = Origin.voice,
    ) -> Outcome:
        """Run one skill call as `person` (unknown if None) through policy and MQTT; waits for the devices."""
        sim = self._sim()
        actor = Actor.person(person) if person else Actor.unknown()
        ctx = Context(actor=actor, origin=origin, room=room)
        out = await sim.hub.execute(Plan(calls=[SkillCall(skill=skill, args=dict(args or {}))], source="cli"), ctx,
                                    cause=f"test call of {skill}")
        await sim.settle()
        return out

    async def say(self, text: str, *, person: str | None = None, room: str | None = None) -> Outcome:
        sim = self._sim()
        out = await sim.hub.say(text, person=person, room=room, origin=Origin.voice)
        await sim.settle()
        return out

    async def advance(self, seconds: float) -> None:
        sim = self._sim()
        await sim.advance_to(sim.clock.now() + timedelta(seconds=seconds))

    def now(self) -> datetime:
        return self._sim().clock.now()

    def device_state(self, device: str) -> dict[str, Any]:
        """The virtual device's own state (what the device believes, not what the hub believes)."""
        return dict(self._sim().world.devices[device].state)

    def received(self, device: str | None = None) -> list[Received]:
        return [r for r in self._sim().world.received if device is None or r.device == device]

    @property
    def hub(self) -> Any:
        return self._sim().hub
