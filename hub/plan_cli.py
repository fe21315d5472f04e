"""`fusehub plan`: the skill calls the hub would make for a request, as JSON. Executes nothing.

Output (a public contract, documented in the README):

    {"text": str, "source": "intent"|"planner", "confidence": float,
     "calls": [{"skill": str, "args": {...}, "permission": "read"|"control"|"secure",
                "policy": "allowed" | "rejected: <reason>" | "confirm: <reason>"}],
     "cannot": str | null, "cannots": [str], "speech": str | null}

`cannots` (added with multi-clause requests): one reason per clause that cannot be done, in order, beside the
calls of the clauses that can; `cannot` stays for compatibility (null, the one reason, or the reasons joined).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fusehub import yamlio
from fusehub.app import build_hub
from fusehub.clock import RealClock
from fusehub.config import HubConfig, ReasonerConfig
from fusehub.errors import ConfigError
from fusehub.events import Actor, Context, Origin
from fusehub.home import DeviceState, Home, load_home, state_problems
from fusehub.journal import Journal
from fusehub.runtime.outcome import plan_calls
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["plan_calls", "plan_json"]


class PersonState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(default=None, description="'home', 'away', a place id, or null when unknown.")
    room: str | None = Field(default=None, description="Room id when at home.")
    confidence: float = Field(default=1.0, ge=0, le=1, description="How sure the belief is.")


class StateFile(BaseModel):
    """`fusehub plan --state`: device states and where people are, checked like a home file's `initial:`."""

    model_config = ConfigDict(extra="forbid")

    devices: dict[str, DeviceState] = Field(default_factory=dict, description="device id -> {attribute: value}.")
    people: dict[str, PersonState] = Field(default_factory=dict, description="person id -> location.")


def load_state_file(path: Path, home: Home) -> StateFile:
    """Parse and check a state file against the home; ConfigError names the file and the key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read state file {path}: {e.strerror}") from e
    except ValueError as e:
        raise ConfigError(f"{path}: not valid JSON: {e}") from e
    sf = yamlio.validate(StateFile, data, str(path), "state file")
    devices = {d.id: d for d in home.devices}
    problems = []
    for dev, attrs in sf.devices.items():
        decl = devices.get(dev)
        if decl is None:
            problems.append(f"devices.{dev}: unknown device (known: {', '.join(sorted(devices))})")
            continue
        problems += [f"devices.{dev}.{p}" for p in state_problems(decl.effective_capabilities(), decl.attributes,
                                                                  attrs)]
    people = {p.id for p in home.people}
    rooms = {r.id for r in home.rooms}
    places = {"home", "away"} | {p.id for p in home.places}
    for pid, loc in sf.people.items():
        if pid not in people:
            problems.append(f"people.{pid}: unknown person (known: {', '.join(sorted(people))})")
        if loc.location is not None and loc.location not in places:
            problems.append(f"people.{pid}.location: {loc.location!r} is not home, away or a place of the home")
        if loc.room is not None and loc.room not in rooms:
            problems.append(f"people.{pid}.room: unknown room {loc.room!r}")
    if problems:
        raise ConfigError(f"{path}: invalid state file:\n" + "\n".join(f"  {p}" for p in problems))
    return sf


def apply_state_file(hub: Any, home: Home, path: Path) -> None:
    sf = load_state_file(path, home)
    now = hub.clock.now()
    for dev, attrs in sf.devices.items():
        hub.graph.apply_state(dev, attrs, now)
    for pid, loc in sf.people.items():
        hub.graph.set_person_location(pid, loc.location, loc.room, loc.confidence, now)


async def plan_json(
    home_path: Path, text: str, state: Path | None, person: str | None, room: str | None, mode: str,
    origin: Origin = Origin.voice,
) -> dict[str, Any]:
    home = load_home(home_path)
    cfg = HubConfig(home=str(home_path), reasoner=ReasonerConfig(mode=mode))  # type: ignore[arg-type]
    hub = build_hub(cfg, clock=RealClock(), home=home, journal=Journal(":memory:"), lazy=True)
    if state is not None:
        apply_state_file(hub, home, state)
    if person is not None and not hub.graph.has_person(person):
        raise ConfigError(f"unknown person {person!r}")
    r = hub.graph.resolve_room(room) if room else None
    if room and r is None:
        raise ConfigError(f"unknown room {room!r}")
    ctx = Context(actor=Actor.person(person) if person else Actor.unknown(), origin=origin, room=r)
    plan = await hub.plan_for(text, ctx)
    hub.journal.close()
    return {"text": text, "source": plan.source, "confidence": plan.confidence,
            "calls": plan_calls(hub.policy, plan, ctx, hub.skills, hub.graph, hub.clock.now()),
            "cannot": plan.cannot, "cannots": plan.cannots, "speech": plan.speech}
