"""Typed, read-only views of the context graph's nodes: what every reader outside the graph gets (skills, the
reasoner, the hub), so nothing but :mod:`fusehub.context.graph` touches the networkx object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from fusehub.events import JSON
from pydantic import BaseModel, Field

__all__ = [
    "AttrChange",
    "DeviceView",
    "FloorView",
    "PersonView",
    "PlaceView",
    "Provenance",
    "RoomView",
    "SceneView",
]


class Provenance(BaseModel):
    """Which adapter and topic a piece of state came from."""

    adapter: str
    topic: str | None = None


class DeviceView(BaseModel):
    """A read-only snapshot of a device node."""

    id: str
    key: str = Field(description="Adapter address, e.g. 'homeassistant:kitchen_light'.")
    name: str
    kind: str
    room: str | None
    capabilities: list[str]
    attributes: dict[str, dict[str, JSON]]
    state: dict[str, JSON]
    available: bool | None
    last_changed: datetime | None
    last_updated: datetime | None
    provenance: Provenance | None
    address: dict[str, JSON] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    options: dict[str, dict[str, JSON]] = Field(
        default_factory=dict, description="Declared option sets: key -> {values} or {min, max, unit}.")


class PersonView(BaseModel):
    id: str
    name: str
    role: str
    location: str | None = Field(description="'home', 'away', a place id, or None when unknown.")
    room: str | None = Field(description="Room id when at home and known.")
    confidence: float
    since: datetime | None
    phone: str | None
    car: str | None
    aliases: list[str] = Field(default_factory=list)
    language: str | None = Field(default=None, description="The person's own language; None: the home's.")


@dataclass(frozen=True, slots=True)
class FloorView:
    """A read-only snapshot of a floor node."""

    id: str
    name: str
    level: int
    """0 ground, 1 first floor, -1 basement."""
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoomView:
    """A read-only snapshot of a room node."""

    id: str
    name: str
    floor: str | None
    """Floor id, or None when the home declares no floor for the room."""
    aliases: tuple[str, ...]
    vacuum_segment: str | None
    """The robot vacuum's map segment id for this room, if declared."""
    adjacent: tuple[str, ...]
    """Room ids reachable directly from this room (declared on either side)."""


@dataclass(frozen=True, slots=True)
class SceneView:
    """A read-only snapshot of a scene node: device id -> the state the scene sets."""

    id: str
    name: str
    states: Mapping[str, Mapping[str, JSON]]


@dataclass(frozen=True, slots=True)
class PlaceView:
    """A read-only snapshot of a place node (a named geofence away from home)."""

    id: str
    name: str
    latitude: float
    longitude: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class AttrChange:
    attribute: str
    old: JSON
    new: JSON
