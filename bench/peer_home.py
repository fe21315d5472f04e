"""The Home Assistant intents peer suite's fixture home as a fusehub `Home` and `ContextGraph`.

    from bench.peer_home import load_fixtures, convert
    peer = convert(load_fixtures(SUITE / "ha_fixtures_en.json"))            # the shared home
    peer = convert(fixtures, record["local_fixtures"])                       # plus a record's own entities
    graph = peer.graph()                                                      # states applied

What becomes what:

- floors and areas keep their names; ids drop the upstream ``_id`` suffix (``living_room_id`` -> ``living_room``).
- entities become devices whose id is the entity's object id (``light.kitchen_ceiling`` -> ``kitchen_ceiling``);
  an object id that two entities share, that is also a room id (``light.garage``, ``switch.kitchen``) or that is a
  bare kind word (``binary_sensor.light``) gets its domain appended (``garage_light``, ``light_binary_sensor``).
  A record's local entities (name and domain only) get the slug of their name.
- kinds from the HA domain: light (with brightness, color and color temperature: the upstream fixture lights answer
  every light intent), switch, fan (kind ``fan`` with the on/off capability, or ``switch`` with
  ``fan_kind="switch"``), cover (``garage`` when the device class or name says garage), lock, climate, media_player,
  vacuum, sensor; binary_sensor by device class: door/window/opening/garage_door -> contact, motion -> motion,
  occupancy/presence -> occupancy, every other class -> sensor whose value is the spoken state ("charging").
- person entities become people (their location set from the state), scene entities scenes (no stored states).
- skipped, with the reason kept in :attr:`PeerHome.skipped`: script (fusehub has no scripts), weather, todo and
  valve (no fusehub kind or skill).
- upstream timers become the running timers the timer skills see (named as fusehub names unnamed ones,
  "5 minute"); a record's local `timers` replace them.
- states come from the fixture: on/off, cover position (100 open, 0 closed, or the position attribute), lock
  state, hvac mode and current temperature, sensor values with their unit (also in the device's address, where
  the planner's view reads it), media playback and volume, vacuum status.

The upstream device class and entity id of each device are kept in :attr:`PeerHome.entities`: the evaluation's
mapping table resolves expected slots (``domain``, ``device_class``, ``name``) against them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fusehub.capabilities import kind_capabilities
from fusehub.context.graph import ContextGraph
from fusehub.home import FloorDecl, Home, RoomDecl, slug

__all__ = ["Entity", "PeerHome", "convert", "floor_ref", "load_fixtures", "room_ref", "timer_name"]

_LIGHT_CAPS = ["on_off", "brightness", "color", "color_temp"]
_CONTACT = frozenset({"door", "window", "opening", "garage_door"})
_OCCUPANCY = frozenset({"occupancy", "presence"})
_SKIP = {
    "script": "fusehub has no scripts",
    "weather": "no fusehub weather kind or skill",
    "todo": "no fusehub list kind or skill",
    "valve": "no fusehub valve kind or skill",
}
# Ids that would read as something else: a device called `light` or `cover` next to the kinds of that name.
_KIND_WORDS = frozenset(
    {"light", "switch", "fan", "cover", "lock", "climate", "sensor", "binary_sensor", "media_player", "vacuum",
     "garage", "contact", "motion", "occupancy", "scene", "plug", "speaker", "phone", "car", "button"}
)
EPOCH = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Entity:
    """One upstream entity that became a fusehub device."""

    device_id: str
    entity_id: str
    name: str
    domain: str
    device_class: str | None
    room: str | None
    kind: str
    local: bool = False


@dataclass
class PeerHome:
    """The converted home: the fusehub description plus what the mapping table needs to resolve slots."""

    home: Home
    entities: dict[str, Entity]
    states: dict[str, dict[str, Any]]
    units: dict[str, str]
    people: dict[str, tuple[str, str]]  # person id -> (name, location)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entity id, why)
    timers: list[tuple[str, float]] = field(default_factory=list)  # (fusehub timer name, seconds left)

    def graph(self) -> ContextGraph:
        """A fresh context graph of the home with the fixture's states applied."""
        g = ContextGraph()
        g.load_home(self.home)
        for dev_id, state in self.states.items():
            if state:
                g.apply_state(dev_id, state, EPOCH)
        for dev_id, unit in self.units.items():
            g.merge_device_address(dev_id, {"unit": unit})
        for dev_id, e in self.entities.items():  # as the discovery adapter records them
            g.merge_device_address(dev_id, {"platform": e.domain})
            if e.device_class is not None:
                g.merge_device_address(dev_id, {"device_class": e.device_class})
        for pid, (_, location) in self.people.items():
            g.set_person_location(pid, location, None, 1.0, EPOCH)
        return g

    def room_floor(self, room: str) -> str | None:
        for r in self.home.rooms:
            if r.id == room:
                return r.floor
        return None


def load_fixtures(path: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def _strip_id(ref: str) -> str:
    return slug(re.sub(r"_id$", "", ref))


def _name_id(name: str, prefix: str) -> str:
    """An id for a name: its slug, or for a name with no Latin letter or digit (Chinese: 客厅) the prefix and a
    short digest, so different names never share an id (ids may be anything, names are what people say)."""
    s = slug(name, "")
    return s or f"{prefix}_{hashlib.sha1(name.encode()).hexdigest()[:6]}"


def _ref(items: Sequence[RoomDecl | FloorDecl], ref: str) -> str | None:
    want = ref.strip().casefold()
    for x in items:
        if want in (x.id, x.name.casefold(), *(a.casefold() for a in x.aliases)) or _strip_id(ref) == x.id:
            return x.id
    return None


def room_ref(home: Home, ref: str) -> str | None:
    """A room id from an upstream area name or id ('Living Room', 'living_room_id')."""
    return _ref(home.rooms, ref)


def floor_ref(home: Home, ref: str) -> str | None:
    """A floor id from an upstream floor name or id ('First Floor', 'first_floor_id')."""
    return _ref(home.floors, ref)


def _level(name: str) -> int:
    n = name.casefold()
    if "basement" in n or "cellar" in n:
        return -1
    if "ground" in n or "downstairs" in n:
        return 0
    if "second" in n:
        return 2
    return 1 if ("first" in n or "upstairs" in n) else 0


def _kind(domain: str, device_class: str | None, name: str, fan_kind: str) -> tuple[str, list[str] | None] | str:
    """(kind, explicit capabilities or None for the kind's defaults), or why the entity is skipped."""
    if domain in _SKIP:
        return _SKIP[domain]
    if domain == "light":
        return "light", list(_LIGHT_CAPS)
    if domain == "fan":
        return fan_kind, ["on_off"]
    if domain == "cover":
        return ("garage", None) if device_class == "garage" or "garage" in name.casefold() else ("cover", None)
    if domain in ("switch", "lock", "climate", "vacuum", "media_player", "sensor"):
        return domain, None
    if domain == "binary_sensor":
        if device_class in _CONTACT:
            return "contact", None
        if device_class == "motion":
            return "motion", None
        if device_class in _OCCUPANCY:
            return "occupancy", None
        return "sensor", None
    return f"no fusehub kind for domain {domain!r}"


def number(v: Any) -> int | float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return v
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return None
        return int(f) if f.is_integer() else f
    return None


def _state(kind: str, e: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """fusehub state attributes (and a unit) from an upstream entity's state and attributes."""
    raw = e.get("state")
    attrs = e.get("attributes") or {}
    out: dict[str, Any] = {}
    unit: str | None = None
    if isinstance(raw, dict):  # binary sensors: {"in": spoken state, "out": "on"/"off"}
        on = raw.get("out") == "on"
        if kind == "contact":
            out["contact_open"] = on
        elif kind == "motion":
            out["motion"] = on
        elif kind == "occupancy":
            out["occupancy"] = on
        else:
            out["value"] = str(raw.get("in", raw.get("out", "")))
        return out, None
    if kind in ("light", "switch", "fan") and isinstance(raw, str) and raw in ("on", "off"):
        out["on"] = raw == "on"
    elif kind == "cover":
        pos = number(attrs.get("position"))
        if pos is not None:
            out["position"] = int(pos)
        elif raw in ("open", "closed"):
            out["position"] = 100 if raw == "open" else 0
    elif kind == "garage" and isinstance(raw, str) and raw:
        out["open_state"] = raw
    elif kind == "lock" and raw in ("locked", "unlocked"):
        out["locked"] = raw == "locked"
    elif kind == "climate":
        if isinstance(raw, str) and raw:
            out["hvac_mode"] = raw
        cur = number(attrs.get("current_temperature"))
        if cur is not None:
            out["current_temperature"] = cur
        tgt = number(attrs.get("temperature"))
        if tgt is not None:
            out["target_temperature"] = tgt
    elif kind == "media_player":
        if isinstance(raw, str) and raw:
            out["playback"] = raw
        vol = number(attrs.get("volume_level"))
        if vol is not None:
            out["volume"] = int(vol * 100) if isinstance(vol, float) and vol <= 1 else int(vol)
    elif kind == "vacuum" and isinstance(raw, str) and raw:
        out["status"] = raw
    elif kind == "sensor":
        text = e.get("state_with_unit") if raw is None else raw
        unit = attrs.get("unit_of_measurement")
        if isinstance(text, str) and raw is None:  # local fixtures: "20 degrees"
            m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(.*)", text)
            if m:
                text, unit = m.group(1), m.group(2) or None
        if text is not None:
            num = number(text)
            out["value"] = num if num is not None else str(text)
        if unit:
            out["unit"] = unit
    return out, unit


def _device_ids(entities: list[dict[str, Any]], taken: set[str], reserved: set[str]) -> list[str]:
    """Readable, unique device ids: the object id, with the domain appended where it would be ambiguous."""
    bases = []
    for e in entities:
        ent_id = e.get("id")
        bases.append(slug(ent_id.split(".", 1)[1]) if isinstance(ent_id, str) and "." in ent_id
                     else _name_id(e["name"], e["domain"]))
    counts: dict[str, int] = {}
    for b in bases:
        counts[b] = counts.get(b, 0) + 1
    out: list[str] = []
    for e, b in zip(entities, bases, strict=True):
        cand = b
        if counts[b] > 1 or b in reserved or b in taken or b in _KIND_WORDS:
            cand = f"{b}_{e['domain']}"
        final, i = cand, 2
        while final in taken:
            final, i = f"{cand}_{i}", i + 1
        taken.add(final)
        out.append(final)
    return out


def convert(
    fixtures: dict[str, Any], local: dict[str, Any] | None = None, *, fan_kind: str = "fan", language: str = "en"
) -> PeerHome:
    """The fixture home (plus a record's `local_fixtures` floors, areas and entities) as a fusehub home."""
    floors = [
        {"id": _strip_id(f["id"]), "name": f["name"], "level": _level(f["name"])} for f in fixtures.get("floors", [])
    ]
    rooms = [
        {"id": _strip_id(a["id"]), "name": a["name"], "floor": _strip_id(a["floor"]) if a.get("floor") else None}
        for a in fixtures.get("areas", [])
    ]
    local = local or {}

    def local_floor(name: str) -> str:
        for f in floors:
            if f["name"] == name:
                return str(f["id"])
        floors.append({"id": _name_id(name, "floor"), "name": name, "level": _level(name)})
        return str(floors[-1]["id"])

    for f in local.get("floors", []):
        local_floor(f["name"])
    for a in local.get("areas", []):
        if all(r["name"].casefold() != a["name"].casefold() for r in rooms):
            floor = local_floor(a["floor"]) if isinstance(a.get("floor"), str) and a["floor"] else None
            rooms.append({"id": slug(a["id"]) if a.get("id") else _name_id(a["name"], "area"), "name": a["name"],
                          "floor": floor})
    room_ids = {r["id"] for r in rooms}

    def area_room(e: dict[str, Any]) -> str | None:
        area = e.get("area")
        if not isinstance(area, str) or not area:
            return None
        rid = _strip_id(area)
        if rid in room_ids:
            return rid
        for r in rooms:
            if r["name"].casefold() == area.casefold():
                return str(r["id"])
        return None

    people: dict[str, tuple[str, str]] = {}
    scenes: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    base = [e for e in fixtures.get("entities", [])]
    extra = [e for e in local.get("entities", [])]
    devices: list[dict[str, Any]] = []
    entities: dict[str, Entity] = {}
    states: dict[str, dict[str, Any]] = {}
    units: dict[str, str] = {}
    taken: set[str] = set()
    for group, is_local in ((base, False), (extra, True)):
        kept: list[tuple[dict[str, Any], str, list[str] | None]] = []
        for e in group:
            domain = e["domain"]
            ent_id = e.get("id") or f"{domain}.{_name_id(e['name'], domain)}"
            if domain == "person":
                pid = slug(ent_id.split(".", 1)[1])
                raw = str(e.get("state") or "")
                location = "home" if raw == "home" else "away" if raw == "not_home" else slug(raw) or "away"
                people[pid] = (e["name"], location)
                continue
            if domain == "scene":
                scenes.append({"id": slug(ent_id.split(".", 1)[1]), "name": e["name"], "states": {}})
                continue
            dc = (e.get("attributes") or {}).get("device_class")
            k = _kind(domain, dc if isinstance(dc, str) else None, e["name"], fan_kind)
            if isinstance(k, str):
                skipped.append((ent_id, k))
                continue
            kept.append((e, k[0], k[1]))
        ids = _device_ids([e for e, _, _ in kept], taken, room_ids)
        for (e, kind, caps), dev_id in zip(kept, ids, strict=True):
            domain = e["domain"]
            ent_id = e.get("id") or f"{domain}.{_name_id(e['name'], domain)}"
            dc = (e.get("attributes") or {}).get("device_class")
            room = area_room(e)
            decl: dict[str, Any] = {
                "id": dev_id,
                "name": e["name"],
                "kind": kind,
                "room": room,
                "ecosystem": "homeassistant",
                "ids": {"entity_id": ent_id, **({"device_class": dc} if isinstance(dc, str) else {})},
                "aliases": [a for a in e.get("aliases") or [] if isinstance(a, str)],
            }
            if caps is not None:
                decl["capabilities"] = caps
            elif not kind_capabilities(kind):
                decl["capabilities"] = []
            devices.append(decl)
            state, unit = _state(kind, e)
            states[dev_id] = state
            if unit:
                units[dev_id] = unit
            entities[dev_id] = Entity(
                dev_id, ent_id, e["name"], domain, dc if isinstance(dc, str) else None, room, kind, is_local
            )
    data = {
        "name": "HA intents fixtures",
        "language": language,
        "floors": floors,
        "rooms": rooms,
        "people": [{"id": pid, "name": name, "role": "adult"} for pid, (name, _) in people.items()],
        "devices": devices,
        "scenes": scenes,
    }
    timers = [_timer(t) for t in (local["timers"] if "timers" in local else fixtures.get("timers", []))]
    return PeerHome(Home.model_validate(data), entities, states, units, people, skipped, timers)


def timer_name(seconds: int) -> str:
    """The name fusehub's timer_start gives a timer started without one."""
    return f"{seconds // 60} minute" if seconds % 60 == 0 else f"{seconds} second"


def _timer(t: dict[str, Any]) -> tuple[str, float]:
    """A running upstream timer as fusehub would hold it: its name (or the one fusehub gives), seconds left."""
    start = sum(int(number(t.get(f"start_{k}")) or 0) * m for k, m in (("hours", 3600), ("minutes", 60),
                                                                         ("seconds", 1)))
    name = t.get("name") if isinstance(t.get("name"), str) and t["name"].strip() else timer_name(start or 1)
    return str(name).strip(), float(number(t.get("total_seconds_left")) or start)
