"""Household restrictions (the home file's `restrictions:`), as policy keeps them: which restriction, if any,
forbids a skill call for this requester at this time, and the sentence that says why.

A restriction binds a requester when its `who` names them (by id, role, or relation to someone; empty: every
requester). It covers a call when each kind its `what` names matches: the skill by name, a device the call
would act on, a room the call would act in. Where a call acts is read from its arguments without running it:
a device (or car), a room or rooms, a floor's rooms, the whole home, or else the requester's room. It holds at
`now` when `now` (in the home's time zone) is inside its window on one of its days; a restriction with a
window holds when the time is not known. Pure functions over the graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON, Context, SkillCall
from fusehub.household import DAYS, ROLE_WORDS, RestrictionDecl, WhenDecl

__all__ = ["binds", "call_places", "forbidding", "holds_at", "spoken_reason"]


def binds(r: RestrictionDecl, ctx: Context, graph: ContextGraph) -> bool:
    """Whether `r`'s `who` names the requester of `ctx`."""
    w = r.who
    if not (w.people or w.roles or w.relation):
        return True
    actor = ctx.actor
    if actor.kind != "person" or actor.id is None or not graph.has_person(actor.id):
        return w.unknown and actor.kind == "unknown"
    if actor.id in w.people or graph.person(actor.id).role in w.roles:
        return True
    return w.relation is not None and w.of is not None and actor.id in graph.relatives(w.of, w.relation)


def call_places(call: SkillCall, capabilities: tuple[str, ...], ctx: Context,
                graph: ContextGraph) -> tuple[set[str], set[str]]:
    """(devices, rooms) a call would act on, from its arguments: a named device or car (and its room), else the
    devices with the skill's capabilities in the rooms it names (room, rooms, a floor, everywhere; none of
    them: the requester's room, or for a car skill the requester's car)."""
    a: Mapping[str, JSON] = call.args
    devices: set[str] = set()
    for key in ("device", "car"):
        v = a.get(key)
        if isinstance(v, str) and graph.has_device(v):
            devices.add(v)
    actor = ctx.actor.id if ctx.actor.kind == "person" else None
    if (not devices and ("car" in a or any(c.startswith("car_") for c in capabilities))
            and actor is not None and graph.has_person(actor)):
        car = graph.person(actor).car
        if car is not None:
            devices.add(car)
    if devices:
        return devices, {r for d in devices if (r := graph.room_of(d)) is not None}
    rooms: set[str] = set()
    if a.get("everywhere") is True:
        rooms = {r.id for r in graph.rooms()}
    elif isinstance(a.get("floor"), str):
        rooms = {r.id for r in graph.rooms() if r.floor == a["floor"]}
    elif isinstance(a.get("room"), str):
        rooms = {graph.resolve_room(str(a["room"])) or str(a["room"])}
    elif isinstance(a.get("rooms"), list):
        rooms = {graph.resolve_room(str(x)) or str(x) for x in a["rooms"]}
    elif ctx.room is not None:
        rooms = {ctx.room}
    found = {d.id for d in graph.devices() if d.room in rooms
             and (not capabilities or set(capabilities) & set(d.capabilities))}
    return found, rooms


def holds_at(when: WhenDecl | None, now: datetime | None, tz: str) -> bool:
    """Whether a restriction's window holds at `now` (aware: converted to `tz`; naive: taken as local time)."""
    if when is None:
        return True
    if now is None:
        return True
    try:
        local = now.astimezone(ZoneInfo(tz)) if now.tzinfo is not None else now
    except ZoneInfoNotFoundError:
        local = now
    if when.from_ is None or when.to is None:
        return not when.days or DAYS[local.weekday()] in when.days
    start, end = time.fromisoformat(when.from_), time.fromisoformat(when.to)
    t = local.time()
    if start <= end:
        inside, day = start <= t < end, local
    else:  # over midnight: the early hours belong to the day the window began
        inside = t >= start or t < end
        day = local if t >= start else local - timedelta(days=1)
    return inside and (not when.days or DAYS[day.weekday()] in when.days)


def forbidding(call: SkillCall, capabilities: tuple[str, ...], ctx: Context, graph: ContextGraph,
               now: datetime | None) -> RestrictionDecl | None:
    """The first restriction that forbids `call` for `ctx`'s requester at `now`, or None."""
    rules = graph.restrictions()
    if not rules:
        return None
    devices, rooms = call_places(call, capabilities, ctx, graph)
    tz = graph.home_timezone()
    for r in rules:
        w = r.what
        if w.skills and call.skill not in w.skills:
            continue
        if w.devices and not devices & set(w.devices):
            continue
        if w.rooms and not rooms & set(w.rooms):
            continue
        if binds(r, ctx, graph) and holds_at(r.when, now, tz):
            return r
    return None


def _who(r: RestrictionDecl, graph: ContextGraph) -> str:
    w = r.who
    parts = [graph.person(p).name if graph.has_person(p) else p for p in w.people]
    plural = {v: k for k, v in ROLE_WORDS.items() if k != "kids"}
    parts += [plural.get(role, role + "s") for role in w.roles]
    if w.relation is not None and w.of is not None:
        of = graph.person(w.of).name if graph.has_person(w.of) else w.of
        many = {"child": "children", "grandchild": "grandchildren", "cared_for": "people in care"}
        parts.append(f"{of}'s {many.get(w.relation, w.relation + 's')}")
    if not parts:
        return "Nobody"
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:]


def _when(w: WhenDecl | None) -> str:
    if w is None:
        return ""
    out = f" between {w.from_} and {w.to}" if w.from_ and w.to else ""
    if w.days:
        out += " on " + ", ".join(d.capitalize() for d in w.days)
    return out


def spoken_reason(r: RestrictionDecl, graph: ContextGraph) -> str:
    """The sentence that says why a restriction refuses: its own `reason`, or one made from the rule."""
    if r.reason:
        return r.reason
    what = [s.replace("_", " ") for s in r.what.skills]
    what += [graph.device(d).name if graph.has_device(d) else d for d in r.what.devices]
    where = [graph.room(x).name if graph.has_room(x) else x for x in r.what.rooms]
    body = " or ".join(what) if what else "anything"
    if where:
        body += " in the " + " or the ".join(where)
    verb = "may not use" if _who(r, graph) != "Nobody" else "may use"
    return f"{_who(r, graph)} {verb} {body}{_when(r.when)}."
