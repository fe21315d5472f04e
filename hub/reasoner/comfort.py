"""Comfort statements: "I'm freezing", "it's too dark in here", "it's too bright" act on the speaker's room with
the household conventions' defaults (../shared/conventions.md, rule 11): a thermostat 1 degree warmer or cooler, the
lights 20 points brighter or dimmer. Only a whole utterance that states a comfort counts ("I'm cold, turn on the
kitchen light" is a request for the other stages); without a known speaker's room nothing is guessed, and a room
without such a device is said."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.reasoner.smalltalk import plain

__all__ = ["BRIGHTNESS_STEP", "DEGREE_STEP", "comfort"]

DEGREE_STEP = 1.0
"""Degrees a "cold" or "hot" statement changes the thermostat by."""
BRIGHTNESS_STEP = 20
"""Points a "dark" or "bright" statement changes the lights' brightness by."""


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
_WORDS = {"cold": "cold", "freezing": "cold", "chilly": "cold", "frozen": "cold", "cool": "cold",
          "hot": "hot", "warm": "hot", "boiling": "hot", "roasting": "hot", "sweltering": "hot", "stuffy": "hot",
          "dark": "dark", "dim": "dark", "gloomy": "dark", "bright": "bright", "glaring": "bright"}
_STATEMENT = re.compile(
    r"^(?:oh\s+|man\s+|ugh\s+|hmm\s+)?(?:i'm|i am|im|we're|we are|it's|it is|its|it feels|feels|it's getting|"
    r"it is getting|getting|this room is|the room is|it's a bit|it is a bit)\s+"
    r"(?:(?:so|really|very|a bit|a little|bit|kind of|kinda|quite|pretty|too|way too|much too|rather)\s+)*"
    r"(?P<word>" + "|".join(_WORDS) + r")(?:\s+(?:in here|here|in this room|right now|now|today))*$"
)


def comfort(text: str, graph: ContextGraph, room: str | None) -> Plan | None:
    """The plan for a comfort statement in the speaker's `room`, or None when `text` is not one (or the room is
    not known: a statement is about where the speaker is, never guessed)."""
    m = _STATEMENT.match(plain(text))
    if m is None or room is None or not graph.has_room(room):
        return None
    feeling = _FEELINGS[_WORDS[m.group("word")]]
    if not graph.devices(room=room, capability=feeling.capability):
        name = graph.room(room).name
        return Plan(source="intent", confidence=1.0, cannot=f"There's no {feeling.missing} in the {name}")
    change: float | int = feeling.change if feeling.skill.startswith("climate") else int(feeling.change)
    return Plan(source="intent", confidence=1.0,
                calls=[SkillCall(skill=feeling.skill, args={"room": room, "change": change})])
