"""A stand-in for fusehub.context.facts (the facts branch) until it is merged: registered only when the real
module is missing. Whereabouts from the graph's fused location; no ETA, daylight or outside reading."""

from __future__ import annotations

import importlib.util
import sys
import types
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class _Where:
    person: str
    state: str
    room: str | None
    confidence: float = 1.0
    distance_m: float | None = None
    eta_min: float | None = None
    travel_mode: str | None = None


def _whereabouts(graph: Any, person: str, now: datetime) -> _Where:
    p = graph.person(person)
    state = "home" if p.location == "home" else "unknown" if p.location is None else "away"
    return _Where(person, state, p.room if state == "home" else None)


def install() -> None:
    if importlib.util.find_spec("fusehub.context.facts") is not None:
        return
    mod = types.ModuleType("fusehub.context.facts")
    mod.whereabouts = _whereabouts  # type: ignore[attr-defined]
    mod.daylight = lambda graph, now: None  # type: ignore[attr-defined]
    mod.outside_temperature = lambda graph, now=None: None  # type: ignore[attr-defined]
    sys.modules["fusehub.context.facts"] = mod
