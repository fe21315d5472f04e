"""Local matching for declared attributes of devices nobody listed (the home file's `attributes:`).

    "set the humidifier target humidity to 55"      -> attribute_set(device, target_humidity, 55)
    "set the air purifier mode to sleep"            -> attribute_set(device, mode, "sleep")
    "hot water tank to 60 degrees", "fan to 3"      -> attribute_set(device, <the attribute the value fits>, 60)
    "put the purifier on low", "air cleaner speed to high"
                                                    -> attribute_set(device, fan_speed, "low")  (an option's list)
    "bump the boiler temperature by 2", "dehumidifier humidity down 5"
                                                    -> attribute_set(device, attribute, change=+-N)
    "activate the fan swing", "turn off oscillation on the fan"
                                                    -> attribute_set(device, oscillation, true | false)
    "what is the humidifier target humidity"        -> attribute_get(device, target_humidity)

Names come from the graph: device names and aliases, attribute names with '_' read as spaces, said in full or by
their last word ("temperature" for water_temperature) when that picks one, or by a common other word (swing for
oscillation). Without an attribute named, the value picks it: an option of exactly one enum attribute, a unit
(degrees, percent) of exactly one number attribute, else the device's only number attribute. Values are checked
against the declared range or options afterwards (the pipeline's guard, then the skill), so nothing is invented
here and nothing is capped. Only devices with declared attributes are read, so other requests pass untouched.
"""

from __future__ import annotations

import re
from typing import Any, Final

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import Plan, SkillCall
from fusehub.reasoner.guard import mentions

__all__ = ["match_attribute"]

_MAX_CHARS: Final = 200
_NUMBER: Final = r"-?\d+(?:\.\d+)?"
_UNIT: Final = r"(?:%|percent|per cent|degrees?(?:\s+(?:celsius|c|fahrenheit|f))?|°\s*[cf]?|c)"
_SET: Final = re.compile(
    r"^(?:(?:set|change|put|make|turn|bring|switch|adjust|i want|i'd like)\s+)?(?:the\s+)?(?P<rest>.+?)\s+"
    r"(?:to|at|on)\s+(?P<value>[a-z0-9.\-]+)\s*(?P<unit>" + _UNIT + r")?$")
_BARE: Final = re.compile(r"^(?P<rest>.+?)\s+(?P<value>[a-z0-9.\-]+)\s*(?P<unit>" + _UNIT + r")?$")
_BY: Final = re.compile(
    r"^(?P<verb>raise|increase|bump|bump up|push|push up|turn up|up|lower|decrease|drop|reduce|cut|turn down|"
    r"bring down|bring up)\s+(?P<rest>.+?)\s+by\s+(?P<n>\d+(?:\.\d+)?)\s*(?:" + _UNIT + r")?$"
    r"|^(?P<rest2>.+?)\s+(?P<dir>up|down)\s+(?:by\s+)?(?P<n2>\d+(?:\.\d+)?)\s*(?:" + _UNIT + r")?$")
_DOWN_VERBS: Final = frozenset({"lower", "decrease", "drop", "reduce", "cut", "turn down", "bring down"})
_BOOL_ON: Final = re.compile(r"^(?:turn on|switch on|enable|activate|start)\s+(?P<rest>.+)$|^(?P<rest2>.+?)\s+on$")
_BOOL_OFF: Final = re.compile(r"^(?:turn off|switch off|disable|deactivate|stop)\s+(?P<rest>.+)$|"
                              r"^(?P<rest2>.+?)\s+off$")
_GET: Final = re.compile(r"^(?:what\s+is|what's|tell\s+me)\s+(?:the\s+)?(?P<rest>.+?)\s*\??$")
_QUESTION: Final = re.compile(r"(?:\w+\s+)?(?:what|what's|whats|how|how's|which|is|are|does|do|did|can|could|"
                               r"will|tell me|show me)\b")
_OTHER_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "oscillation": ("swing", "oscillate", "oscillating", "rotation", "rotate"),
    "fan_speed": ("speed",),
    "speed": ("fan speed",),
}
"""Other words people use for common attribute names."""
_FILL: Final = re.compile(r"\b(?:the|of|on|for|please|its|it's|a|level|setting|turn|switch|put|make)\b")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("_", " ").replace("'s", "").strip().lower())


def _plain(text: str) -> str:
    t = text.lower().replace("\u2019", "'")
    t = re.sub(r"[!?,;:]+|\.(?!\d)", " ", t)
    t = re.sub(r"\b(?:please|thanks|thank you|now)\b", " ", t)
    return " ".join(t.split())


def _words_of(attr: str) -> list[str]:
    """The ways `attr` is said, longest first: in full, its other words, its last word."""
    full = attr.replace("_", " ")
    said = [full, *_OTHER_WORDS.get(attr, ())]
    if " " in full:
        said.append(full.rsplit(" ", 1)[-1])
    return sorted(dict.fromkeys(said), key=len, reverse=True)


def _device(rest: str, graph: ContextGraph, room: str | None) -> tuple[DeviceView, str] | None:
    """The device with declared attributes named in `rest`, and the words left when its name (and the room
    named) are taken out; None when none or several are meant."""
    named, rooms, blanked = mentions(rest, graph, room)
    devs = [graph.device(d) for d in sorted(named) if graph.has_device(d)]
    devs = [d for d in devs if d.attributes]
    if len(devs) > 1 and rooms:
        devs = [d for d in devs if d.room in rooms] or devs
    if len(devs) > 1 and room is not None:
        devs = [d for d in devs if d.room == room] or devs
    if len(devs) != 1:
        return None
    left = blanked.replace("\u2022", " ").replace("\u25e6", " ")
    left = re.sub(r"\bin\s+(?:the\s+)?(?=\s*$)", " ", left)
    return devs[0], " ".join(left.split())


def _said_attribute(left: str, d: DeviceView) -> str | bool | None:
    """The attribute said in `left` (nothing else may be left but fillers): its name; False when other words are
    left; None when nothing is said."""
    words = " ".join(_FILL.sub(" ", left).split())
    if not words:
        return None
    hits = {a for a in d.attributes if words in _words_of(a)}
    return hits.pop() if len(hits) == 1 else False


def _plain_device(d: DeviceView) -> bool:
    """Whether `d` does nothing but switch and its declared attributes: only then does a bare value ("to 60
    degrees") name an attribute; a thermostat's "to 21" is its setpoint, for the templates."""
    return set(d.capabilities) <= {"on_off", "attributes"}


def _by_value(d: DeviceView, value: str, unit: str | None) -> str | None:
    """The attribute a value fits when no attribute is named (see the module's doc)."""
    decls: dict[str, dict[str, Any]] = d.attributes
    if not re.fullmatch(_NUMBER, value):
        enums = [a for a, x in decls.items() if x.get("type") == "enum" and value in [str(o) for o in
                                                                                       x.get("options") or []]]
        return enums[0] if len(enums) == 1 else None
    numbers = [a for a, x in decls.items() if x.get("type") == "number"]
    if unit:
        percent = unit in ("%", "percent", "per cent")
        fits = [a for a in numbers if (str(decls[a].get("unit") or "").strip() == "%") == percent]
        if len(fits) == 1:
            return fits[0]
        return None
    return numbers[0] if len(numbers) == 1 else None


def _value(raw: str) -> float | str:
    return float(raw) if re.fullmatch(_NUMBER, raw) else raw


def _set(attr: str, d: DeviceView, **args: Any) -> Plan:
    return Plan(source="intent", calls=[SkillCall(skill="attribute_set",
                                                  args={"device": d.id, "attribute": attr, **args})])


def _setting(t: str, graph: ContextGraph, room: str | None) -> Plan | None:
    if re.match(r"(?:turn|switch|power)\s+(?:on|off)\b", t):
        return None  # "turn on the diffuser on high": switching on as well (conventions rule 6), for the templates
    for pattern in (_SET, _BARE):
        m = pattern.match(t)
        if m is None:
            continue
        found = _device(m.group("rest"), graph, room)
        if found is None:
            continue
        d, left = found
        value, unit = m.group("value"), m.group("unit")
        attr = _said_attribute(left, d)
        if attr is None:
            if pattern is _BARE or not _plain_device(d):
                continue  # "<device> <value>" names no attribute: too loose to read
            attr = _by_value(d, value, unit)
        if not isinstance(attr, str):
            continue
        if d.attributes[attr].get("type") == "bool":
            continue
        return _set(attr, d, value=_value(value))
    return None


def _changing(t: str, graph: ContextGraph, room: str | None) -> Plan | None:
    m = _BY.match(t)
    if m is None:
        return None
    rest = m.group("rest") or m.group("rest2")
    found = _device(rest, graph, room)
    if found is None:
        return None
    d, left = found
    attr = _said_attribute(left, d)
    if attr is None and _plain_device(d):
        numbers = [a for a, x in d.attributes.items() if x.get("type") == "number"]
        attr = numbers[0] if len(numbers) == 1 else None
    if not isinstance(attr, str) or d.attributes[attr].get("type") != "number":
        return None
    down = m.group("verb") in _DOWN_VERBS if m.group("verb") else m.group("dir") == "down"
    n = float(m.group("n") or m.group("n2"))
    return _set(attr, d, change=-n if down else n)


def _switching(t: str, graph: ContextGraph, room: str | None) -> Plan | None:
    for pattern, on in ((_BOOL_ON, True), (_BOOL_OFF, False)):
        m = pattern.match(t)
        if m is None:
            continue
        found = _device(m.group("rest") or m.group("rest2"), graph, room)
        if found is None:
            continue
        d, left = found
        attr = _said_attribute(left, d)
        if isinstance(attr, str) and d.attributes[attr].get("type") == "bool":
            return _set(attr, d, value=on)
    return None


def _split(rest: str, graph: ContextGraph) -> tuple[str, str] | None:
    """(device id, attribute) for '<device name> <attribute words>' with a declared attribute."""
    rest = _norm(rest)
    best: tuple[int, str, str] | None = None
    for d in graph.devices(capability="attributes"):
        for name in (d.name, *d.aliases):
            n = _norm(name)
            if not rest.startswith(n + " "):
                continue
            tail = rest[len(n) + 1:]
            tail = tail[3:] if tail.startswith("of ") else tail
            for attr in d.attributes:
                if _norm(attr) == tail and (best is None or len(n) > best[0]):
                    best = (len(n), d.id, attr)
    return None if best is None else (best[1], best[2])


def match_attribute(text: str, graph: ContextGraph, room: str | None = None) -> Plan | None:
    """A plan for a request about a declared attribute, or None. `room` (the speaker's) picks between devices
    of the same name."""
    if not isinstance(text, str) or len(text) > _MAX_CHARS:
        return None
    t = _plain(text)
    m = _GET.match(t)
    if m:
        hit = _split(m.group("rest"), graph)
        if hit is not None:
            return Plan(source="intent", calls=[SkillCall(skill="attribute_get",
                                                          args={"device": hit[0], "attribute": hit[1]})])
        return None
    if not graph.devices(capability="attributes") or _QUESTION.match(t):
        return None  # a question about an attribute is the question stage's (fusehub.reasoner.asking)
    return _changing(t, graph, room) or _switching(t, graph, room) or _setting(t, graph, room)
