"""The home description: floors, rooms, people, places, devices, scenes.

One YAML file serves `fusehub run`, the simulator and `fusehub plan`. Loading it validates
everything with pydantic and reports errors with the path of the offending key.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fusehub import yamlio as yaml
from fusehub.capabilities import ATTRIBUTE_KINDS, CAPABILITIES, capability, kind_capabilities
from fusehub.errors import ConfigError
from fusehub.events import JSON
from fusehub.household import OPTION_KEYS, Gender, OptionSetDecl, RelationDecl, RestrictionDecl, duplicates
from fusehub.language import DEFAULT_LANGUAGE, normalize_language
from fusehub.preferences.schema import Preference, preference_problems
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "AttributeDecl",
    "DeviceDecl",
    "DeviceState",
    "FloorDecl",
    "Home",
    "PersonDecl",
    "PlaceDecl",
    "RoomDecl",
    "RoomLayout",
    "SceneDecl",
    "load_home",
    "parse_home",
    "room_layout",
    "slug",
    "state_problems",
]

DeviceState = dict[str, JSON]
"""Attribute name -> value, as a device reports it ({on: true, brightness: 30}): free-form, JSON-like."""

_ID = re.compile(r"^[a-z0-9_][a-z0-9_\-]*$")


def slug(text: str, fallback: str = "unnamed") -> str:
    """An id from a human name: 'Living Room' -> 'living_room'; `fallback` when no letter or digit is left
    ('unnamed' for node ids; adapters name attributes with 'value')."""
    s = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    return s or fallback


def _check_id(v: str) -> str:
    if not _ID.match(v):
        raise ValueError(f"id {v!r} must be lower-case letters, digits, '_' or '-'")
    return v


def _check_language(v: str | None) -> str | None:
    return None if v is None else normalize_language(v)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FloorDecl(_Strict):
    id: str = Field(description="Floor id.")
    name: str = Field(description="Floor name as people say it ('upstairs', 'ground floor').")
    level: int = Field(default=0, description="0 ground, 1 first floor, -1 basement.")
    aliases: list[str] = Field(default_factory=list)

    _v = field_validator("id")(_check_id)


class RoomDecl(_Strict):
    id: str = Field(description="Room (area) id.")
    name: str = Field(description="Room name as people say it.")
    floor: str | None = Field(default=None, description="Floor id.")
    aliases: list[str] = Field(default_factory=list, description="Other names for the room.")
    adjacent: list[str] = Field(default_factory=list, description="Room ids reachable directly from this room.")
    vacuum_segment: str | None = Field(default=None, description="The robot vacuum's segment id for this room.")
    owners: list[str] = Field(default_factory=list, description="Person ids whose room it is ('my room').")
    outdoor: bool = Field(default=False, description="An outdoor area (porch, garden): in 'all the lights'.")

    _v = field_validator("id")(_check_id)


class PlaceDecl(_Strict):
    id: str
    name: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    radius_m: float = Field(default=100, gt=0)

    _v = field_validator("id")(_check_id)


class PersonDecl(_Strict):
    id: str
    name: str
    role: Literal["owner", "adult", "child", "guest"] = Field(
        description="owner: may authorize secure actions; adult: may run secure actions; child and guest: may not."
    )
    phone: str | None = Field(default=None, description="Device id of the person's phone.")
    car: str | None = Field(default=None, description="Device id of the person's car.")
    aliases: list[str] = Field(default_factory=list)
    voice_id: str | None = Field(default=None, description="Speaker id a voice satellite reports for this person.")
    language: str | None = Field(
        default=None, description="The language this person speaks to the hub ('en', 'zh-CN'); default: the home's."
    )
    tags: list[str] = Field(
        default_factory=list,
        description="Other devices the person carries (BLE tags, watches): device ids or adapter keys such as "
        "'espresense:anna_watch'. Their reports are evidence of where the person is.",
    )
    gender: Gender | None = Field(default=None, description="female or male: read by gendered relation words "
                                  "('my daughter', 'Ben's mum'); unset, such words match anyone of the relation.")

    _v = field_validator("id")(_check_id)
    _lang = field_validator("language")(_check_language)


class AttributeDecl(_Strict):
    """A device attribute declared in the home file; generic skills read and set it within its range."""

    type: Literal["number", "enum", "bool", "text"]
    min: float | None = None
    max: float | None = None
    step: float | None = None
    unit: str | None = None
    options: list[str] | None = None
    writable: bool = True
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AttributeDecl:
        if self.type == "number" and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("a number attribute needs min <= max")
        if self.type == "enum" and not self.options:
            raise ValueError("an enum attribute needs options")
        return self


class DeviceDecl(_Strict):
    id: str = Field(description="Device id in the graph.")
    name: str = Field(description="Device name as people say it.")
    kind: str = Field(default="generic", description="light, switch, plug, lock, garage, cover, climate, ...")
    room: str | None = Field(default=None, description="Room id.")
    ecosystem: str = Field(description="Adapter that speaks to it: homeassistant, owntracks, ...")
    ids: dict[str, str] = Field(default_factory=dict, description="Ecosystem-specific identifiers (unique_id, ...).")
    capabilities: list[str] | None = Field(default=None, description="Defaults to the kind's capabilities.")
    attributes: dict[str, AttributeDecl] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    options: dict[str, OptionSetDecl] = Field(
        default_factory=dict, description="What the device offers per setting: " + ", ".join(OPTION_KEYS)
        + " (colours, modes and speeds as values; a temperature as a min..max range).")
    initial: DeviceState = Field(default_factory=dict, description="Initial state (simulator only).")

    _v = field_validator("id")(_check_id)

    @field_validator("capabilities")
    @classmethod
    def _known_caps(cls, v: list[str] | None) -> list[str] | None:
        for c in v or []:
            if c not in CAPABILITIES:
                raise ValueError(f"unknown capability {c!r}; known: {', '.join(sorted(CAPABILITIES))}")
        return v

    def effective_capabilities(self) -> list[str]:
        caps = list(self.capabilities) if self.capabilities is not None else list(kind_capabilities(self.kind))
        if self.attributes and "attributes" not in caps:
            caps.append("attributes")
        return caps


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _value_problem(v: object, kind: str, decl: AttributeDecl | None) -> str | None:
    if kind == "bool":
        return None if isinstance(v, bool) else f"{v!r} is not true or false"
    if kind == "text":
        return None if isinstance(v, str) else f"{v!r} is not text"
    if kind == "enum":
        opts = decl.options if decl is not None else None
        return None if isinstance(v, str) and v in (opts or []) else f"{v!r} is not one of {opts}"
    if not _is_number(v):
        return f"{v!r} is not a number"
    lo, hi = (0.0, 100.0) if kind == "percent" else (decl.min, decl.max) if decl is not None else (None, None)
    if (lo is not None and v < lo) or (hi is not None and v > hi):  # type: ignore[operator]
        return f"{v!r} is out of range {lo:g}..{hi:g}"
    return None


def state_problems(
    capabilities: list[str], attributes: Mapping[str, AttributeDecl], state: Mapping[str, JSON]
) -> list[str]:
    """`attr: problem` for each value of a device's state that its declared attributes or its capabilities'
    attributes do not allow ("on": "maybe", brightness 150). Attributes neither declares pass: devices report
    extras (a vacuum's segments)."""
    fixed = {a for c in capabilities if c in CAPABILITIES for a in capability(c).attributes}
    problems = []
    for attr, v in state.items():
        decl = attributes.get(attr)
        kind = decl.type if decl is not None else ATTRIBUTE_KINDS.get(attr) if attr in fixed else None
        problem = _value_problem(v, kind, decl) if kind is not None else None
        if problem is not None:
            problems.append(f"{attr}: {problem}")
    return problems


class SceneDecl(_Strict):
    id: str
    name: str
    states: dict[str, DeviceState] = Field(
        description="device id -> target state, e.g. {on: true, brightness: 30}."
    )

    _v = field_validator("id")(_check_id)


class Home(_Strict):
    name: str = "Home"
    timezone: str = "UTC"
    language: str = Field(
        default=DEFAULT_LANGUAGE,
        description="The household's language ('en', 'zh-CN'): templates and replies when the speaker has none.",
    )
    location: PlaceDecl | None = Field(default=None, description="The home's own geofence.")
    floors: list[FloorDecl] = Field(default_factory=list)
    rooms: list[RoomDecl] = Field(default_factory=list)
    people: list[PersonDecl] = Field(default_factory=list)
    places: list[PlaceDecl] = Field(default_factory=list)
    devices: list[DeviceDecl] = Field(default_factory=list)
    scenes: list[SceneDecl] = Field(default_factory=list)
    bridges: list[str] = Field(default_factory=list, description="Ecosystems present whose devices are discovered.")
    relations: list[RelationDecl] = Field(default_factory=list, description="How people are related, each once.")
    restrictions: list[RestrictionDecl] = Field(default_factory=list,
                                                description="The household's rules beyond roles, kept by policy.")
    preferences: list[Preference] = Field(default_factory=list, description="What the household wants done in "
                                          "each situation (fusehub.preferences.schema).")
    outdoor_sensor: str | None = Field(
        default=None,
        description="Device id the outside temperature is read from (a weather station, an outdoor sensor, a car's "
        "outside temperature). Without it: a temperature sensor in an outdoor room, or one named outdoor/outside.",
    )

    _lang = field_validator("language")(normalize_language)

    @model_validator(mode="after")
    def _references(self) -> Home:
        def dupes(kind: str, ids: list[str]) -> None:
            seen: set[str] = set()
            for i in ids:
                if i in seen:
                    raise ValueError(f"duplicate {kind} id {i!r}")
                seen.add(i)

        dupes("floor", [f.id for f in self.floors])
        dupes("room", [r.id for r in self.rooms])
        dupes("person", [p.id for p in self.people])
        dupes("device", [d.id for d in self.devices])
        dupes("place", [p.id for p in self.places])
        dupes("scene", [s.id for s in self.scenes])
        dupes("preference", [p.id for p in self.preferences])
        floors = {f.id for f in self.floors}
        rooms = {r.id for r in self.rooms}
        devices = {d.id for d in self.devices}
        for r in self.rooms:
            if r.floor is not None and r.floor not in floors:
                raise ValueError(f"room {r.id!r}: unknown floor {r.floor!r}")
            for a in r.adjacent:
                if a not in rooms:
                    raise ValueError(f"room {r.id!r}: unknown adjacent room {a!r}")
        for d in self.devices:
            if d.room is not None and d.room not in rooms:
                raise ValueError(f"device {d.id!r}: unknown room {d.room!r}")
        for p in self.people:
            for ref in (p.phone, p.car):
                if ref is not None and ref not in devices:
                    raise ValueError(f"person {p.id!r}: unknown device {ref!r}")
        if self.outdoor_sensor is not None and self.outdoor_sensor not in devices:
            raise ValueError(f"outdoor_sensor: unknown device {self.outdoor_sensor!r}")
        decls = {d.id: d for d in self.devices}
        for d in self.devices:
            if problems := state_problems(d.effective_capabilities(), d.attributes, d.initial):
                raise ValueError(f"device {d.id!r}: initial.{'; initial.'.join(problems)}")
        for s in self.scenes:
            for dev, target in s.states.items():
                if dev not in devices:
                    raise ValueError(f"scene {s.id!r}: unknown device {dev!r}")
                if problems := state_problems(decls[dev].effective_capabilities(), decls[dev].attributes, target):
                    raise ValueError(f"scene {s.id!r}: {dev}.{'; '.join(problems)}")
        if problem := _household_problem(self):
            raise ValueError(problem)
        for pref in self.preferences:
            if problems := preference_problems(pref, {p.id for p in self.people}, devices, rooms):
                raise ValueError(f"preference {pref.id!r}: {'; '.join(problems)}")
        return self


def _household_problem(h: Home) -> str | None:
    """The first problem of the household keys (relations, owners, aliases, options, restrictions), as
    `key.path: what is wrong`, or None."""
    people = {p.id for p in h.people}
    rooms = {r.id for r in h.rooms}
    devices = {d.id: d for d in h.devices}
    for i, rel in enumerate(h.relations):
        for k, pid in (("person", rel.person), *((f"of[{j}]", o) for j, o in enumerate(rel.of))):
            if pid not in people:
                return f"relations[{i}].{k}: unknown person {pid!r}"
        if rel.person in rel.of:
            return f"relations[{i}]: {rel.person!r} cannot be related to themself"
    for r in h.rooms:
        for o in r.owners:
            if o not in people:
                return f"rooms[{r.id}].owners: unknown person {o!r}"
    named = (("rooms", [(r.id, n) for r in h.rooms for n in (r.name, *r.aliases)]),
             ("people", [(p.id, n) for p in h.people for n in (p.name, *p.aliases)]),
             ("floors", [(f.id, n) for f in h.floors for n in (f.name, *f.aliases)]))
    for kind, items in named:
        for name, first, second in duplicates(items):
            return f"{kind}[{second}].aliases: {name!r} already names {first!r}"
    by_room: dict[str | None, list[tuple[str, str]]] = {}
    for d in h.devices:
        by_room.setdefault(d.room, []).extend([(d.id, d.name), *((d.id, a) for a in d.aliases)])
    aliases = {(d.id, " ".join(a.lower().split())) for d in h.devices for a in d.aliases}
    for items in by_room.values():
        for name, first, second in duplicates(items):
            key = " ".join(name.lower().split())
            if (first, key) in aliases or (second, key) in aliases:  # two same-named devices are an ambiguity
                return f"devices[{second}].aliases: {name!r} already names {first!r} in the same room"
    for d in h.devices:
        caps = d.effective_capabilities()
        for key, opt in d.options.items():
            spec = OPTION_KEYS.get(key)
            if spec is None:
                return f"devices[{d.id}].options.{key}: unknown option set; known: {', '.join(OPTION_KEYS)}"
            need, shape = spec
            if not set(need) & set(caps):
                return f"devices[{d.id}].options.{key}: the device has no {' or '.join(need)} capability"
            if (shape == "values") != (opt.values is not None):
                return f"devices[{d.id}].options.{key}: give {'values' if shape == 'values' else 'min and max'}"
    for i, rs in enumerate(h.restrictions):
        w = rs.who
        for pid in (*w.people, *([w.of] if w.of else [])):
            if pid not in people:
                return f"restrictions[{i}].who: unknown person {pid!r}"
        for dev in rs.what.devices:
            if dev not in devices:
                return f"restrictions[{i}].what.devices: unknown device {dev!r}"
        for room in rs.what.rooms:
            if room not in rooms:
                return f"restrictions[{i}].what.rooms: unknown room {room!r}"
    return None


def parse_home(text: str, source: str = "<home>") -> Home:
    """Parse and validate a home description; ConfigError names the file and the bad key."""
    data = yaml.load_mapping(text, source, "a home file (with rooms, people and devices)")
    return yaml.validate(Home, data, source, "home description", text)


def load_home(path: str | Path) -> Home:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read home file {p}: {e.strerror}") from e
    return parse_home(text, str(p))


@dataclass(frozen=True)
class RoomLayout:
    """The home's rooms as a graph, as presence fusion and the simulator both reason about it."""

    rooms: tuple[str, ...]
    """Room ids in declaration order."""
    adj: Mapping[str, frozenset[str]]
    """Rooms next to each room (adjacency declared on either side counts both ways)."""
    level: Mapping[str, int]
    """Each room's floor level (0 where the room names no floor)."""
    hops: Mapping[str, Mapping[str, int]]
    """Rooms walked through from one room to another; a room not reachable is absent."""


def room_layout(home: Home) -> RoomLayout:
    """Adjacency, floor levels and room-to-room hop counts of a home."""
    rooms = tuple(r.id for r in home.rooms)
    adj: dict[str, set[str]] = {r: set() for r in rooms}
    for r in home.rooms:
        for a in r.adjacent:
            adj[r.id].add(a)
            adj[a].add(r.id)
    frozen = {r: frozenset(a) for r, a in adj.items()}
    levels = {f.id: f.level for f in home.floors}

    def bfs(start: str) -> dict[str, int]:
        dist = {start: 0}
        q = deque([start])
        while q:
            r = q.popleft()
            for a in frozen[r]:
                if a not in dist:
                    dist[a] = dist[r] + 1
                    q.append(a)
        return dist

    return RoomLayout(rooms=rooms, adj=frozen, level={r.id: levels.get(r.floor or "", 0) for r in home.rooms},
                      hops={r: bfs(r) for r in rooms})
