"""The last check on one clause's plan, whatever stage made it, and the union of several clauses' plans.

Never substitute (conventions 4 and 13): a device named by name or by room is that device or one in that room.
A call that acts on a device outside the room the clause names, on another device than the one it names, or
(after the matcher found a name the home lacks) on a device that shares no word of that name, is not made: the
clause becomes a `cannot` naming what is missing ("there is no speaker in the garage").

Missing attributes (13): a call on a device that lacks the capability the skill needs, or an `attribute_set`
of an attribute the device does not declare, becomes "the <device> has no <attribute>".

Out of range (12): an absolute value outside the device's declared range or options is refused, never capped
("30 degrees is out of range for the Study Heater (16-28)"). Relative changes are left to the skills, which
clamp.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import JSON, Plan, SkillCall
from fusehub.reasoner.unite import unite
from fusehub.sdk import SkillRegistry

__all__ = ["guarded", "mentions", "union"]

_GENERIC = frozenset((
    "a", "an", "the", "my", "our", "your", "this", "that", "all", "every", "of", "in", "on", "at", "to", "and",
    "light", "lights", "lamp", "lamps", "speaker", "speakers", "fan", "fans", "tv", "television", "plug", "switch",
    "device", "thing", "heater", "thermostat", "blind", "blinds", "curtain", "curtains", "lock", "door", "sensor",
    "room", "player", "media",
))
_VERB_WORDS = frozenset((
    "turn", "switch", "set", "make", "put", "dim", "brighten", "open", "close", "shut", "lock", "unlock", "start",
    "stop", "pause", "play", "resume", "raise", "lower", "increase", "decrease", "change", "activate", "mute",
    "unmute", "on", "off", "up", "down", "the", "my", "a", "an", "please", "power", "what", "what's", "is", "are",
    "how", "clean", "vacuum", "adjust", "reduce", "bump", "crank", "boost", "drop", "check",
))
_TAIL = re.compile(r"\s+(?:to|by|at|up|down|on|off|a\s+bit|a\s+little|brighter|dimmer|louder|quieter|warmer|"
                   r"cooler|higher|lower)\b.*$")


def _has(text: str, name: str) -> re.Match[str] | None:
    n = name.casefold().strip()
    if not n:
        return None
    return re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)


def mentions(clause: str, graph: ContextGraph, room: str | None) -> tuple[set[str], set[str], str]:
    """(devices named, rooms named, the clause with those names blanked) in `clause`: device names and aliases
    first (longest first, so "Living Room Speaker" is a device, not the living room), then rooms; "in here" and
    "this room" name the speaker's room."""
    text = " " + clause.casefold().replace("\u2019", "'").replace("'s ", " ") + " "
    named: list[tuple[str, str]] = []
    for d in graph.devices():
        for n in (d.name, *d.aliases):
            named.append((n.casefold(), d.id))
    devices: set[str] = set()
    for n, did in sorted(named, key=lambda x: len(x[0]), reverse=True):
        m = _has(text, n)
        if m is None:
            continue
        devices.add(did)
        for other, oid in named:  # the same name on another device is as much named
            if other == n:
                devices.add(oid)
    for n, _ in sorted(named, key=lambda x: len(x[0]), reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(n)}(?!\w)", " \u2022 ", text) if n else text
    rooms: set[str] = set()
    for r in sorted(graph.rooms(), key=lambda r: -max(len(x) for x in (r.name, *r.aliases))):
        for n in sorted((r.name, *r.aliases, r.id.replace("_", " ")), key=len, reverse=True):
            if _has(text, n):
                rooms.add(r.id)
                text = re.sub(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", " \u25e6 ", text)
    if room is not None and re.search(r"\b(?:in here|this room)\b", text):
        rooms.add(room)
    return devices, rooms, text


def _targets(args: dict[str, JSON]) -> tuple[list[str], list[str], bool]:
    """(device ids, room ids, wider) a call's arguments name; wider: a floor or the whole home."""
    devs = [v for k in ("device", "car") if isinstance(v := args.get(k), str)]
    rooms = [args["room"]] if isinstance(args.get("room"), str) else []
    rs = args.get("rooms")
    if isinstance(rs, list):
        rooms += [r for r in rs if isinstance(r, str)]
    wider = bool(args.get("everywhere")) or isinstance(args.get("floor"), str)
    return [str(d) for d in devs], [str(r) for r in rooms], wider


def _what(clause: str, graph: ContextGraph) -> str:
    """The thing a clause asks for, in its own words ("speaker" in "turn on the speaker in the garage")."""
    t = clause.casefold()
    for r in graph.rooms():
        for n in sorted((r.name, *r.aliases), key=len, reverse=True):
            t = re.sub(rf"\s*\b(?:in|on|at|of)\s+(?:the\s+)?{re.escape(n.casefold())}\b", " ", t)
    words = t.split()
    while words and words[0] in _VERB_WORDS:
        words = words[1:]
    t = _TAIL.sub("", " ".join(words)).strip()
    t = re.sub(r"^(?:the|my|a|an)\s+", "", t)
    return t or "such device"


def _room_name(graph: ContextGraph, room_id: str) -> str:
    return graph.room(room_id).name if graph.has_room(room_id) else room_id


def _content(words: str) -> set[str]:
    return {w for w in re.findall(r"[\w']+", words.casefold()) if w not in _GENERIC}


def _unknown_name(routed: Any) -> tuple[str, str] | None:
    """('name'|'area', what) when the matcher found a name the home lacks and a later stage made the calls."""
    m = getattr(routed, "match", None)
    if m is None or getattr(routed, "stage", "") not in ("planner", "amount"):
        return None
    mp = getattr(m, "plan", None)
    if mp is None or mp.calls or not mp.cannot:
        return None
    slots = getattr(m, "slots", {}) or {}
    for key in ("area", "name"):
        v = slots.get(key)
        if isinstance(v, str) and v and f"'{v}'" in mp.cannot:
            return key, v
    return None


_KINDS: dict[str, tuple[str, ...]] = {
    "speaker": ("media",), "speakers": ("media",), "soundbar": ("media",), "tv": ("media",), "television": ("media",),
    "music": ("media",), "fan": ("fan",), "fans": ("fan",), "heater": ("temperature_setpoint",),
    "radiator": ("temperature_setpoint",), "thermostat": ("temperature_setpoint",),
    "heating": ("temperature_setpoint",), "blinds": ("cover_position",), "shutters": ("cover_position",),
    "curtains": ("cover_position",), "shades": ("cover_position",), "light": ("light",), "lights": ("light",),
    "lamp": ("light",), "lamps": ("light",), "vacuum": ("vacuum",), "lock": ("lock",),
}
"""Kind words a clause may name a device by, and what a device of that kind has (a capability, or its kind)."""


def _kind_missing(clause: str, blanked: str, graph: ContextGraph, room_id: str) -> str | None:
    """The kind word the clause names that no device in `room_id` is ("the speaker in the den"), or None."""
    said: list[str] = [w for w in re.findall(r"[a-z]+", blanked) if w in _KINDS]
    if not said:
        return None
    here = graph.devices(room=room_id)
    for w in said:
        marks = _KINDS[w]
        if not any(w.rstrip("s") in d.name.casefold() or d.kind in marks or set(marks) & set(d.capabilities)
                   for d in here):
            return w
    return None


def _substituted(clause: str, calls: Sequence[SkillCall], graph: ContextGraph, room: str | None,
                 routed: Any) -> str | None:
    """Why the calls act on something other than what the clause names, or None."""
    devices, rooms, blanked = mentions(clause, graph, room)
    unknown = _unknown_name(routed)
    for call in calls:
        devs, rms, wider = _targets(call.args)
        if unknown is not None:
            kind, said = unknown
            if kind == "area":
                return f"there is no room called '{said}'"
            want = _content(said)
            for d in devs:
                if not graph.has_device(d):
                    continue
                dv = graph.device(d)
                have = _content(" ".join((dv.name, *dv.aliases)))
                if not want or not (want & have):
                    return f"there is no {said}"
        if rooms:
            where = " or the ".join(sorted(_room_name(graph, r) for r in rooms))
            if wider or any(r not in rooms for r in rms):
                return f"there is no {_what(clause, graph)} in the {where}"
            tool = isinstance(call.args.get("rooms"), list)  # a vacuum cleans the rooms named, wherever it docks
            for d in devs:
                if d not in devices and graph.room_of(d) not in rooms and not tool:
                    return f"there is no {_what(clause, graph)} in the {where}"
            for r in rms if not tool else ():  # a room-wide call for a kind that room has none of: a substitute
                lacking = _kind_missing(clause, blanked, graph, r) if not devices else None
                if lacking is not None:
                    return f"there is no {lacking} in the {_room_name(graph, r)}"
        elif devices:
            for d in devs:
                if d not in devices:
                    return f"there is no {_what(clause, graph)}"
    return None


def _attr_range(d: DeviceView, attr: str) -> tuple[float, float] | None:
    decl = d.attributes.get(attr, {})
    lo, hi = decl.get("min"), decl.get("max")
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        return float(lo), float(hi)
    return None


def _devices_of(call: SkillCall, graph: ContextGraph, caps: Iterable[str]) -> list[DeviceView]:
    devs, rooms, wider = _targets(call.args)
    want = set(caps)
    out = [graph.device(d) for d in devs if graph.has_device(d)]
    if not devs:
        if rooms:
            out = [d for r in rooms for d in graph.devices(room=r)]
        elif wider and isinstance(call.args.get("floor"), str):
            out = graph.devices(floor=str(call.args["floor"]))
        elif wider:
            out = graph.devices()
        out = [d for d in out if not want or want & set(d.capabilities)]
    return out


def _num(v: JSON) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _out_of_range(calls: Sequence[SkillCall], graph: ContextGraph, skills: SkillRegistry) -> str | None:
    """Why a call asks for something a device cannot do (missing attribute, value out of range), or None."""
    for call in calls:
        info = skills.get(call.skill) if call.skill in skills else None
        caps = info.capabilities if info is not None else ()
        devs, _, _ = _targets(call.args)
        for did in devs:
            if caps and graph.has_device(did) and not set(caps) & set(graph.device(did).capabilities):
                d = graph.device(did)
                return f"the {d.name} has no {caps[0].replace('_', ' ')}"
        for key in ("brightness", "volume", "position"):
            v = _num(call.args.get(key))
            if v is not None and not 0 <= v <= 100:
                return f"{key} {v:g} is out of range (0-100)"
        if call.skill == "climate_set_temperature" and (t := _num(call.args.get("temperature"))) is not None:
            for d in _devices_of(call, graph, caps):
                rng = _attr_range(d, "target_temperature")
                if rng is not None and not rng[0] <= t <= rng[1]:
                    return f"{t:g} degrees is out of range for the {d.name} ({rng[0]:g}-{rng[1]:g})"
        dev_arg = call.args.get("device")
        if call.skill == "attribute_set" and isinstance(dev_arg, str) and graph.has_device(dev_arg):
            d = graph.device(dev_arg)
            attr = str(call.args.get("attribute", ""))
            decl = d.attributes.get(attr)
            if decl is None:
                return f"the {d.name} has no {attr.replace('_', ' ')}"
            value = call.args.get("value")
            if decl.get("type") == "number" and (v := _num(value)) is not None:
                rng = _attr_range(d, attr)
                if rng is not None and not rng[0] <= v <= rng[1]:
                    unit = f" {decl['unit']}" if decl.get("unit") else ""
                    return (f"{v:g}{unit} is out of range for the {d.name} {attr.replace('_', ' ')} "
                            f"({rng[0]:g}-{rng[1]:g})")
            if decl.get("type") == "enum" and value is not None and call.args.get("change") is None:
                opts = [str(o) for o in decl.get("options", []) or []]
                if str(value) not in opts:
                    return (f"{value} is not an option for the {d.name} {attr.replace('_', ' ')} "
                            f"({', '.join(opts)})")
    return None


def guarded(clause: str, routed: Any, graph: ContextGraph, skills: SkillRegistry, room: str | None) -> Plan:
    """`routed.plan`, or a `cannot` when its calls substitute a device or ask what the device cannot do."""
    plan: Plan = routed.plan
    if not plan.calls:
        return _reworded(plan, routed, graph)
    why = _substituted(clause, plan.calls, graph, room, routed)
    m = getattr(routed, "match", None)
    if why is not None and m is not None and not m.plan.calls and m.plan.cannot:
        why = m.plan.cannot  # what the templates found is the better reason than "not that device"
    why = why or _out_of_range(plan.calls, graph, skills)
    if why is None:
        return plan
    return Plan(source=plan.source, confidence=1.0, cannot=why, language=plan.language)


_NO_NAME = re.compile(r"^there is no device called '(?P<what>[^']+)'$")


def _reworded(plan: Plan, routed: Any, graph: ContextGraph) -> Plan:
    """"there is no speaker in the Garage" for a name the home lacks said with a room it has."""
    m = getattr(routed, "match", None)
    area = (getattr(m, "slots", None) or {}).get("area")
    if not isinstance(area, str) or len(plan.cannots) != 1:
        return plan
    hit = _NO_NAME.match(plan.cannots[0])
    room = graph.resolve_room(area)
    if hit is None or room is None:
        return plan
    return plan.model_copy(update={"cannot": None, "cannots": []}).model_copy(
        update={"cannot": f"there is no {hit.group('what')} in the {_room_name(graph, room)}",
                "cannots": [f"there is no {hit.group('what')} in the {_room_name(graph, room)}"]})


_GENERIC_CANNOT = "I did not understand that"


def union(plans: Sequence[Plan], clauses: Sequence[str]) -> Plan:
    """One plan for several clauses: their calls in order, one `cannot` per clause refused, their speech."""
    cannots = [f"I did not understand '{clause}'" if c == _GENERIC_CANNOT else c
               for p, clause in zip(plans, clauses, strict=True) for c in p.cannots]
    return unite(plans, cannots)
