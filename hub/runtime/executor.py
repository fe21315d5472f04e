"""The executor: each call of a plan through policy, the allowed ones through their skill, the commands to
the sender; secure calls an owner must confirm wait here (for five minutes) with a note to the owners' phones.
The model proposes, policy disposes: a plan the planner made is judged as the planner's, whoever asked."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fusehub.bus import Bus
from fusehub.clock import Clock
from fusehub.context.graph import ContextGraph
from fusehub.errors import SkillError
from fusehub.events import Actor, Command, Context, Decision, Origin, Plan, SkillCall, new_id
from fusehub.policy import Policy, Ruling, Verdict
from fusehub.reasoner.done import done_sentence
from fusehub.reasoner.messages import say_all
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Outcome
from fusehub.sdk import SkillContext, SkillRegistry, SkillResult, TimerService

__all__ = ["CONFIRM_WITHIN", "Executor", "one_run_per_vacuum"]

CONFIRM_WITHIN = timedelta(minutes=5)
"""How long a pending confirmation waits for an owner."""


@dataclass
class _Pending:
    call: SkillCall
    context: Context
    created: datetime


class Executor:
    """Runs plans through policy and skills. `timers` is the hub's timer service (set once built)."""

    def __init__(
        self,
        *,
        graph: ContextGraph,
        skills: SkillRegistry,
        policy: Policy,
        bus: Bus,
        clock: Clock,
        health: Health,
        send: Callable[[Command], Awaitable[Verdict | None]],
        send_all: Callable[[list[Command]], Awaitable[list[Verdict | None]]],
        command_ttl_s: float,
    ) -> None:
        self._graph = graph
        self._skills = skills
        self._policy = policy
        self._bus = bus
        self._clock = clock
        self._metrics = health.metrics
        self._send = send
        self._send_all = send_all
        self._ttl = command_ttl_s
        self.timers: TimerService | None = None
        self.pending: dict[str, _Pending] = {}

    def skill_context(self, ctx: Context) -> SkillContext:
        """The context every skill call and hub-made command gets: the graph now, the cause, the timers and the
        configured command TTL."""
        return SkillContext(graph=self._graph, now=self._clock.now(), context=ctx, timers=self.timers,
                            command_ttl_s=self._ttl)

    async def execute(self, plan: Plan, ctx: Context, cause: str, parent_id: str | None = None) -> Outcome:
        """Pass each call through policy, run the allowed ones, send their commands. Journals the decision,
        whose parent is `parent_id` (the triggering event) or else `ctx` itself."""
        decision_ctx = Context(parent_id=parent_id or ctx.id, actor=ctx.actor, origin=ctx.origin, room=ctx.room)
        outcome = Outcome(decision_id=decision_ctx.id, plan=plan)
        speech: list[str] = []
        results: list[SkillResult] = []
        # The one decision for a plan (also what `fusehub plan` prints): the model cannot grant rights.
        for judged in self._policy.check_plan(plan, ctx, self._skills, self._graph,
                                                   self._clock.now()):
            call, verdict = judged.call, judged.verdict
            if judged.info is None:
                outcome.verdicts.append(str(verdict))
                continue
            if verdict.outcome is Ruling.confirm:
                pid = self._hold(call, ctx)
                outcome.pending_confirmation = pid
                outcome.verdicts.append(str(verdict))
                speech.append(f"That needs an owner's confirmation ({verdict.reason})")
                await self.ask_owners(pid, call, ctx)
                continue
            if verdict.outcome is not Ruling.allowed:
                outcome.verdicts.append(str(verdict))
                self._metrics["policy.rejected"] += 1
                speech.append(f"Sorry, I can't: {verdict.reason}")
                continue
            try:
                res = self._skills.execute(call.skill, self.skill_context(decision_ctx), call.args)
            except SkillError as e:
                outcome.verdicts.append(f"failed: {e}")
                speech.append(f"Sorry, {e}")
                continue
            outcome.verdicts.append(str(Ruling.allowed))
            results.append(res)
            if res.speech:
                speech.append(res.speech)
            elif plan.cannots:  # some clauses refused: say what was done before what was not
                speech.append(done_sentence(call, self._graph))
        if plan.cannot:
            why = plan.cannot.rstrip(".")
            speech.append(why[:1].upper() + why[1:] if plan.calls else why)
        if plan.speech:
            speech.append(plan.speech)
        await self._bus.publish(Decision(time=self._clock.now(), context=decision_ctx, plan=plan,
                                         verdicts=outcome.verdicts, cause=cause))
        cmds = one_run_per_vacuum([cmd for res in results for cmd in res.commands])
        for cmd, problem in zip(cmds, await self._send_all(cmds), strict=True):  # one decision: one transaction
            if problem is None:
                outcome.commands.append(cmd)
            elif problem.outcome is not Ruling.merged:
                speech.append(f"Sorry, {problem.reason}")
        outcome.speech = say_all(speech, plan.language or "en") if speech else None
        return outcome

    async def suggest(self, plan: Plan, ctx: Context, text: str, cause: str | None = None) -> Outcome:
        """A proactive plan the household wants suggested: each call waits for an owner's confirmation.
        `cause` is the decision's cause in the journal (default: the suggestion's text)."""
        outcome = Outcome(decision_id=ctx.id, plan=plan)
        for call in plan.calls:
            pid = self._hold(call, ctx)
            await self.ask_owners(pid, call, ctx, suggestion=text)
            outcome.verdicts.append(f"suggested: {pid}")
            outcome.pending_confirmation = pid
        await self._bus.publish(Decision(time=self._clock.now(), context=ctx, plan=plan, verdicts=outcome.verdicts,
                                         cause=cause or f"situation: {text[:80]}"))
        return outcome

    def _hold(self, call: SkillCall, ctx: Context) -> str:
        pid = new_id()
        self.pending[pid] = _Pending(call, ctx, self._clock.now())
        return pid

    async def ask_owners(self, pending_id: str, call: SkillCall, ctx: Context, suggestion: str | None = None) -> None:
        """Send each owner's phone the pending request (data only: the skill, its args and who asked)."""
        who = f"fusehub suggests ({suggestion[:80]})" if suggestion else f"{ctx.actor} asks for"
        text = (f"{who} {call.skill} {json.dumps(call.args)[:200]}. "
                f"To allow it: fusehub confirm {pending_id} --person <you>")
        await self.notify_owners(text, ctx)

    async def notify_owners(self, text: str, ctx: Context, title: str = "fusehub: confirm?") -> None:
        """A notification to every owner's phone (data only)."""
        sctx = self.skill_context(ctx)
        phones = [p.phone for p in self._graph.people()
                  if p.role == "owner" and p.phone is not None and self._graph.has_device(p.phone)
                  and "notify" in self._graph.device(p.phone).capabilities]
        await self._send_all([sctx.command(phone, "notify", "notify", message=text, title=title)
                              for phone in phones])

    async def confirm(self, pending_id: str, person: str) -> Outcome | None:
        """An owner confirms a pending secure call; it then runs as that person's request."""
        p = self.pending.get(pending_id)
        if p is None or not self._graph.has_person(person) or self._graph.person(person).role != "owner":
            return None
        del self.pending[pending_id]
        if self._clock.now() - p.created > CONFIRM_WITHIN:
            return None
        ctx = Context(parent_id=p.context.id, actor=Actor.person(person), origin=Origin.phone, room=p.context.room)
        # the owner's confirmation makes it the owner's request: a model's or a preference's proposal is not
        # judged as a proposal again (that would ask for the same confirmation forever)
        source: Any = p.context.origin.value if p.context.origin.value in ("rule", "intent", "cli") else "cli"
        return await self.execute(Plan(calls=[p.call], source=source), ctx,
                                  cause=f"{person} confirmed {pending_id}", parent_id=p.context.id)

    async def speak(self, satellite: str, text: str, ctx: Context) -> None:
        """Say `text` on the satellite a request came from, when it can speak."""
        if "tts" not in self._graph.device(satellite).capabilities:
            return
        await self._send(self.skill_context(ctx).command(satellite, "tts", "announce", message=text[:300]))


def one_run_per_vacuum(cmds: list[Command]) -> list[Command]:
    """One decision's ``clean_rooms`` commands to one vacuum as one run: a plan names each room in a call of its
    own (conventions 9), but a second command would replace the vacuum's first run. The merged command keeps the
    first one's id and context and the rooms and segments in order; every other command is untouched."""
    out: list[Command] = []
    first: dict[str, int] = {}
    for cmd in cmds:
        if cmd.capability != "vacuum" or cmd.action != "clean_rooms":
            out.append(cmd)
            continue
        if cmd.device not in first:
            first[cmd.device] = len(out)
            out.append(cmd)
            continue
        prev = out[first[cmd.device]]
        params = dict(prev.params)
        for key in ("segments", "rooms"):
            a, b = prev.params.get(key), cmd.params.get(key)
            if isinstance(a, list) and isinstance(b, list):
                params[key] = [*a, *(x for x in b if x not in a)]
        out[first[cmd.device]] = prev.model_copy(update={"params": params})
    return out
