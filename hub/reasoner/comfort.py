"""Comfort statements: "I'm freezing", "brr, it's freezing in here", "the living room is way too warm", "I can't
see a thing in here", "it's too bright" act with the household conventions' defaults (../shared/conventions.md,
rule 11): a thermostat 1 degree warmer or cooler, the lights 20 points brighter or dimmer.

A statement is read as parts, not matched as a whole sentence: interjections ("brr", "ugh", "oh"), a frame that
says who or what feels it ("I'm", "we are", "it's getting", "the kitchen feels", "my feet are", "not enough"), degree
words ("a bit", "way too", "really"), a feeling word (cold, chilly, frosty, stuffy, gloomy, glaring...; "not warm
enough" is cold) and where ("in here", "in the kitchen", "right now"). The room is the one it names, else the
speaker's room; with neither known it is asked, never guessed. A room without such a device is said. Only a
whole clause that states a comfort counts: "I'm cold, turn on the heater" is a request (the pipeline keeps a
statement only when no other clause asks for something), and "the soup is too hot" names no room, so it is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.reasoner.smalltalk import plain

__all__ = ["BRIGHTNESS_STEP", "DEGREE_STEP", "UNKNOWN_ROOM", "Statement", "comfort", "feeling_of"]

DEGREE_STEP = 1.0
"""Degrees a "cold" or "hot" statement changes the thermostat by."""
BRIGHTNESS_STEP = 20
"""Points a "dark" or "bright" statement changes the lights' brightness by."""
UNKNOWN_ROOM = "I don't know which room you're in; say which room, for example 'it's cold in the kitchen'"
"""The answer to a comfort statement with no room named and no speaker's room known."""


@dataclass(frozen=True, slots=True)
class _Feeling:
    skill: str
    capability: str
    change: float
    missing: str
    """What to call the device the room lacks."""


_FEELINGS: dict[str, _Feeling] = {
    "cold": _Feeling("climate_set_temperature", "temperature_setpoint", DEGREE_STEP, "thermostat"),
    "hot": _Feeling("climate_set_temperature", "temperature_setpoint", -DEGREE_STEP, "thermostat"),
    "dark": _Feeling("light_set_brightness", "brightness", BRIGHTNESS_STEP, "dimmable light"),
    "bright": _Feeling("light_set_brightness", "brightness", -BRIGHTNESS_STEP, "dimmable light"),
}

_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "cold": ("cold", "freezing", "freezing cold", "chilly", "frozen", "cool", "icy", "ice cold", "frosty",
             "perishing", "baltic", "arctic", "bitter", "bitterly cold", "fresh", "parky", "shivering",
             "freezing my butt off", "frozen solid", "like a fridge", "like a freezer", "like an icebox"),
    "hot": ("hot", "warm", "boiling", "boiling hot", "roasting", "sweltering", "stuffy", "baking", "sweaty",
            "steamy", "humid", "muggy", "scorching", "stifling", "toasty", "melting", "overheating",
            "cooking", "dying of heat", "like an oven", "like a sauna", "an oven", "a sauna", "burning up",
            "close"),
    "dark": ("dark", "dim", "gloomy", "murky", "pitch black", "pitch dark", "shadowy", "dingy", "dull",
             "too dark to see", "black"),
    "bright": ("bright", "glaring", "dazzling", "garish", "glary"),
}
_WORD_FEEL = {w: f for f, ws in _ADJECTIVES.items() for w in ws}
_ENOUGH = {"warm": "cold", "hot": "cold", "cold": "hot", "cool": "hot", "bright": "dark", "light": "dark",
           "dark": "bright"}
"""'not warm enough' is cold, 'not bright enough' dark."""

_DEGREE = (r"(?:(?:so|really|very|a bit|a little|a little bit|a tiny bit|bit|kind of|kinda|sort of|quite|pretty|too|"
           r"way too|much too|far too|rather|super|awfully|terribly|incredibly|extremely|a tad|slightly|bloody|damn|"
           r"absolutely|totally|fairly|somewhat|well|just|still|already|getting|becoming|now|seriously|properly|"
           r"insanely|unbearably|ridiculously|horribly|freaking|fucking|a lot)\s+)*")
_INTERJECTION = (r"(?:(?:oh my god|oh my|oh|omg|man|ugh|urgh|argh|hmm|brr+|god|gosh|jeez|geez|wow|phew|whew|oof|"
                 r"ooh|ah|ahh|honestly|seriously|ok|okay|well|boy|yikes|blimey|geez louise|sheesh|hey)\s+)*")
_ADJ = "|".join(sorted((re.escape(w) for w in _WORD_FEEL), key=len, reverse=True))
_FEEL = rf"(?:{_DEGREE}(?P<adj>{_ADJ})|not {_DEGREE}(?P<enough>{'|'.join(_ENOUGH)}) enough)(?:\s+me)?"
_BE = r"(?:is|are|'s|s|feels|feel|is feeling|is getting|has gotten|has got|got|gets|has become|became|seems|looks)"
_TAIL = (r"(?P<tail>(?:\s+(?:in here|here|in this room|around here|right now|now|today|tonight|at the moment|"
         r"again|already|lately|all of a sudden|in (?:the )?(?P<room>[a-z' ]+?)))*)")
_FRAMES = [
    # the speaker: "I'm freezing", "we are all a bit cold", "my feet are like ice"
    rf"(?:i'm|i am|im|i feel|i'm feeling|i am feeling|i'm getting|i am getting|feeling|we're|we are|were|"
    rf"we're all|we are all|we feel|we're getting|we are getting|i've gotten|i got|my (?:hands|feet|toes|fingers|"
    rf"nose|ears|legs|face) (?:are|is|feel|feels)) {_FEEL}",
    # the room: "it's chilly", "it is getting dark", "this room feels stuffy", "the kitchen is way too warm"
    rf"(?:it|its|it's|it is|it feels|feels|it's getting|it is getting|getting|it has gotten|it's gotten|it got|"
    rf"it's become|in here it's|in here it is|here it's|this room|this room is|the room|the room is|"
    rf"this place|this place is|(?:the )?(?P<subject>[a-z' ]+?) {_BE}) {_FEEL}",
    # light: "there's too much light", "not enough light in here", "I can't see a thing", "the lights are glaring"
    r"(?:there's|there is|theres)?\s*(?P<little>not enough|too little|hardly any|barely any|no) light",
    r"i (?P<see>can't|cannot|can not|cant) see"
    r"(?: (?:a thing|anything|a thing in here|much|my hands?))?",
    rf"(?:the )?(?:lights?|lamps?|lighting) (?:is|are|'s|feel|feels|seems?) {_FEEL}",
    # no frame, only with a degree or "not ... enough": "way too cold in here", "not bright enough" (not "cold")
    rf"(?=(?:so|really|very|a bit|a little|too|way too|much too|far too|super|not) ){_FEEL}",
]
_STATEMENT = [re.compile(rf"^{_INTERJECTION}{f}{_TAIL}$") for f in _FRAMES]
_HOUSE = frozenset({"it", "this", "this room", "the room", "room", "here", "in here", "this place", "place",
                    "the place", "house", "the house", "home", "the home", "flat", "the flat", "apartment",
                    "the apartment", "air", "the air", "temperature", "the temperature"})
"""Subjects that mean where the speaker is, not a named room."""


@dataclass(frozen=True, slots=True)
class Statement:
    """A comfort statement read from a clause: what is felt and where (None: the speaker's room)."""

    feeling: str
    room: str | None


def feeling_of(text: str, graph: ContextGraph) -> Statement | None:
    """The comfort statement `text` makes, or None when it makes none (a request, a question, another subject)."""
    t = plain(text)
    for rx in _STATEMENT:
        m = rx.match(t)
        if m is None:
            continue
        g = m.groupdict()
        if g.get("little") or g.get("see"):
            feeling = "dark"
        elif g.get("enough"):
            feeling = _ENOUGH[g["enough"]]
        else:
            feeling = _WORD_FEEL[g["adj"]]
        rooms: list[str | None] = []
        for said in (g.get("subject"), g.get("room")):
            if said is None or said.strip() in _HOUSE:
                continue
            rid = graph.resolve_room(said.strip()) or graph.resolve_room(said.strip().removeprefix("the "))
            if rid is None:
                break  # "the soup is too hot", "cold in january": not about a room of this home
            rooms.append(rid)
        else:
            if len(set(rooms)) > 1:
                return None
            return Statement(feeling, rooms[0] if rooms else None)
    return None


def comfort(text: str, graph: ContextGraph, room: str | None) -> Plan | None:
    """The plan for a comfort statement about the room it names or the speaker's `room`, or None when `text` is
    not one. With no room named and the speaker's room not known, the answer asks which room."""
    s = feeling_of(text, graph)
    if s is None:
        return None
    where = s.room or (room if room is not None and graph.has_room(room) else None)
    if where is None:
        return Plan(source="intent", confidence=1.0, cannot=UNKNOWN_ROOM)
    feeling = _FEELINGS[s.feeling]
    if not graph.devices(room=where, capability=feeling.capability):
        name = graph.room(where).name
        return Plan(source="intent", confidence=1.0, cannot=f"There's no {feeling.missing} in the {name}")
    change: float | int = feeling.change if feeling.skill.startswith("climate") else int(feeling.change)
    return Plan(source="intent", confidence=1.0,
                calls=[SkillCall(skill=feeling.skill, args={"room": where, "change": change})])
