"""Requests that name what they act on in a form the sentence templates do not cover:

    "switch to relax", "relax mode", "go to movie time"       -> scene_activate(scene)   (a scene of the home)
    "set the lantern white to 2700K", "arc lamp to 3000 kelvin", "kitchen lights colour temperature 4000"
                                                              -> light_set_color(device | room, kelvin)
    "cancel timer pasta", "kill the timer", "pasta timer off" -> timer_cancel([name])
    "remind me in an hour", "countdown half a minute"        -> timer_start(seconds)

A scene is activated, never expanded (conventions rule 8); it must be one of the home's scenes (its name, a
whole-word start of its name, or its id), else the request is left to the next stage. A white temperature goes to
the lights named, or to a room's lights; a light without colour temperature is refused naming it. Timers are
chosen by name only (fusehub's timers have no room). None when the request is none of these.
"""

from __future__ import annotations

import re
from typing import Final

from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Plan, SkillCall
from fusehub.reasoner.amounts import parse_number
from fusehub.reasoner.guard import mentions
from fusehub.reasoner.smalltalk import plain

__all__ = ["direct_request", "duration_seconds"]

_MAX_CHARS: Final = 160
_POLITE: Final = re.compile(r"\b(?:please|pls|now|for me|thanks|thank you)\b|^(?:so|ok|okay|and|then|hey)\b")
_SCENE: Final = re.compile(
    r"^(?:(?:switch|change|go|move|set it|put it|turn it|set things|put things)\s+(?:over\s+|back\s+)?to|"
    r"(?:activate|start|enable|run|use|set|put on)\b)?\s*(?:the\s+)?(?P<s>[a-z][a-z' ]*?)"
    r"(?:\s+(?:mode|scene|setting|preset|time))*$")
_KELVIN: Final = re.compile(r"\b(?P<k>\d{4,5})\s*(?:k|kelvin|kelvins)\b|"
                            r"\b(?:colou?r\s+temperature|white\s+temperature)\s+(?:to\s+|of\s+|at\s+)?(?P<k2>\d{4,5})\b")
_TIMER_CANCEL: Final = re.compile(
    r"^(?:cancel|stop|kill|clear|end|delete|remove|forget|abort|drop|scrap|never\s*mind|nevermind|"
    r"(?:turn|switch|shut) off)\s+"
    r"(?:(?:the|my|all|all the|all of the|all my|every|that|this)\s+)?"
    r"(?:(?P<n1>[a-z][a-z' ]*?)\s+)?timers?(?:\s+(?:for|called|named)?\s*(?:the\s+)?(?P<n2>[a-z][a-z' ]*?))?$"
    r"|^(?:the\s+)?(?P<n3>[a-z][a-z' ]*?)\s+timer\s+(?:off|cancel|cancelled|stop|done)$"
    r"|^(?:stop|quit|cancel)\s+timing\s+(?:the\s+|my\s+)?(?P<n4>[a-z]+)$"
    r"|^i (?:don't|do not) need (?:the|my|that) timer(?: any ?more)?$")
_NOT_A_NAME: Final = frozenset({"a", "an", "the", "my", "all", "every", "that", "this", "those", "these", "any",
                                "current", "running", "active", "kitchen"})
_TIMER_START: Final = re.compile(r"^(?:remind me in|countdown(?: for)?|count down(?: from)?|wake me in|"
                                 r"set (?:a|the) timer for|start (?:a|the) timer for|timer for|timer)\s+(?P<d>.+)$")
_NUM_WORD: Final = (r"(?:\d+(?:\.\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
                    r"eighty|ninety)")
_DURATION: Final = re.compile(
    r"\b(?P<d>half an hour|half a minute|an hour and a half|a minute and a half|(?:a )?quarter of an hour|"
    r"(?:an?|" + _NUM_WORD + r"(?:[\s-]" + _NUM_WORD + r")?)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)"
    r"(?:\s+and\s+(?:" + _NUM_WORD + r"|an?)\s+(?:seconds?|minutes?))?)\b")
_TIMING: Final = re.compile(r"\b(?:timer|countdown|count down|counting down|time (?:the|my)|timing)\b")
_TIMER_NAME: Final = (
    re.compile(r"\b(?:timer|countdown)\s+(?:for|called|named)\s+(?:the\s+|my\s+)?(?P<n>[a-z]+)$"),
    re.compile(r"\b(?:timer|countdown)\s+(?:for|called|named)\s+(?:the\s+|my\s+)?(?P<n>[a-z]+)\b(?!\s+(?:for|to)\b)"),
    re.compile(r"\btime\s+(?:the|my)\s+(?P<n>[a-z]+)\b"),
    re.compile(r"(?:^|\b(?:a|the|my|set|start)\s+)(?P<n>[a-z]+)\s+timer\b"),
    re.compile(r"\bfor\s+(?:the|my)\s+(?P<n>[a-z]+)\b"),
)
_TIMER_NOT_NAMES: Final = frozenset({"a", "an", "the", "my", "new", "another", "kitchen", "quick", "short", "long",
                                     "minute", "second", "hour", "set", "start", "need", "give", "put", "want",
                                     "timer", "me", "please", "so", "on"})
_UNITS: Final = {"second": 1, "sec": 1, "secs": 1, "seconds": 1, "minute": 60, "min": 60, "mins": 60,
                 "minutes": 60, "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600}
_FIXED: Final = {"half an hour": 1800, "half a minute": 30, "a quarter of an hour": 900, "quarter of an hour": 900,
                 "an hour and a half": 5400, "a minute and a half": 90}


def duration_seconds(said: str) -> int | None:
    """Seconds in a spoken duration ("an hour", "a minute", "5 minutes and 30 seconds", "two hours"), or None."""
    s = " ".join(said.split()).removesuffix(" from now")
    if s in _FIXED:
        return _FIXED[s]
    total = 0.0
    parts = re.split(r"\s+and\s+|,\s*", s)
    for part in parts:
        m = re.fullmatch(r"(?P<n>an?|one|[\w.-]+(?:[\s-][\w]+)?)\s+(?P<u>[a-z]+)", part.strip())
        if m is None or m.group("u") not in _UNITS:
            return None
        n = 1.0 if m.group("n") in ("a", "an") else parse_number(m.group("n"))
        if n is None or n <= 0:
            return None
        total += n * _UNITS[m.group("u")]
    seconds = round(total)
    return seconds if 0 < seconds <= 86400 else None


def _call(skill: str, **args: object) -> Plan:
    return Plan(source="intent", confidence=1.0,
                calls=[SkillCall(skill=skill, args={k: v for k, v in args.items() if v is not None})])


def _scene(t: str, graph: ContextGraph) -> Plan | None:
    m = _SCENE.match(t)
    scenes = graph.scenes()
    if m is None or not scenes:
        return None
    said = m.group("s").strip()
    if not said or (said == t and not re.search(r"\b(?:mode|scene)$", t)):
        return None  # a bare word is a scene only with "mode" / "scene" ("relax mode"), or after a verb
    exact = [s.id for s in scenes if said in {plain(n) for n in (s.name, s.id.replace("_", " "))}]
    if not exact:
        exact = [s.id for s in scenes if plain(s.name).startswith(said + " ")]
    if len(set(exact)) != 1:
        return None
    return _call("scene_activate", scene=exact[0])


def _kelvin(t: str, graph: ContextGraph, room: str | None) -> Plan | None:
    m = _KELVIN.search(t)
    if m is None:
        return None
    kelvin = int(m.group("k") or m.group("k2"))
    named, rooms, blanked = mentions(t, graph, room)
    devices = [graph.device(d) for d in sorted(named) if graph.has_device(d)]
    if len(devices) > 1 and rooms:
        devices = [d for d in devices if d.room in rooms] or devices
    if len(devices) > 1 and room is not None:
        devices = [d for d in devices if d.room == room] or devices
    if len(devices) == 1:
        d = devices[0]
        if "color_temp" not in d.capabilities:
            return Plan(source="intent", confidence=1.0, cannot=f"the {d.name.lower()} has no colour temperature")
        return _call("light_set_color", device=d.id, kelvin=kelvin)
    if devices:
        return None
    if len(rooms) == 1 and re.search(r"\b(?:lights?|lamps?)\b", blanked):
        r = next(iter(rooms))
        if not graph.devices(room=r, capability="color_temp"):
            return Plan(source="intent", confidence=1.0, cannot="no light with colour temperature there")
        return _call("light_set_color", room=r, kelvin=kelvin)
    return None


def _timer(t: str) -> Plan | None:
    m = _TIMER_CANCEL.match(t)
    if m is not None:
        name = (m.group("n1") or m.group("n2") or m.group("n3") or m.group("n4") or "").strip()
        if name in _NOT_A_NAME or re.search(r"\d", name):
            name = ""
        return _call("timer_cancel", name=name or None)
    m = _TIMER_START.match(t)
    if m is not None:
        seconds = duration_seconds(m.group("d"))
        if seconds is not None:
            return _call("timer_start", seconds=seconds)
    return _timer_start(t)


def _timer_start(t: str) -> Plan | None:
    """A timer with a duration said anywhere and an optional name: "give me a 20 minute timer", "homework timer
    for 8 minutes", "set the laundry timer to 60 seconds", "time the cookies for 45 minutes"."""
    if not _TIMING.search(t) or re.search(r"\b(?:cancel|stop|kill|clear|left|remaining|status|off)\b", t):
        return None
    durations = list(_DURATION.finditer(t))
    if len(durations) != 1:
        return None
    said = durations[0].group("d")
    seconds = duration_seconds(re.sub(r"^quarter", "a quarter", said))
    if seconds is None:
        return None
    rest = " ".join((t[:durations[0].start()] + " " + t[durations[0].end():]).split())
    name = None
    for pattern in _TIMER_NAME:
        hit = pattern.search(rest)
        if hit is not None and hit.group("n") not in _TIMER_NOT_NAMES and not re.fullmatch(_NUM_WORD, hit.group("n")):
            name = hit.group("n")
            break
    return _call("timer_start", seconds=seconds, name=name)


def direct_request(text: str, graph: ContextGraph, room: str | None = None, actor: Actor | None = None) -> Plan | None:
    """The plan for a scene, white temperature or timer request the templates do not read, or None."""
    del actor
    if not isinstance(text, str) or len(text) > _MAX_CHARS:
        return None
    t = " ".join(_POLITE.sub(" ", plain(text)).split())
    if not t:
        return None
    return _timer(t) or _kelvin(t, graph, room) or _scene(t, graph)
