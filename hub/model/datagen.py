"""Synthetic training and held-out data for the on-hub planner (SmolLM2-135M + LoRA).

Each example is one request against one generated home: a user turn built exactly as the runtime builds it
(`build_view` over a `ContextGraph` loaded from a generated `Home`, then `user_turn`) and the target plan in
the terse call syntax (`render_plan`). Every target is checked here: it parses back (`parse_plan`) to the
intended calls, and every device id it names is in the view (room, floor, person and scene ids come from the
rooms, floors, person and scenes lines).

Homes are random: 3-9 rooms, sometimes floors, 1-4 people with phones and sometimes cars, lights, switches,
plugs, climate, covers, locks, a garage, a vacuum, media players, speakers, sensors and generic devices with
declared attributes, in random states. A home is determined by its id (`home_for(home_id)`), so an evaluator
can rebuild its graph (for the decoding grammar) from an example.

The mapping from request to plan is kept simple and consistent, so a small model can learn it:

* a named device -> `device=<id>`; "the lights in the kitchen" / "kitchen lights" -> `room=kitchen`;
  "all the lights" -> `everywhere=true`; "the lights upstairs" -> `floor=upstairs`;
* no place named ("turn off the lights", "in here") -> the speaker's room, explicitly `room=<speaker room>`;
  "where Ben is" -> `room=<Ben's room from his person line>`;
* lights: "brighter"/"dimmer" -> `change=20`/`-20`, "much ..." -> +-40, "by 15%" -> +-15;
  climate: "warmer"/"colder" -> `change=1`/`-1`, "much ..." -> +-3; volume: "louder"/"quieter" -> +-10,
  "much ..." -> +-20; "turn off the thermostat" -> `climate_set_mode mode=off`;
* switches, plugs, TVs and generic devices use `switch_turn_on/off`, lights `light_turn_on/off`;
* questions -> `query_state` (a device; a room, with `capability=on_off` for "are the lights on in ..";
  `capability=lock` for "are the doors locked"; `attribute=` only for declared attributes, see
  STATE_ATTRIBUTE_QUERIES), `where_is`, `timer_status`;
* a missing device, room, person or feature -> `cannot "no oven"` / `cannot "kettle has no color"`.

Situations (the `situation=` trigger, no utterance) and their plans:

* everyone left -> `light_turn_off everywhere=true` (+ `lock_lock device=..` for a door said to be unlocked);
* bedtime -> lights off everywhere (+ lock a door said to be unlocked, + `cover_close everywhere=true` when
  covers are said to be open);
* "<person> arriving home in N min, outside T C[, dark]" -> T <= 10: `climate_set_temperature everywhere=true
  temperature=21`; dark: `light_turn_on room=hallway`;
* "<person> woke up" -> `light_turn_on room=<their room> brightness=30` (+ `cover_open` there if it has covers);
* doorbell -> `speaker_announce message="someone is at the door" everywhere=true`;
* "<room> window open, heating on" -> `climate_set_mode room=<room> mode=off`;
* "<person> leaving in N min, outside T C" -> `car_precondition car=<their car> temperature=21` (T <= 5)
  or `temperature=20` (T >= 27).

Held out: other people's names, some other room names, other device names and other phrasing templates
(every fifth template of each intent, or the last of a short list), so the held-out split has homes and
phrasings never seen in training. `python -m hub.model.datagen --n 2000 --split train --out data.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from fusehub.context.graph import ContextGraph
from fusehub.context.view import View, build_view, words
from fusehub.home import DeviceDecl, Home, slug
from fusehub.reasoner.calls import Call, ParsedPlan, free_text_skills, parse_plan, render_plan
from fusehub.reasoner.grounding import grounding_for
from fusehub.reasoner.prompt import user_turn
from fusehub.sdk import SkillRegistry

__all__ = [
    "CATEGORIES",
    "Example",
    "GenStats",
    "Split",
    "generate",
    "generate_with_stats",
    "home_for",
    "main",
    "read_jsonl",
    "templates",
    "write_jsonl",
]

Split = Literal["train", "heldout"]
_T = TypeVar("_T")

CATEGORIES: dict[str, float] = {
    "onoff": 13, "brightness": 8, "climate": 8, "cover": 5, "media": 6, "vacuum": 3, "secure": 5, "attribute": 4,
    "multi": 8, "relative": 8, "situation": 6, "query": 8, "timer": 3, "message": 4, "misc": 2, "cannot": 13,
    "sense": 4,
}
"""Categories and their weights (cannot is about 12%)."""

GROUP = 4
"""Examples drawn from one home before a new one is generated (states and people move per example)."""

TIME_LINE_P = 0.2
"""Fraction of examples whose view carries a time line."""

STATE_ATTRIBUTE_QUERIES = False
"""Whether "how bright is the lamp" gives `query_state device=.. attribute=brightness`. Off: the decoding grammar
(`grammar_for`) allows only declared attributes for `attribute`, so such a target could not be decoded; the
question is `query_state device=..` (its answer includes the brightness). Declared attributes always get it."""

_WHEN = datetime(2026, 1, 5, 12, 0)
_DRAWS = 300


@dataclass(frozen=True, slots=True)
class Example:
    """One training or evaluation example."""

    user: str
    """The user turn (view, trigger, assistant header), exactly as `user_turn` builds it."""
    target: str
    """The plan text, as `render_plan` renders it (no end token)."""
    category: str
    home_id: str
    calls: tuple[Call, ...]
    cannot: str | None
    template: str = ""
    """Template keys used ('intent#index', joined by '+')."""
    text: str | None = None
    situation: str | None = None
    devices: tuple[str, ...] = ()
    """The view's device ids."""

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user, "target": self.target, "category": self.category, "home_id": self.home_id,
            "calls": [{"skill": c.skill, "args": c.args} for c in self.calls], "cannot": self.cannot,
            "template": self.template, "text": self.text, "situation": self.situation, "devices": list(self.devices),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Example:
        return cls(
            user=d["user"], target=d["target"], category=d["category"], home_id=d["home_id"],
            calls=tuple(Call(c["skill"], dict(c["args"])) for c in d.get("calls", [])), cannot=d.get("cannot"),
            template=d.get("template", ""), text=d.get("text"), situation=d.get("situation"),
            devices=tuple(d.get("devices", [])),
        )


@dataclass
class GenStats:
    """What generation cost: view drops (a needed device missing from the view) per category."""

    accepted: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_templates: Counter[str] = field(default_factory=Counter)
    """Template keys of dropped draws (the view left out a device the request names)."""
    skipped: int = 0
    """Draws where the category did not apply to the home (no vacuum, ...): not drops."""
    homes: int = 0

    @property
    def drop_rate(self) -> float:
        acc, drop = sum(self.accepted.values()), sum(self.dropped.values())
        return drop / (acc + drop) if acc + drop else 0.0


# ============================================================================================== vocabulary

_COMMON_ROOMS = ("Kitchen", "Living room", "Bedroom", "Bathroom", "Hallway", "Office", "Garage", "Dining room")
_SPLIT_ROOMS: dict[str, tuple[str, ...]] = {
    "train": ("Master bedroom", "Study", "Kids room", "Guest room", "Basement", "Laundry room", "Porch", "Den",
              "Playroom", "Attic", "Toilet", "Workshop"),
    "heldout": ("Nursery", "Patio", "Garden", "Sunroom", "Library", "Pantry", "Mudroom", "Loft"),
}
_ABSENT_ROOMS: dict[str, tuple[str, ...]] = {
    "train": ("sauna", "gym", "wine cellar", "home cinema", "games room"),
    "heldout": ("conservatory", "greenhouse", "studio"),
}
_NAMES: dict[str, tuple[str, ...]] = {
    "train": ("Anna", "Ben", "Mia", "Sam", "Tom", "Lisa", "Max", "Emma", "Noah", "Olivia", "Liam", "Sophie", "Jack",
              "Lucy", "Oscar", "Ella", "Leo", "Grace", "Dan", "Kate", "Paul", "Nina", "Hugo", "Zoe", "Ivan", "Maria",
              "Omar", "Sara", "Finn", "Julia", "Peter", "Laura", "Mark", "Eva", "Luke", "Alice", "David", "Chris",
              "Hannah", "Tim"),
    "heldout": ("Priya", "Kenji", "Fatima", "Lars", "Chloe", "Mateo", "Aisha", "Ruth", "Felix", "Ines", "Yusuf",
                "Hana", "Diego", "Astrid", "Tariq"),
}
_FLOOR_SETS = (
    (("downstairs", "Downstairs", "downstairs", "downstairs"), ("upstairs", "Upstairs", "upstairs", "upstairs")),
    (("ground_floor", "Ground floor", "on the ground floor", "ground floor"),
     ("first_floor", "First floor", "on the first floor", "first floor")),
    (("ground_floor", "Ground floor", "on the ground floor", "ground floor"),
     ("first_floor", "First floor", "on the first floor", "first floor"),
     ("second_floor", "Second floor", "on the second floor", "second floor")),
)
_LOWER_ROOMS = {"kitchen", "living_room", "dining_room", "hallway", "garage", "office", "den", "porch", "playroom",
                "laundry_room", "workshop", "patio", "garden", "sunroom", "pantry", "mudroom", "library", "toilet",
                "basement"}

# device names per kind: (train, heldout); "{R}" is the room's name
_DEV_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "light": (("{R} light", "{R} ceiling", "Ceiling light", "Desk lamp", "Floor lamp", "Bedside lamp", "LED strip",
               "Pendant", "{R} lamp", "Spotlights", "Reading light", "Night light", "{R} spots", "Table lamp",
               "Chandelier"),
              ("{R} downlight", "Wall sconce", "Arc lamp", "Lantern", "{R} light strip", "Globe lamp")),
    "switch": (("Fan", "Ceiling fan", "Christmas tree", "{R} fan", "Towel warmer", "Extractor fan"),
               ("Box fan", "Salt lamp", "Heated rail")),
    "plug": (("Coffee machine", "Kettle", "Heater", "Toaster", "Printer", "Monitor", "Radio", "Space heater", "Iron"),
             ("Espresso maker", "Waffle iron", "Electric blanket", "Slow cooker", "Router")),
    "climate": (("Thermostat", "{R} thermostat", "{R} radiator", "Radiator", "Air conditioner", "Heat pump",
                 "{R} heating"),
                ("{R} AC", "Underfloor heating", "Climate unit", "{R} convector")),
    "cover": (("{R} blinds", "Blinds", "Shades", "Curtains", "Roller shutter", "{R} curtains", "Skylight blind",
               "Window blinds"),
              ("{R} shutters", "Drapes", "Roman shade", "Awning")),
    "garage": (("Garage door", "Garage gate"), ("Carport gate", "Garage opener")),
    "vacuum": (("Robot vacuum", "Roomba", "Vacuum", "Robot"), ("Roborock", "Deebot", "Cleaning robot")),
    "media_player": (("TV", "{R} TV", "Television", "Soundbar"), ("{R} television", "Beamer", "Telly")),
    "speaker": (("{R} speaker", "Sonos", "Echo", "Smart speaker"), ("HomePod", "{R} soundbox", "Nest audio")),
    "temperature": (("{R} temperature", "{R} temp", "Temperature sensor"), ("{R} thermometer", "Thermometer")),
    "humidity": (("{R} humidity", "Humidity sensor"), ("{R} hygrometer", "Hygrometer")),
    "outdoor": (("Outdoor temperature", "Outside temperature"), ("Weather station",)),
}
_LOCK_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    # (name, what people call it)
    "train": (("Front door", "front door"), ("Back door", "back door"), ("Side door", "side door"),
              ("Front door lock", "front door"), ("Back door lock", "back door")),
    "heldout": (("Patio door", "patio door"), ("Main entrance", "main entrance"), ("Cellar door", "cellar door")),
}


@dataclass(frozen=True)
class _Sense:
    """A sensor that answers yes/no questions (leak, smoke, motion, presence...): what it is called, its states."""

    tag: str
    kind: str  # fusehub kind: sensor (value), motion, occupancy
    names: tuple[tuple[str, ...], tuple[str, ...]]  # (train, heldout); "{R}" is the room's name
    rooms: tuple[str, ...]  # preferred room ids (any room when none of them exists)
    values: tuple[str, ...]  # spoken states of a `sensor` kind ("wet", "dry")
    noun: str  # what a home without one lacks: "no leak sensor"


_SENSES: tuple[_Sense, ...] = (
    _Sense("leak", "sensor", (("{R} leak sensor", "Water leak sensor", "Leak detector", "{R} water sensor"),
                              ("Flood sensor", "{R} moisture sensor")),
           ("kitchen", "bathroom", "laundry_room", "basement"), ("dry", "dry", "wet"), "leak sensor"),
    _Sense("smoke", "sensor", (("Smoke detector", "{R} smoke alarm", "Smoke sensor"), ("Fire alarm",)),
           ("hallway", "kitchen", "living_room"), ("clear", "clear", "smoke"), "smoke detector"),
    _Sense("gas", "sensor", (("CO detector", "Gas sensor", "Carbon monoxide alarm"), ("Gas alarm",)),
           ("kitchen", "basement"), ("clear", "clear", "detected"), "gas detector"),
    _Sense("motion", "motion", (("{R} motion", "Motion sensor", "{R} PIR"), ("{R} movement sensor",)),
           ("hallway", "garage", "living_room"), (), "motion sensor"),
    _Sense("presence", "occupancy", (("{R} presence", "{R} occupancy sensor"), ("{R} presence sensor",)),
           ("office", "living_room", "kitchen", "bedroom"), (), "presence sensor"),
    _Sense("running", "sensor", (("Washer", "Washing machine", "Dishwasher"), ("Dryer",)),
           ("laundry_room", "kitchen", "basement"), ("running", "idle", "done"), "washing machine"),
)
_SENSE_BY_TAG = {x.tag: x for x in _SENSES}


@dataclass(frozen=True)
class _Attr:
    name: str
    phrases: tuple[str, ...]
    type: Literal["number", "enum", "bool"]
    lo: float = 0
    hi: float = 0
    unit: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Generic:
    kind: str
    names: tuple[tuple[str, ...], tuple[str, ...]]
    attrs: tuple[_Attr, ...]


_HUM = _Attr("target_humidity", ("humidity", "target humidity"), "number", 30, 70, "%")
_GENERICS = (
    _Generic("humidifier", (("Humidifier", "{R} humidifier"), ("Mist maker",)),
             (_HUM, _Attr("mode", ("mode",), "enum", options=("normal", "eco", "boost", "sleep")))),
    _Generic("dehumidifier", (("Dehumidifier",), ("Moisture remover",)),
             (_Attr("target_humidity", ("humidity", "target humidity"), "number", 35, 65, "%"),)),
    _Generic("air_purifier", (("Air purifier", "Purifier"), ("Air cleaner",)),
             (_Attr("fan_speed", ("fan speed", "speed"), "enum", options=("low", "medium", "high", "auto")),)),
    _Generic("water_heater", (("Water heater", "Boiler"), ("Hot water tank",)),
             (_Attr("water_temperature", ("water temperature", "temperature"), "number", 40, 70, "C"),)),
    _Generic("aquarium", (("Aquarium", "Fish tank"), ("Terrarium",)),
             (_Attr("water_temperature", ("water temperature", "temperature"), "number", 20, 30, "C"),)),
    _Generic("fan", (("Tower fan", "Desk fan"), ("Pedestal fan",)),
             (_Attr("speed", ("speed", "fan speed"), "number", 1, 5),
              _Attr("oscillation", ("oscillation", "swing"), "bool"))),
)
_GENERIC_BY_KIND = {g.kind: g for g in _GENERICS}

_APPLIANCES: dict[str, tuple[str, ...]] = {
    "train": ("oven", "dishwasher", "washing machine", "fireplace", "sprinklers", "hot tub", "freezer", "microwave"),
    "heldout": ("tumble dryer", "pool pump", "bread maker", "ice machine"),
}
_COLORS = ("red", "green", "blue", "white", "yellow", "orange", "purple", "pink", "warm white")
_MODES = (("heat", "heat"), ("heating", "heat"), ("cool", "cool"), ("cooling", "cool"), ("auto", "auto"),
          ("dry", "dry"), ("fan only", "fan_only"), ("off", "off"))
_SCENES = (("movie", "Movie time", ("movie", "movie time")), ("night", "Good night", ("good night", "night")),
           ("morning", "Morning", ("morning",)), ("dinner", "Dinner", ("dinner",)), ("party", "Party", ("party",)),
           ("relax", "Relax", ("relax", "relax mode")))
_MESSAGES = ("dinner is ready", "I'm running late", "the laundry is done", "please call me", "come downstairs",
             "the movie starts in 5 minutes", "don't forget your keys", "I'll be home at 6", "the package arrived",
             "time for bed", "lunch is ready", "we're leaving in ten minutes", "take the trash out",
             "the pizza is here", "can you pick up milk", "breakfast is ready", "feed the cat please",
             "turn your music down", "grandma is on the phone", "homework time")
_TIMER_NAMES = ("pasta", "eggs", "laundry", "pizza", "tea", "bread", "rice", "cookies", "nap", "homework")
_NUM_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
              10: "ten", 15: "fifteen", 20: "twenty", 30: "thirty", 45: "forty five"}
_BRI_UP = (("brighter", 20), ("a bit brighter", 20), ("a little brighter", 20), ("much brighter", 40),
           ("a lot brighter", 40))
_BRI_DOWN = (("dimmer", -20), ("darker", -20), ("a bit dimmer", -20), ("a little darker", -20),
             ("much dimmer", -40), ("a lot darker", -40))
_WARM = (("warmer", 1), ("a bit warmer", 1), ("a little warmer", 1), ("much warmer", 3), ("a lot warmer", 3))
_COLD = (("colder", -1), ("cooler", -1), ("a bit cooler", -1), ("a little colder", -1), ("much colder", -3),
         ("a lot cooler", -3))

# ============================================================================================== templates
# {d} device, {r} room, {n} number, {t} temperature, {c} color, {k} kelvin, {m} mode, {p} person, {fa}/{fn}
# floor ("on the ground floor"/"ground floor"), {rel} relative phrase, {x} missing thing, {s} scene, {dur}/{dura}
# duration ("5 minutes"/"5 minute"), {nm} timer name, {a} attribute, {v} value, {u} unit, {o} option,
# {rs} rooms, {msg} message, {noun} cover noun, {act} action clause, {a1} {a2} {a3} clauses, {d1} {d2} devices.

_TEMPLATES: dict[str, tuple[str, ...]] = {
    # ---- on/off
    "on_dev": ("turn on the {d}", "switch on the {d}", "turn the {d} on", "{d} on", "turn on {d}",
               "can you switch the {d} on", "power on the {d}", "please turn on the {d}", "put the {d} on",
               "switch {d} on", "I'd like the {d} on", "could you turn the {d} on"),
    "off_dev": ("turn off the {d}", "switch off the {d}", "turn the {d} off", "{d} off", "turn off {d}",
                "can you switch the {d} off", "power off the {d}", "please turn off the {d}", "shut off the {d}",
                "switch {d} off", "I don't need the {d} anymore, turn it off", "could you turn the {d} off"),
    "on_room": ("turn on the lights in the {r}", "{r} lights on", "switch on the {r} lights", "lights on in the {r}",
                "turn the {r} lights on", "light up the {r}", "can you turn on the lights in the {r}",
                "put the lights on in the {r}", "switch the lights on in the {r}", "turn on the {r} lights please"),
    "off_room": ("turn off the lights in the {r}", "{r} lights off", "switch off the {r} lights",
                 "lights off in the {r}", "turn the {r} lights off", "kill the lights in the {r}",
                 "can you turn off the lights in the {r}", "no more lights in the {r}",
                 "switch the lights off in the {r}", "turn off the {r} lights please"),
    "on_all": ("turn on all the lights", "all lights on", "switch on every light", "turn all the lights on",
               "lights on everywhere", "turn on every light in the house", "switch all lights on"),
    "off_all": ("turn off all the lights", "all lights off", "switch off every light", "turn all the lights off",
                "lights off everywhere", "kill all the lights", "turn off every light in the house",
                "switch all lights off"),
    "on_floor": ("turn on the lights {fa}", "turn on the {fn} lights", "lights on {fa}", "switch the {fn} lights on",
                 "all lights {fa} on", "switch on all the lights {fa}"),
    "off_floor": ("turn off the lights {fa}", "turn off the {fn} lights", "lights off {fa}",
                  "switch the {fn} lights off", "all lights {fa} off", "switch off all the lights {fa}"),
    # ---- speaker-relative
    "on_here": ("turn on the lights", "lights on", "turn the lights on in here", "lights on here please",
                "switch on the lights here", "can I have some light", "turn on the lights in here",
                "put the light on"),
    "off_here": ("turn off the lights", "lights off", "turn the lights off in here", "lights off here please",
                 "switch off the lights here", "I don't need the lights", "turn off the lights in here",
                 "switch the light off"),
    "bri_rel_here": ("make it {rel} in here", "{rel} in here please", "lights {rel}", "make the lights {rel}",
                     "I want it {rel} in here", "can the lights be {rel}", "a bit of light please, {rel}"),
    "warm_here": ("make it {rel} in here", "{rel} in here please", "I want it {rel}", "can it be {rel} in here",
                  "make this room {rel}", "could you make it {rel} here"),
    "cool_here": ("make it {rel} in here", "{rel} in here please", "I want it {rel}", "can it be {rel} in here",
                  "make this room {rel}", "it's stuffy, make it {rel}"),
    "cover_open_here": ("open the {noun}", "open the {noun} in here", "{noun} up please", "raise the {noun} here",
                        "let some light in, open the {noun}"),
    "cover_close_here": ("close the {noun}", "close the {noun} in here", "{noun} down please",
                         "lower the {noun} here", "shut the {noun} in here"),
    "pause_here": ("pause the music", "pause", "stop the music in here", "pause the music here", "hold the music"),
    "next_here": ("next song", "skip this song", "next track please", "skip the track", "play the next song"),
    "vol_here": ("turn the music up", "louder please", "turn it up in here", "music louder", "volume up here"),
    # ---- person-relative: an action clause and a locator
    "pr_off": ("turn off the lights", "switch the lights off", "lights off", "turn the lights off",
               "kill the lights"),
    "pr_on": ("turn on the lights", "switch the lights on", "lights on", "turn the lights on", "put the lights on"),
    "pr_dim": ("dim the lights", "make the lights dimmer", "lights dimmer", "turn the lights down", "darker lights"),
    "pr_warm": ("make it warmer", "turn up the heat", "warm it up", "make the room warmer", "heat things up"),
    "pr_close": ("close the {noun}", "lower the {noun}", "{noun} down", "shut the {noun}", "draw the {noun}"),
    "pr_pause": ("pause the music", "stop the music", "pause the speaker", "pause playback", "hold the music"),
    "pr_loc": ("{act} where {p} is", "{act} in the room {p} is in", "{act} wherever {p} is",
               "{act} where {p} is right now", "{act} in the room where {p} is now", "{act} near {p}",
               "{act} around {p}", "{act} where {p} is sitting"),
    # ---- brightness and color
    "bri_set_dev": ("set the {d} to {n}%", "{d} to {n} percent", "dim the {d} to {n}%", "set {d} brightness to {n}%",
                    "{d} brightness {n}", "make the {d} {n} percent", "change the {d} to {n}%",
                    "brightness of the {d} to {n}", "put the {d} at {n}%", "{d} at {n} percent please"),
    "bri_set_room": ("set the {r} lights to {n}%", "dim the lights in the {r} to {n} percent", "{r} lights at {n}%",
                     "set the lights in the {r} to {n}%", "{r} brightness {n}", "lights in the {r} to {n} percent",
                     "make the {r} lights {n}%"),
    "bri_rel_dev": ("make the {d} {rel}", "{d} {rel}", "can the {d} be {rel}", "I want the {d} {rel}",
                    "{d} {rel} now", "set the {d} {rel}"),
    "bri_rel_room": ("make the {r} lights {rel}", "{r} lights {rel}", "lights in the {r} {rel}",
                     "make the lights in the {r} {rel}", "{r} lighting {rel}"),
    "bri_up_dev": ("turn up the {d}", "brighten the {d}", "raise the {d}", "turn the {d} up", "brighten up the {d}"),
    "bri_down_dev": ("turn down the {d}", "dim the {d}", "lower the {d}", "turn the {d} down", "dim down the {d}"),
    "bri_by_up": ("raise the {d} brightness by {n}%", "{d} up {n} percent", "increase the {d} by {n}%",
                  "brighten the {d} by {n} percent", "push the {d} up by {n} percent"),
    "bri_by_down": ("lower the {d} brightness by {n}%", "{d} down {n} percent", "decrease the {d} by {n}%",
                    "dim the {d} by {n} percent", "turn the {d} down by {n}"),
    "color_dev": ("make the {d} {c}", "set the {d} to {c}", "turn the {d} {c}", "change the {d} color to {c}",
                  "{d} {c} please", "{d} color {c}", "I want the {d} {c}"),
    "color_room": ("make the {r} lights {c}", "set the lights in the {r} to {c}", "turn the {r} lights {c}",
                   "{r} lights {c}", "change the lights in the {r} to {c}"),
    "kelvin_dev": ("set the {d} to {k} kelvin", "{d} color temperature {k}", "{d} to {k}K",
                   "make the {d} {k} kelvin", "set the {d} white to {k}K"),
    "on_bri_dev": ("turn on the {d} at {n}%", "switch the {d} on at {n} percent", "{d} on at {n}%",
                   "turn on the {d} to {n}", "put the {d} on at {n} percent"),
    # ---- climate
    "cl_set_dev": ("set the {d} to {t} degrees", "{d} to {t} degrees", "change the {d} to {t}",
                   "make the {d} {t} degrees", "set {d} temperature to {t}", "put the {d} on {t} degrees",
                   "{d} {t} degrees please", "I want the {d} at {t}"),
    "cl_set_room": ("set the temperature in the {r} to {t}", "heat the {r} to {t} degrees",
                    "make it {t} degrees in the {r}", "{r} temperature {t}", "I want {t} degrees in the {r}",
                    "{r} to {t} degrees please", "set the {r} to {t} degrees"),
    "cl_rel_dev": ("make the {d} {rel}", "set the {d} {rel}", "{d} {rel} please", "I want the {d} {rel}",
                   "could the {d} go {rel}"),
    "cl_rel_room": ("make the {r} {rel}", "{r} {rel} please", "can the {r} be {rel}", "make it {rel} in the {r}",
                    "I want the {r} {rel}", "the {r} should be {rel}"),
    "cl_up_dev": ("turn up the {d}", "turn the {d} up", "raise the {d}", "bump up the {d}", "{d} up a degree"),
    "cl_down_dev": ("turn down the {d}", "turn the {d} down", "lower the {d}", "bring the {d} down",
                    "{d} down a degree"),
    "cl_by_up": ("raise the {d} by {n} degrees", "{d} up {n} degrees", "increase the {r} temperature by {n} degrees",
                 "turn the {d} up by {n}", "warm the {r} up by {n} degrees"),
    "cl_by_down": ("lower the {d} by {n} degrees", "{d} down {n} degrees", "decrease the {r} temperature by {n}",
                   "turn the {d} down by {n} degrees", "cool the {r} down by {n} degrees"),
    "cl_mode_dev": ("set the {d} to {m} mode", "put the {d} in {m} mode", "{d} mode {m}", "switch the {d} to {m}",
                    "change the {d} mode to {m}", "{d} on {m} please"),
    "cl_mode_room": ("set the heating in the {r} to {m}", "{r} climate mode {m}", "switch the {r} heating to {m}",
                     "put the {r} on {m} mode", "{r} to {m} mode"),
    "cl_off_dev": ("turn off the {d}", "switch the {d} off", "{d} off", "shut down the {d}",
                   "turn the {d} off for now"),
    # ---- covers
    "cv_open_dev": ("open the {d}", "raise the {d}", "{d} up", "pull up the {d}", "open {d} please", "lift the {d}"),
    "cv_close_dev": ("close the {d}", "lower the {d}", "{d} down", "shut the {d}", "close {d} please",
                     "draw the {d}"),
    "cv_pos_dev": ("set the {d} to {n}%", "{d} to {n} percent", "open the {d} to {n}%", "move the {d} to {n}",
                   "{d} position {n}", "put the {d} at {n}%"),
    "cv_half_dev": ("{d} halfway", "open the {d} halfway", "put the {d} half open", "{d} half way please",
                    "set the {d} halfway"),
    "cv_open_room": ("open the {noun} in the {r}", "{r} {noun} up", "raise the {noun} in the {r}",
                     "open all the {noun} in the {r}", "open the {r} {noun}"),
    "cv_close_room": ("close the {noun} in the {r}", "{r} {noun} down", "lower the {noun} in the {r}",
                      "close all the {noun} in the {r}", "close the {r} {noun}"),
    "cv_open_all": ("open all the {noun}", "open every {noun} in the house", "all {noun} up", "raise all {noun}",
                    "open the {noun} everywhere"),
    "cv_close_all": ("close all the {noun}", "close every {noun} in the house", "all {noun} down",
                     "lower all {noun}", "close the {noun} everywhere"),
    # ---- media
    "md_play": ("play the {d}", "resume the {d}", "resume music on the {d}", "start playing on the {d}",
                "unpause the {d}", "{d} play", "continue playback on the {d}"),
    "md_pause": ("pause the {d}", "stop the {d}", "pause music on the {d}", "{d} pause", "hold the {d}",
                 "pause playback on the {d}"),
    "md_next": ("next song on the {d}", "skip this track on the {d}", "{d} next", "skip the song on the {d}",
                "play the next track on the {d}", "next track {d}"),
    "md_vol_set": ("set the {d} volume to {n}", "{d} volume {n}%", "volume of the {d} to {n}",
                   "turn the {d} to volume {n}", "{d} volume to {n} percent", "set volume on the {d} to {n}"),
    "md_vol_up": ("turn up the {d}", "{d} louder", "make the {d} louder", "louder on the {d}",
                  "raise the volume on the {d}", "turn the {d} up"),
    "md_vol_down": ("turn down the {d}", "{d} quieter", "make the {d} quieter", "quieter on the {d}",
                    "lower the volume on the {d}", "turn the {d} down"),
    "md_vol_by": ("turn the {d} {dir} by {n}", "{d} volume {dir} {n}", "volume {dir} {n} on the {d}",
                  "move the {d} volume {dir} {n} percent", "{d} {dir} {n}"),
    # ---- vacuum
    "vac_start": ("start the {d}", "start vacuuming", "vacuum the house", "run the {d}", "clean the house",
                  "let the {d} clean", "start the {d} please"),
    "vac_stop": ("stop the {d}", "stop vacuuming", "{d} stop", "halt the {d}", "stop the cleaning"),
    "vac_dock": ("send the {d} home", "{d} back to the dock", "dock the {d}", "send the {d} back to its base",
                 "return the {d} to its dock", "{d} go home"),
    "vac_rooms": ("vacuum the {rs}", "clean the {rs}", "have the {d} clean the {rs}", "send the {d} to clean the {rs}",
                  "{d} clean the {rs}", "vacuum the {rs} please", "can the {d} do the {rs}"),
    # ---- secure
    "lk_lock": ("lock the {d}", "{d} lock", "lock {d} please", "make sure the {d} is locked", "secure the {d}",
                "please lock the {d}"),
    "lk_unlock": ("unlock the {d}", "{d} unlock", "unlock {d} please", "open the {d} lock", "let me in, unlock the {d}",
                  "please unlock the {d}"),
    "lk_all": ("lock all the doors", "lock up", "lock every door", "lock all doors", "lock up the house",
               "make sure all doors are locked"),
    "gar_open": ("open the {d}", "open the garage", "raise the {d}", "{d} up", "open the garage please",
                 "open {d}"),
    "gar_close": ("close the {d}", "close the garage", "lower the {d}", "{d} down", "shut the garage",
                  "close {d}"),
    "car_lock": ("lock {owner} car", "lock the car", "{owner} car lock", "make sure {owner} car is locked",
                 "please lock {owner} car"),
    "car_unlock": ("unlock {owner} car", "unlock the car", "{owner} car unlock", "open {owner} car",
                   "please unlock {owner} car"),
    "car_pre": ("warm up {owner} car", "precondition {owner} car", "heat up the car", "get {owner} car ready",
                "start the car climate", "precondition the car please"),
    "car_pre_t": ("precondition {owner} car to {t} degrees", "heat {owner} car to {t}", "car cabin to {t} degrees",
                  "set the car to {t} degrees", "warm {owner} car up to {t}"),
    "scene": ("start {s}", "activate the {s} scene", "{s} scene please", "set the {s} scene", "switch to {s}",
              "{s} mode", "activate {s}"),
    # ---- declared attributes
    "attr_num": ("set the {d} {a} to {v}", "{d} {a} {v}", "change the {a} of the {d} to {v}",
                 "set the {d} to {v}{u}", "{d} to {v}{u}", "put the {d} {a} at {v}", "I want the {d} at {v}{u}"),
    "attr_by_up": ("raise the {d} {a} by {n}", "increase the {a} on the {d} by {n}", "{d} {a} up {n}",
                   "turn up the {d} {a} by {n}", "bump the {d} {a} by {n}"),
    "attr_by_down": ("lower the {d} {a} by {n}", "decrease the {a} on the {d} by {n}", "{d} {a} down {n}",
                     "turn down the {d} {a} by {n}", "drop the {d} {a} by {n}"),
    "attr_enum": ("set the {d} {a} to {o}", "put the {d} on {o}", "{d} {a} {o}", "switch the {d} to {o}",
                  "change the {d} {a} to {o}", "{d} to {o} please"),
    "attr_bool": ("turn on {a} on the {d}", "enable {a} on the {d}", "{d} {a} on", "switch on the {d} {a}",
                  "activate the {d} {a}"),
    # ---- questions
    "q_on": ("is the {d} on", "is the {d} still on", "did I leave the {d} on", "is the {d} off",
             "check if the {d} is on", "is the {d} switched on"),
    "q_lock": ("is the {d} locked", "did I lock the {d}", "is the {d} unlocked", "check the {d} lock",
               "is the {d} lock closed"),
    "q_open": ("is the {d} open", "is the {d} closed", "did someone leave the {d} open", "check if the {d} is open",
               "is the {d} shut"),
    "q_status": ("what's the status of the {d}", "status of the {d}", "how is the {d} doing", "check the {d}",
                 "tell me about the {d}", "what is the {d} doing"),
    "q_temp": ("what's the temperature in the {r}", "how warm is it in the {r}", "how cold is the {r}",
               "temperature in the {r}", "what temperature is it in the {r}", "is it warm in the {r}"),
    "q_hum": ("what's the humidity in the {r}", "how humid is the {r}", "humidity in the {r}",
              "is the {r} humid", "what is the {r} humidity"),
    "q_out": ("what's the temperature outside", "how cold is it outside", "outside temperature",
              "how warm is it outside", "what is it outside"),
    "q_room_lights": ("are the lights on in the {r}", "are any lights on in the {r}", "did I leave the {r} lights on",
                      "are the {r} lights off", "check the lights in the {r}"),
    "q_room": ("what's on in the {r}", "status of the {r}", "what's going on in the {r}", "give me the {r} status",
               "how is the {r}", "anything on in the {r}"),
    "q_locks": ("are all doors locked", "are the doors locked", "is everything locked", "did anyone leave a door open",
                "are all the locks closed", "check the locks"),
    "q_setpoint": ("what is the {d} set to", "what's the target on the {d}", "what temperature is the {d} set to",
                   "{d} setting", "what's the {d} target"),
    "q_bright": ("how bright is the {d}", "what's the brightness of the {d}", "{d} brightness",
                 "what brightness is the {d} at", "how dim is the {d}"),
    "q_volume": ("what's the volume on the {d}", "how loud is the {d}", "{d} volume", "what volume is the {d} at",
                 "how high is the {d} volume"),
    "q_battery": ("what's the {d} battery", "how much battery does the {d} have", "{d} battery level",
                  "is the {d} charged", "battery of the {d}"),
    "qs_leak": ("is the floor wet", "is there a leak", "is anything leaking", "is the {r} flooded",
                "is there water on the floor", "any leaks", "is the leak sensor wet", "check for water leaks"),
    "qs_smoke": ("is there smoke", "is the smoke alarm going off", "is any smoke detected", "is there a fire",
                 "check the smoke detector", "did the smoke alarm go off"),
    "qs_gas": ("is there a gas leak", "is carbon monoxide detected", "is the CO alarm on", "any gas detected",
               "check the gas sensor"),
    "qs_motion": ("is there any motion in the {r}", "any movement in the {r}", "is motion detected in the {r}",
                  "has something moved in the {r}", "is the {r} motion sensor triggered", "is there motion"),
    "qs_presence": ("is the {r} occupied", "is there presence in the {r}", "is occupancy detected in the {r}",
                    "does the {r} sensor see someone"),
    "qs_running": ("is the {d} running", "is the {d} done", "has the {d} finished", "is the {d} still on",
                   "is the {d} finished yet", "what is the {d} doing"),
    "q_attr": ("what's the {a} of the {d}", "what is the {d} {a}", "{d} {a}", "tell me the {d} {a}",
               "what {a} is the {d} on"),
    "where": ("where is {p}", "where's {p}", "is {p} home", "is {p} at home", "where is {p} right now",
              "do you know where {p} is", "has {p} left", "is {p} in the house"),
    "timer_status": ("how long is left on the timer", "how much time is left", "what timers are running",
                     "timer status", "any timers running", "how long until the timer goes off"),
    # ---- timers
    "t_start": ("set a timer for {dur}", "timer {dur}", "start a {dura} timer", "{dura} timer please",
                "remind me in {dur}", "countdown {dur}", "set a {dura} timer", "start a timer for {dur}"),
    "t_named": ("set a {nm} timer for {dur}", "{nm} timer {dur}", "start a timer for the {nm}, {dur}",
                "time the {nm} for {dur}", "{dura} timer for the {nm}", "set a timer called {nm} for {dur}"),
    "t_cancel": ("cancel the timer", "stop the timer", "cancel all timers", "never mind the timer", "kill the timer",
                 "clear the timers"),
    "t_cancel_named": ("cancel the {nm} timer", "stop the {nm} timer", "{nm} timer off", "forget the {nm} timer",
                       "cancel timer {nm}"),
    # ---- messages
    "ann_all": ("tell everyone {msg}", "announce {msg}", "announce that {msg}", "let everybody know {msg}",
                "broadcast {msg}", "say {msg} on all speakers", "tell the whole house {msg}"),
    "ann_room": ("announce in the {r} that {msg}", "say {msg} in the {r}", "tell the {r} {msg}",
                 "announce {msg} in the {r}", "broadcast {msg} in the {r}", "say in the {r} that {msg}"),
    "notify": ("text {p} that {msg}", "send {p} a message saying {msg}", "tell {p} {msg}", "message {p}: {msg}",
               "notify {p} that {msg}", "let {p} know {msg}", "send a text to {p}: {msg}"),
    # ---- multi
    "mj2": ("{a1} and {a2}", "{a1}, and {a2}", "{a1} and then {a2}", "{a1}, then {a2}", "{a1}. {a2}",
            "{a1} and also {a2}", "{a1} please, and {a2}"),
    "mj3": ("{a1}, {a2} and {a3}", "{a1}, {a2}, and {a3}", "{a1} and {a2} and {a3}", "{a1}, {a2}, then {a3}",
            "{a1}; {a2}; {a3}"),
    "m_on2": ("turn on the {d1} and the {d2}", "switch on {d1} and {d2}", "{d1} and {d2} on",
              "turn the {d1} and the {d2} on", "power on the {d1} and the {d2}", "put the {d1} and the {d2} on"),
    "m_off2": ("turn off the {d1} and the {d2}", "switch off {d1} and {d2}", "{d1} and {d2} off",
               "turn the {d1} and the {d2} off", "power off the {d1} and the {d2}", "shut off the {d1} and {d2}"),
    # ---- situations
    "sit_left": ("everyone left home", "nobody is home", "the last person left", "house is empty",
                 "home is now empty", "all residents away"),
    "sit_bed": ("bedtime", "time for bed", "everyone went to bed", "bedtime routine", "the house is going to sleep",
                "goodnight routine"),
    "sit_unlocked": (", {d} unlocked", ", {d} is unlocked", ", {d} still unlocked", ", {d} not locked"),
    "sit_open_cv": (", {noun} open", ", {noun} still open", ", some {noun} are open"),
    "sit_arrive": ("{p} arriving home in {n} min, outside {t} C", "{p} will be home in {n} minutes, {t} C outside",
                   "{p} is {n} min from home, outdoor {t} C", "{p} on the way home, eta {n} min, outside {t} C",
                   "{p} almost home ({n} min), it is {t} C outside", "{p} coming home in {n} min, outside {t} C"),
    "sit_wake": ("{p} woke up", "{p} is awake", "{p} just got up", "{p} alarm went off", "morning, {p} is up",
                 "{p} got out of bed"),
    "sit_door": ("doorbell rang", "someone rang the doorbell", "doorbell pressed", "visitor at the door",
                 "the doorbell is ringing", "doorbell ring"),
    "sit_window": ("{r} window opened while heating", "window open in the {r}, heating on",
                   "{r} window is open and the heating runs", "open window detected in the {r}, heating active",
                   "heating on with the {r} window open", "{r} window open, heating on"),
    "sit_depart": ("{p} leaving in {n} min, outside {t} C", "{p} leaves by car in {n} minutes, {t} C outside",
                   "{p} heading out in {n} min, it's {t} C", "{p} will drive in {n} minutes, outdoor {t} C",
                   "{p} departs in {n} min, {t} C outside", "{p} driving off in {n} min, outside {t} C"),
    # ---- cannot
    "cn_app": ("turn on the {x}", "switch off the {x}", "start the {x}", "is the {x} running", "turn the {x} off",
               "can you start the {x}", "stop the {x}", "switch the {x} on"),
    "cn_garage": ("open the {x}", "close the {x}", "is the {x} open", "open the {x} please", "shut the {x}"),
    "cn_vacuum": ("start the {x}", "send the {x} to the kitchen", "dock the {x}", "run the {x}", "halt the {x}"),
    "cn_cover": ("close the {x}", "open the {x}", "lower the {x}", "raise the {x}", "{x} down please"),
    "cn_tv": ("turn on the {x}", "pause the {x}", "turn up the {x}", "switch off the {x}", "next channel on the {x}"),
    "cn_heat": ("set the {x} to {t} degrees", "turn up the {x}", "{x} to {t}", "turn down the {x}",
                "set the {x} to heat mode"),
    "cn_lock": ("lock the {x}", "unlock the {x}", "is the {x} locked", "lock the {x} please", "secure the {x}"),
    "cn_speaker": ("announce {msg}", "tell everyone {msg}", "broadcast that {msg}", "say {msg} on the speakers",
                   "inform the house that {msg}"),
    "cn_car": ("lock the {x}", "warm up the {x}", "precondition the {x}", "unlock the {x}", "heat up the {x}"),
    "cn_room": ("turn on the lights in the {x}", "{x} lights off", "what's the temperature in the {x}",
                "set the {x} to {t} degrees", "switch off the lights in the {x}", "is anything on in the {x}"),
    "cn_person": ("where is {x}", "is {x} home", "text {x} that {msg}", "tell {x} {msg}", "where's {x}",
                  "send {x} a message saying {msg}"),
    "cn_temp": ("set the {d} to {t} degrees", "make the {d} {t} degrees", "{d} to {t} degrees",
                "change the {d} temperature to {t}", "heat the {d} to {t} degrees"),
    "cn_color": ("make the {d} {c}", "change the {d} color to {c}", "turn the {d} {c}", "set the {d} color to {c}",
                 "{d} in {c} please"),
    "cn_bri": ("dim the {d} to {n}%", "set the {d} brightness to {n}", "make the {d} brighter",
               "brighten the {d}", "{d} brightness {n}%"),
    "cn_vol": ("turn up the volume on the {d}", "set the {d} volume to {n}", "make the {d} louder",
               "{d} volume {n}", "lower the volume of the {d}"),
}


_TRAIN_ONLY: dict[str, tuple[str, ...]] = {
    # Run 5: more ways of saying what the held-out set's weakest categories ask (timers, messages, several
    # devices at once, covers, locks, questions, media, "cannot"). Only ever in the training split, so the
    # held-out templates (and the held-out set a seed generates) stay exactly what they were.
    "t_start": ("can you time {dur}", "give me a {dura} timer", "I need a timer for {dur}", "put on a {dura} timer",
                "wake me in {dur}", "start counting down {dur}", "{dura} countdown please"),
    "t_named": ("{nm} timer for {dur}", "start the {nm} timer, {dur}", "{dur} for the {nm}, set a timer",
                "time my {nm}, {dur}", "set the {nm} timer to {dur}"),
    "t_cancel": ("turn off the timer", "delete the timer", "I don't need the timer anymore",
                 "stop all the timers"),
    "t_cancel_named": ("cancel my {nm} timer", "turn off the {nm} timer", "delete the {nm} timer",
                       "the {nm} timer can go", "stop timing the {nm}"),
    "timer_status": ("how much longer on the timer", "check my timers", "time left on the timer",
                     "is the timer still running", "when does my timer end"),
    "ann_all": ("let the whole house know {msg}", "make an announcement: {msg}", "tell the family {msg}",
                "announce to everyone that {msg}", "say {msg} everywhere", "everyone should hear: {msg}"),
    "ann_room": ("let the {r} know {msg}", "make an announcement in the {r}: {msg}", "play {msg} in the {r}",
                 "tell whoever is in the {r} {msg}", "in the {r}, announce {msg}"),
    "notify": ("send {p} a note: {msg}", "write to {p}: {msg}", "ping {p} that {msg}",
               "drop {p} a message: {msg}", "can you tell {p} {msg}"),
    "mj2": ("{a1} and after that {a2}", "{a1} plus {a2}", "{a1}, also {a2}", "first {a1}, then {a2}",
            "{a1} as well as {a2}"),
    "mj3": ("{a1}, {a2} as well as {a3}", "first {a1}, then {a2}, then {a3}",
            "{a1}, also {a2} and {a3}"),
    "m_on2": ("switch the {d1} and {d2} on", "both the {d1} and the {d2} on please", "turn on {d1} and {d2}",
              "I want the {d1} and the {d2} on"),
    "m_off2": ("switch the {d1} and {d2} off", "both the {d1} and the {d2} off please", "turn off {d1} and {d2}",
               "I want the {d1} and the {d2} off"),
    "cv_open_dev": ("open up the {d}", "roll up the {d}", "let some light in with the {d}", "put the {d} up"),
    "cv_close_dev": ("close up the {d}", "roll down the {d}", "pull the {d} down", "put the {d} down"),
    "cv_pos_dev": ("{d} at {n}%", "adjust the {d} to {n}%", "position the {d} at {n} percent",
                   "I want the {d} {n}% open", "change the {d} position to {n}"),
    "cv_half_dev": ("{d} half open", "bring the {d} to half"),
    "cv_open_room": ("open up the {r} {noun}", "roll up the {noun} in the {r}", "the {r} {noun} up please"),
    "cv_close_room": ("shut the {noun} in the {r}", "roll down the {noun} in the {r}",
                      "the {r} {noun} down please"),
    "cv_open_all": ("open up all the {noun}", "roll up every {noun}", "all the {noun} up please"),
    "cv_close_all": ("shut all the {noun}", "roll down every {noun}", "all the {noun} down please"),
    "cover_open_here": ("open up the {noun}", "roll the {noun} up", "let some light in"),
    "cover_close_here": ("shut the {noun}", "roll the {noun} down", "pull the {noun} down here"),
    "lk_lock": ("lock up the {d}", "can you lock the {d}", "put the {d} on lock"),
    "lk_unlock": ("open up the {d}", "can you unlock the {d}", "let me in through the {d}", "unlatch the {d}"),
    "lk_all": ("lock the house", "lock everything", "secure all the doors", "lock all the locks"),
    "gar_open": ("open up the {d}", "lift the {d}", "can you open the garage"),
    "gar_close": ("shut the {d}", "can you close the garage"),
    "car_lock": ("secure {owner} car", "lock up {owner} car", "can you lock the car"),
    "car_unlock": ("open up {owner} car", "let me into {owner} car", "can you unlock the car"),
    "car_pre": ("get the car warm", "preheat {owner} car", "start warming {owner} car", "heat {owner} car please"),
    "q_on": ("is the {d} running", "tell me if the {d} is on", "was the {d} left on", "is the {d} still running"),
    "q_lock": ("is the {d} secured", "tell me if the {d} is locked", "was the {d} locked", "is the {d} lock on"),
    "q_open": ("tell me if the {d} is open", "was the {d} left open", "is the {d} still open"),
    "q_status": ("what about the {d}", "how's the {d}", "any news on the {d}",
                 "report on the {d}"),
    "q_room": ("how's the {r}", "tell me about the {r}", "what is happening in the {r}", "report on the {r}",
               "what's up in the {r}"),
    "q_locks": ("is the house locked", "are we locked up", "any doors unlocked", "are all the locks locked"),
    "q_temp": ("how hot is the {r}", "tell me the {r} temperature", "how many degrees in the {r}",
               "temperature of the {r}"),
    "q_room_lights": ("is there a light on in the {r}", "did someone leave the lights on in the {r}",
                      "are the {r} lights still on", "any lights on in the {r}"),
    "md_play": ("play on the {d}", "keep playing on the {d}", "start the {d} again"),
    "md_pause": ("pause the {d} for a moment", "stop playback on the {d}", "put the {d} on pause"),
    "md_next": ("skip on the {d}", "play the next song on the {d}", "{d} skip", "skip ahead on the {d}"),
    "md_vol_set": ("{d} volume to {n}", "put the {d} volume at {n}", "change the {d} volume to {n}"),
    "md_vol_up": ("raise the {d} volume", "volume up on the {d}", "crank up the {d}"),
    "md_vol_down": ("lower the {d} volume", "volume down on the {d}", "quiet the {d} down"),
    "cn_app": ("is the {x} on", "run the {x}", "power up the {x}", "shut the {x} off"),
    "cn_lock": ("lock up the {x}", "is the {x} unlocked", "lock the {x} for me"),
    "cn_cover": ("roll down the {x}", "open up the {x}", "pull the {x} down"),
    "cn_room": ("is anyone in the {x}", "dim the lights in the {x}", "how warm is the {x}",
                "turn off the {x} lights"),
    "cn_person": ("ping {x} that {msg}", "has {x} left"),
    "cn_speaker": ("make an announcement: {msg}", "tell the whole house {msg}", "say {msg} everywhere"),
    "cn_tv": ("pause the {x} for a moment", "volume up on the {x}"),
}
"""Training-only phrasings per intent (never held out); see :func:`templates`."""

_TRAIN_ONLY_INTENTS: dict[str, tuple[str, ...]] = {
    # Run 7: requests the generator never made. Drawn only in the training split, after every random draw the
    # held-out split makes (the split is tested before any draw), so the held-out sets are exactly what they were.
    "bri_max_dev": ("set the {d} to max brightness", "{d} to maximum brightness", "{d} brightness to the highest",
                    "full brightness on the {d}", "make the {d} as bright as it goes", "{d} brightness max",
                    "turn the {d} all the way up"),
    "bri_min_dev": ("set the {d} to minimum brightness", "{d} to the lowest brightness", "{d} brightness to min",
                    "dim the {d} all the way down", "make the {d} as dim as it goes", "{d} brightness lowest"),
    "bri_max_room": ("set the {r} lights to max", "{r} brightness to maximum", "full brightness in the {r}",
                     "make the {r} as bright as possible", "{r} lights to the highest brightness"),
    "bri_min_room": ("set the {r} lights to minimum", "{r} brightness to the lowest", "dim the {r} all the way",
                     "make the {r} lights as dim as possible", "{r} lights to min brightness"),
    "t_named_x": ("start a {dura} timer named {nm}", "{dura} timer called {nm}", "timer for {dur} called {nm}",
                  "set a timer named {nm} for {dur}", "a {dura} timer, call it {nm}", "{nm}: {dura} timer"),
}
"""Training-only intents (never held out): drawn by `_g_brightness` and `_g_timer` in the training split."""


def _held(i: int, n: int) -> bool:
    """Whether template i of n is held out: every fifth, or the last of a list shorter than five."""
    if n < 5:
        return n >= 2 and i == n - 1
    return i % 5 == 4


def templates(split: Split) -> dict[str, list[tuple[str, str]]]:
    """The (key, template) pairs of each intent in a split."""
    out: dict[str, list[tuple[str, str]]] = {}
    for intent, ts in _TEMPLATES.items():
        out[intent] = [(f"{intent}#{i}", t) for i, t in enumerate(ts) if _held(i, len(ts)) == (split == "heldout")]
        if split == "train":
            out[intent] += [(f"{intent}#x{i}", t) for i, t in enumerate(_TRAIN_ONLY.get(intent, ()))]
    if split == "train":
        out.update({k: [(f"{k}#x{i}", t) for i, t in enumerate(ts)] for k, ts in _TRAIN_ONLY_INTENTS.items()})
    unknown = set(_TRAIN_ONLY) - set(_TEMPLATES)
    if unknown:
        raise ValueError(f"training-only phrasings for unknown intents {sorted(unknown)}")
    return out


_TEMPLATES_BY_SPLIT: dict[str, dict[str, list[tuple[str, str]]]] = {s: templates(s) for s in ("train", "heldout")}

# ============================================================================================== homes


@dataclass
class _Home:
    id: str
    split: Split
    home: Home
    graph: ContextGraph
    room_name: dict[str, str]
    """room id -> how people say it (lower case)."""
    floors: dict[str, tuple[str, str]]
    """floor id -> (adverbial, adjectival) phrase."""
    phrase: dict[str, str]
    """device id -> how people name it."""
    measure: dict[str, str]
    """sensor id -> temperature / humidity / outdoor."""
    noun: dict[str, str]
    """cover id -> blinds / curtains / shades / ..."""
    lock_phrase: dict[str, str]
    name_words: set[str]
    """Words of every device name (a missing thing must not share one)."""

    def devs(self, kind: str | Sequence[str] | None = None, cap: str | None = None,
             room: str | None = None) -> list[DeviceDecl]:
        kinds = (kind,) if isinstance(kind, str) else kind
        out = []
        for d in self.home.devices:
            if kinds is not None and d.kind not in kinds:
                continue
            if cap is not None and cap not in d.effective_capabilities():
                continue
            if room is not None and d.room != room:
                continue
            out.append(d)
        return out

    def rooms_with(self, kind: str | Sequence[str] | None = None, cap: str | None = None) -> list[str]:
        return sorted({d.room for d in self.devs(kind, cap) if d.room is not None})

    def person(self, pid: str) -> Any:
        return self.graph.person(pid)


def _room_phrase(name: str) -> str:
    return name.lower()


def _cover_noun(name: str) -> str:
    last = name.lower().split()[-1]
    return {"blind": "blinds", "shade": "shades", "curtain": "curtains", "shutter": "shutters"}.get(last, last)


def home_for(home_id: str) -> Home:
    """The home an example was generated in (homes are determined by their id)."""
    return _build_home(home_id).home


def _build_home(home_id: str) -> _Home:
    split: Split = "heldout" if home_id.startswith("heldout") else "train"
    rng = random.Random(home_id)
    si = 1 if split == "heldout" else 0
    # rooms
    n_rooms = rng.randint(3, 9)
    names = ["Kitchen", "Living room"]
    sleep = rng.choice(["Bedroom", "Bedroom", "Master bedroom"] if split == "train" else ["Bedroom"])
    names.append(sleep)
    pool = [r for r in (*_COMMON_ROOMS, *_SPLIT_ROOMS[split]) if r not in names]
    if split == "heldout":
        names.append(rng.choice(_SPLIT_ROOMS["heldout"]))
        pool = [r for r in pool if r not in names]
    rng.shuffle(pool)
    while len(names) < n_rooms:
        names.append(pool.pop())
    rng.shuffle(names)
    rooms: list[dict[str, Any]] = [{"id": slug(n), "name": n} for n in names]
    room_name = {slug(n): _room_phrase(n) for n in names}
    # floors
    floors: dict[str, tuple[str, str]] = {}
    floor_decls: list[dict[str, Any]] = []
    if rng.random() < 0.4:
        fs = rng.choice(_FLOOR_SETS[:2] if rng.random() < 0.8 else _FLOOR_SETS)
        for lvl, (fid, fname, fa, fn) in enumerate(fs):
            floor_decls.append({"id": fid, "name": fname, "level": lvl})
            floors[fid] = (fa, fn)
        for r in rooms:
            lower = r["id"] in _LOWER_ROOMS
            r["floor"] = fs[0][0] if lower else rng.choice(fs[1:])[0]
    # devices
    devices: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    phrase: dict[str, str] = {}
    measure: dict[str, str] = {}
    noun: dict[str, str] = {}
    lock_phrase: dict[str, str] = {}
    opaque_n: Counter[str] = Counter()

    def add(kind: str, name: str, room: str | None, *, caps: list[str] | None = None,
            attrs: dict[str, Any] | None = None, tag: str = "", dev_id: str | None = None,
            r: random.Random | None = None) -> str:
        rr = r or rng
        style = rr.random()
        if dev_id is None:
            if style < 0.15:
                opaque_n[kind] += 1
                base = f"{kind if kind != 'media_player' else 'media'}_{opaque_n[kind]}"
            elif style < 0.3 and room is not None and not slug(name).startswith(room):
                base = f"{room}_{slug(name)}"
            else:
                base = slug(name)
        else:
            base = dev_id
        did, i = base, 2
        while did in used_ids:
            did, i = f"{base}_{i}", i + 1
        used_ids.add(did)
        decl: dict[str, Any] = {"id": did, "name": name, "kind": kind, "room": room,
                                "ecosystem": rr.choice(("homeassistant", "generic"))}
        if caps is not None:
            decl["capabilities"] = caps
        if attrs:
            decl["attributes"] = attrs
        devices.append(decl)
        if tag:
            measure[did] = tag
        return did

    def taken(name: str, room: str | None) -> bool:
        return any(d["name"].lower() == name.lower() and d["room"] == room for d in devices)

    def unique_name(draw: Callable[[], str], room: str | None) -> str:
        """A drawn name no other device in the room has: "the lamp in the kitchen" must name one device.
        Redraws only on a clash, so homes without one come out as before."""
        n = draw()
        for _ in range(8):
            if not taken(n, room):
                return n
            n = draw()
        i = 2
        while taken(f"{n} {i}", room):
            i += 1
        return f"{n} {i}"

    def pick_name(kind: str, room: str) -> str:
        rname = names[[slug(x) for x in names].index(room)]
        return unique_name(lambda: rng.choice(_DEV_NAMES[kind][si]).replace("{R}", rname), room)

    room_ids = [r["id"] for r in rooms]
    for rid in room_ids:
        for _ in range(1 if rng.random() < 0.65 else 2):
            caps = ["on_off", "brightness"] + (["color"] if rng.random() < 0.35 else [])
            if rng.random() < 0.2:
                caps.append("color_temp")
            add("light", pick_name("light", rid), rid, caps=caps)
        if rid == "garage" and rng.random() < 0.8:
            add("garage", rng.choice(_DEV_NAMES["garage"][si]), rid)
        if rng.random() < 0.18:
            add("switch", pick_name("switch", rid), rid)
        if rng.random() < (0.5 if rid == "kitchen" else 0.12):
            add("plug", pick_name("plug", rid), rid)
        if rng.random() < 0.28:
            did = add("cover", pick_name("cover", rid), rid)
            noun[did] = _cover_noun(devices[-1]["name"])
        if rng.random() < 0.25:
            add("climate", pick_name("climate", rid), rid)
        if rng.random() < (0.45 if rid == "living_room" else 0.08):
            add("media_player", pick_name("media_player", rid), rid, caps=["on_off", "media"])
        if rng.random() < 0.2:
            add("speaker", pick_name("speaker", rid), rid)
        if rng.random() < 0.15:
            add("sensor", pick_name("temperature", rid), rid, tag="temperature")
        if rid in ("bathroom", "laundry_room", "basement") and rng.random() < 0.4:
            add("sensor", pick_name("humidity", rid), rid, tag="humidity")
    if rng.random() < 0.15:
        add("sensor", rng.choice(_DEV_NAMES["outdoor"][si]), None, tag="outdoor")
    if not any(d["kind"] == "climate" for d in devices) and rng.random() < 0.5:
        add("climate", "Thermostat" if split == "train" else "Climate unit",
            "hallway" if "hallway" in room_ids else "living_room")
    # locks
    n_locks = rng.choice((0, 1, 1, 1, 2))
    for name, ph in rng.sample(_LOCK_NAMES[split], n_locks):
        if any(ph == p for p in lock_phrase.values()):
            continue
        did = add("lock", name, "hallway" if "hallway" in room_ids else rng.choice(room_ids))
        lock_phrase[did] = ph
    # vacuum
    has_vacuum = rng.random() < 0.35
    if has_vacuum:
        add("vacuum", rng.choice(_DEV_NAMES["vacuum"][si]), "hallway" if "hallway" in room_ids else None)
        for i, r in enumerate(rooms):
            r["vacuum_segment"] = str(16 + i)
    # generic devices with declared attributes
    for g in rng.sample(_GENERICS, rng.choice((0, 0, 1, 1, 2))):
        rid = rng.choice(room_ids)
        attrs: dict[str, Any] = {}
        for a in g.attrs:
            if a.type == "number":
                attrs[a.name] = {"type": "number", "min": a.lo, "max": a.hi, "step": 1, **({"unit": a.unit}
                                                                                          if a.unit else {})}
            elif a.type == "enum":
                attrs[a.name] = {"type": "enum", "options": list(a.options)}
            else:
                attrs[a.name] = {"type": "bool"}
        gnames, rname = g.names[si], names[room_ids.index(rid)]
        gname = unique_name(lambda: rng.choice(gnames).replace("{R}", rname), rid)  # noqa: B023 (called right here)
        add(g.kind, gname, rid, caps=["on_off"], attrs=attrs)
    # people
    n_people = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
    pnames = rng.sample(_NAMES[split], n_people)
    people: list[dict[str, Any]] = []
    for i, pn in enumerate(pnames):
        pid = slug(pn)
        role = "owner" if i == 0 else rng.choice(("adult", "adult", "child", "guest"))
        p: dict[str, Any] = {"id": pid, "name": pn, "role": role}
        if role != "guest" and (role != "child" or rng.random() < 0.5):
            p["phone"] = add("phone", f"{pn}'s phone", None, dev_id=f"{pid}_phone")
        if role in ("owner", "adult") and rng.random() < 0.35:
            p["car"] = add("car", f"{pn}'s car", None, dev_id=f"{pid}_car")
        people.append(p)
    # scenes
    scenes = []
    if rng.random() < 0.3:
        lights = [d["id"] for d in devices if d["kind"] == "light"]
        for sid, sname, _ in rng.sample(_SCENES, rng.randint(1, 3)):
            scenes.append({"id": sid, "name": sname, "states": {lid: {"on": True, "brightness": 40}
                                                                 for lid in lights[:2]}})
    # yes/no sensors, from a stream of their own so the rest of a home does not change with them
    srng = random.Random(f"{home_id}/sense")
    for sense in _SENSES:
        if srng.random() < 0.3:
            rid = next((r for r in sense.rooms if r in room_ids), None) or srng.choice(room_ids)
            name = srng.choice(sense.names[si]).replace("{R}", names[room_ids.index(rid)])
            if any(d["name"].lower() == name.lower() for d in devices):
                continue
            add(sense.kind, name, rid, caps=[{"sensor": "measurement"}.get(sense.kind, sense.kind)],
                tag=sense.tag, r=srng)
    home = Home.model_validate({
        "name": f"Home {home_id}", "floors": floor_decls, "rooms": rooms, "people": people, "devices": devices,
        "scenes": scenes,
    })
    graph = ContextGraph()
    graph.load_home(home)
    # how people name devices: the name, plus the room when another device has the same name
    counts = Counter(d.name.lower() for d in home.devices)
    for d in home.devices:
        n = d.name.lower()
        phrase[d.id] = f"{n} in the {room_name[d.room]}" if counts[n] > 1 and d.room else n
    name_words: set[str] = set()
    for d in home.devices:
        name_words.update(words(d.name))
    return _Home(home_id, split, home, graph, room_name, floors, phrase, measure, noun, lock_phrase, name_words)


# ============================================================================================== states


def _random_state(d: DeviceDecl, rng: random.Random) -> dict[str, Any]:
    k = d.kind
    caps = d.effective_capabilities()
    st: dict[str, Any] = {}
    if k == "light":
        on = rng.random() < 0.45
        st = {"on": on, "brightness": rng.randrange(5, 101, 5) if on else None}
    elif k == "climate":
        target = rng.randrange(32, 49) / 2
        st = {"target_temperature": target, "current_temperature": round(target + rng.uniform(-2.5, 1.5), 1),
              "hvac_mode": rng.choice(("heat", "heat", "auto", "off", "cool"))}
    elif k == "cover":
        st = {"position": rng.choice((0, 0, 100, 100, 50, rng.randrange(10, 91, 10)))}
    elif k == "lock":
        st = {"locked": rng.random() < 0.7}
    elif k == "garage":
        st = {"open_state": rng.choice(("closed", "closed", "open"))}
    elif k == "vacuum":
        st = {"status": rng.choice(("docked", "docked", "cleaning", "returning", "idle")),
              "battery": rng.randrange(20, 101, 5)}
    elif k in ("media_player", "speaker"):
        st = {"playback": rng.choice(("playing", "paused", "idle")), "volume": rng.randrange(0, 101, 5)}
    elif k == "sensor":
        st = {"value": round(rng.uniform(17, 25), 1)}
    elif k == "car":
        st = {"locked": rng.random() < 0.8}
    if "on_off" in caps and k != "light":
        st["on"] = rng.random() < 0.4
    g = _GENERIC_BY_KIND.get(k)
    if g is not None and d.attributes:
        for a in g.attrs:
            if a.type == "number":
                st[a.name] = rng.randint(int(a.lo), int(a.hi))
            elif a.type == "enum":
                st[a.name] = rng.choice(a.options)
            else:
                st[a.name] = rng.random() < 0.5
    return st


def _randomize(h: _Home, rng: random.Random) -> None:
    for d in h.home.devices:
        st = _random_state(d, rng)
        sense = _SENSE_BY_TAG.get(h.measure.get(d.id, ""))
        if sense is not None:
            st = ({"value": rng.choice(sense.values)} if sense.kind == "sensor"
                  else {sense.kind: rng.random() < 0.4})
        elif d.kind == "sensor":
            m = h.measure.get(d.id)
            st = {"value": round(rng.uniform(-5, 32), 1) if m == "outdoor" else
                  (rng.randint(35, 75) if m == "humidity" else round(rng.uniform(17, 25), 1))}
        if st:
            h.graph.apply_state(d.id, st, _WHEN)
    rooms = list(h.room_name)
    for p in h.home.people:
        r = rng.random()
        if r < 0.62:
            h.graph.set_person_location(p.id, "home", rng.choice(rooms), round(rng.uniform(0.6, 1), 2), _WHEN)
        elif r < 0.7:
            h.graph.set_person_location(p.id, "home", None, 0.9, _WHEN)
        elif r < 0.88:
            h.graph.set_person_location(p.id, "away", None, 0.9, _WHEN)
        elif r < 0.95:
            h.graph.set_person_location(p.id, rng.choice(("work", "school")), None, 0.8, _WHEN)
        else:
            h.graph.set_person_location(p.id, None, None, 0.0, _WHEN)


# ============================================================================================== drafts


@dataclass
class _Draft:
    text: str | None
    calls: list[Call]
    cannot: str | None = None
    situation: str | None = None
    need: list[str] = field(default_factory=list)


class _Skip(Exception):
    """The category does not apply to this home (no such device): draw again."""


class _Ctx:
    def __init__(self, h: _Home, rng: random.Random, split: Split, extras: float = 0.0) -> None:
        self.h = h
        self.rng = rng
        self.split = split
        self.extras = extras
        """Share of the training split's brightness requests asking for max/min and of its timer starts with a
        compound duration ("an hour and 15 minutes"); 0 (the default) reproduces the data of runs 1-6."""
        self.t = _TEMPLATES_BY_SPLIT[split]
        self.keys: list[str] = []
        self.speaker: str | None = None
        self.room: str | None = None

    def choice(self, seq: Sequence[_T]) -> _T:
        if not seq:
            raise _Skip
        return seq[self.rng.randrange(len(seq))]

    def pick(self, intent: str, **kw: Any) -> str:
        key, tpl = self.choice(self.t[intent])
        self.keys.append(key)
        return re.sub(r"\s+", " ", tpl.format(**kw)).strip()

    def speak_from(self, room: str | None, person: str | None = None, exclude: str | None = None) -> None:
        """The speaker: a person (at home, in `room`) or an unknown voice in `room`; no room: no speaker line."""
        self.room = room
        self.speaker = None
        if room is None:
            return
        people = [p.id for p in self.h.home.people if p.id != exclude]
        if person is None and people and self.rng.random() < 0.8:
            person = self.choice(people)
        if person is not None:
            self.speaker = person
            self.h.graph.set_person_location(person, "home", room, 0.95, _WHEN)

    def place(self, person: str, room: str) -> None:
        self.h.graph.set_person_location(person, "home", room, round(self.rng.uniform(0.7, 1), 2), _WHEN)


def _c(skill: str, **args: Any) -> Call:
    return Call(skill, {k: v for k, v in args.items() if v is not None})


def _on_off_skill(d: DeviceDecl, on: bool) -> str:
    if d.kind == "light":
        return "light_turn_on" if on else "light_turn_off"
    return "switch_turn_on" if on else "switch_turn_off"


def _num(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _switchables(h: _Home) -> list[DeviceDecl]:
    return [d for d in h.devs(cap="on_off") if d.kind not in ("phone", "car")]


# ---------------------------------------------------------------------------------------- categories


def _g_onoff(c: _Ctx) -> _Draft:
    h, r, on = c.h, c.rng.random(), c.rng.random() < 0.5
    if r < 0.5:
        d = c.choice(_switchables(h))
        text = c.pick("on_dev" if on else "off_dev", d=h.phrase[d.id])
        return _Draft(text, [_c(_on_off_skill(d, on), device=d.id)], need=[d.id])
    skill = "light_turn_on" if on else "light_turn_off"
    if r < 0.78:
        room = c.choice(h.rooms_with("light"))
        return _Draft(c.pick("on_room" if on else "off_room", r=h.room_name[room]), [_c(skill, room=room)])
    if r < 0.92 or not h.floors:
        return _Draft(c.pick("on_all" if on else "off_all"), [_c(skill, everywhere=True)])
    fid = c.choice(sorted(h.floors))
    fa, fn = h.floors[fid]
    return _Draft(c.pick("on_floor" if on else "off_floor", fa=fa, fn=fn), [_c(skill, floor=fid)])


def _g_brightness(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    lights = h.devs("light")
    d = c.choice(lights)
    ph = h.phrase[d.id]
    if c.split == "train" and c.rng.random() < c.extras:  # training split only: held-out draws are unchanged
        return _bri_extreme(c, d, ph)
    n = c.rng.choice((10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100, c.rng.randint(1, 100)))
    if r < 0.22:
        return _Draft(c.pick("bri_set_dev", d=ph, n=n), [_c("light_set_brightness", device=d.id, brightness=n)],
                      need=[d.id])
    if r < 0.34:
        room = c.choice(h.rooms_with("light"))
        return _Draft(c.pick("bri_set_room", r=h.room_name[room], n=n),
                      [_c("light_set_brightness", room=room, brightness=n)])
    if r < 0.46:
        rel, ch = c.choice(_BRI_UP if c.rng.random() < 0.5 else _BRI_DOWN)
        if c.rng.random() < 0.6:
            return _Draft(c.pick("bri_rel_dev", d=ph, rel=rel), [_c("light_set_brightness", device=d.id, change=ch)],
                          need=[d.id])
        room = c.choice(h.rooms_with("light"))
        return _Draft(c.pick("bri_rel_room", r=h.room_name[room], rel=rel),
                      [_c("light_set_brightness", room=room, change=ch)])
    if r < 0.56:
        up = c.rng.random() < 0.5
        return _Draft(c.pick("bri_up_dev" if up else "bri_down_dev", d=ph),
                      [_c("light_set_brightness", device=d.id, change=20 if up else -20)], need=[d.id])
    if r < 0.64:
        up = c.rng.random() < 0.5
        k = c.rng.choice((10, 15, 20, 25, 30, 50))
        return _Draft(c.pick("bri_by_up" if up else "bri_by_down", d=ph, n=k),
                      [_c("light_set_brightness", device=d.id, change=k if up else -k)], need=[d.id])
    if r < 0.78:
        col = c.choice(_COLORS)
        return _Draft(c.pick("color_dev", d=ph, c=col), [_c("light_set_color", device=d.id, color=col)], need=[d.id])
    if r < 0.86:
        room = c.choice(h.rooms_with("light"))
        col = c.choice(_COLORS)
        return _Draft(c.pick("color_room", r=h.room_name[room], c=col), [_c("light_set_color", room=room, color=col)])
    if r < 0.91:
        k = c.rng.choice((2200, 2700, 3000, 4000, 5000, 6500))
        return _Draft(c.pick("kelvin_dev", d=ph, k=k), [_c("light_set_color", device=d.id, kelvin=k)], need=[d.id])
    return _Draft(c.pick("on_bri_dev", d=ph, n=n), [_c("light_turn_on", device=d.id, brightness=n)], need=[d.id])


def _bri_extreme(c: _Ctx, d: DeviceDecl, ph: str) -> _Draft:
    """'the lamp to max brightness' (100) / 'to the lowest' (1), for a device or a room (training split only)."""
    top = c.rng.random() < 0.5
    level = 100 if top else 1
    if c.rng.random() < 0.6:
        return _Draft(c.pick("bri_max_dev" if top else "bri_min_dev", d=ph),
                      [_c("light_set_brightness", device=d.id, brightness=level)], need=[d.id])
    room = c.choice(c.h.rooms_with("light"))
    return _Draft(c.pick("bri_max_room" if top else "bri_min_room", r=c.h.room_name[room]),
                  [_c("light_set_brightness", room=room, brightness=level)])


def _temp(c: _Ctx, lo: int = 16, hi: int = 25) -> float:
    t = float(c.rng.randint(lo, hi))
    return t + 0.5 if c.rng.random() < 0.15 and t < hi else t


def _g_climate(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs("climate"))
    ph = h.phrase[d.id]
    t = _temp(c)
    if r < 0.22:
        return _Draft(c.pick("cl_set_dev", d=ph, t=_num(t)), [_c("climate_set_temperature", device=d.id,
                                                                   temperature=t)], need=[d.id])
    if r < 0.38:
        room = c.choice(h.rooms_with("climate"))
        return _Draft(c.pick("cl_set_room", r=h.room_name[room], t=_num(t)),
                      [_c("climate_set_temperature", room=room, temperature=t)])
    if r < 0.58:
        rel, ch = c.choice(_WARM if c.rng.random() < 0.5 else _COLD)
        if c.rng.random() < 0.5:
            return _Draft(c.pick("cl_rel_dev", d=ph, rel=rel),
                          [_c("climate_set_temperature", device=d.id, change=ch)], need=[d.id])
        room = c.choice(h.rooms_with("climate"))
        return _Draft(c.pick("cl_rel_room", r=h.room_name[room], rel=rel),
                      [_c("climate_set_temperature", room=room, change=ch)])
    if r < 0.68:
        up = c.rng.random() < 0.5
        return _Draft(c.pick("cl_up_dev" if up else "cl_down_dev", d=ph),
                      [_c("climate_set_temperature", device=d.id, change=1 if up else -1)], need=[d.id])
    if r < 0.76:
        up = c.rng.random() < 0.5
        k = c.rng.choice((1, 2, 2, 3, 4, 5))
        room = d.room or c.choice(h.rooms_with("climate"))
        text = c.pick("cl_by_up" if up else "cl_by_down", d=ph, r=h.room_name[room], n=k)
        by_room = h.room_name[room] in text and ph not in text
        where = {"room": room} if by_room else {"device": d.id}
        call = _c("climate_set_temperature", **where, change=k if up else -k)
        return _Draft(text, [call], need=[] if by_room else [d.id])
    if r < 0.9:
        mph, mode = c.choice(_MODES[:-1])
        if c.rng.random() < 0.65:
            return _Draft(c.pick("cl_mode_dev", d=ph, m=mph), [_c("climate_set_mode", device=d.id, mode=mode)],
                          need=[d.id])
        room = c.choice(h.rooms_with("climate"))
        return _Draft(c.pick("cl_mode_room", r=h.room_name[room], m=mph), [_c("climate_set_mode", room=room,
                                                                             mode=mode)])
    return _Draft(c.pick("cl_off_dev", d=ph), [_c("climate_set_mode", device=d.id, mode="off")], need=[d.id])


def _g_cover(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs("cover"))
    ph = h.phrase[d.id]
    if r < 0.45:
        op = c.rng.random() < 0.5
        return _Draft(c.pick("cv_open_dev" if op else "cv_close_dev", d=ph),
                      [_c("cover_open" if op else "cover_close", device=d.id)], need=[d.id])
    if r < 0.6:
        n = c.rng.choice((10, 20, 25, 30, 40, 60, 70, 75, 80))
        return _Draft(c.pick("cv_pos_dev", d=ph, n=n), [_c("cover_set_position", device=d.id, position=n)],
                      need=[d.id])
    if r < 0.67:
        return _Draft(c.pick("cv_half_dev", d=ph), [_c("cover_set_position", device=d.id, position=50)], need=[d.id])
    op = c.rng.random() < 0.5
    skill = "cover_open" if op else "cover_close"
    if r < 0.87:
        room = c.choice(h.rooms_with("cover"))
        noun = h.noun[c.choice(h.devs("cover", room=room)).id]
        return _Draft(c.pick("cv_open_room" if op else "cv_close_room", r=h.room_name[room], noun=noun),
                      [_c(skill, room=room)])
    return _Draft(c.pick("cv_open_all" if op else "cv_close_all", noun=h.noun[d.id]), [_c(skill, everywhere=True)])


def _g_media(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs(cap="media"))
    ph = h.phrase[d.id]
    if r < 0.45:
        intent, skill = c.choice((("md_play", "media_play"), ("md_pause", "media_pause"), ("md_next", "media_next")))
        return _Draft(c.pick(intent, d=ph), [_c(skill, device=d.id)], need=[d.id])
    if r < 0.65:
        n = c.rng.randrange(0, 101, 5)
        return _Draft(c.pick("md_vol_set", d=ph, n=n), [_c("media_set_volume", device=d.id, volume=n)], need=[d.id])
    if r < 0.85:
        up = c.rng.random() < 0.5
        return _Draft(c.pick("md_vol_up" if up else "md_vol_down", d=ph),
                      [_c("media_set_volume", device=d.id, change=10 if up else -10)], need=[d.id])
    up = c.rng.random() < 0.5
    n = c.rng.choice((5, 10, 15, 20, 25, 30))
    return _Draft(c.pick("md_vol_by", d=ph, n=n, dir="up" if up else "down"),
                  [_c("media_set_volume", device=d.id, change=n if up else -n)], need=[d.id])


def _g_vacuum(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    d = c.choice(h.devs("vacuum"))
    ph = h.phrase[d.id]
    if r < 0.4:
        rooms = c.rng.sample(list(h.room_name), min(len(h.room_name), c.rng.choice((1, 1, 2, 2, 3))))
        rn = [h.room_name[x] for x in rooms]
        rs = rn[0] if len(rn) == 1 else ", ".join(rn[:-1]) + " and " + rn[-1]
        return _Draft(c.pick("vac_rooms", d=ph, rs=rs), [_c("vacuum_clean_rooms", device=d.id, rooms=rooms)],
                      need=[d.id])
    intent, skill = c.choice((("vac_start", "vacuum_start"), ("vac_stop", "vacuum_stop"), ("vac_dock", "vacuum_dock")))
    return _Draft(c.pick(intent, d=ph), [_c(skill, device=d.id)], need=[d.id])


def _owner_phrase(c: _Ctx, car: DeviceDecl) -> str:
    """'my' when the speaker owns the car, else "<name>'s" (templates may also say 'the car')."""
    owner = next(p for p in c.h.home.people if p.car == car.id)
    if c.speaker == owner.id and c.rng.random() < 0.6:
        return "my"
    return f"{owner.name}'s"


def _g_secure(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    if r < 0.6:
        locks = h.devs("lock")
        if r < 0.5:
            d = c.choice(locks)
            lock = c.rng.random() < 0.55
            return _Draft(c.pick("lk_lock" if lock else "lk_unlock", d=h.lock_phrase[d.id]),
                          [_c("lock_lock" if lock else "lock_unlock", device=d.id)], need=[d.id])
        c.choice(locks)
        return _Draft(c.pick("lk_all"), [_c("lock_lock", everywhere=True)])
    if r < 0.85:
        d = c.choice(h.devs("garage"))
        op = c.rng.random() < 0.5
        return _Draft(c.pick("gar_open" if op else "gar_close", d=h.phrase[d.id]),
                      [_c("garage_open" if op else "garage_close", device=d.id)], need=[d.id])
    return _car(c, locks_only=True)


def _car(c: _Ctx, locks_only: bool = False) -> _Draft:
    h = c.h
    cars = h.devs("car")
    car = c.choice(cars)
    owner = _owner_phrase(c, car)
    r = c.rng.random()
    if locks_only or r < 0.45:
        lock = c.rng.random() < 0.6
        text = c.pick("car_lock" if lock else "car_unlock", owner=owner)
        call = _c("car_lock" if lock else "car_unlock", car=car.id)
    elif r < 0.7:
        text = c.pick("car_pre", owner=owner)
        call = _c("car_precondition", car=car.id)
    else:
        t = _temp(c, 18, 24)
        text = c.pick("car_pre_t", owner=owner, t=_num(t))
        call = _c("car_precondition", car=car.id, temperature=t)
    if owner not in text and len(cars) > 1:
        raise _Skip  # "the car" with two cars is ambiguous
    return _Draft(text, [call], need=[car.id])


def _g_misc(c: _Ctx) -> _Draft:
    h = c.h
    if c.rng.random() < 0.55 and h.home.scenes:
        s = c.choice(h.home.scenes)
        phrases = next(p for sid, _, p in _SCENES if sid == s.id)
        return _Draft(c.pick("scene", s=c.choice(phrases)), [_c("scene_activate", scene=s.id)])
    return _car(c)


def _g_attribute(c: _Ctx) -> _Draft:
    h = c.h
    d = c.choice([x for x in h.home.devices if x.kind in _GENERIC_BY_KIND])
    g = _GENERIC_BY_KIND[d.kind]
    a = c.choice(g.attrs)
    ph, aph = h.phrase[d.id], c.choice(a.phrases)
    if a.type == "number":
        unit = {"%": c.choice(("%", " percent")), "C": " degrees"}.get(a.unit, "")
        r = c.rng.random()
        if r < 0.6:
            v = c.rng.randint(int(a.lo), int(a.hi))
            text = c.pick("attr_num", d=ph, a=aph, v=v, u=unit)
            return _Draft(text, [_c("attribute_set", device=d.id, attribute=a.name, value=v)], need=[d.id])
        up = r < 0.8
        n = c.rng.choice((1, 2, 5) if a.hi - a.lo <= 10 else (2, 5, 10))
        text = c.pick("attr_by_up" if up else "attr_by_down", d=ph, a=aph, n=n)
        return _Draft(text, [_c("attribute_set", device=d.id, attribute=a.name, change=n if up else -n)], need=[d.id])
    if a.type == "enum":
        o = c.choice(a.options)
        return _Draft(c.pick("attr_enum", d=ph, a=aph, o=o),
                      [_c("attribute_set", device=d.id, attribute=a.name, value=o)], need=[d.id])
    # bool: only true (render_call drops a False argument, so value=false cannot be written)
    return _Draft(c.pick("attr_bool", d=ph, a=aph), [_c("attribute_set", device=d.id, attribute=a.name, value=True)],
                  need=[d.id])


def _clause(c: _Ctx, used: set[str]) -> tuple[str, list[Call], list[str]]:
    """One simple action for a multi-request, on a device not used yet."""
    h = c.h
    kinds = ["onoff", "onoff", "room", "cover", "lock", "media", "climate", "bri"]
    for _ in range(6):
        k = c.choice(kinds)
        if k == "room":
            room = c.choice(h.rooms_with("light"))
            if f"room:{room}" in used:
                continue
            used.add(f"room:{room}")
            on = c.rng.random() < 0.5
            return (c.pick("on_room" if on else "off_room", r=h.room_name[room]),
                    [_c("light_turn_on" if on else "light_turn_off", room=room)], [])
        pool = {"onoff": _switchables(h), "cover": h.devs("cover"), "lock": h.devs("lock"),
                "media": h.devs(cap="media"), "climate": h.devs("climate"), "bri": h.devs("light")}[k]
        pool = [d for d in pool if d.id not in used and not (d.room and f"room:{d.room}" in used)]
        if not pool:
            continue
        d = c.choice(pool)
        used.add(d.id)
        ph = h.phrase[d.id]
        if k == "onoff":
            on = c.rng.random() < 0.5
            return c.pick("on_dev" if on else "off_dev", d=ph), [_c(_on_off_skill(d, on), device=d.id)], [d.id]
        if k == "cover":
            op = c.rng.random() < 0.5
            return (c.pick("cv_open_dev" if op else "cv_close_dev", d=ph),
                    [_c("cover_open" if op else "cover_close", device=d.id)], [d.id])
        if k == "lock":
            return c.pick("lk_lock", d=h.lock_phrase[d.id]), [_c("lock_lock", device=d.id)], [d.id]
        if k == "media":
            return c.pick("md_pause", d=ph), [_c("media_pause", device=d.id)], [d.id]
        if k == "climate":
            t = _temp(c)
            return (c.pick("cl_set_dev", d=ph, t=_num(t)), [_c("climate_set_temperature", device=d.id, temperature=t)],
                    [d.id])
        n = c.rng.choice((20, 30, 40, 50, 60, 70, 80))
        return c.pick("bri_set_dev", d=ph, n=n), [_c("light_set_brightness", device=d.id, brightness=n)], [d.id]
    raise _Skip


def _g_multi(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    if r < 0.3:
        devs = _switchables(h)
        if len(devs) < 2:
            raise _Skip
        d1, d2 = c.rng.sample(devs, 2)
        if h.phrase[d1.id] == h.phrase[d2.id]:
            raise _Skip
        on = c.rng.random() < 0.5
        text = c.pick("m_on2" if on else "m_off2", d1=h.phrase[d1.id], d2=h.phrase[d2.id])
        return _Draft(text, [_c(_on_off_skill(d, on), device=d.id) for d in (d1, d2)], need=[d1.id, d2.id])
    used: set[str] = set()
    n = 3 if r > 0.8 else 2
    parts = [_clause(c, used) for _ in range(n)]
    text = c.pick("mj3" if n == 3 else "mj2", **{f"a{i + 1}": p[0] for i, p in enumerate(parts)})
    return _Draft(text, [call for p in parts for call in p[1]], need=[i for p in parts for i in p[2]])


def _g_relative(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    if r < 0.35:  # person-relative: someone other than the speaker
        p = c.choice([x for x in h.home.people if x.id != c.speaker])
        acts = [("pr_off", "light"), ("pr_on", "light"), ("pr_dim", "light"), ("pr_warm", "climate"),
                ("pr_close", "cover"), ("pr_pause", "media")]
        intent, kind = c.choice(acts)
        rooms = h.rooms_with(cap="media") if kind == "media" else h.rooms_with(kind)
        room = c.choice(rooms)
        c.place(p.id, room)
        if c.rng.random() < 0.5:  # the speaker elsewhere, or nowhere
            others = [x for x in h.room_name if x != room]
            c.speak_from(c.choice(others) if others and c.rng.random() < 0.6 else None, exclude=p.id)
        noun = h.noun[c.choice(h.devs("cover", room=room)).id] if kind == "cover" else ""
        act = c.pick(intent, noun=noun)
        text = c.pick("pr_loc", act=act, p=p.name)
        call = {
            "pr_off": _c("light_turn_off", room=room), "pr_on": _c("light_turn_on", room=room),
            "pr_dim": _c("light_set_brightness", room=room, change=-20),
            "pr_warm": _c("climate_set_temperature", room=room, change=1),
            "pr_close": _c("cover_close", room=room), "pr_pause": _c("media_pause", room=room),
        }[intent]
        return _Draft(text, [call])
    # speaker-relative: the request names no place; the speaker's room is the target
    kind = c.choice(("light", "light", "light", "light_bri", "climate", "cover", "media"))
    rooms = h.rooms_with(cap="media") if kind == "media" else h.rooms_with("light" if kind == "light_bri" else kind)
    room = c.choice(rooms)
    c.speak_from(room)
    if kind == "light":
        on = c.rng.random() < 0.5
        return _Draft(c.pick("on_here" if on else "off_here"), [_c("light_turn_on" if on else "light_turn_off",
                                                                    room=room)])
    if kind == "light_bri":
        rel, ch = c.choice(_BRI_UP if c.rng.random() < 0.5 else _BRI_DOWN)
        return _Draft(c.pick("bri_rel_here", rel=rel), [_c("light_set_brightness", room=room, change=ch)])
    if kind == "climate":
        warm = c.rng.random() < 0.5
        rel, ch = c.choice(_WARM if warm else _COLD)
        return _Draft(c.pick("warm_here" if warm else "cool_here", rel=rel),
                      [_c("climate_set_temperature", room=room, change=ch)])
    if kind == "cover":
        op = c.rng.random() < 0.5
        noun = h.noun[c.choice(h.devs("cover", room=room)).id]
        return _Draft(c.pick("cover_open_here" if op else "cover_close_here", noun=noun),
                      [_c("cover_open" if op else "cover_close", room=room)])
    intent, call = c.choice((("pause_here", _c("media_pause", room=room)), ("next_here", _c("media_next", room=room)),
                             ("vol_here", _c("media_set_volume", room=room, change=10))))
    return _Draft(c.pick(intent), [call])


def _person_room(c: _Ctx, rooms: Sequence[str]) -> tuple[str, str]:
    """A person put at home in one of `rooms`: (person id, room id)."""
    p = c.choice(c.h.home.people)
    room = c.choice(rooms)
    c.place(p.id, room)
    return p.id, room


def _g_situation(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    c.speak_from(None)
    people = h.home.people
    if r < 0.3:
        base = c.pick("sit_left" if r < 0.15 else "sit_bed")
        calls = [_c("light_turn_off", everywhere=True)]
        need: list[str] = []
        unlocked = [d for d in h.devs("lock")]
        if unlocked and c.rng.random() < 0.5:
            d = c.choice(unlocked)
            base += c.pick("sit_unlocked", d=h.lock_phrase[d.id])
            h.graph.apply_state(d.id, {"locked": False}, _WHEN)
            calls.append(_c("lock_lock", device=d.id))
            need.append(d.id)
        covers = h.devs("cover")
        if r >= 0.15 and covers and c.rng.random() < 0.4:
            d = c.choice(covers)
            base += c.pick("sit_open_cv", noun=h.noun[d.id])
            calls.append(_c("cover_close", everywhere=True))
        return _Draft(None, calls, situation=base, need=need)
    if r < 0.48:
        p = c.choice(people)
        cold = c.rng.random() < 0.6 and bool(h.devs("climate"))
        dark = "hallway" in h.rooms_with("light") and (not cold or c.rng.random() < 0.4)
        if not cold and not dark:
            raise _Skip
        t = c.rng.randint(-8, 10) if cold else c.rng.randint(12, 24)
        c.h.graph.set_person_location(p.id, "away", None, 0.9, _WHEN)
        text = c.pick("sit_arrive", p=p.name.lower(), n=c.rng.choice((5, 10, 15, 20)), t=t) + (", dark" if dark else "")
        calls = []
        if cold:
            calls.append(_c("climate_set_temperature", everywhere=True, temperature=21.0))
        if dark:
            calls.append(_c("light_turn_on", room="hallway"))
        return _Draft(None, calls, situation=text)
    if r < 0.62:
        beds = [x for x in h.rooms_with("light") if re.search(r"bed|nursery|kids|loft|guest", x)]
        pid, room = _person_room(c, beds or h.rooms_with("light"))
        name = next(p.name for p in people if p.id == pid)
        calls = [_c("light_turn_on", room=room, brightness=30)]
        if h.devs("cover", room=room):
            calls.append(_c("cover_open", room=room))
        return _Draft(None, calls, situation=c.pick("sit_wake", p=name.lower()))
    if r < 0.74:
        if not h.devs(cap="tts"):
            raise _Skip
        return _Draft(None, [_c("speaker_announce", message="someone is at the door", everywhere=True)],
                      situation=c.pick("sit_door"))
    if r < 0.87:
        room = c.choice(h.rooms_with("climate"))
        return _Draft(None, [_c("climate_set_mode", room=room, mode="off")],
                      situation=c.pick("sit_window", r=h.room_name[room]))
    p = c.choice([x for x in people if x.car])
    cold = c.rng.random() < 0.6
    t = c.rng.randint(-10, 5) if cold else c.rng.randint(27, 36)
    assert p.car is not None
    text = c.pick("sit_depart", p=p.name.lower(), n=c.rng.choice((5, 10, 15, 20, 30)), t=t)
    return _Draft(None, [_c("car_precondition", car=p.car, temperature=21.0 if cold else 20.0)], situation=text,
                  need=[p.car])


def _g_query(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    if r < 0.3:
        d = c.choice([x for x in h.home.devices if x.kind not in ("phone", "car", "sensor")])
        if d.kind == "lock":
            return _Draft(c.pick("q_lock", d=h.lock_phrase[d.id]), [_c("query_state", device=d.id)], need=[d.id])
        if d.kind in ("garage", "cover") and c.rng.random() < 0.7:
            text = c.pick("q_open", d=h.phrase[d.id])
            if d.kind == "cover" and h.noun[d.id].endswith("s") and text.startswith("is "):
                text = "are " + text[3:]
            return _Draft(text, [_c("query_state", device=d.id)], need=[d.id])
        intent = "q_on" if "on_off" in d.effective_capabilities() and c.rng.random() < 0.6 else "q_status"
        return _Draft(c.pick(intent, d=h.phrase[d.id]), [_c("query_state", device=d.id)], need=[d.id])
    if r < 0.45:
        kind = c.choice(("temperature", "temperature", "humidity", "outdoor"))
        if kind == "outdoor":
            d = c.choice([x for x in h.home.devices if h.measure.get(x.id) == "outdoor"])
            return _Draft(c.pick("q_out"), [_c("query_state", device=d.id)], need=[d.id])
        rooms = sorted({x.room for x in h.home.devices if x.room and (
            h.measure.get(x.id) == kind or (kind == "temperature" and x.kind == "climate"))})
        room = c.choice(rooms)
        sensors = [x for x in h.devs("sensor", room=room) if h.measure.get(x.id) == kind]
        d = sensors[0] if sensors else c.choice(h.devs("climate", room=room))
        return _Draft(c.pick("q_temp" if kind == "temperature" else "q_hum", r=h.room_name[room]),
                      [_c("query_state", device=d.id)], need=[d.id])
    if r < 0.55:
        room = c.choice(h.rooms_with("light"))
        return _Draft(c.pick("q_room_lights", r=h.room_name[room]),
                      [_c("query_state", room=room, capability="on_off")])
    if r < 0.62:
        room = c.choice(list(h.room_name))
        return _Draft(c.pick("q_room", r=h.room_name[room]), [_c("query_state", room=room)])
    if r < 0.67:
        c.choice(h.devs("lock"))
        return _Draft(c.pick("q_locks"), [_c("query_state", capability="lock")])
    if r < 0.8:
        opts: list[tuple[str, str, DeviceDecl]] = [("q_setpoint", "target_temperature", d) for d in h.devs("climate")]
        opts += [("q_bright", "brightness", d) for d in h.devs("light")][:3]
        opts += [("q_volume", "volume", d) for d in h.devs(cap="media")]
        opts += [("q_battery", "battery", d) for d in h.devs("vacuum")]
        opts += [("q_attr", a.name, d) for d in h.home.devices if d.kind in _GENERIC_BY_KIND
                 for a in _GENERIC_BY_KIND[d.kind].attrs]
        intent, attr, d = c.choice(opts)
        aph = ""
        if intent == "q_attr":
            aph = next(c.choice(a.phrases) for a in _GENERIC_BY_KIND[d.kind].attrs if a.name == attr)
        asked = attr if intent == "q_attr" or STATE_ATTRIBUTE_QUERIES else None
        return _Draft(c.pick(intent, d=h.phrase[d.id], a=aph), [_c("query_state", device=d.id, attribute=asked)],
                      need=[d.id])
    if r < 0.93:
        p = c.choice([x for x in h.home.people if x.id != c.speaker])
        return _Draft(c.pick("where", p=p.name), [_c("where_is", person=p.id)])
    return _Draft(c.pick("timer_status"), [_c("timer_status")])


def _g_sense(c: _Ctx) -> _Draft:
    """A yes/no sensor question: `query_state device=<the sensor>`; a home without one: `cannot "no .."`."""
    h = c.h
    sense = c.choice(_SENSES)
    have = [d for d in h.home.devices if h.measure.get(d.id) == sense.tag]
    intent = f"qs_{sense.tag}"
    if not have:
        if c.rng.random() < 0.8:  # about a third of these questions are about a sensor the home lacks
            raise _Skip
        room = c.choice(list(h.room_name))
        noun = sense.noun
        if _free(h, noun.split()[0]):
            return _cannot(c.pick(intent, r=h.room_name[room], d=noun), f"no {noun}")
        raise _Skip
    d = have[0]
    room = d.room or c.choice(list(h.room_name))
    return _Draft(c.pick(intent, r=h.room_name[room], d=h.phrase[d.id]), [_c("query_state", device=d.id)],
                  need=[d.id])


def _duration(c: _Ctx) -> tuple[str, str, int]:
    """(phrase, adjectival phrase, seconds)."""
    r = c.rng.random()
    if r < 0.55:
        m = c.rng.choice((1, 2, 3, 4, 5, 5, 8, 10, 10, 12, 15, 20, 25, 30, 40, 45, 90))
        w = _NUM_WORDS[m] if m in _NUM_WORDS and c.rng.random() < 0.3 else str(m)
        if m == 1 and c.rng.random() < 0.5:
            return "a minute", "one minute", 60
        return f"{w} minute{'s' if m != 1 else ''}", f"{w} minute", m * 60
    if r < 0.75:
        s = c.rng.choice((10, 20, 30, 45, 60, 90))
        return f"{s} seconds", f"{s} second", s
    if r < 0.85:
        return "half an hour", "30 minute", 1800
    h = c.rng.choice((1, 1, 2, 3))
    if h == 1:
        return c.choice((("an hour", "one hour", 3600), ("one hour", "1 hour", 3600)))
    return f"{h} hours", f"{h} hour", h * 3600


def _compound_duration(c: _Ctx) -> tuple[str, str, int]:
    """Durations in two units or with a half: (phrase, adjectival phrase, seconds); training split only."""
    r = c.rng.random()
    if r < 0.3:
        h, m = c.rng.choice((1, 1, 2)), c.rng.choice((5, 10, 15, 20, 30, 45))
        hs = "an hour" if h == 1 and c.rng.random() < 0.5 else f"{h} hour{'s' if h > 1 else ''}"
        return f"{hs} and {m} minutes", f"{h} hour {m} minute", h * 3600 + m * 60
    if r < 0.55:
        m, sec = c.rng.choice((1, 2, 3, 5, 10)), c.rng.choice((10, 15, 20, 30, 45))
        return f"{m} minute{'s' if m > 1 else ''} and {sec} seconds", f"{m} minute {sec} second", m * 60 + sec
    if r < 0.75:
        m = c.rng.choice((1, 2, 3, 4, 5, 10))
        return f"{m} and a half minutes", f"{m} and a half minute", m * 60 + 30
    return c.choice((("half a minute", "30 second", 30), ("an hour and a half", "90 minute", 5400),
                     ("one and a half hours", "90 minute", 5400), ("two and a half hours", "150 minute", 9000),
                     ("a quarter of an hour", "15 minute", 900), ("an hour and 30 seconds", "1 hour 30 second", 3630)))


def _g_timer(c: _Ctx) -> _Draft:
    r = c.rng.random()
    dur, dura, s = _duration(c)
    if r < 0.45:
        draft = _Draft(c.pick("t_start", dur=dur, dura=dura), [_c("timer_start", seconds=s)])
        if c.split == "train" and c.rng.random() < c.extras:  # training split only
            c.keys.clear()
            dur, dura, s = _compound_duration(c)
            return _Draft(c.pick("t_start", dur=dur, dura=dura), [_c("timer_start", seconds=s)])
        return draft
    nm = c.choice(_TIMER_NAMES)
    if r < 0.75:
        draft = _Draft(c.pick("t_named", dur=dur, dura=dura, nm=nm), [_c("timer_start", seconds=s, name=nm)])
        if c.split == "train" and c.rng.random() < c.extras:  # training split only
            c.keys.clear()
            dur, dura, s = _compound_duration(c)
            return _Draft(c.pick(c.choice(("t_named", "t_named_x")), dur=dur, dura=dura, nm=nm),
                          [_c("timer_start", seconds=s, name=nm)])
        return draft
    if r < 0.88:
        return _Draft(c.pick("t_cancel"), [_c("timer_cancel")])
    return _Draft(c.pick("t_cancel_named", nm=nm), [_c("timer_cancel", name=nm)])


def _g_message(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    msg = c.choice(_MESSAGES)
    if r < 0.55:
        phones = [p for p in h.home.people if p.phone and p.id != c.speaker]
        p = c.choice(phones)
        return _Draft(c.pick("notify", p=p.name, msg=msg), [_c("phone_notify", person=p.id, message=msg)])
    c.choice(h.devs(cap="tts"))
    if r < 0.8:
        return _Draft(c.pick("ann_all", msg=msg), [_c("speaker_announce", message=msg, everywhere=True)])
    room = c.choice(h.rooms_with(cap="tts"))
    return _Draft(c.pick("ann_room", r=h.room_name[room], msg=msg), [_c("speaker_announce", message=msg, room=room)])


def _free(h: _Home, thing: str) -> bool:
    """Whether `thing` shares no word with a device or room name of the home."""
    ws = set(words(thing))
    room_words = {w for n in h.room_name.values() for w in words(n)}
    return not (ws & h.name_words) and not (ws & room_words)


def _cannot(text: str, what: str) -> _Draft:
    if not re.fullmatch(r"[a-z0-9 '\-]{1,48}", what) or " " not in what:
        raise _Skip
    return _Draft(text, [], cannot=what)


def _g_cannot(c: _Ctx) -> _Draft:
    h, r = c.h, c.rng.random()
    msg = c.choice(_MESSAGES)
    t = _num(_temp(c))
    if r < 0.3:
        x = c.choice([a for a in _APPLIANCES[c.split] if _free(h, a)])
        return _cannot(c.pick("cn_app", x=x), f"no {x}")
    if r < 0.55:
        kinds: list[tuple[str, tuple[str, ...], bool]] = [
            ("cn_garage", ("garage door",) if "garage" in h.room_name else ("garage", "garage door"),
             not h.devs("garage")),
            ("cn_vacuum", ("vacuum", "robot vacuum", "hoover"), not h.devs("vacuum")),
            ("cn_cover", ("blinds", "curtains", "shades", "shutters"), not h.devs("cover")),
            ("cn_tv", ("tv", "television"), not h.devs("media_player")),
            ("cn_heat", ("heating", "thermostat", "air conditioning"), not h.devs("climate")),
            ("cn_lock", ("front door", "back door"), not h.devs("lock")),
            ("cn_speaker", ("speaker",), not h.devs(cap="tts")),
            ("cn_car", ("car",), not h.devs("car")),
        ]
        intent, nouns, _ = c.choice([k for k in kinds if k[2]])
        x = c.choice([n for n in nouns if _free(h, n) or intent in ("cn_lock", "cn_speaker")])
        if intent == "cn_lock" and not _free(h, "lock"):
            raise _Skip
        what = {"cn_lock": f"no {x} lock", "cn_speaker": "no speaker"}.get(intent, f"no {x}")
        return _cannot(c.pick(intent, x=x, t=t, msg=msg), what)
    if r < 0.7:
        pool = [*_SPLIT_ROOMS[c.split], *_COMMON_ROOMS, *_ABSENT_ROOMS[c.split]]
        x = c.choice([n.lower() for n in pool if _free(h, n)])
        return _cannot(c.pick("cn_room", x=x, t=t), f"no {x}")
    if r < 0.8:
        home_names = {p.name for p in h.home.people}
        x = c.choice([n for n in _NAMES[c.split] if n not in home_names])
        return _cannot(c.pick("cn_person", x=x, msg=msg), f"no {x.lower()}")
    # a device without the feature asked for
    feats = [("cn_temp", "temperature", ("light", "switch", "plug", "media_player", "cover", "fan", "humidifier",
                                          "air_purifier", "speaker")),
             ("cn_color", "color", ("switch", "plug", "media_player", "cover", "climate", "lock", "speaker")),
             ("cn_bri", "brightness", ("switch", "plug", "media_player", "cover", "climate", "speaker")),
             ("cn_vol", "volume", ("light", "switch", "plug", "cover", "climate"))]
    intent, feat, kinds2 = c.choice(feats)
    d = c.choice([x for x in h.home.devices if x.kind in kinds2])
    ph = h.lock_phrase.get(d.id, h.phrase[d.id])
    text = c.pick(intent, d=ph, t=t, c=c.choice(_COLORS), n=c.rng.choice((20, 30, 50, 70)))
    return _cannot(text, f"{ph} has no {feat}")


_GENERATORS: dict[str, Callable[[_Ctx], _Draft]] = {
    "onoff": _g_onoff, "brightness": _g_brightness, "climate": _g_climate, "cover": _g_cover, "media": _g_media,
    "vacuum": _g_vacuum, "secure": _g_secure, "attribute": _g_attribute, "multi": _g_multi,
    "relative": _g_relative, "situation": _g_situation, "query": _g_query, "timer": _g_timer,
    "message": _g_message, "misc": _g_misc, "cannot": _g_cannot, "sense": _g_sense,
}

# ============================================================================================== assembly

_SKILLS: SkillRegistry | None = None


def _skills() -> SkillRegistry:
    global _SKILLS
    if _SKILLS is None:
        from fusehub.skills import load_skills

        _SKILLS = load_skills(False)
    return _SKILLS


FILLER_P = 0.3
"""Fraction of training requests wrapped in a filler (held-out requests never are)."""
_FILLER_BEFORE = ("hey, ", "ok, ", "so ", "alright, ", "hey hub, ", "um, ")
_FILLER_BEFORE_ASK = ("please ", "could you ", "can you ", "would you ", "I want you to ", "go ahead and ",
                      "can you please ")
_FILLER_AFTER = (" please", " thanks", " now", " for me", ", thank you", " right now")


def _filler(c: _Ctx, text: str, category: str) -> str:
    """Training only: politeness and filler words around a request, so that a word such as "please" carries no
    intent. The first GPU-trained adapter read "please lock Lars's car" (a held-out template) as preconditioning
    the car, because "precondition the car please" was the training template with "please" in it. No filler
    after a message or a timer name: what follows those becomes part of the text argument."""
    if c.split != "train" or c.rng.random() >= FILLER_P:
        return text
    q = text.split()[0].lower() in _QUESTION_WORDS
    if c.rng.random() < 0.5 and category not in ("message", "timer"):
        return text + c.rng.choice(_FILLER_AFTER)
    return c.rng.choice(_FILLER_BEFORE if q else _FILLER_BEFORE + _FILLER_BEFORE_ASK) + text


_QUESTION_WORDS = ("is", "are", "what", "what's", "where", "where's", "how", "did", "has", "do", "any", "which")


def _surface(c: _Ctx, text: str) -> str:
    """Light noise: capitals, a final mark."""
    r = c.rng.random()
    if r < 0.2:
        text = text[0].upper() + text[1:]
    q = text.split()[0].lower() in _QUESTION_WORDS
    r = c.rng.random()
    if r < 0.15:
        text += "?" if q else "."
    elif r < 0.2 and not q:
        text += "!"
    return text


def _normalized(calls: Sequence[Call], skills: SkillRegistry) -> tuple[Call, ...]:
    out = []
    for call in calls:
        model = skills.get(call.skill).validate_args(call.args)
        out.append(Call(call.skill, model.model_dump(exclude_defaults=True)))
    return tuple(out)


def _check_ids(calls: Sequence[Call], view: View, h: _Home, skills: SkillRegistry) -> None:
    floors = set(h.floors)
    people = {p.id for p in h.home.people}
    scenes = {s.id for s in h.home.scenes}
    for call in calls:
        info = skills.get(call.skill)
        for k, v in call.args.items():
            if k in ("device", "car"):
                if v not in view.device_ids:
                    raise AssertionError(f"{call.skill}: {k}={v} not in the view")
                caps = set(h.graph.device(v).capabilities)
                if info.capabilities and not caps & set(info.capabilities):
                    raise AssertionError(f"{call.skill}: {v} lacks {info.capabilities}")
            elif k == "room" and v not in view.rooms:
                raise AssertionError(f"{call.skill}: room {v} not in the rooms line")
            elif k == "rooms" and not set(v) <= set(view.rooms):
                raise AssertionError(f"{call.skill}: rooms {v} not in the rooms line")
            elif (k == "floor" and v not in floors) or (k == "person" and v not in people) or (
                    k == "scene" and v not in scenes):
                raise AssertionError(f"{call.skill}: {k}={v} unknown")


def _check_grounded(calls: Sequence[Call], view: View, h: _Home, text: str | None, room: str | None,
                    skills: SkillRegistry) -> None:
    """Every target stays within what grounded decoding lets the runtime write for this request
    (`hub.reasoner.grounding`): a target outside it could never be produced, so it would be a label defect."""
    g = grounding_for(view, h.graph, text=text, room=room, free=free_text_skills(skills))
    for call in calls:
        for k, v in call.args.items():
            if not g.permits(k, v, call.skill):
                raise AssertionError(f"{call.skill}: {k}={v} is not grounded in {text!r} (room {room})")


def _quotas(n: int, rng: random.Random, weights: dict[str, float] | None = None) -> list[str]:
    weights = {**CATEGORIES, **(weights or {})}
    unknown = set(weights) - set(CATEGORIES)
    if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"category weights: unknown {sorted(unknown)} or not positive: {weights}")
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    rest = sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)
    for k in rest[: n - sum(counts.values())]:
        counts[k] += 1
    out = [k for k, m in counts.items() for _ in range(m)]
    rng.shuffle(out)
    return out


def generate_with_stats(
    n: int, split: Split, seed: int, weights: dict[str, float] | None = None, extras: float = 0.0
) -> tuple[list[Example], GenStats]:
    """`generate`, plus what it cost (view drops per category). `weights` overrides some CATEGORIES weights."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    skills = _skills()
    rng = random.Random(f"{split}:{seed}")
    stats = GenStats()
    out: list[Example] = []
    home_k = 0
    h = _build_home(f"{split}-{seed}-{home_k}")
    used = 0
    for cat in _quotas(n, rng, weights):
        for attempt in range(_DRAWS):
            if used >= GROUP or (attempt and attempt % 3 == 0):
                home_k += 1
                h = _build_home(f"{split}-{seed}-{home_k}")
                used = 0
            _randomize(h, rng)
            c = _Ctx(h, rng, split, extras)
            r = rng.random()
            if r < 0.65:
                c.speak_from(rng.choice(list(h.room_name)))
            elif r < 0.8:
                c.speak_from(rng.choice(list(h.room_name)))
                c.speaker = None
            try:
                d = _GENERATORS[cat](c)
            except _Skip:
                stats.skipped += 1
                continue
            now = None
            if rng.random() < TIME_LINE_P:
                now = _WHEN.replace(hour=rng.randint(0, 23), minute=rng.randrange(0, 60, 5)) + timedelta(
                    days=rng.randint(0, 6))
            text = _surface(c, _filler(c, d.text, cat)) if d.text is not None else None
            view = build_view(h.graph, text, speaker=c.speaker, room=c.room, situation=d.situation, now=now)
            if not set(d.need) <= set(view.device_ids):
                stats.dropped[cat] += 1
                stats.dropped_templates.update(k for k in c.keys if not k.startswith(("mj", "pr_loc")))
                continue
            plan = ParsedPlan(_normalized(d.calls, skills), d.cannot)
            target = render_plan(plan, skills)
            parsed = parse_plan(target, skills)
            if parsed != plan:
                raise AssertionError(f"target does not round-trip: {target!r} -> {parsed!r}, wanted {plan!r}")
            _check_ids(plan.calls, view, h, skills)
            _check_grounded(plan.calls, view, h, text, c.room, skills)
            out.append(Example(
                user=user_turn(view.render(), text, d.situation), target=target, category=cat, home_id=h.id,
                calls=plan.calls, cannot=plan.cannot, template="+".join(c.keys), text=text, situation=d.situation,
                devices=tuple(view.device_ids),
            ))
            stats.accepted[cat] += 1
            used += 1
            break
        else:
            raise RuntimeError(f"could not generate a {cat!r} example in {_DRAWS} draws")
    stats.homes = home_k + 1
    return out, stats


def generate(n: int, split: Split, seed: int, weights: dict[str, float] | None = None,
             extras: float = 0.0) -> list[Example]:
    """n examples of a split; the same (n, split, seed, weights, extras) always gives the same examples.
    `extras` only changes the training split (see `_Ctx.extras`)."""
    return generate_with_stats(n, split, seed, weights, extras)[0]


def write_jsonl(path: str | Path, examples: Sequence[Example]) -> None:
    with Path(path).open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")


def read_jsonl(path: str | Path) -> list[Example]:
    with Path(path).open(encoding="utf-8") as f:
        return [Example.from_json(json.loads(line)) for line in f if line.strip()]


# ============================================================================================== CLI


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m hub.model.datagen", description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--split", choices=("train", "heldout"), default="train")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None, help="write the examples here (JSONL)")
    ap.add_argument("--tokenizer", type=Path, default=None,
                    help="a tokenizer.json to count tokens with (else chars/3.5)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    examples, stats = generate_with_stats(args.n, args.split, args.seed)
    dt = time.perf_counter() - t0
    count: Callable[[str], float] = lambda s: len(s) / 3.5  # noqa: E731
    how = "chars/3.5"
    if args.tokenizer is not None:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(args.tokenizer))
        count = lambda s: float(len(tok.encode(s).ids))  # noqa: E731
        how = "tokenizer"
    print(f"{len(examples)} {args.split} examples (seed {args.seed}) in {dt:.1f}s from {stats.homes} homes; "
          f"view drop rate {stats.drop_rate:.1%}, {stats.skipped} draws skipped (category not applicable)")
    cats = Counter(e.category for e in examples)
    print(f"{'category':<12} {'n':>5} {'share':>6} {'user':>6} {'target':>6} {'drops':>6}")
    for cat in CATEGORIES:
        exs = [e for e in examples if e.category == cat]
        if not exs:
            continue
        u = sum(count(e.user) for e in exs) / len(exs)
        t = sum(count(e.target) for e in exs) / len(exs)
        print(f"{cat:<12} {cats[cat]:>5} {cats[cat] / len(examples):>6.1%} {u:>6.1f} {t:>6.1f} "
              f"{stats.dropped[cat]:>6}")
    u_all = [count(e.user) for e in examples]
    t_all = [count(e.target) for e in examples]
    print(f"average tokens ({how}): user {sum(u_all) / len(u_all):.1f} (max {max(u_all):.0f}, "
          f">150: {sum(x > 150 for x in u_all)}), target {sum(t_all) / len(t_all):.1f} (max {max(t_all):.0f})")
    if stats.dropped_templates:
        top = ", ".join(f"{k} {m}" for k, m in stats.dropped_templates.most_common(8))
        print(f"most dropped templates: {top}")
    if args.out is not None:
        write_jsonl(args.out, examples)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
