"""The fused context a preference reads, taken from the graph through :mod:`fusehub.context.facts`: where each
person is (home, away with distance and ETA), daylight at the home, the outside temperature."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fusehub.context.facts import daylight, outside_temperature, whereabouts
from fusehub.context.graph import ContextGraph
from fusehub.reasoner.prefs.conditions import SituationContext, Whereabout

__all__ = ["situation_context"]


def situation_context(graph: ContextGraph, now: datetime, timezone: str) -> SituationContext:
    """The context after an event, at `now` (shown in the home's time zone)."""
    people = {}
    for p in graph.people():
        w = whereabouts(graph, p.id, now)
        people[p.id] = Whereabout(state=w.state, room=w.room, distance_m=w.distance_m, eta_min=w.eta_min,
                                  travel_mode=w.travel_mode)
    sun = daylight(graph, now)
    outside = outside_temperature(graph)
    return SituationContext(now=now.astimezone(ZoneInfo(timezone)), daylight=sun.is_daylight if sun else None,
                            outside_c=outside.value if outside is not None else None, people=people)
