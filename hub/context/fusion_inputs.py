"""The hub's side of the fusion: which `FusedInput`s a hub `Observation` (or a device's availability) is,
with the person who owns the device and the room it is in taken from the context graph."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from fusehub.context.fusion_model import FusedInput

if TYPE_CHECKING:
    from fusehub.context.graph import ContextGraph
    from fusehub.events import Observation

__all__ = ["inputs_from_availability", "inputs_from_observation"]


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def inputs_from_observation(
    graph: ContextGraph, device_id: str, obs: Observation, now: datetime, owners: Mapping[str, str] | None = None
) -> list[FusedInput]:
    """The fusion inputs in a hub Observation of device `device_id`: who owns the device (the graph's
    phone/car ownership, or `owners`: device id -> person, e.g. an ESPresense BLE tag) and which room it is
    in come from the graph. Unknown or irrelevant observations give []."""
    if not graph.has_device(device_id):
        return []
    dev = graph.device(device_id)
    room = graph.room_of(device_id)
    owner = (owners or {}).get(device_id) or graph.owner_of(device_id)
    at = obs.observed_at
    out: list[FusedInput] = []
    ev, data, attrs = obs.event, obs.data, obs.attributes
    if ev in ("region_enter", "region_leave"):
        region = data.get("region")
        if isinstance(region, str) and owner is not None:
            out.append(FusedInput(now, "region", device_id, owner, observed_at=at, region=region,
                                  entered=ev == "region_enter"))
    elif ev == "ble_distance":
        node = data.get("room")
        dist = _num(data.get("distance"))
        node_room = graph.resolve_room(node) if isinstance(node, str) else None
        if node_room is not None and dist is not None and owner is not None:
            out.append(FusedInput(now, "ble", device_id, owner, node_room, observed_at=at, distance=dist))
    elif ev == "utterance":
        hint = data.get("speaker")
        pid = graph.person_by_voice(hint) if isinstance(hint, str) and hint else None
        if pid is not None and room is not None:
            out.append(FusedInput(now, "voice", device_id, pid, room, observed_at=at))
    elif ev == "person_detected":
        rooms: list[str] = []
        zones = data.get("zones")
        if isinstance(zones, list):
            rooms = [r for z in zones if isinstance(z, str) and (r := graph.resolve_room(z)) is not None]
        for r in rooms or ([room] if room else []):
            out.append(FusedInput(now, "camera", device_id, None, r, observed_at=at, value=True))
    lat, lon = _num(attrs.get("latitude")), _num(attrs.get("longitude"))
    if lat is not None and lon is not None:
        is_car = dev.kind == "car" or (owner is not None and graph.person(owner).car == device_id)
        spd = _num(attrs.get("speed"))
        acc = _num(attrs.get("accuracy"))
        if owner is not None or is_car:  # a car's ETA is kept whoever drives it
            out.append(FusedInput(now, "car" if is_car else "gps", device_id, owner, observed_at=at,
                                  latitude=lat, longitude=lon, accuracy=acc, speed=spd,
                                  heading=_num(attrs.get("heading"))))
    avail = attrs.get("available")
    if isinstance(avail, bool):
        out += inputs_from_availability(graph, device_id, avail, now)
    for attr, kind in (("motion", "motion"), ("occupancy", "occupancy"), ("contact_open", "door")):
        v = attrs.get(attr)
        if isinstance(v, bool) and room is not None:
            out.append(FusedInput(now, kind, device_id, None, room, observed_at=at, value=v))  # type: ignore[arg-type]
    return out


def _node_room(graph: ContextGraph, device_id: str) -> str | None:
    """The room a BLE room node serves: its room in the graph, else the room its key names."""
    dev = graph.device(device_id)
    room = graph.room_of(device_id)
    is_node = dev.kind == "ble_node" or dev.key.startswith("espresense:node:")
    if not is_node:
        return None
    if room is None and dev.key.startswith("espresense:node:"):
        room = graph.resolve_room(dev.key.removeprefix("espresense:node:"))
    return room


def inputs_from_availability(graph: ContextGraph, device_id: str, online: bool, now: datetime) -> list[FusedInput]:
    """The fusion input for a device going online/offline: only BLE room nodes (kind ``ble_node``, e.g.
    ESPresense's ``espresense:node:<room>`` from its status topic) matter. While a node is offline its
    silence is no evidence that nobody is in its room; other devices give []."""
    if not graph.has_device(device_id):
        return []
    room = _node_room(graph, device_id)
    if room is None:
        return []
    return [FusedInput(now, "node", device_id, None, room, value=online)]
