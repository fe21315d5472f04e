"""Local intent matching: hassil with the English templates of `home-assistant-intents`.

The sentence templates come from the `home-assistant-intents` package (Home Assistant's
own); the slot lists come from the context graph:

- ``area``: room names and aliases, ``floor``: floor names and aliases,
- ``name``: device names and aliases (each with its Home Assistant *domain* as match
  context, so "lock the front door" only matches a lock), scene names and people.

A recognized Home Assistant intent (``HassTurnOn``, ``HassLightSet``, ...) is mapped to
fusehub skill calls by the declarative table :data:`HANDLERS` (intent name -> small pure
function). The original intent name and slot values are kept in :class:`IntentMatch` so an
evaluation can compare them with upstream expectations.

When no template matches exactly, a second, restricted pass lets hassil report *unmatched*
names, rooms and floors ("turn on the sauna light" in a home without one): that gives a
:class:`Plan` with ``cannot`` set and no calls, and a lower confidence, so the caller can
still decide to ask the planner. Anything else that does not match returns None.

Utterance text is data, never instructions: it is only ever matched against templates.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.errors import SkillError, UnknownSkill
from fusehub.events import JSON, Plan, SkillCall
from fusehub.reasoner.pipeline import FINAL_CONFIDENCE
from fusehub.reasoner.sentences import SENSED_CLASSES, extra_intents, merge, sensed_class
from fusehub.sdk import SkillRegistry
from fusehub.skills.builtin import timer_default_name
from hassil import (
    Intents,
    RecognizeResult,
    SlotList,
    TextSlotList,
    filter_intents,
    recognize_all,
    recognize_best,
)
from hassil.intents import Intent, IntentData
from hassil.models import UnmatchedRangeEntity, UnmatchedTextEntity
from hassil.recognize import MISSING_ENTITY
from home_assistant_intents import get_intents
from pydantic import BaseModel, Field

__all__ = ["HANDLERS", "MAX_TEXT_CHARS", "UNSUPPORTED", "IntentMatch", "IntentMatcher"]

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 500
"""Longer utterances are not commands: they are not matched at all (None)."""

_MAX_NAME_CHARS = 80  # longer device/room names are left out of the slot lists
_MAX_UNMATCHED_WORDS = 4  # an unknown name longer than this is not "a name", it is another sentence
_NOT_A_NAME = frozenset((
    "a", "an", "the", "my", "our", "your", "his", "her", "their", "this", "that", "these", "those", "it", "them",
    "all", "every", "each", "some", "any", "of", "in", "on", "at", "to", "for", "and", "here", "there", "please",
    "turn", "put", "set", "make", "get", "switch", "switches", "light", "lights", "lamp", "lamps", "lighting",
    "fan", "fans", "device", "devices", "thing", "things",
))
"""Words that are never a whole name on their own: an 'unknown name' made only of these ("the light" in "turn the
light in first floor off") is a sentence no template covers, not a device the home lacks."""
_VOCAB_CACHE_SIZE = 4
_CANNOT_CONFIDENCE = 0.5
"""A `cannot` that guesses at an explanation (an unknown name): the caller may still ask the planner."""


class IntentMatch(BaseModel):
    """A recognized intent: Home Assistant's intent name and slots, and the fusehub plan for it."""

    intent: str = Field(description="The hassil / Home Assistant intent name, e.g. 'HassTurnOn'.")
    slots: dict[str, JSON] = Field(default_factory=dict, description="Slot values as hassil matched them.")
    plan: Plan = Field(description="Skill calls (source 'intent'), or `cannot` with no calls.")


# ---------------------------------------------------------------------------------------------
# Templates (parsed once per process and language)
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _templates(language: str) -> Intents:
    """All of the language's intents (Home Assistant's plus fusehub's additions), parsed: ~0.15 s."""
    data = get_intents(language)
    if data is None:
        raise ValueError(f"home-assistant-intents has no templates for language {language!r}")
    return Intents.from_dict(merge(data, extra_intents(language)))


@lru_cache(maxsize=4)
def _mapped_templates(language: str) -> Intents:
    """The intents :data:`HANDLERS` maps or :data:`UNSUPPORTED` declines: no other intent can win."""
    return filter_intents(_templates(language), intent_names=set(HANDLERS) | set(UNSUPPORTED))


# Blocks never used to explain an unknown name: bare-name templates ("[activate] {name} [scene]",
# "what is {name}") would turn any short sentence into "there is no device called ...".
_NOT_DEVICE_DOMAINS = frozenset({"scene", "script", "button", "input_button", "person", "weather", "todo"})
_OPEN_ENDED = frozenset({("HassGetState", "name_only")})


@lru_cache(maxsize=4)
def _relaxed_templates(language: str) -> Intents:
    """Device-control and state-question blocks without their `domain` requirement.

    Only used to explain unknown names: "unlock the shed door" matches `unlock [<the>] {name}`
    only for a name whose domain is lock, and a name the home does not have has no domain.
    """
    base = _mapped_templates(language)
    intents: dict[str, Intent] = {}
    for name, intent in base.intents.items():
        if name not in _CANNOT_INTENTS:
            continue
        data: list[IntentData] = []
        for d in intent.data:
            domains = d.requires_context.get("domain")
            combination = (d.metadata or {}).get("slot_combination")
            if (name, combination) in _OPEN_ENDED:
                continue
            if domains is None:
                data.append(d)
            elif not set(domains if isinstance(domains, list) else [domains]) & _NOT_DEVICE_DOMAINS:
                relaxed = {k: v for k, v in d.requires_context.items() if k != "domain"}
                data.append(replace(d, requires_context=relaxed))
        if data:
            intents[name] = Intent(name=name, data=data)
    return replace(base, intents=intents)


# ---------------------------------------------------------------------------------------------
# Slot lists from the context graph
# ---------------------------------------------------------------------------------------------

_COVER_CLASSES = ("awning", "blind", "curtain", "door", "gate", "shade", "shutter", "window")
_LIGHT_CAPS = frozenset({"brightness", "color", "color_temp"})


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _is_light(d: DeviceView) -> bool:
    return d.kind == "light" or ("on_off" in d.capabilities and bool(_LIGHT_CAPS & set(d.capabilities)))


def _is_garage(d: DeviceView) -> bool:
    return d.kind == "garage" or "garage" in d.capabilities


def _is_cover(d: DeviceView) -> bool:
    return _is_garage(d) or "cover_position" in d.capabilities


def _is_fan(d: DeviceView) -> bool:
    return d.kind == "fan" and "on_off" in d.capabilities


def _cover_class(d: DeviceView) -> str | None:
    """Home Assistant's cover device_class, from the kind or a word in the name ('Living Room Blinds')."""
    if _is_garage(d):
        return "garage"
    words = set(_norm(d.name).split())
    for cls in _COVER_CLASSES:
        if cls in words or f"{cls}s" in words:
            return cls
    return None


def _ha_domain(d: DeviceView) -> tuple[str, str | None]:
    """The Home Assistant domain (and device_class) the templates expect for a device."""
    caps = set(d.capabilities)
    if _is_light(d):
        return "light", None
    if "lock" in caps:
        return "lock", None
    if _is_cover(d):
        return "cover", _cover_class(d)
    if _is_fan(d):
        return "fan", None
    if "temperature_setpoint" in caps or "hvac_mode" in caps:
        return "climate", None
    if "vacuum" in caps:
        return "vacuum", None
    if "media" in caps:
        return "media_player", None
    if "on_off" in caps:
        return "switch", None
    if "button" in caps:
        return "button", None
    sensed = sensed_class(d)
    if "contact" in caps:
        return "binary_sensor", sensed or ("window" if "window" in _norm(d.name) else "door")
    if sensed is not None:
        return "binary_sensor", sensed
    if "measurement" in caps:
        return "sensor", None
    return d.kind, None  # phones, cars, generic: no template targets them, the planner does


@dataclass(frozen=True, slots=True)
class _Named:
    """What a spoken name refers to."""

    kind: Literal["device", "scene", "person"]
    id: str
    domain: str
    room: str | None = None
    device_class: str | None = None


@dataclass
class _Vocab:
    """Slot lists for hassil plus the indexes that turn matched slot values back into graph ids."""

    lists: dict[str, SlotList]
    names: dict[str, list[_Named]] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    floors: dict[str, str] = field(default_factory=dict)
    room_names: dict[str, str] = field(default_factory=dict)
    floor_names: dict[str, str] = field(default_factory=dict)
    room_floor: dict[str, str | None] = field(default_factory=dict)


def _usable(text: object) -> bool:
    return isinstance(text, str) and 0 < len(text.strip()) <= _MAX_NAME_CHARS


def _signature(graph: ContextGraph) -> int:
    """A cheap fingerprint of what the slot lists depend on: names, aliases, kinds, rooms."""
    parts: list[tuple[Any, ...]] = []
    for n, d in graph.g.nodes(data=True):
        t = d.get("type")
        if t in ("room", "floor", "scene", "person"):
            parts.append((n, d.get("name"), tuple(d.get("aliases") or ()), d.get("floor")))
        elif t == "device":
            parts.append(
                (n, d.get("name"), tuple(d.get("aliases") or ()), d.get("kind"), tuple(d["capabilities"]))
            )
    for u, v, data in graph.g.edges(data=True):
        if data.get("rel") == "contains" and u.startswith("room:"):
            parts.append((u, v))
    return hash(tuple(parts))


def _build_vocab(graph: ContextGraph) -> _Vocab:
    v = _Vocab(lists={})
    floor_values: list[tuple[str, str]] = []
    for f in graph.floors():
        v.floor_names[f["id"]] = f["name"]
        for text in (f["name"], *(f.get("aliases") or ())):
            if _usable(text):
                floor_values.append((text, text))
                v.floors.setdefault(_norm(text), f["id"])
    area_values: list[tuple[str, str]] = []
    for r in graph.rooms():
        v.room_names[r["id"]] = r["name"]
        v.room_floor[r["id"]] = r.get("floor")
        for text in (r["name"], *(r.get("aliases") or ())):
            if _usable(text):
                area_values.append((text, text))
                v.areas.setdefault(_norm(text), r["id"])
    name_values: list[tuple[str, str, dict[str, Any]]] = []

    def add_name(text: str, named: _Named, context: dict[str, Any]) -> None:
        if _usable(text):
            name_values.append((text, text, context))
            v.names.setdefault(_norm(text), []).append(named)

    for d in graph.devices():
        domain, device_class = _ha_domain(d)
        ctx: dict[str, Any] = {"domain": domain}
        if device_class:
            ctx["device_class"] = device_class
        for text in (d.name, *d.aliases):
            add_name(text, _Named("device", d.id, domain, d.room, device_class), ctx)
    for s in graph.scenes():
        add_name(s["name"], _Named("scene", s["id"], "scene"), {"domain": "scene"})
    for p in graph.people():
        aliases = graph.g.nodes[f"person:{p.id}"].get("aliases") or ()
        for text in (p.name, *aliases):
            add_name(text, _Named("person", p.id, "person"), {"domain": "person"})
    # allow_template=False: names are data; "[x]" or "(a|b)" in a name must never become a template.
    v.lists = {
        "area": TextSlotList.from_tuples(area_values, allow_template=False, name="area"),
        "floor": TextSlotList.from_tuples(floor_values, allow_template=False, name="floor"),
        "name": TextSlotList.from_tuples(name_values, allow_template=False, name="name"),
    }
    return v


# ---------------------------------------------------------------------------------------------
# Mapping: HA intent + slots -> fusehub plan
# ---------------------------------------------------------------------------------------------


class _Cannot(Exception):
    """The request is understood but cannot be done in this home (no such device, room, ...).

    `final` (the default) when the home was read and the request does not fit it ("there is no fan in
    the kitchen"); not final when a slot value names nothing the home has, which may be a misreading
    the planner can do better with.
    """

    def __init__(self, reason: str, *, final: bool = True) -> None:
        super().__init__(reason)
        self.final = final


@dataclass
class _Req:
    """Everything a handler may read: the match, the graph and the indexes."""

    intent: str
    slots: dict[str, Any]
    graph: ContextGraph
    vocab: _Vocab
    room: str | None  # the satellite's room id, if known
    name_domain: str | None = None  # domain of the matched name's slot value (hassil match context)
    name_class: str | None = None  # and its device class ("Phone" the battery sensor, not the presence one)

    def room_name(self, room_id: str) -> str:
        return self.vocab.room_names.get(room_id, room_id)


@dataclass
class _Scope:
    """Where a request applies: named devices, a scene, a person, a room, a floor or the home."""

    devices: list[DeviceView] = field(default_factory=list)
    scene: str | None = None
    person: str | None = None
    room: str | None = None
    floor: str | None = None

    def target(self) -> dict[str, JSON]:
        """Target fields (room, floor or everywhere) for a scope that is not a named device."""
        if self.room is not None:
            return {"room": self.room}
        if self.floor is not None:
            return {"floor": self.floor}
        return {"everywhere": True}

    def where(self, req: _Req) -> str:
        if self.room is not None:
            return f"the {req.room_name(self.room)}"
        if self.floor is not None:
            return f"the {req.vocab.floor_names.get(self.floor, self.floor)} floor"
        return "the home"

    def find(self, req: _Req, pred: Callable[[DeviceView], bool]) -> list[DeviceView]:
        """Devices in this scope for which `pred` holds."""
        if self.devices:
            return [d for d in self.devices if pred(d)]
        return [d for d in req.graph.devices(room=self.room, floor=self.floor) if pred(d)]


def _scope(req: _Req, *, use_name: bool = True) -> _Scope:
    s = req.slots
    room = floor = None
    if isinstance(s.get("area"), str):
        room = req.vocab.areas.get(_norm(s["area"]))
        if room is None:
            raise _Cannot(f"there is no room called '{s['area']}'", final=False)
    if isinstance(s.get("floor"), str):
        floor = req.vocab.floors.get(_norm(s["floor"]))
        if floor is None:
            raise _Cannot(f"there is no floor called '{s['floor']}'", final=False)
    if not (use_name and isinstance(s.get("name"), str)):
        return _Scope(room=room, floor=floor)
    name = s["name"]
    cands = req.vocab.names.get(_norm(name), [])
    if req.name_domain is not None:
        cands = [c for c in cands if c.domain == req.name_domain] or cands
    if req.name_class is not None:
        cands = [c for c in cands if c.device_class == req.name_class] or cands
    if not cands:
        raise _Cannot(f"there is no device called '{name}'", final=False)
    if room is not None:
        cands = [c for c in cands if c.kind != "device" or c.room == room]
        if not cands:
            raise _Cannot(f"there is no {name} in the {req.room_name(room)}")
    elif floor is not None:
        cands = [c for c in cands if c.kind != "device" or req.vocab.room_floor.get(c.room or "") == floor]
        if not cands:
            raise _Cannot(f"there is no {name} on the {s['floor']} floor")
    first = cands[0]
    if first.kind == "scene":
        return _Scope(scene=first.id, room=room, floor=floor)
    if first.kind == "person":
        return _Scope(person=first.id)
    ids = list(dict.fromkeys(c.id for c in cands if c.kind == "device"))
    if len(ids) > 1 and req.room is not None:
        local = [c.id for c in cands if c.kind == "device" and c.room == req.room]
        ids = list(dict.fromkeys(local)) or ids
    if len(ids) > 1:
        raise _Cannot(f"more than one device is called '{name}'; say which room")
    return _Scope(devices=[req.graph.device(ids[0])], room=room, floor=floor)


def _call(skill: str, **args: JSON) -> SkillCall:
    """A skill call; None-valued optional arguments are left out."""
    return SkillCall(skill=skill, args={k: v for k, v in args.items() if v is not None})


def _plan(*calls: SkillCall) -> Plan:
    return Plan(calls=list(calls), source="intent")


def _int(v: Any) -> int | None:
    return round(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _need(devs: list[DeviceView], what: str, scope: _Scope, req: _Req) -> list[DeviceView]:
    if not devs:
        if scope.devices:
            raise _Cannot(f"{scope.devices[0].name} is not a {what}")
        raise _Cannot(f"there is no {what} in {scope.where(req)}")
    return devs


def _group(
    skill: str,
    devs: list[DeviceView],
    scope: _Scope,
    req: _Req,
    all_of: Callable[[DeviceView], bool],
    **args: JSON,
) -> list[SkillCall]:
    """One call on the scope's room/floor when `devs` are all its `all_of` devices, else one per device."""
    if not scope.devices and {d.id for d in devs} == {d.id for d in scope.find(req, all_of)}:
        return [_call(skill, **scope.target(), **args)]
    return [_call(skill, device=d.id, **args) for d in devs]


def _onoff_call(d: DeviceView, on: bool) -> SkillCall:
    caps = set(d.capabilities)
    if _is_garage(d):
        return _call("garage_open" if on else "garage_close", device=d.id)
    if "lock" in caps:
        return _call("lock_lock" if on else "lock_unlock", device=d.id)
    if "cover_position" in caps:
        return _call("cover_open" if on else "cover_close", device=d.id)
    if _is_light(d):
        return _call("light_turn_on" if on else "light_turn_off", device=d.id)
    if "on_off" in caps:
        return _call("switch_turn_on" if on else "switch_turn_off", device=d.id)
    if "temperature_setpoint" in caps or "hvac_mode" in caps:
        return _call("climate_set_mode", device=d.id, mode="auto" if on else "off")
    if "vacuum" in caps:
        return _call("vacuum_start" if on else "vacuum_stop", device=d.id)
    raise _Cannot(f"{d.name} cannot be switched {'on' if on else 'off'}")


def _covers_of_class(req: _Req, scope: _Scope, device_class: Any) -> list[DeviceView]:
    covers = scope.find(req, _is_cover)
    if not isinstance(device_class, str):
        return [d for d in covers if not _is_garage(d)]
    if device_class == "garage":
        return [d for d in covers if _is_garage(d)]
    exact = [d for d in covers if _cover_class(d) == device_class]
    return exact or [d for d in covers if _cover_class(d) is None]


def _turn(on: bool) -> Callable[[_Req], Plan]:
    def handle(req: _Req) -> Plan:
        scope = _scope(req)
        if scope.scene is not None:
            if not on:
                raise _Cannot("a scene cannot be turned off")
            return _plan(_call("scene_activate", scene=scope.scene))
        if scope.person is not None:
            raise _Cannot("people cannot be switched on or off")
        if scope.devices:
            return _plan(*(_onoff_call(d, on) for d in scope.devices))
        domain = req.slots.get("domain")
        if domain == "light":
            _need(scope.find(req, _is_light), "light", scope, req)
            return _plan(_call("light_turn_on" if on else "light_turn_off", **scope.target()))
        if domain in ("fan", "switch"):
            devs = _need(scope.find(req, lambda d: _ha_domain(d)[0] == domain), str(domain), scope, req)
            return _plan(*(_call("switch_turn_on" if on else "switch_turn_off", device=d.id) for d in devs))
        if domain == "cover":
            cls = req.slots.get("device_class")
            covers = _need(_covers_of_class(req, scope, cls), str(cls or "cover"), scope, req)
            garages = [d for d in covers if _is_garage(d)]
            others = [d for d in covers if not _is_garage(d)]
            calls = [_call("garage_open" if on else "garage_close", device=d.id) for d in garages]
            if others:
                skill = "cover_open" if on else "cover_close"
                calls += _group(skill, others, scope, req, lambda d: _is_cover(d) and not _is_garage(d))
            return _plan(*calls)
        raise _Cannot(f"cannot switch every {domain or 'device'} at once")

    return handle


def _light_args(s: dict[str, Any]) -> tuple[str, dict[str, JSON]] | None:
    """The skill and arguments a HassLightSet's slots ask for (brightness, colour or white temperature)."""
    if "brightness" in s:
        return "light_set_brightness", {"brightness": max(0, min(100, _int(s["brightness"]) or 0))}
    if "color" in s:
        return "light_set_color", {"color": str(s["color"])}
    if "temperature" in s:
        return "light_set_color", {"kelvin": _int(s["temperature"])}
    return None


def _light_set(req: _Req) -> Plan:
    scope = _scope(req)
    lights = _need(scope.find(req, _is_light), "light", scope, req)
    light = _light_args(req.slots)
    if light is None:
        raise _Cannot("say a brightness, colour or colour temperature")
    skill, args = light
    if scope.devices:
        return _plan(*(_call(skill, device=d.id, **args) for d in lights))
    return _plan(_call(skill, **scope.target(), **args))


def _has_setpoint(d: DeviceView) -> bool:
    return "temperature_setpoint" in d.capabilities


def _climate_set(req: _Req) -> Plan:
    scope = _scope(req)
    climates = _need(scope.find(req, _has_setpoint), "thermostat", scope, req)
    temp = _num(req.slots.get("temperature"))
    if scope.devices:
        return _plan(*(_call("climate_set_temperature", device=d.id, temperature=temp) for d in climates))
    return _plan(_call("climate_set_temperature", **scope.target(), temperature=temp))


def _is_temp_sensor(d: DeviceView) -> bool:
    return "measurement" in d.capabilities and "temp" in _norm(d.name)


def _climate_get(req: _Req) -> Plan:
    scope = _scope(req)
    climates = scope.find(req, _has_setpoint)
    if scope.devices:
        d = _need(climates, "thermostat", scope, req)[0]
        return _plan(
            _call(
                "query_state", device=d.id, capability="temperature_setpoint", attribute="current_temperature"
            )
        )
    if climates:
        return _plan(
            _call(
                "query_state",
                room=scope.room,
                capability="temperature_setpoint",
                attribute="current_temperature",
            )
        )
    sensors = _need(scope.find(req, _is_temp_sensor), "temperature sensor", scope, req)
    return _plan(
        *(_call("query_state", device=d.id, capability="measurement", attribute="value") for d in sensors)
    )


_STATE_CAPS: tuple[tuple[str, str], ...] = (
    ("lock", "locked"),
    ("garage", "open_state"),
    ("cover_position", "position"),
    ("contact", "contact_open"),
    ("motion", "motion"),
    ("occupancy", "occupancy"),
    ("on_off", "on"),
    ("temperature_setpoint", "current_temperature"),
    ("media", "playback"),
    ("vacuum", "status"),
    ("measurement", "value"),
)

_DOMAIN_STATE: dict[str, tuple[str, str]] = {
    "light": ("on_off", "on"),
    "switch": ("on_off", "on"),
    "fan": ("on_off", "on"),
    "lock": ("lock", "locked"),
    "cover": ("cover_position", "position"),
    "sensor": ("measurement", "value"),
    "climate": ("temperature_setpoint", "current_temperature"),
    "media_player": ("media", "playback"),
}

_BINARY_SENSOR_STATE: dict[str, tuple[str, str]] = {
    "motion": ("motion", "motion"),
    "occupancy": ("occupancy", "occupancy"),
    "presence": ("occupancy", "occupancy"),
    "door": ("contact", "contact_open"),
    "window": ("contact", "contact_open"),
    "opening": ("contact", "contact_open"),
    "garage_door": ("contact", "contact_open"),
}


_SENSED = frozenset(c.device_class for c in SENSED_CLASSES)


def _state_of(d: DeviceView) -> tuple[str | None, str | None]:
    for cap, attr in _STATE_CAPS:
        if cap in d.capabilities:
            return cap, attr
    return None, None


def _get_state(req: _Req) -> Plan:
    s = req.slots
    if s.get("domain") == "person" or req.name_domain == "person":
        if isinstance(s.get("name"), str):
            scope = _scope(req)
            if scope.person is None:
                raise _Cannot(f"there is nobody called '{s['name']}'", final=False)
            return _plan(_call("where_is", person=scope.person))
        zone = s.get("state")
        room = req.vocab.areas.get(_norm(zone)) if isinstance(zone, str) else None
        people = req.graph.people()
        if room is None and people:  # "is anyone home", "who is at home": where each person is
            return _plan(*(_call("where_is", person=p.id) for p in people))
        return _plan(_call("query_state", room=room, capability="presence", attribute="location"))
    scope = _scope(req)
    if scope.devices:
        calls = []
        for d in scope.devices:
            cap, attr = _state_of(d)
            calls.append(
                _call("query_state", device=d.id, capability=cap, attribute=attr if "state" in s else None)
            )
        return _plan(*calls)
    if scope.scene is not None or scope.person is not None:
        raise _Cannot("that has no state to ask about")
    domain, cls = s.get("domain"), s.get("device_class")
    if domain == "cover" and cls == "garage":
        cap, attr = "garage", "open_state"
    elif domain == "cover" and cls in ("door", "window") and not _covers_of_class(req, scope, cls):
        cap, attr = "contact", "contact_open"
    elif domain == "binary_sensor" and isinstance(cls, str) and cls in _BINARY_SENSOR_STATE:
        cap, attr = _BINARY_SENSOR_STATE[cls]
    elif domain == "binary_sensor" and isinstance(cls, str) and cls in _SENSED:
        # "are any batteries low": the sensors of that class, each asked (a room has other sensors too)
        sensors = _need(scope.find(req, lambda d: sensed_class(d) == cls), f"{cls.replace('_', ' ')} sensor",
                        scope, req)
        return _plan(*(_call("query_state", device=d.id, capability=_state_of(d)[0],
                             attribute=_state_of(d)[1] if "state" in s else None) for d in sensors))
    elif isinstance(domain, str) and domain in _DOMAIN_STATE:
        cap, attr = _DOMAIN_STATE[domain]
    else:
        raise _Cannot(f"cannot ask about {cls or domain or 'that'} yet")
    devs = _need(scope.find(req, lambda d: cap in d.capabilities), str(cls or domain), scope, req)
    same = [d for d in devs if (dc := _ha_domain(d))[0] == domain and (cls is None or dc[1] == cls)]
    if same and len(same) < len(devs):
        # the capability is shared with other kinds ("which lights are on": switches and fans are on_off
        # too, "which curtains are closed": blinds have positions too): ask about these devices only
        return _plan(*(_call("query_state", device=d.id, capability=cap, attribute=attr if "state" in s else None)
                       for d in same))
    if scope.floor is not None:  # query_state has no floor: one question per room on the floor
        rooms = list(dict.fromkeys(d.room for d in devs if d.room))
        return _plan(*(_call("query_state", room=r, capability=cap, attribute=attr) for r in rooms))
    return _plan(_call("query_state", room=scope.room, capability=cap, attribute=attr))


def _set_position(req: _Req) -> Plan:
    scope = _scope(req)
    pos = max(0, min(100, _int(req.slots.get("position")) or 0))
    if scope.devices:
        covers = _need([d for d in scope.devices if _is_cover(d)], "cover", scope, req)
    else:
        covers = _need(_covers_of_class(req, scope, req.slots.get("device_class")), "cover", scope, req)
    calls: list[SkillCall] = []
    for d in [d for d in covers if _is_garage(d)]:
        if pos not in (0, 100):
            raise _Cannot(f"{d.name} can only open or close")
        calls.append(_call("garage_open" if pos == 100 else "garage_close", device=d.id))
    others = [d for d in covers if not _is_garage(d)]
    if others:
        calls += _group(
            "cover_set_position",
            others,
            scope,
            req,
            lambda d: _is_cover(d) and not _is_garage(d),
            position=pos,
        )
    return _plan(*calls)


def _is_vacuum(d: DeviceView) -> bool:
    return "vacuum" in d.capabilities


def _vacuum_named(req: _Req, scope: _Scope) -> str | None:
    """The named vacuum, else the home's only vacuum, else None (the skill picks)."""
    if scope.devices:
        return _need([d for d in scope.devices if _is_vacuum(d)], "vacuum", scope, req)[0].id
    all_vacuums = req.graph.devices(capability="vacuum")
    return all_vacuums[0].id if len(all_vacuums) == 1 else None


def _vacuum_start(req: _Req) -> Plan:
    scope = _scope(req)
    if scope.devices:
        return _plan(
            *(
                _call("vacuum_start", device=d.id)
                for d in _need([d for d in scope.devices if _is_vacuum(d)], "vacuum", scope, req)
            )
        )
    if scope.floor is not None:
        rooms = [r for r, f in req.vocab.room_floor.items() if f == scope.floor]
        if not rooms:
            raise _Cannot(f"there are no rooms on {scope.where(req)}")
        return _plan(_call("vacuum_clean_rooms", device=_vacuum_named(req, scope), rooms=rooms))
    return _plan(_call("vacuum_start", device=_vacuum_named(req, scope)))


def _vacuum_clean_area(req: _Req) -> Plan:
    named = _scope(req)  # a name here is the vacuum, the area is where to clean
    area = _scope(req, use_name=False)
    if area.room is None:
        raise _Cannot("say which room to clean")
    return _plan(_call("vacuum_clean_rooms", device=_vacuum_named(req, named), rooms=[area.room]))


def _vacuum_dock(req: _Req) -> Plan:
    return _plan(_call("vacuum_dock", device=_vacuum_named(req, _scope(req))))


def _has_media(d: DeviceView) -> bool:
    return "media" in d.capabilities


def _media(skill: str) -> Callable[[_Req], Plan]:
    def handle(req: _Req) -> Plan:
        scope = _scope(req)
        devs = _need(scope.find(req, _has_media), "media player", scope, req)
        extra: dict[str, JSON] = {}
        s = req.slots
        if "volume_level" in s:
            extra["volume"] = max(0, min(100, _int(s["volume_level"]) or 0))
        elif "volume_step" in s:
            step = s["volume_step"]
            extra["change"] = 10 if step == "up" else -10 if step == "down" else _int(step)
        if scope.devices:
            return _plan(*(_call(skill, device=d.id, **extra) for d in devs))
        return _plan(_call(skill, **scope.target(), **extra))

    return handle


def _broadcast(req: _Req) -> Plan:
    message = str(req.slots.get("message", "")).strip()
    if not message:
        raise _Cannot("say what to announce")
    return _plan(_call("speaker_announce", message=message, everywhere=True))


def _timer_name(req: _Req) -> str | None:
    name = req.slots.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else None


def _seconds(s: dict[str, Any], prefix: str = "") -> int:
    """A duration from the `hours`/`minutes`/`seconds` slots (`start_hours`... with prefix 'start_')."""
    return (3600 * (_int(s.get(f"{prefix}hours")) or 0) + 60 * (_int(s.get(f"{prefix}minutes")) or 0)
            + (_int(s.get(f"{prefix}seconds")) or 0))


def _timer_start(req: _Req) -> Plan:
    s = req.slots
    if "conversation_command" in s:
        raise _Cannot("delayed commands are not supported yet")
    seconds = _seconds(s)
    if seconds <= 0:
        raise _Cannot("say how long the timer should run")
    return _plan(_call("timer_start", seconds=seconds, name=_timer_name(req)))


def _timer_cancel(req: _Req) -> Plan:
    s = req.slots
    if "area" in s or "floor" in s:
        raise _Cannot("timers are chosen by name, not by room; say which timer")
    name = _timer_name(req)
    started = _seconds(s, "start_")
    if name is None and started > 0:  # "cancel the 5 minute timer": the name an unnamed timer was given
        name = timer_default_name(started)
    return _plan(_call("timer_cancel", name=name))


def _timer_cancel_all(req: _Req) -> Plan:
    if "area" in req.slots or "floor" in req.slots:
        raise _Cannot("timers are chosen by name, not by room; say which timer, or cancel all timers")
    return _plan(_call("timer_cancel"))


def _timer_status(req: _Req) -> Plan:
    return _plan(_call("timer_status"))


def _nevermind(req: _Req) -> Plan:
    return _plan()


HANDLERS: dict[str, Callable[[_Req], Plan]] = {
    "HassTurnOn": _turn(True),
    "HassTurnOff": _turn(False),
    "HassLightSet": _light_set,
    "HassClimateSetTemperature": _climate_set,
    "HassClimateGetTemperature": _climate_get,
    "HassGetState": _get_state,
    "HassSetPosition": _set_position,
    "HassVacuumStart": _vacuum_start,
    "HassVacuumCleanArea": _vacuum_clean_area,
    "HassVacuumReturnToBase": _vacuum_dock,
    "HassMediaPause": _media("media_pause"),
    "HassMediaUnpause": _media("media_play"),
    "HassMediaNext": _media("media_next"),
    "HassSetVolume": _media("media_set_volume"),
    "HassSetVolumeRelative": _media("media_set_volume"),
    "HassBroadcast": _broadcast,
    "HassStartTimer": _timer_start,
    "HassCancelTimer": _timer_cancel,
    "HassCancelAllTimers": _timer_cancel_all,
    "HassTimerStatus": _timer_status,
    "HassNevermind": _nevermind,
}
"""HA intent name -> pure function (request -> Plan). Intents in neither table are left to the planner."""

UNSUPPORTED: dict[str, str] = {
    "HassMediaPrevious": "I can't go back a track yet",
    "HassMediaSearchAndPlay": "I can't search for media to play yet",
    "HassMediaPlayerMute": "I can't mute yet; ask me to set the volume instead",
    "HassMediaPlayerUnmute": "I can't unmute yet; ask me to set the volume instead",
    "HassIncreaseTimer": "timers can't be changed once started; cancel it and start a new one",
    "HassDecreaseTimer": "timers can't be changed once started; cancel it and start a new one",
    "HassPauseTimer": "timers can't be paused yet",
    "HassUnpauseTimer": "timers can't be paused or resumed yet",
    "HassGetWeather": "I have no weather service",
    "HassGetCurrentTime": "I can't tell the time yet",
    "HassGetCurrentDate": "I can't tell the date yet",
    "HassListAddItem": "I have no lists yet",
    "HassListCompleteItem": "I have no lists yet",
    "HassListRemoveItem": "I have no lists yet",
    "HassShoppingListAddItem": "I have no shopping list yet",
    "HassShoppingListCompleteItem": "I have no shopping list yet",
    "HassLawnMowerStartMowing": "I can't control a lawn mower yet",
    "HassLawnMowerDock": "I can't control a lawn mower yet",
    "HassFanSetSpeed": "I can't set fan speeds yet",
    "HassClimateSetFanMode": "I can't set a thermostat's fan mode yet",
}
"""HA intents the hub understands but has no skill for: a final `cannot` that says so, so a model is not
asked to guess a call that only looks close (the next track for "the previous song")."""

# Intents whose "no such name/room" failures are reported as `cannot` (device control and questions).
_CANNOT_INTENTS = frozenset(HANDLERS) - {
    "HassBroadcast",
    "HassNevermind",
    "HassStartTimer",
    "HassCancelTimer",
    "HassCancelAllTimers",
    "HassTimerStatus",
}
_RANGE_SLOTS = frozenset({"brightness", "position", "volume_level", "temperature"})


# ---------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: str) -> str | None:
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return None
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = " ".join(text.split())
    return text or None


def _unknown_name(text: str, vocab: _Vocab) -> bool:
    """True if `text` looks like a name the home does not have, not like a sentence hassil could not parse.

    Short (at most a few words), and containing no known room, floor or device name: "dim the
    living room" left over from a sentence no template covers is not an unknown room.
    """
    said = _norm(text)
    if not 0 < len(said.split()) <= _MAX_UNMATCHED_WORDS:
        return False
    if set(said.split()) <= _NOT_A_NAME:  # "turn the light in first floor off": 'the' is no device name
        return False
    padded = f" {said} "
    return not any(f" {known} " in padded for known in (*vocab.areas, *vocab.floors, *vocab.names))


def _here(result: RecognizeResult, slots: dict[str, Any], graph: ContextGraph) -> Plan | None:
    """A light or thermostat command that only lacks the room ("lights off", "set the temperature to 21",
    heard where the hub does not know the room).

    Home Assistant's room-less templates need the satellite's area; without one the request still
    means "here", so the call has no target and the skill resolves it to the speaker's room when it
    runs (or answers "say which device, room or floor" when nobody knows it). A home with a single
    thermostat needs no room: that one is meant.
    """
    missing = result.unmatched_entities_list
    if not missing or any(not (isinstance(u, UnmatchedTextEntity) and u.name == "area" and u.text == MISSING_ENTITY)
                          for u in missing):
        return None
    if "name" in slots or "floor" in slots:
        return None
    intent = result.intent.name
    if intent in ("HassTurnOn", "HassTurnOff") and slots.get("domain") == "light":
        return _plan(_call("light_turn_on" if intent == "HassTurnOn" else "light_turn_off"))
    if intent == "HassLightSet" and (light := _light_args(slots)) is not None:
        return _plan(_call(light[0], **light[1]))
    if intent == "HassClimateSetTemperature" and isinstance(t := _num(slots.get("temperature")), float):
        thermostats = graph.devices(capability="temperature_setpoint")
        if len(thermostats) == 1:
            return _plan(_call("climate_set_temperature", device=thermostats[0].id, temperature=t))
        return _plan(_call("climate_set_temperature", temperature=t))
    return None


def _jsonable(v: Any) -> JSON:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


def _slots(result: RecognizeResult) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for e in result.entities_list:
        value = e.value
        if isinstance(value, str):
            value = value.strip()
        slots[e.name] = _jsonable(value)
    return slots


class IntentMatcher:
    """Matches an utterance against Home Assistant's English sentence templates and maps it to skills.

    Templates are parsed once per process (cached per language); slot lists are rebuilt only
    when the graph's rooms, floors, devices, scenes or people (names, aliases, kinds) change.
    """

    def __init__(self, language: str = "en", skills: SkillRegistry | None = None) -> None:
        self.language = language
        self.skills = skills
        """When given, a mapped call whose arguments do not validate (a 50 degree setpoint) becomes a `cannot`."""
        self._intents = _mapped_templates(language)
        self._vocabs: dict[int, _Vocab] = {}

    # ------------------------------------------------------------------ public API
    def match(self, text: str, graph: ContextGraph, room: str | None = None) -> IntentMatch | None:
        """The intent and plan for `text` heard in `room` (the satellite's room); None if nothing matched."""
        clean = _clean(text)
        if clean is None:
            return None
        vocab = self._vocab(graph)
        room_id = graph.resolve_room(room) if room else None
        context = self._context(vocab, room_id)
        try:
            result = recognize_best(
                clean,
                self._intents,
                slot_lists=vocab.lists,
                intent_context=context,
                language=self.language,
                best_slot_name="name",
            )
        except Exception:  # a template engine bug must not take the hub down
            log.exception("intent matching failed for %r", clean[:80])
            return None
        if result is not None:
            return self._mapped(result, graph, vocab, room_id)
        return self._unmatched(clean, graph, vocab, context)

    def recognize(
        self, text: str, graph: ContextGraph, room: str | None = None
    ) -> tuple[str, dict[str, JSON]] | None:
        """Raw hassil recognition over *all* the language's intents: (intent name, slots), no mapping."""
        clean = _clean(text)
        if clean is None:
            return None
        vocab = self._vocab(graph)
        room_id = graph.resolve_room(room) if room else None
        result = recognize_best(
            clean,
            _templates(self.language),
            slot_lists=vocab.lists,
            intent_context=self._context(vocab, room_id),
            language=self.language,
            best_slot_name="name",
        )
        return None if result is None else (result.intent.name, _slots(result))

    def warm_up(self) -> None:
        """Parse every sentence template now (~0.3 s) instead of lazily on the first matches."""
        for intents in (self._intents, _relaxed_templates(self.language)):
            for intent in intents.intents.values():
                for data in intent.data:
                    _ = data.sentences

    # ------------------------------------------------------------------ internals
    def _vocab(self, graph: ContextGraph) -> _Vocab:
        sig = _signature(graph)
        vocab = self._vocabs.get(sig)
        if vocab is None:
            vocab = _build_vocab(graph)
            if len(self._vocabs) >= _VOCAB_CACHE_SIZE:
                self._vocabs.pop(next(iter(self._vocabs)))
            self._vocabs[sig] = vocab
        return vocab

    @staticmethod
    def _context(vocab: _Vocab, room_id: str | None) -> dict[str, Any]:
        if room_id is None:
            return {}
        name = vocab.room_names.get(room_id, room_id)
        return {"area": {"value": name, "text": name}}

    def _mapped(
        self, result: RecognizeResult, graph: ContextGraph, vocab: _Vocab, room_id: str | None
    ) -> IntentMatch | None:
        intent = result.intent.name
        slots = _slots(result)
        if intent in UNSUPPORTED:
            return IntentMatch(intent=intent, slots=slots,
                               plan=Plan(source="intent", confidence=FINAL_CONFIDENCE, cannot=UNSUPPORTED[intent]))
        handler = HANDLERS.get(intent)
        if handler is None:
            return None
        name_domain = name_class = None
        if "name" in result.entities and not result.entities["name"].is_wildcard:
            d, c = result.context.get("domain"), result.context.get("device_class")
            name_domain = d if isinstance(d, str) else None
            name_class = c if isinstance(c, str) else None
        req = _Req(intent, slots, graph, vocab, room_id, name_domain, name_class)
        try:
            plan = handler(req)
        except _Cannot as e:
            plan = Plan(source="intent", cannot=str(e), confidence=FINAL_CONFIDENCE if e.final else _CANNOT_CONFIDENCE)
        except Exception:  # a mapping bug must not take the hub down; the planner gets the text instead
            log.exception("mapping %s %s failed", intent, slots)
            return None
        return IntentMatch(intent=intent, slots=slots, plan=self._validated(plan))

    def _validated(self, plan: Plan) -> Plan:
        """`plan`, or a final `cannot` if one of its calls does not validate against the skills given."""
        if self.skills is not None:
            for call in plan.calls:
                try:
                    self.skills.get(call.skill).validate_args(call.args)
                except (SkillError, UnknownSkill) as e:
                    return Plan(source="intent", cannot=f"I can't do that: {e}", confidence=FINAL_CONFIDENCE)
        return plan

    def _unmatched(
        self, text: str, graph: ContextGraph, vocab: _Vocab, context: dict[str, Any]
    ) -> IntentMatch | None:
        """A template that matches except for an unknown name, room or floor -> `cannot`."""
        best: RecognizeResult | None = None
        best_key: tuple[int, int, int] = (0, 0, 0)
        try:
            results: Iterable[RecognizeResult] = recognize_all(
                text,
                _relaxed_templates(self.language),
                slot_lists=vocab.lists,
                intent_context=context,
                allow_unmatched_entities=True,
                language=self.language,
            )
            for r in results:
                if r.intent.name not in _CANNOT_INTENTS or r.text_chunks_matched < 1:
                    continue
                bad = 0
                usable = bool(r.unmatched_entities_list)
                for u in r.unmatched_entities_list:
                    if isinstance(u, UnmatchedTextEntity) and u.name in ("name", "area", "floor"):
                        if u.text == MISSING_ENTITY:
                            continue
                        usable = usable and _unknown_name(u.text, vocab)
                        bad += 1
                    elif isinstance(u, UnmatchedRangeEntity) and u.name in _RANGE_SLOTS:
                        bad += 1
                    else:
                        usable = False
                if not usable:
                    continue
                matched = sum(1 for e in r.entities_list if e.name not in r.unmatched_entities)
                key = (r.text_chunks_matched, matched, -bad)
                if best is None or key > best_key:
                    best, best_key = r, key
        except Exception:
            log.exception("unmatched-entity pass failed for %r", text[:80])
            return None
        if best is None:
            return None
        slots = _slots(best)
        here = _here(best, slots, graph)
        if here is not None:
            return IntentMatch(intent=best.intent.name, slots=slots, plan=self._validated(here))
        reason = "I did not understand that"
        for u in best.unmatched_entities_list:
            if isinstance(u, UnmatchedRangeEntity):
                slots[u.name] = _jsonable(u.value)
                value = _int(u.value) if float(u.value).is_integer() else u.value
                reason = f"{u.name.replace('_', ' ')} {value} is out of range"
                break
            if isinstance(u, UnmatchedTextEntity):
                said = " ".join(u.text.split())
                if said == MISSING_ENTITY:
                    reason = "say which room"
                    continue
                slots[u.name] = said
                kind = {"name": "device", "area": "room", "floor": "floor"}[u.name]
                reason = f"there is no {kind} called '{said}'"
                break
        return IntentMatch(
            intent=best.intent.name,
            slots=slots,
            plan=Plan(source="intent", confidence=_CANNOT_CONFIDENCE, cannot=reason),
        )
