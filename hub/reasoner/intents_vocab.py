"""Slot lists for local intent matching, built from the context graph.

- ``area``: room names and aliases, ``floor``: floor names and aliases,
- ``name``: device names and aliases (each with its Home Assistant *domain* as match context, so "lock the front
  door" only matches a lock), scene names and people.

:class:`Vocab` also keeps the indexes that turn matched slot values back into graph ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.reasoner.sentences import sensed_class
from hassil import SlotList, TextSlotList

_MAX_NAME_CHARS = 80  # longer device/room names are left out of the slot lists
_COVER_CLASSES = ("awning", "blind", "curtain", "door", "gate", "shade", "shutter", "window")
_LIGHT_CAPS = frozenset({"brightness", "color", "color_temp"})


WHOLE_HOME = frozenset({
    "everywhere", "house", "the house", "whole house", "the whole house", "entire house", "the entire house",
    "home", "the home", "whole home", "the whole home", "entire home", "the entire home", "all rooms",
    "all the rooms", "every room", "each room", "all over the house", "throughout the house", "the whole place",
})
"""Words for the whole home where a room could stand ("lights off everywhere", "clean the house"): every room,
outdoor areas included (conventions 3), never the speaker's room. A home's own room or alias of that name wins."""


def norm(text: str) -> str:
    return " ".join(text.casefold().split())


def is_light(d: DeviceView) -> bool:
    return d.kind == "light" or ("on_off" in d.capabilities and bool(_LIGHT_CAPS & set(d.capabilities)))


def has_setpoint(d: DeviceView) -> bool:
    """A thermostat, radiator or AC: a device whose target temperature can be set."""
    return "temperature_setpoint" in d.capabilities


def is_garage(d: DeviceView) -> bool:
    return d.kind == "garage" or "garage" in d.capabilities


def is_cover(d: DeviceView) -> bool:
    return is_garage(d) or "cover_position" in d.capabilities


def _is_fan(d: DeviceView) -> bool:
    return d.kind == "fan" and "on_off" in d.capabilities


def cover_class(d: DeviceView) -> str | None:
    """Home Assistant's cover device_class, from the kind or a word in the name ('Living Room Blinds')."""
    if is_garage(d):
        return "garage"
    words = set(norm(d.name).split())
    for cls in _COVER_CLASSES:
        if cls in words or f"{cls}s" in words:
            return cls
    return None


def ha_domain(d: DeviceView) -> tuple[str, str | None]:
    """The Home Assistant domain (and device_class) the templates expect for a device."""
    caps = set(d.capabilities)
    if is_light(d):
        return "light", None
    if "lock" in caps:
        return "lock", None
    if is_cover(d):
        return "cover", cover_class(d)
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
        return "binary_sensor", sensed or ("window" if "window" in norm(d.name) else "door")
    if sensed is not None:
        return "binary_sensor", sensed
    if "measurement" in caps:
        return "sensor", None
    return d.kind, None  # phones, cars, generic: no template targets them, the planner does


@dataclass(frozen=True, slots=True)
class Named:
    """What a spoken name refers to."""

    kind: Literal["device", "scene", "person"]
    id: str
    domain: str
    room: str | None = None
    device_class: str | None = None


@dataclass
class Vocab:
    """Slot lists for hassil plus the indexes that turn matched slot values back into graph ids."""

    lists: dict[str, SlotList]
    names: dict[str, list[Named]] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    floors: dict[str, str] = field(default_factory=dict)
    room_names: dict[str, str] = field(default_factory=dict)
    floor_names: dict[str, str] = field(default_factory=dict)
    room_floor: dict[str, str | None] = field(default_factory=dict)


def _usable(text: object) -> bool:
    return isinstance(text, str) and 0 < len(text.strip()) <= _MAX_NAME_CHARS


def signature(graph: ContextGraph) -> int:
    """A cheap fingerprint of what the slot lists depend on: names, aliases, kinds, rooms."""
    return graph.naming_signature()


def build_vocab(graph: ContextGraph) -> Vocab:
    v = Vocab(lists={})
    floor_values: list[tuple[str, str]] = []
    for f in graph.floors():
        v.floor_names[f.id] = f.name
        for text in (f.name, *f.aliases):
            if _usable(text):
                floor_values.append((text, text))
                v.floors.setdefault(norm(text), f.id)
    area_values: list[tuple[str, str]] = []
    for r in graph.rooms():
        v.room_names[r.id] = r.name
        v.room_floor[r.id] = r.floor
        for text in (r.name, *r.aliases):
            if _usable(text):
                area_values.append((text, text))
                v.areas.setdefault(norm(text), r.id)
    area_values += [(w, w) for w in sorted(WHOLE_HOME) if norm(w) not in v.areas]  # a room of that name wins
    name_values: list[tuple[str, str, dict[str, Any]]] = []

    def add_name(text: str, named: Named, context: dict[str, Any]) -> None:
        if _usable(text):
            name_values.append((text, text, context))
            v.names.setdefault(norm(text), []).append(named)

    for d in graph.devices():
        domain, device_class = ha_domain(d)
        ctx: dict[str, Any] = {"domain": domain}
        if device_class:
            ctx["device_class"] = device_class
        for text in (d.name, *d.aliases):
            add_name(text, Named("device", d.id, domain, d.room, device_class), ctx)
    for s in graph.scenes():
        add_name(s.name, Named("scene", s.id, "scene"), {"domain": "scene"})
    for p in graph.people():
        for text in (p.name, *p.aliases):
            add_name(text, Named("person", p.id, "person"), {"domain": "person"})
    # allow_template=False: names are data; "[x]" or "(a|b)" in a name must never become a template.
    v.lists = {
        "area": TextSlotList.from_tuples(area_values, allow_template=False, name="area"),
        "floor": TextSlotList.from_tuples(floor_values, allow_template=False, name="floor"),
        "name": TextSlotList.from_tuples(name_values, allow_template=False, name="name"),
    }
    return v
