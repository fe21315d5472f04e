"""Questions about the state of devices, rooms and sensors, answered by the read-only skills:

    "is the awning shut", "tell me about the homepod", "how dim is the lantern", "kitchen downlight brightness"
                                                        -> query_state(device=<the device>)
    "check the lights in the kitchen", "are any lights on in the loft"
                                                        -> query_state(room=<room>, capability=on_off)
    "how is the office", "what's going on in the loft"  -> query_state(room=<room>)
    "are all the doors locked", "check the locks"       -> query_state(capability=lock)
    "what temperature is it in the bedroom", "how humid is the bathroom"
                                                        -> query_state(device=<the room's thermometer, hygrometer or
                                                           thermostat>)
    "is there water on the floor", "check the smoke detector", "does the office sensor see someone"
                                                        -> query_state(device=<each sensor of that kind>)
    "any timers running", "how much time is left"       -> timer_status

The canonical question about one device is ``query_state device=..`` with nothing else: the skill ignores a
capability beside a device, and its answer describes the device's whole state (on, brightness, position, ...),
so an attribute would only narrow what is said (declared attributes are the exception: ``attribute_get``, see
:mod:`fusehub.reasoner.asking`).

A question about a sensor kind, a room's lights or its temperature in a home (or a named room) without one is a
final ``cannot`` naming what is missing (conventions rule 13: "no gas detector"), never a guess at another
device: a motion sensor is not a presence sensor. Anything that is not a question, or names nothing the home has,
is left to the next stage (None).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import Actor, Plan, SkillCall
from fusehub.reasoner.guard import mentions
from fusehub.reasoner.sentences import sensed_class
from fusehub.reasoner.smalltalk import plain

__all__ = ["SENSOR_KINDS", "SensorKind", "measured", "state_question"]

_MAX_CHARS: Final = 160
_FILLER: Final = re.compile(r"\b(?:please|right now|at the moment|currently|for me|still|now|just|quickly|yet)\b")
_LEAD: Final = re.compile(
    r"^(?:(?:hey|ok|okay)\s+)?(?:(?:can|could|would) you\s+)?"
    r"(?:is|are|was|were|did|does|do|has|have|any|anything|what|what's|whats|how|how's|hows|which|check|"
    r"tell me|give me|show me|status|i wonder|do you know|let me know)\b")
_ASKING: Final = re.compile(r"(?:is|are|was|were|did|does|has|have|what|what's|whats|how|how's|hows|which|any|"
                            r"anything|check|tell me about|status)\b")
_ACTIONS: Final = frozenset([
    "turn", "switch", "set", "put", "make", "open", "close", "lock", "unlock", "start", "stop", "play", "pause",
    "dim", "brighten", "raise", "lower", "send", "notify", "announce", "remind", "activate", "run", "clean",
    "vacuum", "increase", "decrease", "change", "bump", "drop", "enable", "disable", "cancel",
])
_STATE_NOUNS: Final = re.compile(
    r"^(?:the\s+)?(?:\u2022\s+)+(?:'s\s+)?(?:brightness|volume|setting|settings|status|state|target|"
    r"battery(?: level)?|temperature|position|level)$")
"""A question without a verb: "<device> brightness", "<device> battery level"."""
_ROOM_NOUNS: Final = re.compile(r"^(?:the\s+)?(?:temperature|temp|humidity)\s+(?:in|of)\s+(?:the\s+)?\u25e6$|"
                                r"^(?:the\s+)?\u25e6\s+(?:temperature|temp|humidity|status)$")
"""The same about a room: "humidity in the laundry room", "the kitchen temperature"."""
_LIGHTS: Final = re.compile(r"\b(?:lights?|lamps?|lighting)\b")
_ROOM_STATUS: Final = re.compile(
    r"^(?:how(?:'s| is)|hows|what's on|whats on|what is on|what's going on|whats going on|what is going on|"
    r"what's happening|whats happening|what is happening|what's up|whats up|anything on|is anything on|"
    r"status of|give me|tell me about|check)\b")
_TEMP: Final = re.compile(r"\b(?:temperature|temp|warm|cold|hot|chilly|cool|degrees)\b")
_HUMID: Final = re.compile(r"\b(?:humid|humidity|damp|dry)\b")
_LOCKS: Final = re.compile(r"\b(?:locks|doors|door|everything|all locked|locked up)\b")
_LOCKED: Final = re.compile(r"\b(?:locked|unlocked|lock|locks|closed|open|shut)\b")
_TIMERS: Final = re.compile(
    r"\btimers?\b.*\b(?:left|running|remaining|status|going|active|going off|ring|done)\b|"
    r"\bhow (?:much time|long|much longer) (?:is )?(?:left|remaining|to go)\b|\bhow (?:long|much longer) until\b"
    r".*\btimer\b|\b(?:time left|longer) on the timers?\b|^check (?:the |my |all )?timers?$")
_NOT_TIMER_STATUS: Final = re.compile(r"\b(?:set|start|cancel|stop|put|for|called|named|\d+|minutes?|seconds?|"
                                      r"hours?)\b")


@dataclass(frozen=True, slots=True)
class SensorKind:
    """A kind of yes/no sensor as people ask about it."""

    noun: str
    """What the home lacks when it has none ("no leak sensor")."""
    words: re.Pattern[str]
    """The words that ask about this kind."""
    classes: frozenset[str]
    """The binary-sensor classes (:func:`~fusehub.reasoner.sentences.sensed_class`) that answer it."""
    first: frozenset[str] = frozenset()
    """Of those, the ones asked about first when the home has any ("carbon monoxide": a CO detector before a
    gas sensor)."""


SENSOR_KINDS: Final[tuple[SensorKind, ...]] = (
    SensorKind("carbon monoxide detector", re.compile(r"\b(?:carbon monoxide|co)\b"),
               frozenset({"gas", "carbon_monoxide"}), frozenset({"carbon_monoxide"})),
    SensorKind("gas detector", re.compile(r"\bgas\b"), frozenset({"gas", "carbon_monoxide"}), frozenset({"gas"})),
    SensorKind("smoke detector", re.compile(r"\b(?:smoke|fire|fire alarm)\b"), frozenset({"smoke"})),
    SensorKind("leak sensor", re.compile(r"\b(?:leak|leaks|leaking|leakage|flood|flooded|flooding|moisture|"
                                         r"water on the floor|floor wet|wet floor|floor is wet|water sensor)\b"),
               frozenset({"moisture"})),
    SensorKind("presence sensor", re.compile(r"\b(?:occupied|occupancy|presence|see (?:someone|anyone|anybody|"
                                             r"somebody|people)|sees (?:someone|anyone)|anyone there)\b"),
               frozenset({"occupancy"})),
    SensorKind("motion sensor", re.compile(r"\b(?:motion|movement|moved|moving)\b"), frozenset({"motion"})),
)
"""Sensor kinds, the most specific words first ("a gas leak" is about gas; "the motion sensor" asks about motion,
never presence)."""


def _sensed(d: DeviceView) -> str | None:
    if "motion" in d.capabilities:
        return "motion"
    if "occupancy" in d.capabilities:
        return "occupancy"
    return sensed_class(d)


_QUANTITY_NAMES: Final = {
    "temperature": re.compile(r"\b(?:temp|temperature|thermometer|thermo\w*)\b"),
    "humidity": re.compile(r"\b(?:humidity|hygrometer|hygro\w*|humid)\b"),
}


def measured(d: DeviceView) -> str | None:
    """What a measuring sensor measures ("temperature", "humidity"), from its device class, its unit, else its
    name; None for anything else."""
    if "measurement" not in d.capabilities:
        return None
    addr = d.address or {}
    dc = addr.get("device_class")
    if dc in _QUANTITY_NAMES:
        return str(dc)
    unit = addr.get("unit") or d.state.get("unit")
    if isinstance(unit, str):
        u = unit.replace(" ", "").lower()
        if u in ("°c", "°f", "degc", "degf"):
            return "temperature"
    name = " ".join((d.name, *d.aliases)).lower().replace("_", " ")
    for quantity, words in _QUANTITY_NAMES.items():
        if words.search(name):
            return quantity
    return None


def _call(skill: str, **args: object) -> SkillCall:
    return SkillCall(skill=skill, args={k: v for k, v in args.items() if v is not None})


def _plan(*calls: SkillCall) -> Plan:
    return Plan(source="intent", confidence=1.0, calls=list(calls))


def _cannot(why: str) -> Plan:
    return Plan(source="intent", confidence=1.0, cannot=why)


def _room_name(graph: ContextGraph, room: str) -> str:
    return graph.room(room).name.lower() if graph.has_room(room) else room.replace("_", " ")


@dataclass(frozen=True, slots=True)
class _Said:
    """What a question names: its words, the devices and rooms in it, and the words left."""

    t: str
    devices: list[DeviceView]
    rooms: list[str]
    rest: str
    room: str | None
    """The speaker's room."""


def _one_device(said: _Said) -> DeviceView | None:
    """The one device the question is about: a name several devices share is the one in the named room, else the
    speaker's (conventions rule 1); None when that leaves none or several."""
    devs = said.devices
    if len(devs) > 1 and said.rooms:
        devs = [d for d in devs if d.room in said.rooms] or devs
    if len(devs) > 1 and said.room is not None:
        devs = [d for d in devs if d.room == said.room] or devs
    if len({d.name.casefold() for d in devs}) > 1:  # "the kitchen lamp" named beside "the lamp": the longest
        longest = max(len(d.name) for d in devs)
        devs = [d for d in devs if len(d.name) == longest]
    return devs[0] if len(devs) == 1 else None


def _sensor_question(said: _Said, graph: ContextGraph) -> Plan | None:
    kind = next((k for k in SENSOR_KINDS if k.words.search(said.rest)), None)
    if kind is None:
        return None
    if said.devices:
        d = _one_device(said)
        if d is not None and _sensed(d) in kind.classes:
            return _plan(_call("query_state", device=d.id))
        if d is not None:
            return None  # "is the dryer running": a device question, not this kind's
    sensors = [d for d in graph.devices() if _sensed(d) in kind.classes]
    if len(said.rooms) == 1:
        room = said.rooms[0]
        here = [d for d in sensors if d.room == room]
        if not here:
            return _cannot(f"no {kind.noun} in the {_room_name(graph, room)}" if sensors else f"no {kind.noun}")
        sensors = here
    if not sensors:
        return _cannot(f"no {kind.noun}")
    sensors = [d for d in sensors if _sensed(d) in kind.first] or sensors
    return _plan(*(_call("query_state", device=d.id) for d in sensors))


def _climate_question(said: _Said, graph: ContextGraph) -> Plan | None:
    quantity = "humidity" if _HUMID.search(said.rest) else "temperature" if _TEMP.search(said.rest) else None
    if quantity is None or said.devices or len(said.rooms) != 1:
        return None
    room = said.rooms[0]
    found = [d for d in graph.devices(room=room) if measured(d) == quantity]
    if not found and quantity == "temperature":
        found = graph.devices(room=room, capability="temperature_setpoint")
    if not found:
        return _cannot(f"no {quantity} sensor in the {_room_name(graph, room)}")
    return _plan(_call("query_state", device=found[0].id))


def _lights_question(said: _Said, graph: ContextGraph) -> Plan | None:
    if said.devices or len(said.rooms) != 1 or not _LIGHTS.search(said.rest):
        return None
    room = said.rooms[0]
    if not graph.devices(room=room, capability="on_off"):
        return _cannot(f"no light in the {_room_name(graph, room)}")
    return _plan(_call("query_state", room=room, capability="on_off"))


def _room_question(said: _Said, graph: ContextGraph) -> Plan | None:
    del graph
    if said.devices or len(said.rooms) != 1:
        return None
    rest = " ".join(said.rest.replace("\u25e6", " ").split())
    if not _ROOM_STATUS.match(said.t) and not re.search(r"\bstatus\b", rest):
        return None
    if len(rest.split()) > 6:
        return None
    return _plan(_call("query_state", room=said.rooms[0]))


def _locks_question(said: _Said, graph: ContextGraph) -> Plan | None:
    if said.devices or said.rooms or not _LOCKS.search(said.rest) or not _LOCKED.search(said.rest):
        return None
    if not re.search(r"\b(?:all|the|any|every|everything|anyone|locks)\b", said.rest):
        return None
    if not graph.devices(capability="lock"):
        return _cannot("no lock")
    return _plan(_call("query_state", capability="lock"))


def _device_question(said: _Said, graph: ContextGraph) -> Plan | None:
    del graph
    d = _one_device(said)
    if d is None:
        return None
    return _plan(_call("query_state", device=d.id))


_WHERE: Final = re.compile(r"^(?:where is|where's|wheres|where are|is|has|when will|when is|when's)\s+"
                           r"(?P<x>[a-z][a-z'-]*)(?:\s+(?:home|at home|in the house|back|left|coming home|be home|"
                           r"now|gone|out|here|in|away|right now|located))*$")
_NOT_NAMES: Final = frozenset({
    "it", "he", "she", "they", "we", "i", "you", "everyone", "everybody", "anyone", "anybody", "someone",
    "somebody", "nobody", "noone", "there", "that", "this", "what", "who", "the", "my", "our", "your", "his", "her",
    "their", "mum", "mom", "dad", "mother", "father", "grandma", "grandpa", "granny", "grandad", "granddad", "nan",
    "husband", "wife", "son", "daughter", "brother", "sister", "kids", "children", "baby", "partner", "dinner",
    "lunch", "breakfast", "everything", "all", "mine", "yours",
})
"""Words in "where is X" that are no one's name (relations are resolved before, by the references stage)."""


def _unknown_person(t: str, graph: ContextGraph) -> Plan | None:
    """"where's Chloe" in a home with no Chloe: a final `cannot` naming her (conventions rule 4), never a guess."""
    m = _WHERE.match(t)
    if m is None:
        return None
    x = m.group("x").removesuffix("'s")
    if x in _NOT_NAMES:
        return None
    known = {n.casefold() for p in graph.people() for n in (p.name, p.id, *p.aliases)}
    known |= {w.casefold() for p in graph.people() for w in p.name.split()}
    if x in known:
        return None
    things = " ".join(n.casefold() for d in graph.devices() for n in (d.name, *d.aliases))
    things += " " + " ".join(n.casefold() for r in graph.rooms() for n in (r.name, r.id, *r.aliases))
    if re.search(rf"\b{re.escape(x)}\b", things):
        return None  # "where is the vacuum" said without "the": a thing, not a person
    return _cannot(f"there is nobody called {x.capitalize()} here")


_STEPS: Final[tuple[Callable[[_Said, ContextGraph], Plan | None], ...]] = (
    _sensor_question, _climate_question, _lights_question, _room_question, _locks_question, _device_question,
)


def state_question(text: str, graph: ContextGraph, room: str | None = None, actor: Actor | None = None) -> Plan | None:
    """The plan that answers a question about devices', rooms' or sensors' state, or None when `text` is no such
    question. `actor` is unused (it keeps the stages' common signature)."""
    del actor
    if not isinstance(text, str) or len(text) > _MAX_CHARS:
        return None
    t = " ".join(_FILLER.sub(" ", plain(text)).split())
    if not t:
        return None
    if _TIMERS.search(t) and not _NOT_TIMER_STATUS.search(t):
        return _plan(_call("timer_status"))
    nobody = _unknown_person(t, graph)
    if nobody is not None:
        return nobody
    named, rooms, blanked = mentions(t, graph, room)
    rest = " ".join(blanked.split())
    words = t.split()
    verbless = (_STATE_NOUNS.match(rest) is not None and bool(named)) or (
        _ROOM_NOUNS.match(rest) is not None and len(rooms) == 1 and not named)
    question = _LEAD.match(t) is not None or text.rstrip().endswith("?") or verbless
    if not question or words[0] in _ACTIONS:
        return None
    if set(words[:4]) & _ACTIONS and not _ASKING.match(t):
        return None  # "can you turn on the kettle?": a request politely asked, not a question about its state
    if re.search(r"\d", rest) and not verbless:
        return None  # "is it 20 degrees", a number: a command or a comparison, not a state question
    said = _Said(t, [graph.device(d) for d in sorted(named) if graph.has_device(d)], sorted(rooms), rest, room)
    for step in _STEPS:
        plan = step(said, graph)
        if plan is not None:
            return plan
    return None
