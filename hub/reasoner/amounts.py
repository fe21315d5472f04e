"""Relative changes and named levels, exactly as the conventions (rules 11-12) say.

    "turn the thermostat up by 2 degrees"     -> climate_set_temperature(device, change=2)
    "turn it down half a degree"              -> change=-0.5
    "make the floor lamp 10 percent brighter" -> light_set_brightness(device, change=10)  (points, not a factor)
    "dim the kitchen lights a bit"            -> light_set_brightness(room=kitchen, change=-20)
    "turn the tv up by five"                  -> media_set_volume(device, change=5)
    "fan speed up one"                        -> attribute_set(device, fan_speed, value=<next option>)
    "set the floor lamp to max / the lowest / halfway" -> brightness 100 / 1 / 50

Defaults: "a bit / a little / slightly" and a bare direction ("brighter", "turn up the heating") are
:data:`STEPS` (1 degree, 20 brightness points, 10 volume points, one option or the attribute's declared step);
"much / a lot" is :data:`BIG_STEPS`. Numbers may be digits or words ("five", "twenty five", "one and a half").
The call carries the change; the skill starts from the current value and clamps to the device's range.

Only a request with a direction or a named level and something to change (a named device, or a kind word:
lights, volume, temperature, a declared attribute) is read here; anything else is left to the other stages.
A named device wins over the room; without either, the speaker's room. A room with nothing of that kind is
said ("there is no light in the Garage"); a name two devices share, neither in the speaker's room, is asked
back naming both.
"""

from __future__ import annotations

import re

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import JSON, Plan, SkillCall
from fusehub.reasoner.guard import mentions

__all__ = ["BIG_STEPS", "STEPS", "amount_change", "parse_number", "room_setpoint"]

STEPS: dict[str, float] = {"light": 20, "media": 10, "climate": 1.0, "attribute": 1}
"""Conventions 11: the change a bare direction or "a bit" makes, per kind."""
BIG_STEPS: dict[str, float] = {"light": 40, "media": 20, "climate": 3.0, "attribute": 2}
""""much / a lot": as the training data reads it."""

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_WORD_NUM: dict[str, float] = {w: float(i) for i, w in enumerate(_ONES)} | {w: float(v) for w, v in _TENS.items()}
_WORD_NUM |= {"a": 1.0, "an": 1.0, "a couple of": 2.0, "a couple": 2.0, "a few": 3.0}
_NUM = (r"(?:\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|four|"
        r"five|six|seven|eight|nine))?|" + "|".join(sorted(_ONES, key=len, reverse=True)) + r")"
        r"(?:\s+and\s+a\s+half)?")
_UP = frozenset(("up", "raise", "increase", "brighter", "brighten", "louder", "warmer", "higher", "boost", "hotter",
                 "more", "turn up", "crank"))
_DOWN = frozenset(("down", "lower", "decrease", "dim", "dimmer", "quieter", "cooler", "colder", "reduce", "softer",
                   "less", "darker", "turn down"))
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "light": ("light", "lights", "lamp", "lamps", "brightness", "brighter", "dimmer", "dim", "brighten", "darker",
              "lighting"),
    "media": ("volume", "louder", "quieter", "music", "sound", "softer", "tv", "television", "speaker", "radio"),
    "climate": ("temperature", "heating", "heat", "thermostat", "heater", "warmer", "cooler", "colder", "hotter",
                "degree", "degrees", "ac", "air conditioning", "setpoint"),
}
_KIND_CAP = {"light": "brightness", "media": "media", "climate": "temperature_setpoint"}
_BIT = re.compile(r"\b(?:a\s+(?:little\s+|tiny\s+)?bit|a\s+little|slightly|a\s+touch|a\s+tad|a\s+smidge|"
                  r"somewhat|a\s+notch|one\s+notch)\b")
_MUCH = re.compile(r"\b(?:much|a\s+lot|way|loads)\b")
_BY = re.compile(rf"\bby\s+(?P<n>{_NUM}|half\s+a|half\s+an)\s*(?P<unit>percent|per\s+cent|points?|degrees?|"
                 r"notches?|steps?|levels?)?")
_N_ADJ = re.compile(rf"(?P<n>{_NUM}|half\s+a|half\s+an)\s*(?:percent|per\s+cent|points?|degrees?|notches?|steps?|"
                    r"levels?)\s+(?:brighter|dimmer|louder|quieter|warmer|cooler|colder|hotter|higher|lower|up|down|"
                    r"more|less)\b")
_HALF_DEGREE = re.compile(r"\bhalf\s+(?:a|an)\s+degree\b")
_STEP_N = re.compile(rf"\b(?:up|down)\s+(?:by\s+)?(?P<n>{_NUM})\b(?!\s*(?:percent|%|degrees?|points?))")
_ABS_TO = re.compile(rf"\b(?:to|at)\s+(?:the\s+)?(?P<n>{_NUM})\b")
_MAX = re.compile(r"\b(?:max|maximum|full|highest|brightest|loudest|all the way up)\b")
_MIN = re.compile(r"\b(?:min|minimum|lowest|dimmest|quietest|all the way down)\b")
_QUESTION = re.compile(r"(?:how|what|what's|whats|which|is|are|was|were|does|do|did)\s+(?!you\b)")
_MID = re.compile(r"\b(?:halfway|half way|middle|half)\b")


def parse_number(s: str) -> float | None:
    """A number said in digits or words: "5", "2.5", "twenty five", "one and a half", "half a"."""
    s = " ".join(s.lower().replace("-", " ").split())
    half = 0.0
    if s.endswith(" and a half"):
        s, half = s[: -len(" and a half")], 0.5
    if s in ("half a", "half an", "half"):
        return 0.5
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s) + half
    ws = s.split()
    if len(ws) == 2 and ws[0] in _TENS and ws[1] in _WORD_NUM:
        return _TENS[ws[0]] + _WORD_NUM[ws[1]] + half
    if s in _WORD_NUM:
        return _WORD_NUM[s] + half
    return None


def _direction(t: str) -> int:
    # "light up the lamp", "fire up the heater": turning on, not a direction ("the ceiling light up by 10" is one)
    t = re.sub(r"(?:^|\b(?:and|then|please)\s+)(?:light|lights|fire|switch|power|open|set|start)\s+up\b", " ", t)
    ws = set(t.split()) | ({"turn up"} if "turn up" in t else set()) | ({"turn down"} if "turn down" in t else set())
    up, down = bool(ws & _UP), bool(ws & _DOWN)
    if up == down:
        return 0
    return 1 if up else -1


def _kind_of(d: DeviceView) -> str | None:
    caps = set(d.capabilities)
    if "brightness" in caps:
        return "light"
    if "media" in caps:
        return "media"
    if "temperature_setpoint" in caps:
        return "climate"
    return None


def _said_kind(t: str) -> str | None:
    found = [k for k, words in _KIND_WORDS.items() if any(re.search(rf"\b{w}\b", t) for w in words)]
    return found[0] if len(found) == 1 else None


_ASKED = {"volume": "media", "louder": "media", "quieter": "media", "brightness": "light", "brighter": "light",
          "dimmer": "light", "temperature": "climate", "degrees": "climate", "degree": "climate", "warmer": "climate",
          "cooler": "climate", "colder": "climate"}


def _asked_attribute(t: str) -> str | None:
    """The attribute a request names outright ("the volume", "brighter"), when it names one kind only."""
    kinds = {k for w, k in _ASKED.items() if re.search(rf"\b{w}\b", t)}
    return kinds.pop() if len(kinds) == 1 else None


def _attribute(t: str, devs: list[DeviceView]) -> tuple[DeviceView, str] | None:
    best: tuple[int, DeviceView, str] | None = None
    for d in devs:
        for a in d.attributes:
            said = a.replace("_", " ")
            if re.search(rf"\b{re.escape(said)}\b", t) and (best is None or len(said) > best[0]):
                best = (len(said), d, a)
    return None if best is None else (best[1], best[2])


def _amount(t: str, kind: str) -> float | None:
    """The size of the change the words say (no sign), or None for none said."""
    for rx in (_BY, _N_ADJ):
        m = rx.search(t)
        if m:
            return parse_number(m.group("n"))
    if _HALF_DEGREE.search(t):
        return 0.5
    m = _STEP_N.search(t)  # "the tv up 15", "the thermostat down 2": the number said is the change (rule 11)
    if m:
        return parse_number(m.group("n"))
    if _MUCH.search(t):
        return BIG_STEPS[kind]
    return None


def _level(t: str) -> str | None:
    if _MAX.search(t):
        return "max"
    if _MIN.search(t):
        return "min"
    if _MID.search(t) and not _HALF_DEGREE.search(t) and not re.search(r"\bhalf\s+(?:a|an)\b", t):
        return "mid"
    return None


def _plain(text: str) -> str:
    t = text.lower().replace("\u2019", "'").replace("%", " percent ")
    return " ".join(re.sub(r"[^\w\s'.-]", " ", t).split())


def _call(skill: str, **args: JSON) -> SkillCall:
    return SkillCall(skill=skill, args={k: v for k, v in args.items() if v is not None})


def amount_change(text: str, graph: ContextGraph, room: str | None) -> Plan | None:
    """The plan for a relative change or a named level, or None when `text` is not one."""
    t = _plain(text)
    if _QUESTION.match(t):
        return None  # "how dim is the lantern", "is it warmer in the loft": a question, never a change
    sign = _direction(t)
    level = _level(t) if sign == 0 or not re.search(r"\b(?:up|down)\b", t) else None
    setting = sign == 0 and level is None and bool(re.match(r"(?:set|make|put|change|dim|bring)\b", t)) \
        and _ABS_TO.search(t) is not None and " in the " in f" {t} "
    if sign == 0 and level is None and not setting:
        return None
    if re.search(r"\b(?:turn|switch|power|shut)\s+(?:on|off)\b|\b(?:on|off)$", t):
        return None  # on/off: for the templates ("turn off the wine cooler" is no temperature)
    if sign == 0 and not re.search(r"\b(?:set|turn|put|make|change|bring|crank|take)\b", t):
        return None
    absolute = _ABS_TO.search(t) if (sign != 0 or setting) and not _BY.search(t) else None
    named, rooms, blanked = mentions(text, graph, room)
    place = re.search(r"\b(?:in|at|on)\s+the\s+(?P<x>[a-z][a-z' ]*?)(?=\s+(?:a\s+bit|a\s+little|by|to|up|down|"
                      r"slightly)\b|$)", _plain(blanked))
    if place is not None and not rooms:  # "dim the lights in the den" in a home without a den: never elsewhere
        return Plan(source="intent", confidence=1.0, cannot=f"there is no room called '{place.group('x')}'")
    devices = [graph.device(d) for d in sorted(named) if graph.has_device(d)]
    where = sorted(rooms)[0] if len(rooms) == 1 else room if not rooms else None
    if len(rooms) > 1:
        return None
    if len(devices) > 1:
        local = [d for d in devices if d.room == (where or room)]
        if len(local) == 1:
            devices = local
        elif len({d.name.casefold() for d in devices}) == 1:
            places = " or the ".join(graph.room(d.room).name if d.room and graph.has_room(d.room) else "?"
                                     for d in devices)
            return Plan(source="intent", confidence=0.2, speech=f"Which {devices[0].name}: the one in the {places}?")
        else:
            return None
    pool = devices or (graph.devices(room=where) if where is not None else [])
    attr = _attribute(t, pool)
    kind = "attribute" if attr is not None else (_said_kind(t) if not devices else _kind_of(devices[0]))
    if devices and kind is None:
        kind = _said_kind(t)
    if kind is None:
        return _missing_kind(t, graph, where, devices)
    if absolute is not None and kind != "attribute":  # "turn the heating up to 22": that value
        v = parse_number(absolute.group("n"))
        if v is None:
            return None
        level, sign, t = f"={v:g}", 0, t
    if kind == "attribute" and attr is not None:
        if absolute is not None:
            return None
        return _attribute_plan(t, sign, level, *attr)
    cap = _KIND_CAP[kind]
    asked = _asked_attribute(t)
    if devices and asked is not None and asked != kind and kind != "attribute":
        what = {"light": "brightness", "media": "volume", "climate": "temperature"}[asked]
        return Plan(source="intent", confidence=1.0, cannot=f"the {devices[0].name} has no {what}")
    if devices:
        d = devices[0]
        if cap not in d.capabilities:
            what = {"light": "brightness", "media": "volume", "climate": "temperature"}[kind]
            return Plan(source="intent", confidence=1.0, cannot=f"the {d.name} has no {what}")
        target: dict[str, JSON] = {"device": d.id}
        targets = [d]
    elif where is not None:
        targets = graph.devices(room=where, capability=cap)
        if not targets:
            what = {"light": "dimmable light", "media": "media player", "climate": "thermostat"}[kind]
            return Plan(source="intent", confidence=1.0,
                        cannot=f"there is no {what} in the {graph.room(where).name}")
        target = {"room": where}
    else:
        return None
    return _plan(kind, t, sign, level, target, targets)


_THINGS = ("fan", "speaker", "heater", "radiator", "blinds", "shutters", "curtains", "tv", "television", "lamp",
           "light", "humidifier", "purifier", "thermostat", "soundbar")


def _missing_kind(t: str, graph: ContextGraph, where: str | None, devices: list[DeviceView]) -> Plan | None:
    """"turn the fan in the kitchen up a bit" in a kitchen without a fan: say so (never a device elsewhere)."""
    if devices or where is None:
        return None
    said = [w for w in _THINGS if re.search(rf"\b{w}s?\b", t)]
    if not said:
        return None
    here = " ".join(d.name.casefold() for d in graph.devices(room=where))
    if any(re.search(rf"\b{w}", here) for w in said):
        return None
    return Plan(source="intent", confidence=1.0, cannot=f"there is no {said[0]} in the {graph.room(where).name}")


def _plan(kind: str, t: str, sign: int, level: str | None, target: dict[str, JSON],
          targets: list[DeviceView]) -> Plan:
    skill, key = {"light": ("light_set_brightness", "brightness"), "media": ("media_set_volume", "volume"),
                  "climate": ("climate_set_temperature", "temperature")}[kind]
    if level is not None and level.startswith("="):
        v = float(level[1:])
        return Plan(source="intent", confidence=1.0,
                    calls=[_call(skill, **target, **{key: v if kind == "climate" else round(v)})])
    if sign == 0 and level is not None:
        if kind == "climate":
            lo, hi = _declared(targets[0], "target_temperature", 5.0, 35.0)
            value: float | int = hi if level == "max" else lo if level == "min" else round((lo + hi) / 2 * 2) / 2
        else:
            value = 100 if level == "max" else 1 if level == "min" else 50
        return Plan(source="intent", confidence=1.0, calls=[_call(skill, **target, **{key: value})])
    n = _amount(t, kind)
    if n is None:
        n = STEPS[kind]
    change: float | int = sign * n if kind == "climate" else round(sign * n)
    return Plan(source="intent", confidence=1.0, calls=[_call(skill, **target, change=change)])


def _declared(d: DeviceView, attr: str, lo: float, hi: float) -> tuple[float, float]:
    decl = d.attributes.get(attr, {})
    mn, mx = decl.get("min"), decl.get("max")
    return (float(mn) if isinstance(mn, int | float) else lo, float(mx) if isinstance(mx, int | float) else hi)


def _attribute_plan(t: str, sign: int, level: str | None, d: DeviceView, attr: str) -> Plan:
    decl = d.attributes[attr]
    said = attr.replace("_", " ")
    if decl.get("type") == "enum":
        opts = [str(o) for o in decl.get("options", []) or []]
        if not opts:
            return Plan(source="intent", confidence=1.0, cannot=f"the {d.name} {said} has no options")
        if sign == 0 and level is not None:
            value = opts[-1] if level == "max" else opts[0] if level == "min" else opts[len(opts) // 2]
        else:
            cur = d.state.get(attr)
            if str(cur) not in opts:
                return Plan(source="intent", confidence=1.0, cannot=f"the {d.name} {said} is unknown: say which one")
            steps = int(_amount(t, "attribute") or 1)
            value = opts[max(0, min(len(opts) - 1, opts.index(str(cur)) + sign * steps))]
        return Plan(source="intent", confidence=1.0,
                    calls=[_call("attribute_set", device=d.id, attribute=attr, value=value)])
    if decl.get("type") != "number":
        return Plan(source="intent", confidence=1.0, cannot=f"the {d.name} {said} cannot go up or down")
    if sign == 0 and level is not None:
        lo, hi = _declared(d, attr, 0.0, 100.0)
        v = hi if level == "max" else lo if level == "min" else (lo + hi) / 2
        return Plan(source="intent", confidence=1.0, calls=[_call("attribute_set", device=d.id, attribute=attr,
                                                                  value=v)])
    step = decl.get("step")
    n = _amount(t, "attribute") or (float(step) if isinstance(step, int | float) else STEPS["attribute"])
    return Plan(source="intent", confidence=1.0,
                calls=[_call("attribute_set", device=d.id, attribute=attr, change=sign * n)])


_ROOM_SET = re.compile(rf"^(?:set|put|make|turn|change)\s+(?:the\s+)?(?P<room>.+?)\s+(?:to|at)\s+(?P<n>{_NUM})\s*"
                       r"(?P<unit>percent|degrees?(?:\s+celsius)?|c)?$")


def room_setpoint(text: str, graph: ContextGraph, room: str | None) -> Plan | None:
    """"set the study to 20": a room set to a number is its thermostat when it has one and no dimmable light,
    its lights when the number is a percentage or it has no thermostat; with both and no unit, both readings
    compete and the speaker is asked, naming both. None when `text` is not a room set to a number."""
    m = _ROOM_SET.match(_plain(text))
    if m is None:
        return None
    rid = graph.resolve_room(m.group("room"))
    v = parse_number(m.group("n"))
    if rid is None or v is None:
        return None
    name = graph.room(rid).name
    unit = m.group("unit") or ""
    heat = bool(graph.devices(room=rid, capability="temperature_setpoint"))
    light = bool(graph.devices(room=rid, capability="brightness"))
    if unit.startswith(("degree", "c")) or (heat and not light and not unit):
        if not heat:
            return Plan(source="intent", confidence=1.0, cannot=f"there is no thermostat in the {name}")
        return Plan(source="intent", confidence=1.0,
                    calls=[_call("climate_set_temperature", room=rid, temperature=v)])
    if unit == "percent" or (light and not heat):
        if not light:
            return Plan(source="intent", confidence=1.0, cannot=f"there is no dimmable light in the {name}")
        return Plan(source="intent", confidence=1.0,
                    calls=[_call("light_set_brightness", room=rid, brightness=round(v))])
    if heat and light:
        return Plan(source="intent", confidence=0.2,
                    speech=f"Do you mean the {name} temperature to {v:g} degrees or its lights to {v:g}%?")
    return None
