"""What the hub did about one trigger, and one human line per event (journal and live console)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fusehub.context.graph import ContextGraph
from fusehub.events import (
    Command,
    CommandResult,
    Context,
    Decision,
    Event,
    HubEvent,
    Outbound,
    Plan,
    StateChanged,
    Utterance,
)
from fusehub.policy import Policy
from fusehub.sdk import SkillRegistry

__all__ = ["Outcome", "Transport", "plan_calls", "summarize"]


class Transport(Protocol):
    """What the hub needs from MQTT (:class:`fusehub.mqtt.MqttLink` implements it)."""

    async def publish(
        self, msg: Outbound, *, expiry_s: float | None = None, timeout: float = 10.0, command_id: str | None = None
    ) -> bool: ...

    async def subscribe(self, pattern: str, qos: int = 1) -> None: ...


@dataclass
class Outcome:
    """What the hub did about one trigger (returned to `say`, printed by the CLI)."""

    decision_id: str
    """The id of the journaled decision (`fusehub log --why` starts from it)."""
    plan: Plan
    """The plan that was judged."""
    verdicts: list[str] = field(default_factory=list)
    """Policy's verdict per call, in order: `allowed`, `rejected: ...`, `confirm: ...`, `failed: ...`."""
    commands: list[Command] = field(default_factory=list)
    """The device commands sent (or queued in the outbox)."""
    speech: str | None = None
    """What the hub says back."""
    pending_confirmation: str | None = None
    """The id an owner confirms with `fusehub confirm`, when a call waits for one."""

    def to_json(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "source": self.plan.source,
            "calls": [c.model_dump() for c in self.plan.calls],
            "verdicts": self.verdicts,
            "commands": [
                {"id": c.id, "device": c.device, "capability": c.capability, "action": c.action, "params": c.params}
                for c in self.commands
            ],
            "speech": self.speech,
            "cannot": self.plan.cannot,
            "cannots": self.plan.cannots,
            "pending_confirmation": self.pending_confirmation,
        }


def summarize(ev: Event) -> str:
    """One human line per event, for the journal and the live console."""
    if isinstance(ev, StateChanged):
        return f"{ev.entity}.{ev.attribute}: {ev.old!r} -> {ev.new!r}"
    if isinstance(ev, HubEvent):
        return f"{ev.entity} {ev.name}" + (f" {ev.data}" if ev.data else "")
    if isinstance(ev, Utterance):
        return f"{ev.context.actor} said {ev.text[:120]!r}" + (f" in {ev.context.room}" if ev.context.room else "")
    if isinstance(ev, Decision):
        calls = ", ".join(f"{c.skill}({_args(c.args)})" for c in ev.plan.calls) or (ev.plan.cannot or "nothing")
        verdicts = "; ".join(ev.verdicts)
        return f"[{ev.plan.source}] {calls} <- {ev.cause}" + (f" => {verdicts}" if verdicts else "")
    if isinstance(ev, Command):
        return f"{ev.device} {ev.capability}.{ev.action}({_args(ev.params)})"
    if isinstance(ev, CommandResult):
        return f"command {ev.command_id} {ev.status}" + (f": {ev.detail}" if ev.detail else "")
    return ev.kind


def _args(a: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in a.items())


def plan_calls(policy: Policy, plan: Plan, ctx: Context, skills: SkillRegistry,
               graph: ContextGraph, now: datetime | None = None) -> list[dict[str, Any]]:
    """The `calls` of `plan --json`: each call with the verdict of :meth:`Policy.check_plan`, the decision the
    hub's executor acts on for the same requester and origin."""
    return [{"skill": j.call.skill, "args": j.call.args, "permission": j.info.permission if j.info else "unknown",
             "policy": str(j.verdict)} for j in policy.check_plan(plan, ctx, skills, graph, now)]
