"""The context graph: floors, rooms, people, devices, vehicles and places in one networkx graph.

Nodes carry a `type` and typed data; edges carry a `rel` (contains, owns, located_in).
Device state keeps `last_changed` (a state value changed) apart from `last_updated` (any
report arrived), plus availability and provenance (which adapter and topic said so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import networkx as nx
from fusehub.context import household as _hh
from fusehub.context.views import (
    AttrChange,
    DeviceView,
    FloorView,
    PersonView,
    PlaceView,
    Provenance,
    RoomView,
    SceneView,
)
from fusehub.events import JSON, DeviceSpec
from fusehub.home import DeviceDecl, Home, slug
from fusehub.household import RestrictionDecl
from fusehub.language import DEFAULT_LANGUAGE
from pydantic import BaseModel

__all__ = [
    "AttrChange",
    "ContextGraph",
    "DeviceView",
    "FloorView",
    "PersonView",
    "PlaceView",
    "Provenance",
    "RoomView",
    "SceneView",
    "merge_saved",
]


class ContextGraph:
    """The household as a graph, with a small query API. Not thread-safe; lives on the hub's event loop."""

    def __init__(self) -> None:
        self.g: nx.DiGraph[str] = nx.DiGraph()
        self._by_key: dict[str, str] = {}
        self.home_name = "Home"

    # ------------------------------------------------------------------ building
    def load_home(self, home: Home, key_for: Callable[[DeviceDecl], str] | None = None) -> None:
        """Build the graph from a home description. `key_for` gives a declared device's adapter key."""
        self.home_name = home.name
        self.g.add_node("home", type="home", name=home.name, outdoor_sensor=home.outdoor_sensor,
                        language=home.language)
        if home.location is not None:
            self.g.nodes["home"].update(
                latitude=home.location.latitude, longitude=home.location.longitude, radius_m=home.location.radius_m
            )
        for f in home.floors:
            self.g.add_node(f"floor:{f.id}", type="floor", id=f.id, name=f.name, level=f.level, aliases=f.aliases)
            self.g.add_edge("home", f"floor:{f.id}", rel="contains")
        for r in home.rooms:
            self.g.add_node(
                f"room:{r.id}", type="room", id=r.id, name=r.name, floor=r.floor, aliases=r.aliases,
                vacuum_segment=r.vacuum_segment,
            )
            self.g.add_edge(f"floor:{r.floor}" if r.floor else "home", f"room:{r.id}", rel="contains")
        for r in home.rooms:
            for a in r.adjacent:
                self.g.add_edge(f"room:{r.id}", f"room:{a}", rel="adjacent")
                self.g.add_edge(f"room:{a}", f"room:{r.id}", rel="adjacent")
        for pl in home.places:
            self.g.add_node(
                f"place:{pl.id}", type="place", id=pl.id, name=pl.name, latitude=pl.latitude,
                longitude=pl.longitude, radius_m=pl.radius_m,
            )
        for p in home.people:
            self.g.add_node(
                f"person:{p.id}", type="person", id=p.id, name=p.name, role=p.role, aliases=p.aliases,
                phone=p.phone, car=p.car, voice_id=p.voice_id,
                language=p.language, location=None, room=None, confidence=0.0, since=None,
            )
        for d in home.devices:
            self.upsert_device(
                DeviceSpec(
                    key=key_for(d) if key_for else f"{d.ecosystem}:{d.ids.get('key', d.id)}",
                    name=d.name,
                    kind=d.kind,
                    room=d.room,
                    capabilities=d.effective_capabilities(),
                    attributes={k: v.model_dump(exclude_none=True) for k, v in d.attributes.items()},
                ),
                node_id=d.id,
                aliases=d.aliases,
                declared=True,
            )
        for p in home.people:
            for ref in (p.phone, p.car):
                if ref:
                    self.g.add_edge(f"person:{p.id}", f"device:{ref}", rel="owns")
        for s in home.scenes:
            self.g.add_node(f"scene:{s.id}", type="scene", id=s.id, name=s.name, states=s.states)
        _hh.load_household(self.g, home)

    def upsert_device(
        self,
        spec: DeviceSpec,
        *,
        node_id: str | None = None,
        aliases: Iterable[str] = (),
        declared: bool = False,
        provenance: Provenance | None = None,
    ) -> str:
        """Add a device, or merge a discovery into a declared one. Returns the device id."""
        existing = self._by_key.get(spec.key)
        dev_id = existing or node_id or self._free_id(slug(spec.name) if spec.name else slug(spec.key))
        n = f"device:{dev_id}"
        if n not in self.g:
            self.g.add_node(
                n, type="device", id=dev_id, key=spec.key, name=spec.name, kind=spec.kind,
                capabilities=list(spec.capabilities), attributes=dict(spec.attributes), address=dict(spec.address),
                state={}, available=None, last_changed=None, last_updated=None, provenance=provenance,
                aliases=list(aliases), declared=declared, manufacturer=spec.manufacturer, model=spec.model,
                attr_changed={},
            )
        else:
            d = self.g.nodes[n]
            # A declaration (the owner's words) wins for name, kind and room; discovery adds what it knows.
            if not d["declared"]:
                # a discovery that knows only the device's id (e.g. Homie $state) does not undo a real name
                if spec.name != spec.key.split(":", 1)[-1]:
                    d["name"] = spec.name
                if spec.kind != "generic" or d["kind"] == "generic":
                    d["kind"] = spec.kind
            d["capabilities"] = sorted(set(d["capabilities"]) | set(spec.capabilities))
            d["attributes"].update(spec.attributes)
            d["address"].update(spec.address)
            if spec.manufacturer:
                d["manufacturer"] = spec.manufacturer
            if spec.model:
                d["model"] = spec.model
            if provenance is not None:
                d["provenance"] = provenance
        self._by_key[spec.key] = dev_id
        room = self.resolve_room(spec.room) if spec.room else None
        if room is None and not declared:
            room = self.room_in_name(spec.name)
        if room is not None and self.room_of(dev_id) is None:
            self.g.add_edge(f"room:{room}", n, rel="contains")
        return dev_id

    def remove_device_by_key(self, key: str) -> str | None:
        dev_id = self._by_key.pop(key, None)
        if dev_id is None:
            return None
        n = f"device:{dev_id}"
        if self.g.nodes[n].get("declared"):
            self.g.nodes[n]["available"] = False
        else:
            self.g.remove_node(n)
        return dev_id

    def _free_id(self, base: str) -> str:
        cand, i = base, 2
        while f"device:{cand}" in self.g:
            cand, i = f"{base}_{i}", i + 1
        return cand

    # ------------------------------------------------------------------ state
    def device_id_for_key(self, key: str) -> str | None:
        return self._by_key.get(key)

    def apply_state(
        self, dev_id: str, attrs: dict[str, JSON], when: datetime, provenance: Provenance | None = None
    ) -> list[AttrChange]:
        """Merge reported attributes; returns what actually changed. `last_updated` moves on every report."""
        d = self.g.nodes[f"device:{dev_id}"]
        changes: list[AttrChange] = []
        state: dict[str, JSON] = d["state"]
        for k, v in attrs.items():
            old = state.get(k)
            if k not in state or old != v:
                state[k] = v
                d["attr_changed"][k] = when
                changes.append(AttrChange(k, old, v))
        d["last_updated"] = when
        if changes:
            d["last_changed"] = when
        if provenance is not None:
            d["provenance"] = provenance
        if d["available"] is None:
            d["available"] = True
        return changes

    def set_available(self, dev_id: str, online: bool) -> bool:
        """Set availability; True if it changed."""
        d = self.g.nodes[f"device:{dev_id}"]
        changed: bool = d["available"] != online
        d["available"] = online
        return changed

    def set_person_location(
        self, person: str, location: str | None, room: str | None, confidence: float, when: datetime
    ) -> bool:
        p = self.g.nodes[f"person:{person}"]
        changed = (p["location"], p["room"]) != (location, room)
        p.update(location=location, room=room, confidence=confidence)
        if changed:
            p["since"] = when
        for _, tgt, data in list(self.g.out_edges(f"person:{person}", data=True)):
            if data.get("rel") == "located_in":
                self.g.remove_edge(f"person:{person}", tgt)
        if room is not None:
            self.g.add_edge(f"person:{person}", f"room:{room}", rel="located_in", confidence=confidence)
        return changed

    def set_person_p_home(self, person: str, p_home: float) -> None:
        """Record presence fusion's P(home) for a person (shown by `fusehub context show`)."""
        self.g.nodes[f"person:{person}"]["p_home"] = p_home

    def set_person_evidence(self, person: str, lines: Sequence[str]) -> None:
        """Record the human lines behind a person's location belief (shown by `fusehub context show`)."""
        self.g.nodes[f"person:{person}"]["evidence"] = list(lines)

    def merge_device_address(self, dev_id: str, address: Mapping[str, JSON]) -> None:
        """Add to what a device's adapter knows of its address (platform, device class, unit, ...)."""
        self.g.nodes[f"device:{dev_id}"]["address"].update(address)

    # ------------------------------------------------------------------ queries
    def device(self, dev_id: str) -> DeviceView:
        n = f"device:{dev_id}"
        if n not in self.g:
            raise KeyError(f"no device {dev_id!r}")
        d = self.g.nodes[n]
        return DeviceView(
            id=dev_id, key=d["key"], name=d["name"], kind=d["kind"], room=self.room_of(dev_id),
            capabilities=list(d["capabilities"]), attributes=dict(d["attributes"]), state=dict(d["state"]),
            available=d["available"], last_changed=d["last_changed"], last_updated=d["last_updated"],
            provenance=d["provenance"], address=dict(d["address"]), aliases=list(d["aliases"]),
            options=dict(d.get("options") or {}),
        )

    def has_device(self, dev_id: str) -> bool:
        return f"device:{dev_id}" in self.g

    def device_ids(self) -> list[str]:
        return [d["id"] for _, d in self._nodes("device")]

    def devices(
        self, *, room: str | None = None, capability: str | None = None, kind: str | None = None,
        floor: str | None = None,
    ) -> list[DeviceView]:
        """Devices filtered by room, floor, capability and kind."""
        out = []
        for _, d in self._nodes("device"):
            if capability is not None and capability not in d["capabilities"]:
                continue
            if kind is not None and d["kind"] != kind:
                continue
            r = self.room_of(d["id"])
            if room is not None and r != room:
                continue
            if floor is not None and (r is None or self.g.nodes[f"room:{r}"].get("floor") != floor):
                continue
            out.append(self.device(d["id"]))
        return out

    def room_of(self, dev_id: str) -> str | None:
        for pred in self.g.predecessors(f"device:{dev_id}"):
            if self.g.nodes[pred].get("type") == "room":
                room_id: str = self.g.nodes[pred]["id"]
                return room_id
        return None

    def rooms(self) -> list[RoomView]:
        """Every room, in the home file's order."""
        return [self._room_view(n, d) for n, d in self._nodes("room")]

    def room(self, room_id: str) -> RoomView:
        """The room with this id (not a name: see `resolve_room`); KeyError if there is none."""
        n = f"room:{room_id}"
        if n not in self.g:
            raise KeyError(f"no room {room_id!r}")
        return self._room_view(n, self.g.nodes[n])

    def has_room(self, room_id: str) -> bool:
        return f"room:{room_id}" in self.g

    def _room_view(self, n: str, d: dict[str, Any]) -> RoomView:
        adjacent = tuple(
            self.g.nodes[v]["id"] for _, v, rel in self.g.out_edges(n, data="rel") if rel == "adjacent"
        )
        return RoomView(
            id=d["id"], name=d["name"], floor=d.get("floor"), aliases=tuple(d.get("aliases") or ()),
            vacuum_segment=d.get("vacuum_segment"), adjacent=adjacent,
        )

    def floors(self) -> list[FloorView]:
        """Every floor, in the home file's order."""
        return [self._floor_view(d) for _, d in self._nodes("floor")]

    def floor(self, floor_id: str) -> FloorView:
        """The floor with this id; KeyError if there is none."""
        n = f"floor:{floor_id}"
        if n not in self.g:
            raise KeyError(f"no floor {floor_id!r}")
        return self._floor_view(self.g.nodes[n])

    @staticmethod
    def _floor_view(d: dict[str, Any]) -> FloorView:
        return FloorView(id=d["id"], name=d["name"], level=d.get("level", 0), aliases=tuple(d.get("aliases") or ()))

    def scenes(self) -> list[SceneView]:
        """Every scene, in the home file's order."""
        return [self._scene_view(d) for _, d in self._nodes("scene")]

    def scene(self, scene_id: str) -> SceneView:
        """The scene with this id (not a name: see `resolve_scene`); KeyError if there is none."""
        n = f"scene:{scene_id}"
        if n not in self.g:
            raise KeyError(f"no scene {scene_id!r}")
        return self._scene_view(self.g.nodes[n])

    def resolve_scene(self, ref: str) -> str | None:
        """A scene id from an id or a name (case-insensitive)."""
        if f"scene:{ref}" in self.g:
            return ref
        names: dict[str, str] = {d["name"].lower(): d["id"] for _, d in self._nodes("scene")}
        return names.get(ref.lower())

    @staticmethod
    def _scene_view(d: dict[str, Any]) -> SceneView:
        states = {dev: MappingProxyType(dict(target)) for dev, target in d["states"].items()}
        return SceneView(id=d["id"], name=d["name"], states=MappingProxyType(states))

    def places(self) -> list[PlaceView]:
        """Every place (geofence away from home), in the home file's order."""
        return [self._place_view(d) for _, d in self._nodes("place")]

    def place(self, place_id: str) -> PlaceView:
        """The place with this id; KeyError if there is none."""
        n = f"place:{place_id}"
        if n not in self.g:
            raise KeyError(f"no place {place_id!r}")
        return self._place_view(self.g.nodes[n])

    @staticmethod
    def _place_view(d: dict[str, Any]) -> PlaceView:
        return PlaceView(id=d["id"], name=d["name"], latitude=d["latitude"], longitude=d["longitude"],
                         radius_m=d["radius_m"])

    def resolve_room(self, ref: str) -> str | None:
        """A room id from an id, name or alias (case-insensitive)."""
        if f"room:{ref}" in self.g:
            return ref
        want = ref.strip().lower()
        for _, d in self._nodes("room"):
            if want in (d["name"].lower(), *(a.lower() for a in d["aliases"])) or slug(ref) == d["id"]:
                room_id: str = d["id"]
                return room_id
        return None

    def room_in_name(self, name: str) -> str | None:
        """The room a discovered device's name starts with ('Kitchen plug', 'kitchen/ceiling'), if any:
        ecosystems without areas still name devices by room."""
        n = slug(name)
        best: tuple[int, str] | None = None
        for _, d in self._nodes("room"):
            for cand in (d["id"], d["name"], *d["aliases"]):
                c = slug(cand)
                if (n == c or n.startswith(c + "_")) and (best is None or len(c) > best[0]):
                    best = (len(c), d["id"])
        return best[1] if best else None

    def people(self) -> list[PersonView]:
        return [self.person(d["id"]) for _, d in self._nodes("person")]

    def person(self, person_id: str) -> PersonView:
        n = f"person:{person_id}"
        if n not in self.g:
            raise KeyError(f"no person {person_id!r}")
        p = self.g.nodes[n]
        return PersonView(
            id=p["id"], name=p["name"], role=p["role"], location=p["location"], room=p["room"],
            confidence=p["confidence"], since=p["since"], phone=p["phone"], car=p["car"],
            aliases=list(p.get("aliases") or ()), language=p.get("language"),
        )

    def language(self) -> str:
        """The household's language ('en' for a graph built before homes had one)."""
        lang = self.g.nodes.get("home", {}).get("language")
        return lang if isinstance(lang, str) else DEFAULT_LANGUAGE

    def speaker_language(self, person_id: str | None) -> str:
        """The language `person_id` speaks (their own, else the home's); the home's for an unknown speaker."""
        n = f"person:{person_id}"
        lang = self.g.nodes[n].get("language") if person_id is not None and n in self.g else None
        return lang if isinstance(lang, str) else self.language()

    def has_person(self, person_id: str) -> bool:
        return f"person:{person_id}" in self.g

    def person_by_voice(self, voice_id: str) -> str | None:
        for _, p in self._nodes("person"):
            if p.get("voice_id") == voice_id or p["id"] == voice_id:
                pid: str = p["id"]
                return pid
        return None

    def owner_of(self, dev_id: str) -> str | None:
        for pred in self.g.predecessors(f"device:{dev_id}"):
            if self.g.nodes[pred].get("type") == "person":
                pid: str = self.g.nodes[pred]["id"]
                return pid
        return None

    # ------------------------------------------------------------------ household (hub/context/household.py)
    def relatives(self, person: str, relation: str, gender: str | None = None) -> list[str]:
        """The people who are `person`'s `relation` (both directions of each declared relation count)."""
        return _hh.relatives(self.g, person, relation, gender)

    def gender_of(self, person: str) -> str | None:
        return _hh.gender_of(self.g, person)

    def rooms_owned_by(self, person: str) -> list[str]:
        return _hh.rooms_owned_by(self.g, person)

    def room_owners(self, room: str) -> list[str]:
        return _hh.room_owners(self.g, room)

    def is_outdoor(self, room: str) -> bool:
        return _hh.is_outdoor(self.g, room)

    def restrictions(self) -> list[RestrictionDecl]:
        return _hh.restrictions(self.g)

    def home_timezone(self) -> str:
        return _hh.home_timezone(self.g)

    def people_home(self) -> list[str]:
        return [p.id for p in self.people() if p.location == "home"]

    def home_location(self) -> tuple[float, float, float] | None:
        h = self.g.nodes.get("home", {})
        if "latitude" in h:
            return (h["latitude"], h["longitude"], h["radius_m"])
        return None

    def outdoor_sensor(self) -> str | None:
        """The device id the home file's `outdoor_sensor` names, if any (see `fusehub.context.facts`)."""
        v = self.g.nodes.get("home", {}).get("outdoor_sensor")
        return v if isinstance(v, str) else None

    def node_count(self) -> int:
        """Nodes in the graph (home, floors, rooms, places, people, devices, scenes)."""
        return int(self.g.number_of_nodes())

    def edge_count(self) -> int:
        """Edges in the graph (contains, adjacent, owns, located_in)."""
        return int(self.g.number_of_edges())

    def naming_signature(self) -> int:
        """A cheap fingerprint of what names a request may use: the names, aliases and floors of rooms, floors,
        scenes and people; devices' names, aliases, kinds and capabilities; and which room holds what.
        Equal while none of these changed (state changes leave it alone)."""
        parts: list[tuple[Any, ...]] = []
        for n, d in self.g.nodes(data=True):
            t = d.get("type")
            if t in ("room", "floor", "scene", "person"):
                parts.append((n, d.get("name"), tuple(d.get("aliases") or ()), d.get("floor")))
            elif t == "device":
                parts.append(
                    (n, d.get("name"), tuple(d.get("aliases") or ()), d.get("kind"), tuple(d["capabilities"]))
                )
        for u, v, data in self.g.edges(data=True):
            if data.get("rel") == "contains" and u.startswith("room:"):
                parts.append((u, v))
        return hash(tuple(parts))

    def _nodes(self, typ: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for n, d in self.g.nodes(data=True):
            if d.get("type") == typ:
                yield n, d

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (node-link form) for persistence and `fusehub context show --json`."""
        data: dict[str, Any] = nx.node_link_data(self.g, edges="edges", name="_node")
        for node in data["nodes"]:
            for k, v in list(node.items()):
                node[k] = _jsonable(v)
        data["by_key"] = dict(self._by_key)
        data["home_name"] = self.home_name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContextGraph:
        cg = cls()
        by_key = data.pop("by_key", {})
        cg.home_name = data.pop("home_name", "Home")
        cg.g = nx.node_link_graph(data, directed=True, edges="edges", name="_node")
        for _, d in cg.g.nodes(data=True):
            for k in ("last_changed", "last_updated", "since"):
                if isinstance(d.get(k), str):
                    d[k] = datetime.fromisoformat(d[k])
            if isinstance(d.get("attr_changed"), dict):
                d["attr_changed"] = {
                    a: datetime.fromisoformat(t) if isinstance(t, str) else t for a, t in d["attr_changed"].items()
                }
            if isinstance(d.get("provenance"), dict):
                d["provenance"] = Provenance.model_validate(d["provenance"])
        cg._by_key = dict(by_key)
        return cg


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json")
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def merge_saved(graph: ContextGraph, saved: dict[str, Any]) -> int:
    """Overlay a persisted snapshot onto a graph freshly built from the home file: device state,
    availability and timestamps, discovered devices, and people's locations. Returns devices restored."""
    old = ContextGraph.from_dict(dict(saved))
    n = 0
    for node, d in old.g.nodes(data=True):
        typ = d.get("type")
        if typ == "device":
            if node not in graph.g:
                if d.get("declared"):
                    continue  # removed from the home file since
                graph.g.add_node(node, **d)
                for pred in old.g.predecessors(node):
                    if pred in graph.g:
                        graph.g.add_edge(pred, node, **old.g.edges[pred, node])
            else:
                cur = graph.g.nodes[node]
                for k in ("state", "available", "last_changed", "last_updated", "provenance", "attr_changed"):
                    cur[k] = d.get(k, cur.get(k))
                for k in ("address",):
                    cur[k] = {**d.get(k, {}), **cur.get(k, {})}
                cur["capabilities"] = sorted(set(cur["capabilities"]) | set(d.get("capabilities", [])))
            graph._by_key[d["key"]] = d["id"]
            n += 1
        elif typ == "person" and node in graph.g:
            p = graph.g.nodes[node]
            p.update(location=d.get("location"), room=d.get("room"), confidence=d.get("confidence", 0.0),
                     since=d.get("since"))
            if d.get("room") and f"room:{d['room']}" in graph.g:
                graph.g.add_edge(node, f"room:{d['room']}", rel="located_in")
    return n
