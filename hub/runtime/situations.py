"""Proactive situations: what the household asked for, and nothing else.

The detector (:mod:`fusehub.reasoner.prefs.detect`) turns hub events, schedules and the fused context into
situations; each situation is evaluated against every household preference about it
(:mod:`fusehub.reasoner.prefs.evaluate`), with the fused context after the event. The preferences that apply run
(autonomy `act`, through policy like any plan) or go to the owners' phones to confirm (`suggest`); when none
applies nothing happens. There are no built-in habits and the planner is never asked about a situation.

Each decision's cause names the preference and the values its conditions saw (`fusehub log --why`).

Plain-language preferences (:mod:`fusehub.reasoner.prefs.compile`) are proposals until an owner confirms them
(`fusehub confirm ID --person OWNER`); confirmed ones are kept in the journal and survive a restart."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fusehub.clock import Clock
from fusehub.context.fusion import Fusion
from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Context, Event, Origin, Plan, SkillCall, new_id
from fusehub.preferences.schema import Autonomy, Preference, Situation
from fusehub.reasoner.pipeline import MatcherLike
from fusehub.reasoner.prefs.compile import compile_preference, looks_like_preference
from fusehub.reasoner.prefs.conditions import Occurrence
from fusehub.reasoner.prefs.detect import Detector
from fusehub.reasoner.prefs.evaluate import Evaluation, evaluate, why_line
from fusehub.reasoner.prefs.facts_view import situation_context
from fusehub.runtime.executor import CONFIRM_WITHIN, Executor
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Outcome
from fusehub.scheduler import Scheduler

__all__ = ["ADDED_KEY", "Situations"]

log = logging.getLogger("fusehub")

ADDED_KEY = "preferences.added"
"""Journal key of the plain-language preferences owners confirmed (a list of preference dicts)."""


@dataclass
class _Proposal:
    preference: Preference
    readback: str
    created: datetime


class Situations:
    """The household's preferences, what fires them, and proposals waiting for an owner."""

    def __init__(
        self,
        *,
        preferences: list[Preference],
        autonomy: Autonomy,
        timezone: str,
        graph: ContextGraph,
        fusion: Fusion,
        executor: Executor,
        scheduler: Scheduler,
        clock: Clock,
        health: Health,
        store: Any,
    ) -> None:
        self._home_prefs = list(preferences)
        self._autonomy = autonomy
        self._tz = timezone
        self._graph = graph
        self._fusion = fusion
        self._executor = executor
        self._scheduler = scheduler
        self._clock = clock
        self._metrics = health.metrics
        self._store = store
        self.proposals: dict[str, _Proposal] = {}
        self._added = [Preference.model_validate(p) for p in (store.get(ADDED_KEY) or [])
                       if isinstance(p, dict)]
        self._detector = Detector(self.preferences)
        self._schedule()

    @property
    def preferences(self) -> list[Preference]:
        """The home file's preferences, then those owners confirmed."""
        return [*self._home_prefs, *self._added]

    def _schedule(self) -> None:
        for job in self._scheduler.jobs():
            if job.id.startswith("situation:"):
                self._scheduler.cancel(job.id)
        for i, spec in enumerate(self._detector.timed()):
            hh, mm = map(int, (spec.at or "00:00").split(":"))
            fire = datetime(2000, 1, 3, hh, mm) - timedelta(minutes=spec.lead_min)
            self._scheduler.cron(f"situation:{i}:{spec.situation}", f"{fire.minute} {fire.hour} * * *",
                                 self._timed_job(spec))

    def _timed_job(self, spec: Situation) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            people: list[str | None] = [*spec.person] or [None]  # a departure is the named person's
            for p in people:
                await self.handle(Occurrence(spec.situation, person=p, spec=spec), Context(origin=Origin.schedule))

        return job

    # ------------------------------------------------------------------ detection
    async def on_event(self, ev: Event) -> None:
        """The bus listener: presence events, doorbells, alarms, device values crossing a threshold."""
        for occ in self._detector.on_event(ev, self._graph):
            await self.handle(occ, ev.context)

    async def tick(self) -> None:
        """Look at the fused context: ETAs, the car at the driveway, sunset / sunrise, the outside temperature."""
        if not self.preferences:
            return
        ctx = situation_context(self._graph, self._clock.now(), self._tz)
        cars = {p.id: self._fusion.car_eta(p.car) == 0.0 for p in self._graph.people()
                if p.car and self._graph.has_device(p.car)}
        for occ in self._detector.on_tick(ctx, self._graph, cars):
            cause = Context(origin=Origin.device, actor=Actor.person(occ.person) if occ.person else Actor.system())
            await self.handle(occ, cause)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, occ: Occurrence) -> Evaluation:
        """Which preferences apply to this situation now, and their calls (executing nothing)."""
        ctx = situation_context(self._graph, self._clock.now(), self._tz)
        return evaluate(self.preferences, occ, ctx, self._graph, self._autonomy)

    async def handle(self, occ: Occurrence, cause: Context) -> Evaluation:
        """Evaluate a situation and run (or suggest) what applies; nothing when nothing applies."""
        result = self.evaluate(occ)
        self._metrics["situations"] += 1
        for pid, values in result.held_back:
            log.info("situation %s: preference %s does not apply (%s)", occ.kind, pid, values)
        done: list[SkillCall] = []
        for a in result.applied:
            calls = [c for c in a.calls if c not in done]
            done += calls
            if not calls:
                continue
            self._metrics["situations.applied"] += 1
            ctx = Context(parent_id=cause.id, actor=Actor.system(), origin=Origin.situation)
            plan = Plan(calls=calls, source="situation")
            if a.autonomy == "act":
                await self._executor.execute(plan, ctx, cause=why_line(a), parent_id=cause.id)
            else:
                await self._executor.suggest(plan, ctx, a.preference.description or a.preference.id,
                                             cause=why_line(a))
        return result

    # ------------------------------------------------------------------ plain-language preferences
    async def statement(self, text: str, ctx: Context, matcher: MatcherLike | None) -> Outcome | None:
        """A standing wish said or typed: compiled, read back, and held for an owner's confirmation; it changes
        nothing until then. None: not a standing wish (the request is handled as usual)."""
        if not looks_like_preference(text):
            return None
        proposer = ctx.actor.id if ctx.actor.kind == "person" else None
        n = 1 + sum(1 for p in self.preferences if p.id.startswith("said"))
        compiled = compile_preference(text, self._graph, matcher, proposer=proposer, pref_id=f"said_{n}")
        if compiled.preference is None or compiled.readback is None:
            self._metrics["preferences.not_understood"] += 1
            return await self._executor.execute(
                Plan(source="situation", cannot=f"I could not make that a preference: {compiled.problem}"), ctx,
                cause=f"preference not understood: {text[:80]!r}")
        pid = await self.propose(compiled.preference, compiled.readback, ctx.actor)
        out = await self._executor.execute(
            Plan(source="situation", speech=f"{compiled.readback} An owner must confirm it before it applies."),
            ctx, cause=f"preference proposed ({pid}): {compiled.readback[:200]}")
        out.pending_confirmation = pid
        return out

    async def propose(self, preference: Preference, readback: str, proposer: Actor) -> str:
        """Hold a compiled preference until an owner confirms it; the owners' phones get the readback."""
        pid = new_id()
        self.proposals[pid] = _Proposal(preference, readback, self._clock.now())
        self._metrics["preferences.proposed"] += 1
        await self._executor.notify_owners(
            f"{proposer} asks to add a preference: {readback[:300]}. To keep it: fusehub confirm {pid} "
            f"--person <you>", Context(actor=proposer, origin=Origin.situation))
        return pid

    def confirm(self, proposal_id: str, person: str) -> Preference | None:
        """An owner confirms a proposal: from now on it applies (and it is kept). None: no such proposal, expired,
        or `person` is not an owner."""
        p = self.proposals.get(proposal_id)
        if p is None or not self._graph.has_person(person) or self._graph.person(person).role != "owner":
            return None
        del self.proposals[proposal_id]
        if self._clock.now() - p.created > CONFIRM_WITHIN:
            return None
        taken = {x.id for x in self.preferences}
        pref, n = p.preference, 2
        while pref.id in taken:
            pref, n = p.preference.model_copy(update={"id": f"{p.preference.id}_{n}"}), n + 1
        self._added.append(pref)
        self._store.put(ADDED_KEY, [x.model_dump(mode="json", by_alias=True, exclude_defaults=True)
                                    for x in self._added])
        self._detector.set_preferences(self.preferences)
        self._schedule()
        self._metrics["preferences.confirmed"] += 1
        return pref

