"""Questions about what the graph knows, answered by the read-only skills (their speech is the answer):

    "where is Lars", "when will Lars be home", "how far away is Lars"  -> where_is(person)
    "how cold is it outside", "what's the temperature outdoors"         -> query_state(device=<outdoor sensor>)
    "which batteries are low", "are any batteries low"                  -> query_state(attribute=battery)
    "what's the battery of the hallway sensor"                          -> query_state(device)
    "how much charge does the car have", "what's Anna's car's range"    -> query_state(device=<car>)
    "what's the target humidity of the humidifier", "what mode is the purifier in"
                                                                        -> attribute_get(device, attribute)

A question only: it starts with a question word (or "tell me", "do you know"), names what it asks about with
names from the graph, and asks for one thing. Anything else is left to the next stage. A question about
something the home does not have (no outdoor sensor, no car) is a final `cannot` naming what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from fusehub.context.facts import outdoor_sensor
from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import Actor, Plan, SkillCall
from fusehub.reasoner.sentences import sensed_class
from fusehub.reasoner.smalltalk import plain

__all__ = ["ask"]

_LEAD: Final = re.compile(
    r"^(?:(?:hey|ok|okay)\s+)?(?:fusehub\s+)?(?:please\s+)?(?:(?:can|could|would) you\s+)?"
    r"(?:(?:tell|show) me|do you know|i(?:'d| would) like to know|i want to know|let me know|any idea|check)\s+")
_QWORDS: Final = ("where", "when", "how", "what", "what's", "whats", "which", "is", "are", "has", "have", "will",
                  "does", "do", "any", "who")
_ACTIONS: Final = frozenset([
    "turn", "switch", "set", "put", "make", "open", "close", "lock", "unlock", "start", "stop", "play",
    "pause", "dim", "brighten", "raise", "lower", "tell", "text", "send", "notify", "announce", "remind",
    "activate", "run", "clean", "vacuum", "precondition", "warm", "heat", "cool", "charge",
])
_PERSON_CUES: Final = frozenset([
    "where", "where's", "wheres", "home", "back", "eta", "far", "arrive", "arriving", "arrived", "arrival",
    "away", "way", "located", "location", "whereabouts", "out", "here", "left", "coming", "driving",
])
_OUTSIDE: Final = ("outside", "outdoors", "outdoor", "out there")
_TEMP_WORDS: Final = frozenset([
    "temperature", "temp", "cold", "warm", "hot", "freezing", "degrees", "chilly", "warmth", "heat",
])
_CAR_CUES: Final = frozenset([
    "charge", "charged", "charging", "battery", "range", "plugged", "km", "kilometres", "kilometers", "miles",
    "percent",
])
_CAR_WORDS: Final = frozenset([
    "car", "cars", "tesla", "vehicle", "ev",
])


def _norm(text: str) -> str:
    t = plain(text)
    t = _LEAD.sub("", t)
    return re.sub(r"\b(?:right now|at the moment|currently|please)\b", " ", t).strip()


def _words(t: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", t)


def _has(t: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w])", t) is not None


def _names(items: Iterable[tuple[str, Iterable[str]]]) -> list[tuple[str, str]]:
    """(lower-case name, id) pairs, longest name first."""
    out = [(plain(n), i) for i, ns in items for n in ns if n and plain(n)]
    return sorted(out, key=lambda t: -len(t[0]))


def _people_named(t: str, graph: ContextGraph) -> list[tuple[str, str, bool]]:
    """(person id, name as said, possessive) for each person named in `t`."""
    out: dict[str, tuple[str, str, bool]] = {}
    for name, pid in _names((p.id, (p.name, *p.aliases)) for p in graph.people()):
        m = re.search(rf"(?<![\w']){re.escape(name)}('s|s')?(?![\w])", t)
        if m and pid not in out:
            out[pid] = (pid, name, m.group(1) is not None)
    return list(out.values())


def _device_named(t: str, devices: list[DeviceView]) -> DeviceView | None:
    """The device whose name or alias is said (the longest one); None if none, or two equally long ones."""
    best: list[tuple[int, DeviceView]] = []
    for d in devices:
        for n in (d.name, *d.aliases):
            pn = plain(n)
            if pn and (_has(t, pn) or _has(t, pn.removeprefix("the "))):
                best.append((len(pn), d))
    if not best:
        return None
    best.sort(key=lambda x: -x[0])
    top = [d for n, d in best if n == best[0][0]]
    return top[0] if len({d.id for d in top}) == 1 else None


def _call(skill: str, **args: object) -> Plan:
    return Plan(source="intent", confidence=1.0, calls=[SkillCall(skill=skill, args=dict(args))])


def _cannot(why: str) -> Plan:
    return Plan(source="intent", confidence=1.0, cannot=why)


def _person_question(t: str, ws: set[str], graph: ContextGraph) -> Plan | None:
    named = _people_named(t, graph)
    if len(named) != 1 or not ws & _PERSON_CUES:
        return None
    pid, _, possessive = named[0]
    if possessive and not ws & {"eta", "location", "whereabouts"}:
        return None  # "where is Ben's phone", "is Ben's room warm": about a thing of Ben's
    return _call("where_is", person=pid)


def _outside_question(t: str, ws: set[str], graph: ContextGraph) -> Plan | None:
    if not any(_has(t, o) for o in _OUTSIDE):
        return None
    if not (ws & _TEMP_WORDS or re.match(r"^(?:what is it|what's it|how is it|hows it|how's it) (?:like )?", t)):
        return None
    dev = outdoor_sensor(graph)
    if dev is None:
        return _cannot("there is no outdoor temperature sensor")
    return _call("query_state", device=dev)


def _cars(graph: ContextGraph) -> list[DeviceView]:
    return [d for d in graph.devices() if d.kind == "car"]


def _car_named(t: str, ws: set[str], graph: ContextGraph, actor: Actor | None) -> DeviceView | str | None:
    """The car asked about, None when no car is meant, or a `cannot` text."""
    cars = _cars(graph)
    named = _device_named(t, cars)
    if named is not None:
        return named
    if not ws & _CAR_WORDS:
        return None
    for pid, _, possessive in _people_named(t, graph):
        if possessive:
            car = graph.person(pid).car
            return graph.device(car) if car and graph.has_device(car) else f"{graph.person(pid).name} has no car"
    if _has(t, "my car") and actor is not None and actor.kind == "person" and actor.id and graph.has_person(actor.id):
        car = graph.person(actor.id).car
        return graph.device(car) if car and graph.has_device(car) else "you have no car"
    if not cars:
        return "there is no car in the home"
    return cars[0] if len(cars) == 1 else None


def _car_question(t: str, ws: set[str], graph: ContextGraph, actor: Actor | None) -> Plan | None:
    if not ws & _CAR_CUES and not re.search(r"\bhow far can\b", t):
        return None
    car = _car_named(t, ws, graph, actor)
    if car is None:
        return None
    if isinstance(car, str):
        return _cannot(car)
    return _call("query_state", device=car.id)


def _battery_question(t: str, ws: set[str], graph: ContextGraph) -> Plan | None:
    if not ws & {"battery", "batteries"}:
        return None
    devices = [d for d in graph.devices() if d.kind not in ("car",)]
    named = _device_named(t, devices)
    if named is not None:
        return _call("query_state", device=named.id)
    if "batteries" in ws or ws & {"low", "levels", "level", "which", "any", "all", "empty", "flat", "replacing"}:
        if any(sensed_class(d) == "battery" for d in graph.devices()):
            return None  # the home's battery sensors: the local templates answer these
        return _call("query_state", attribute="battery")
    return None


def _attribute_question(t: str, graph: ContextGraph) -> Plan | None:
    """A declared attribute of a named device, in any word order ("the mode of the purifier", "what mode is
    the purifier in", "the purifier's fan speed")."""
    devices = graph.devices(capability="attributes")
    d = _device_named(t, devices)
    if d is None:
        return None
    rest = t
    for n in (d.name, *d.aliases):
        rest = re.sub(rf"(?<![\w']){re.escape(plain(n))}(?:'s)?(?![\w])", " ", rest)
    # the attribute's name said in full ("target humidity"), else its last word ("humidity"), when that is unique
    hits = [a for a in d.attributes if _has(rest, a.replace("_", " "))]
    if not hits:
        hits = [a for a in d.attributes if _has(rest, a.rsplit("_", 1)[-1])]
    if len(hits) > 1:
        hits = [a for a in hits if len(a) == max(len(h) for h in hits)]
    if len(hits) != 1:
        return None
    return _call("attribute_get", device=d.id, attribute=hits[0])


def ask(text: str, graph: ContextGraph, room: str | None = None, actor: Actor | None = None) -> Plan | None:
    """The plan that answers a question about the graph, or None when `text` is no such question. `room` is
    unused (a question names what it asks about); it keeps the stages' common signature."""
    del room
    if len(text) > 200:
        return None
    t = _norm(text)
    ws_list = _words(t)
    if not ws_list or (ws_list[0] not in _QWORDS and not _LEAD.match(plain(text))):
        return None
    ws = set(ws_list)
    if ws & _ACTIONS and ws_list[0] not in _QWORDS:
        return None
    for step in (_person_question, _outside_question):
        plan = step(t, ws, graph)
        if plan is not None:
            return plan
    plan = _car_question(t, ws, graph, actor)
    if plan is not None:
        return plan
    plan = _battery_question(t, ws, graph)
    if plan is not None:
        return plan
    return _attribute_question(t, graph)
