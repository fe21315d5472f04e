"""Policy: the only place that decides what may actually run. The model proposes; policy disposes.

Every skill call passes `check_call`: arguments validated, the actor authorized for the skill's
permission level and the request's origin, secure skills guarded. Every command passes
`admit_command`: identical commands within a short window are merged, and each device has a rate limit.
Authorization is decided from the context's actor and origin, never from any text.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fusehub.context.graph import ContextGraph
from fusehub.errors import SkillError, UnknownSkill
from fusehub.events import Command, Context, Origin, Plan, SkillCall
from fusehub.restrictions import forbidding, spoken_reason
from fusehub.sdk import SkillInfo, SkillRegistry
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CallVerdict", "Policy", "PolicyConfig", "Ruling", "Verdict", "judged_as"]


def _car_keeper(call: SkillCall, graph: ContextGraph) -> str | None:
    """The person whose car a `car_unlock` opens (None: another call, or a car nobody keeps)."""
    car = call.args.get("car")
    if call.skill != "car_unlock" or not isinstance(car, str):
        return None
    return next((p.id for p in graph.people() if p.car == car), None)


class PolicyConfig(BaseModel):
    """Policy settings (the `policy:` section of the config)."""

    model_config = ConfigDict(extra="forbid")

    merge_window_s: float = Field(default=2.0, ge=0, description="Identical commands within this window merge.")
    rate_limit_count: int = Field(default=10, ge=1, description="Max commands per device per rate window.")
    rate_limit_window_s: float = Field(default=10.0, gt=0, description="Rate-limit window in seconds.")
    secure_from_rules: bool = Field(
        default=True, description="Rules and schedules written by the household may run secure skills."
    )
    voice_secure_needs_owner_home: bool = Field(
        default=True,
        description="A spoken secure request runs only if an owner is at home; otherwise it needs a confirmation.",
    )


class Ruling(StrEnum):
    """A verdict's outcome."""

    allowed = "allowed"
    """It may run (a call) or be sent (a command)."""
    rejected = "rejected"
    """It may not; the reason says why."""
    confirm = "confirm"
    """An owner must confirm it first."""
    merged = "merged"
    """A command identical to one sent moments ago: it is the same action, not sent again."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What policy says of one call or command, and why."""

    outcome: Ruling
    reason: str = ""

    def __str__(self) -> str:
        return self.outcome if not self.reason else f"{self.outcome}: {self.reason}"


_ALLOWED = Verdict(Ruling.allowed)


@dataclass(frozen=True, slots=True)
class CallVerdict:
    """One call of a plan as policy judged it: the skill (None when no such skill is installed) and the verdict."""

    call: SkillCall
    info: SkillInfo | None
    verdict: Verdict


def judged_as(plan: Plan, ctx: Context) -> Context:
    """The context a plan's calls are judged in. What the planner (or a situation) proposed is judged as its
    proposal, whoever asked: the model cannot grant rights. Anything else is judged as the requester's."""
    if plan.source == "planner" and ctx.origin != Origin.planner:
        return ctx.model_copy(update={"origin": Origin.planner})
    if plan.source == "situation" and ctx.origin not in (Origin.planner, Origin.situation):
        return ctx.model_copy(update={"origin": Origin.situation})
    return ctx


class Policy:
    def __init__(self, config: PolicyConfig | None = None) -> None:
        self.config = config or PolicyConfig()
        self._recent: dict[tuple[str, str, str, str], datetime] = {}
        self._rate: dict[str, deque[datetime]] = {}

    def check_call(self, call: SkillCall, info: SkillInfo, ctx: Context, graph: ContextGraph,
                   now: datetime | None = None) -> Verdict:
        """May this call run now for this actor and origin? The household's restrictions (the home file's
        `restrictions:`) are kept first, with their reason as the verdict's; `now` is the time they are judged at
        (unknown: a restriction with a time window holds)."""
        try:
            info.validate_args(call.args)
        except SkillError as e:
            return Verdict(Ruling.rejected, str(e))
        actor = ctx.actor
        role = None
        if actor.kind == "person":
            if actor.id is None or not graph.has_person(actor.id):
                return Verdict(Ruling.rejected, f"unknown person {actor.id!r}")
            role = graph.person(actor.id).role
        rule = forbidding(call, info.capabilities, ctx, graph, now)
        if rule is not None:
            return Verdict(Ruling.rejected, spoken_reason(rule, graph))
        if info.permission == "read":
            return _ALLOWED
        if info.permission == "control":
            return _ALLOWED
        # ---- secure
        if ctx.origin in (Origin.rule, Origin.schedule) and actor.kind == "system":
            if self.config.secure_from_rules:
                return _ALLOWED
            return Verdict(Ruling.rejected, "secure skills from rules are disabled")
        if ctx.origin == Origin.situation and actor.kind == "system":
            # A household preference acting on a situation: locking and closing run; anything else secure waits
            # for an owner's confirmation (the config's reasoner.autonomy: "secure calls always need an owner").
            if info.protective:
                return _ALLOWED
            return Verdict(Ruling.confirm, f"{info.name} is secure: an owner confirms what a preference asks for")
        if actor.kind == "unknown":
            return Verdict(Ruling.rejected, f"{info.name} is secure and the requester is not identified")
        if actor.kind in ("device", "system"):
            return Verdict(Ruling.rejected, f"{info.name} is secure and may only be asked for by a person")
        if info.protective:
            # Locking and closing: any identified person, whoever proposed it (conventions 14).
            return _ALLOWED
        if role in ("child", "guest"):
            return Verdict(Ruling.rejected, f"{info.name} is secure and {actor.id} is a {role}")
        keeper = _car_keeper(call, graph)
        if keeper is not None and keeper != actor.id:
            # Someone else's car is opened only with its keeper's word (the home file's person `car`).
            return Verdict(Ruling.confirm, f"{info.name}: the car is {graph.person(keeper).name}'s, who confirms")
        if ctx.origin in (Origin.planner, Origin.situation):
            # The model proposed it: a person must confirm, whatever the model said.
            return Verdict(Ruling.confirm, f"{info.name} was proposed by the planner")
        if ctx.origin == Origin.voice and self.config.voice_secure_needs_owner_home:
            owners_home = [p for p in graph.people() if p.role == "owner" and p.location == "home"]
            if not owners_home:
                return Verdict(Ruling.confirm, f"{info.name} by voice with no owner at home")
        return _ALLOWED

    def check_plan(self, plan: Plan, ctx: Context, skills: SkillRegistry, graph: ContextGraph,
                   now: datetime | None = None) -> list[CallVerdict]:
        """The one decision for a plan: each call judged for this requester and origin (see :func:`judged_as`).
        The hub's executor acts on it and `fusehub plan` prints it, so the two cannot disagree."""
        judged = judged_as(plan, ctx)
        out: list[CallVerdict] = []
        for call in plan.calls:
            try:
                info = skills.get(call.skill)
            except UnknownSkill as e:
                out.append(CallVerdict(call, None, Verdict(Ruling.rejected, str(e))))
                continue
            out.append(CallVerdict(call, info, self.check_call(call, info, judged, graph, now)))
        return out

    def admit_command(self, cmd: Command, now: datetime) -> Verdict:
        """Merge duplicates and enforce the per-device rate limit."""
        key = (cmd.device, cmd.capability, cmd.action, _params_key(cmd.params))
        window = timedelta(seconds=self.config.merge_window_s)
        last = self._recent.get(key)
        if last is not None and now - last < window:
            return Verdict(Ruling.merged, "merged with an identical command")
        q = self._rate.setdefault(cmd.device, deque())
        horizon = now - timedelta(seconds=self.config.rate_limit_window_s)
        while q and q[0] <= horizon:
            q.popleft()
        if len(q) >= self.config.rate_limit_count:
            return Verdict(Ruling.rejected, f"rate limit: {cmd.device} had {len(q)} commands in "
                                       f"{self.config.rate_limit_window_s:g}s")
        q.append(now)
        self._recent[key] = now
        if len(self._recent) > 4096:
            self._recent = {k: t for k, t in self._recent.items() if now - t < window}
        return _ALLOWED


def _params_key(params: dict[str, object]) -> str:
    import json

    return json.dumps(params, sort_keys=True, default=str)
