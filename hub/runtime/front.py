"""The reasoner's front: what turns an event or an utterance into a plan. Household rules first (event and time
triggers, delayed actions), then for utterances one route (:func:`fusehub.reasoner.pipeline.route`): declared
attributes, local sentence templates, the on-hub planner. Plans go to the executor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fusehub.clock import Clock
from fusehub.context.graph import ContextGraph
from fusehub.events import (
    Actor,
    Command,
    CommandResult,
    Context,
    Decision,
    Event,
    Origin,
    Plan,
    SkillCall,
    Utterance,
)
from fusehub.journal import Journal
from fusehub.language import request_language
from fusehub.reasoner.pipeline import MatcherLike, route
from fusehub.reasoner.planner import Planner
from fusehub.reasoner.rules import Rule, RuleSet
from fusehub.runtime.executor import Executor
from fusehub.runtime.outcome import Outcome, summarize
from fusehub.scheduler import Scheduler
from fusehub.sdk import SkillRegistry

__all__ = ["ReasonerFront", "ReplyListener"]

ReplyListener = Callable[[Outcome], Awaitable[None] | None]
"""Called with the outcome of every utterance the hub answered (the live console, the simulator)."""


class ReasonerFront:
    """Rules, utterances and `say`: each becomes a plan the executor runs."""

    def __init__(
        self,
        *,
        graph: ContextGraph,
        skills: SkillRegistry,
        rules: RuleSet,
        intents: MatcherLike | None,
        planner: Planner,
        mode: Literal["auto", "intents", "planner"],
        executor: Executor,
        scheduler: Scheduler,
        journal: Journal,
        clock: Clock,
    ) -> None:
        self._graph = graph
        self._skills = skills
        self.rules = rules
        self._intents = intents
        self._planner = planner
        self._mode = mode
        self._executor = executor
        self._scheduler = scheduler
        self._journal = journal
        self._clock = clock
        self._rule_jobs: dict[str, list[str]] = {}
        self._reply_listeners: list[ReplyListener] = []
        self.statements: Callable[[str, Context], Awaitable[Outcome | None]] | None = None
        """Standing wishes ("when X, do Y"): answered here instead of acted on now (the household's preferences,
        held until an owner confirms)."""
        for r in rules.time_rules():
            if r.trigger.time is not None:
                scheduler.cron(f"rule-time:{r.id}", r.trigger.time, self._time_rule_job(r))

    # ---------------------------------------------------------------- rules
    async def on_event(self, ev: Event) -> None:
        """The bus listener for rules: every event but the hub's own decisions and commands."""
        if isinstance(ev, Decision | Command | CommandResult | Utterance):
            return
        for rule in self.rules.matching(ev, self._graph):
            await self._run_rule(rule, ev.context, f"rule {rule.id} on {summarize(ev)}")

    def _time_rule_job(self, rule: Rule) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            if self.rules.conditions_hold(rule, self._graph, self._clock.now()):
                await self._run_rule(rule, Context(origin=Origin.schedule), f"rule {rule.id} at {rule.trigger.time}")

        return job

    async def _run_rule(self, rule: Rule, cause: Context, summary: str) -> None:
        ctx = Context(parent_id=cause.id, actor=Actor.system(), origin=Origin.rule)
        if rule.mode == "restart":
            for jid in self._rule_jobs.pop(rule.id, []):
                self._scheduler.cancel(jid)
        now_calls = [SkillCall(skill=a.skill, args=dict(a.args)) for a in rule.actions if a.delay == 0]
        outcome = await self._executor.execute(Plan(calls=now_calls, source="rule"), ctx, cause=summary,
                                               parent_id=cause.id)
        for i, a in enumerate(rule.actions):
            if a.delay > 0:
                jid = f"rule:{rule.id}:{i}:{ctx.id}"
                call = SkillCall(skill=a.skill, args=dict(a.args))
                self._scheduler.after(jid, a.delay, self._delayed(call, ctx, outcome.decision_id, rule.id, a.delay))
                self._rule_jobs.setdefault(rule.id, []).append(jid)

    def _delayed(
        self, call: SkillCall, ctx: Context, decision_id: str, rule_id: str, delay: float
    ) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            c = Context(parent_id=decision_id, actor=ctx.actor, origin=ctx.origin)
            await self._executor.execute(Plan(calls=[call], source="rule"), c,
                                         cause=f"rule {rule_id} after {delay:g}s", parent_id=decision_id)

        return job

    # ---------------------------------------------------------------- utterances
    def on_reply(self, fn: ReplyListener) -> None:
        self._reply_listeners.append(fn)

    async def on_utterance(self, u: Utterance) -> None:
        """The bus listener for utterances: plan, execute, answer on the satellite, tell the listeners."""
        outcome = await self.reason(u.text, u.context, cause=f"{u.context.actor} said {u.text[:80]!r}")
        if outcome.speech and u.satellite is not None:
            await self._executor.speak(u.satellite, outcome.speech, u.context)
        for fn in list(self._reply_listeners):
            res = fn(outcome)
            if res is not None:
                await res

    async def reason(self, text: str, ctx: Context, cause: str) -> Outcome:
        """Plan for an utterance (local intents, then the planner) and execute through policy. A standing wish
        ("when the washing machine finishes, tell whoever is home") is a proposed preference instead."""
        if self.statements is not None and (proposed := await self.statements(text, ctx)) is not None:
            return proposed
        plan = await self.plan_for(text, ctx)
        return await self._executor.execute(plan, ctx, cause=cause)

    async def plan_for(self, text: str, ctx: Context) -> Plan:
        """The plan the hub would make for `text`, executing nothing (see fusehub/reasoner/pipeline.py)."""
        routed = await route(text, self._graph, self._skills, self._intents, self._planner, mode=self._mode,
                             room=ctx.room, actor=ctx.actor, now=self._clock.now())
        if routed.plan.language is None:  # the matcher says which language it read; else the request's
            speaker = ctx.actor.id if ctx.actor.kind == "person" else None
            routed.plan.language = request_language(text, self._graph.speaker_language(speaker))
        return routed.plan

    async def say(self, text: str, *, person: str | None, room: str | None, origin: Origin,
                  parent_id: str | None = None) -> Outcome:
        """Handle a request as if spoken (`fusehub say`, the simulator). `parent_id`: what caused it (the id of the
        request that carried it), so `log --why` and the fault bench trace a command back to its request."""
        actor = Actor.person(person) if person and self._graph.has_person(person) else Actor.unknown()
        r = self._graph.resolve_room(room) if room else None
        ctx = Context(actor=actor, origin=origin, room=r, parent_id=parent_id)
        ev = Utterance(time=self._clock.now(), context=ctx, text=text[:1000])
        self._journal.record(ev, summary=summarize(ev))
        return await self.reason(text, ctx, cause=f"{actor} said {text[:80]!r}")
