"""`fusehub plan`: the skill calls the hub would make for a request, as JSON. Executes nothing.

Output (a public contract, documented in the README):

    {"text": str, "source": "intent"|"planner", "confidence": float,
     "calls": [{"skill": str, "args": {...}, "permission": "read"|"control"|"secure",
                "policy": "allowed" | "rejected: <reason>" | "confirm: <reason>"}],
     "cannot": str | null, "speech": str | null}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fusehub.app import build_hub
from fusehub.clock import RealClock
from fusehub.config import HubConfig, ReasonerConfig
from fusehub.context.graph import ContextGraph
from fusehub.errors import ConfigError
from fusehub.events import Actor, Context, Origin, Plan
from fusehub.home import load_home
from fusehub.journal import Journal
from fusehub.policy import Policy
from fusehub.sdk import SkillRegistry

__all__ = ["plan_calls", "plan_json"]


def apply_state_file(hub: Any, path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read state file {path}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: state must be a JSON object with devices and/or people")
    now = hub.clock.now()
    for dev, attrs in (data.get("devices") or {}).items():
        if not hub.graph.has_device(dev) or not isinstance(attrs, dict):
            raise ConfigError(f"{path}: unknown device {dev!r} or bad state")
        hub.graph.apply_state(dev, attrs, now)
    for pid, loc in (data.get("people") or {}).items():
        if not hub.graph.has_person(pid) or not isinstance(loc, dict):
            raise ConfigError(f"{path}: unknown person {pid!r} or bad location")
        hub.graph.set_person_location(pid, loc.get("location"), loc.get("room"), float(loc.get("confidence", 1.0)),
                                      now)


async def plan_json(
    home_path: Path, text: str, state: Path | None, person: str | None, room: str | None, mode: str,
    origin: Origin = Origin.voice,
) -> dict[str, Any]:
    home = load_home(home_path)
    cfg = HubConfig(home=str(home_path), reasoner=ReasonerConfig(mode=mode))  # type: ignore[arg-type]
    hub = build_hub(cfg, clock=RealClock(), home=home, journal=Journal(":memory:"))
    if state is not None:
        apply_state_file(hub, state)
    if person is not None and not hub.graph.has_person(person):
        raise ConfigError(f"unknown person {person!r}")
    r = hub.graph.resolve_room(room) if room else None
    if room and r is None:
        raise ConfigError(f"unknown room {room!r}")
    ctx = Context(actor=Actor.person(person) if person else Actor.unknown(), origin=origin, room=r)
    plan = await hub.plan_for(text, ctx)
    hub.journal.close()
    return {"text": text, "source": plan.source, "confidence": plan.confidence,
            "calls": plan_calls(hub.policy, plan, ctx, hub.skills, hub.graph), "cannot": plan.cannot,
            "speech": plan.speech}


def plan_calls(policy: Policy, plan: Plan, ctx: Context, skills: SkillRegistry,
               graph: ContextGraph) -> list[dict[str, Any]]:
    """The `calls` of `plan --json`: each call with the verdict of :meth:`Policy.check_plan`, the decision the
    hub's executor acts on for the same requester and origin."""
    return [{"skill": j.call.skill, "args": j.call.args, "permission": j.info.permission if j.info else "unknown",
             "policy": str(j.verdict)} for j in policy.check_plan(plan, ctx, skills, graph)]
