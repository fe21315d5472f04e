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
from fusehub.errors import ConfigError, UnknownSkill
from fusehub.events import Actor, Context, Origin
from fusehub.home import load_home
from fusehub.journal import Journal

__all__ = ["plan_json"]


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
    home_path: Path, text: str, state: Path | None, person: str | None, room: str | None, mode: str
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
    ctx = Context(actor=Actor.person(person) if person else Actor.unknown(), origin=Origin.voice, room=r)
    plan = await hub.plan_for(text, ctx)
    calls = []
    permission: str
    for c in plan.calls:
        try:
            info = hub.skills.get(c.skill)
            verdict = str(hub.policy.check_call(c, info, ctx, hub.graph))
            permission = info.permission
        except UnknownSkill as e:
            verdict, permission = f"rejected: {e}", "unknown"
        calls.append({"skill": c.skill, "args": c.args, "permission": permission, "policy": verdict})
    hub.journal.close()
    return {"text": text, "source": plan.source, "confidence": plan.confidence, "calls": calls,
            "cannot": plan.cannot, "speech": plan.speech}
