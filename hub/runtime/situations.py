"""Proactive situations: presence events, a car's ETA and times of day become a situation the planner is
asked about; its plan is acted on or suggested to the owners as the household's autonomy setting says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fusehub.clock import Clock
from fusehub.config import SituationConfig
from fusehub.context.fusion import Fusion
from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Context, HubEvent, Origin
from fusehub.reasoner.planner import Planner, PlanRequest
from fusehub.runtime.executor import Executor
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Outcome
from fusehub.scheduler import Scheduler
from fusehub.sdk import SkillRegistry

__all__ = ["Situations"]


class Situations:
    """The configured situations (`reasoner.situations`) and what fires them."""

    def __init__(
        self,
        *,
        situations: list[SituationConfig],
        autonomy: Literal["act", "suggest", "off"],
        graph: ContextGraph,
        fusion: Fusion,
        planner: Planner,
        skills: SkillRegistry,
        executor: Executor,
        scheduler: Scheduler,
        clock: Clock,
        health: Health,
    ) -> None:
        self._situations = situations
        self._autonomy = autonomy
        self._graph = graph
        self._fusion = fusion
        self._planner = planner
        self._skills = skills
        self._executor = executor
        self._clock = clock
        self._metrics = health.metrics
        self._eta_fired: set[str] = set()
        for sit in situations:
            if sit.on == "time" and sit.at:
                scheduler.cron(f"situation:{sit.id}", sit.at, self._time_job(sit))

    def __bool__(self) -> bool:
        return bool(self._situations)

    def _time_job(self, sit: SituationConfig) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            await self.situation(self.describe(sit, None), Context(origin=Origin.schedule))

        return job

    def describe(self, sit: SituationConfig, person: str | None, eta_min: float | None = None) -> str:
        """The situation as the planner reads it, in the phrasing the model was trained on (fusehub.model.datagen):
        who, how soon, the outside temperature, darkness, doors left unlocked, covers left open."""
        name = self._graph.person(person).name.lower() if person and self._graph.has_person(person) else "someone"
        now = self._clock.now()
        outside = [float(v) for d in self._graph.devices(capability="measurement")
                   if "outside" in d.name.lower() and isinstance(v := d.state.get("value"), int | float)]
        if sit.on in ("car_eta", "arrived", "first_arrived"):
            text = f"{name} arriving home in {max(1, round(eta_min or 1))} min"
            if outside:
                text += f", outside {round(outside[0])} C"
            if now.hour >= 17 or now.hour < 7:
                text += ", dark"
        elif sit.on == "everyone_left" or sit.on == "time":
            text = sit.describe or ("everyone left home" if sit.on == "everyone_left" else "bedtime")
            for d in self._graph.devices(capability="lock"):
                if d.state.get("locked") is False:
                    text += f", {d.name.lower()} unlocked"
            if sit.on == "time":
                covers = [d for d in self._graph.devices(capability="cover_position")
                          if isinstance(d.state.get("position"), int | float) and d.state["position"] > 0]
                if covers:
                    text += f", {covers[0].name.lower()} open"
        else:
            text = sit.describe or f"{name} {sit.on.replace('_', ' ')}"
        return text

    async def on_event(self, ev: HubEvent) -> None:
        """The bus listener: presence events (arrived, left, first_arrived, everyone_left)."""
        person = ev.entity.split(":", 1)[1] if ev.entity.startswith("person:") else None
        for sit in self._situations:
            if sit.on == ev.name:
                await self.situation(self.describe(sit, person), ev.context)

    async def check_car_eta(self) -> None:
        """car_eta situations: fire once when a person's car comes within `minutes` of home."""
        for sit in self._situations:
            if sit.on != "car_eta" or sit.minutes is None:
                continue
            for p in self._graph.people():
                eta = self._fusion.car_eta(p.car) if p.car else None
                key = f"{sit.id}:{p.id}"
                if eta is None or eta <= 0:
                    self._eta_fired.discard(key)
                    continue
                if eta <= sit.minutes * 60 and key not in self._eta_fired:
                    self._eta_fired.add(key)
                    await self.situation(self.describe(sit, p.id, eta / 60),
                                         Context(origin=Origin.device, actor=Actor.person(p.id)))

    async def situation(self, text: str, cause: Context) -> Outcome | None:
        """A proactive situation: ask the planner, then act or suggest as the household's autonomy says."""
        if self._autonomy == "off" or self._planner.name == "none":
            return None
        ctx = Context(parent_id=cause.id, actor=Actor.system(), origin=Origin.situation)
        req = PlanRequest(situation=text, actor=ctx.actor, now=self._clock.now())
        plan = await self._planner.plan(req, self._graph, self._skills)
        plan = plan.model_copy(update={"source": "situation"})
        self._metrics["situations"] += 1
        if not plan.calls:
            return None
        if self._autonomy == "act":
            return await self._executor.execute(plan, ctx, cause=f"situation: {text[:80]}", parent_id=cause.id)
        return await self._executor.suggest(plan, ctx, text)
