"""The fused context a preference's conditions are read against, the situation that happened, and the checks.

Pure functions: the same situation, context and graph always give the same answer, and every checked condition
reports the value it saw (what `fusehub log --why` prints)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON
from fusehub.preferences.schema import WEEKDAYS, Conditions, Preference, Situation

__all__ = ["Occurrence", "SituationContext", "Whereabout", "check_conditions", "describe_situation", "matches"]


@dataclass(frozen=True, slots=True)
class Whereabout:
    """Where a person is, as the fused context says (fusehub.context.facts.whereabouts)."""

    state: str
    """home, away or unknown."""
    room: str | None = None
    distance_m: float | None = None
    eta_min: float | None = None
    travel_mode: str | None = None


@dataclass(frozen=True, slots=True)
class SituationContext:
    """The fused context after the event: the local time, daylight, the outside temperature, where people are."""

    now: datetime
    """Aware, in the home's time zone."""
    daylight: bool | None = None
    outside_c: float | None = None
    people: Mapping[str, Whereabout] = field(default_factory=dict)

    def home(self) -> list[str]:
        return [p for p, w in self.people.items() if w.state == "home"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A situation that happened: its kind, whose it is, which device, and for threshold situations the
    trigger it crossed (`spec`, compared with each preference's `when` without its people)."""

    kind: str
    person: str | None = None
    device: str | None = None
    spec: Situation | None = None
    data: Mapping[str, JSON] = field(default_factory=dict)


def _signature(s: Situation) -> Situation:
    return s.model_copy(update={"person": []})


def matches(when: Situation, occ: Occurrence, now: datetime) -> bool:
    """Whether a preference's situation is this occurrence."""
    if when.situation != occ.kind:
        return False
    if when.person and occ.person not in when.person:
        return False
    if when.weekdays and WEEKDAYS[now.weekday()] not in when.weekdays:
        return False
    if occ.spec is not None:
        return _signature(when) == _signature(occ.spec)
    if when.device is not None:
        return when.device == occ.device
    return True


def _in_window(now: time, after: str | None, before: str | None) -> bool:
    a = time.fromisoformat(after) if after else time(0, 0)
    b = time.fromisoformat(before) if before else time(23, 59, 59, 999999)
    return a <= now < b if a <= b else (now >= a or now < b)


def _compare(value: JSON, *, equals: JSON = None, not_equals: JSON = None, above: float | None = None,
             below: float | None = None, given: set[str] | frozenset[str] = frozenset()) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if "equals" in given and value != equals:
        return False
    if "not_equals" in given and value == not_equals:
        return False
    if above is not None and not (number and value > above):
        return False
    return not (below is not None and not (number and value < below))


def check_conditions(
    c: Conditions, occ: Occurrence, ctx: SituationContext, graph: ContextGraph
) -> tuple[bool, dict[str, JSON]]:
    """Whether every condition holds, and the value each checked condition saw (in order; the first that
    fails is the last one listed)."""
    local = ctx.now
    person = occ.person
    where = ctx.people.get(person) if person else None
    checks: list[tuple[str, JSON, bool]] = []  # (name, value seen, holds)
    if c.who:
        checks.append(("who", person, person in c.who))
    if c.weekdays:
        day = WEEKDAYS[local.weekday()]
        checks.append(("weekday", day, day in c.weekdays))
    if c.after is not None or c.before is not None:
        checks.append(("time", local.strftime("%H:%M"), _in_window(local.time(), c.after, c.before)))
    if c.daylight is not None:
        checks.append(("daylight", ctx.daylight, ctx.daylight is not None and ctx.daylight == c.daylight))
    if c.outside_below is not None or c.outside_above is not None:
        checks.append(("outside_c", ctx.outside_c, ctx.outside_c is not None and _compare(
            ctx.outside_c, above=c.outside_above, below=c.outside_below)))
    if c.eta_below is not None:
        eta = where.eta_min if where is not None else None
        checks.append(("eta_min", eta, eta is not None and eta < c.eta_below))
    for p in c.home:
        w = ctx.people.get(p)
        checks.append((f"{p}.home", w.state if w else None, w is not None and w.state == "home"))
    for p in c.away:
        w = ctx.people.get(p)
        checks.append((f"{p}.home", w.state if w else None, w is not None and w.state == "away"))
    if c.anyone_home is not None:
        checks.append(("people_home", len(ctx.home()), bool(ctx.home()) == c.anyone_home))
    for d in c.devices:
        value = graph.device(d.device).state.get(d.attribute) if graph.has_device(d.device) else None
        checks.append((f"{d.device}.{d.attribute}", value, _compare(
            value, equals=d.equals, not_equals=d.not_equals, above=d.above, below=d.below,
            given=d.model_fields_set)))
    seen: dict[str, JSON] = {}
    for name, value, ok in checks:
        seen[name] = value
        if not ok:
            return False, seen
    return True, seen


def describe_situation(pref: Preference) -> str:
    """A preference's situation in a few words, for the journal."""
    w = pref.when
    return w.situation + (f" ({', '.join(w.person)})" if w.person else "")
