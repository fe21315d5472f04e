"""Valetudo robot vacuums over their Homie 4 tree: discovery by ``$state``, status, battery, segments, commands.

Conventions (Hypfer/Valetudo ``docs/pages/integrations/mqtt.md``, ``backend/lib/mqtt``; Homie 4.0.0):

- ``valetudo/<ID>/$state`` (retained): ``ready`` -> Discovered (kind ``vacuum``, capability ``vacuum``,
  key ``valetudo:<ID>``) and Availability online; ``lost``/``disconnected``/``sleeping`` -> offline;
  ``alert`` -> online (up, needs attention); ``init`` -> nothing; an empty payload -> Removed.
- ``valetudo/<ID>/$name`` -> Discovered with that name (the graph keeps the last name it saw).
- ``valetudo/<ID>/<Node>/<property>`` (plain UTF-8 values, retained): ``StatusStateAttribute/status`` ->
  ``status``, ``StatusStateAttribute/detail`` -> ``status_detail``, ``BatteryStateAttribute/level`` ->
  ``battery``, ``BatteryStateAttribute/status`` -> ``battery_status``, ``MapData/segments`` (JSON
  ``{"16":"Hallway"}``) -> ``segments``, ``FanSpeedControlCapability/preset`` -> ``fan_speed``,
  ``WaterUsageControlCapability/preset`` -> ``water_usage``. Other nodes and properties (map data, which is
  large and binary, statistics, consumables, ``$``-attributes) are valid and ignored: they yield nothing.
  These static routes cover every topic, so the address has no ``subscribe`` list.
- Commands (never retained): ``BasicControlCapability/operation/set`` = ``START``/``STOP``/``PAUSE``/``HOME``;
  ``MapSegmentationCapability/clean/set`` = ``{"segment_ids":[...],"iterations":1,"customOrder":true}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from fusehub.adapter import AdapterSpec, Route, SimDevice
from fusehub.adapters._util import (
    BadInput,
    command,
    decode_text,
    dumps,
    is_finite_number,
    load_json,
    never_raises,
    short,
)
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, DeviceSpec, Discovered, Observation, Outbound, Parsed, Removed
from fusehub.home import DeviceDecl

__all__ = ["PREFIX", "SPEC", "device_key"]

NAME: Final = "valetudo"
PREFIX: Final = "valetudo"
MAX_NAME: Final = 100
MAX_SEGMENTS: Final = 200

_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WORD_RE: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_STATUS: Final = frozenset(
    {"error", "docked", "idle", "returning", "cleaning", "paused", "manual_control", "moving"}
)
_OFFLINE: Final = frozenset({"lost", "disconnected", "sleeping"})
_WORDS: Final = {
    ("StatusStateAttribute", "detail"): "status_detail",
    ("BatteryStateAttribute", "status"): "battery_status",
    ("FanSpeedControlCapability", "preset"): "fan_speed",
    ("WaterUsageControlCapability", "preset"): "water_usage",
}
_OPERATIONS: Final = {"start": "START", "stop": "STOP", "pause": "PAUSE", "dock": "HOME"}


def device_key(robot_id: str) -> str:
    return f"{NAME}:{robot_id}"


def _robot(topic: str) -> str:
    rid = topic.split("/")[1]
    if not _ID_RE.match(rid):
        raise BadInput("the robot id must be 1-64 letters, digits, '_' or '-'")
    return rid


def _discovered(rid: str, name: str) -> Discovered:
    return Discovered(spec=DeviceSpec(
        key=device_key(rid), name=name, kind="vacuum", capabilities=["vacuum"], address={"id": rid},
        manufacturer="Valetudo",
    ))


def _parse_state(topic: str, payload: bytes) -> list[Parsed]:
    rid = _robot(topic)
    text = decode_text(payload).strip()
    if not text:
        return [Removed(device=device_key(rid))]
    if text == "ready":
        return [_discovered(rid, rid), Availability(device=device_key(rid), online=True)]
    if text == "alert":
        return [Availability(device=device_key(rid), online=True)]
    if text in _OFFLINE:
        return [Availability(device=device_key(rid), online=False)]
    if text == "init":
        return []
    raise BadInput(f"$state must be init, ready, disconnected, sleeping, lost or alert, got {short(text)}")


def _parse_name(topic: str, payload: bytes) -> list[Parsed]:
    rid = _robot(topic)
    name = decode_text(payload).strip()
    if not name or len(name) > MAX_NAME:
        raise BadInput(f"$name must be 1-{MAX_NAME} characters")
    return [_discovered(rid, name)]


def _segments(payload: bytes) -> dict[str, str]:
    data = load_json(payload, "segments")
    if not isinstance(data, dict) or len(data) > MAX_SEGMENTS:
        raise BadInput(f"segments must be a JSON object of at most {MAX_SEGMENTS} id -> name entries")
    out: dict[str, str] = {}
    for k, v in data.items():
        if not isinstance(v, str) or not 0 < len(k) <= 20 or len(v) > MAX_NAME:
            raise BadInput(f"segment {short(k, 30)} must map a short id to a name of at most {MAX_NAME} characters")
        out[k] = v
    return out


def _parse_property(topic: str, payload: bytes) -> list[Parsed]:
    _, _, node, prop = topic.split("/")
    if node.startswith("$") or prop.startswith("$"):
        return []  # Homie node attributes ($name, $type, $properties): descriptive only
    attr = None
    value: Any
    if (node, prop) == ("StatusStateAttribute", "status"):
        value = decode_text(payload).strip()
        if value not in _STATUS:
            raise BadInput(f"status must be one of {', '.join(sorted(_STATUS))}, got {short(value)}")
        attr = "status"
    elif (node, prop) == ("BatteryStateAttribute", "level"):
        text = decode_text(payload).strip()
        if not text.isdigit() or int(text) > 100:
            raise BadInput(f"battery level must be an integer 0-100, got {short(text)}")
        attr, value = "battery", int(text)
    elif (node, prop) == ("MapData", "segments"):
        attr, value = "segments", _segments(payload)
    elif (node, prop) in _WORDS:
        value = decode_text(payload).strip()
        if not _WORD_RE.match(value):
            raise BadInput(f"{prop} must be a short lower-case word, got {short(value)}")
        attr = _WORDS[(node, prop)]
    else:
        return []  # map data, statistics, consumables, events: valid, not used by the hub
    rid = _robot(topic)
    return [Observation(device=device_key(rid), attributes={attr: value})]


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


def _robot_id(address: Mapping[str, Any]) -> str:
    rid = address.get("id")
    if isinstance(rid, str) and _ID_RE.match(rid):
        return rid
    key = address.get("key")
    if isinstance(key, str) and key.startswith(f"{NAME}:") and _ID_RE.match(key[len(NAME) + 1:]):
        return key[len(NAME) + 1:]
    raise AdapterError(f"not a Valetudo robot: no id in the address and key {short(key)}")


def _enc_vacuum(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    rid = _robot_id(address)
    if cmd.action in _OPERATIONS:
        return [command(f"{PREFIX}/{rid}/BasicControlCapability/operation/set", _OPERATIONS[cmd.action])]
    if cmd.action != "clean_rooms":
        raise AdapterError(f"vacuum has no action {short(cmd.action)}")
    segs = cmd.params.get("segments")
    if (not isinstance(segs, list) or not segs or len(segs) > MAX_SEGMENTS
            or not all(isinstance(s, str | int) and not isinstance(s, bool) and str(s) for s in segs)):
        raise AdapterError("clean_rooms needs a non-empty list of segment ids")
    body = {"segment_ids": [str(s) for s in segs], "iterations": 1, "customOrder": True}
    return [command(f"{PREFIX}/{rid}/MapSegmentationCapability/clean/set", body)]


ENCODERS: Final[dict[str, Callable[[Command, Mapping[str, Any]], list[Any]]]] = {"vacuum": _enc_vacuum}

# ---------------------------------------------------------------------------------------------
# Declared keys and the simulated robot
# ---------------------------------------------------------------------------------------------


def _sim_id(device_id: str, ids: Mapping[str, str]) -> str:
    rid = ids.get("id")
    return rid if isinstance(rid, str) and _ID_RE.match(rid) else device_id


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    """ids.key, else 'valetudo:<ids.id or the device id>'."""
    return f"{NAME}:{ids['key']}" if ids.get("key") else device_key(_sim_id(device_id, ids))


def _retained(topic: str, payload: str) -> Outbound:
    return Outbound(topic=topic, payload=payload, qos=1, retain=True)


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    rid = _sim_id(decl.id, decl.ids)
    base = f"{PREFIX}/{rid}"
    out = [
        _retained(f"{base}/$homie", "4.0.0"),
        _retained(f"{base}/$name", decl.name),
        _retained(f"{base}/$nodes", "BasicControlCapability,MapSegmentationCapability,StatusStateAttribute,"
                                    "BatteryStateAttribute,MapData"),
    ]
    segs = decl.initial.get("segments")
    if isinstance(segs, dict):
        out.append(_retained(f"{base}/MapData/segments", dumps({str(k): str(v) for k, v in segs.items()})))
    out.append(_retained(f"{base}/$state", "ready"))
    return out


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
    base = f"{PREFIX}/{_sim_id(decl.id, decl.ids)}"
    out = []
    if isinstance(state.get("status"), str):
        out.append(_retained(f"{base}/StatusStateAttribute/status", state["status"]))
    battery = state.get("battery")
    if is_finite_number(battery):
        out.append(_retained(f"{base}/BatteryStateAttribute/level", str(round(battery))))
    if isinstance(state.get("segments"), dict):
        out.append(_retained(f"{base}/MapData/segments", dumps({str(k): str(v) for k, v in state["segments"].items()})))
    return out


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    base = f"{PREFIX}/{_sim_id(decl.id, decl.ids)}"
    return [f"{base}/BasicControlCapability/operation/set", f"{base}/MapSegmentationCapability/clean/set"]


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    op_topic, clean_topic = sim_command_topics(decl)
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    new = dict(state)
    if topic == op_topic:
        status = {"START": "cleaning", "STOP": "idle", "PAUSE": "paused", "HOME": "docked"}.get(text)
        if status is None:
            return None
        new["status"] = status
        return new
    if topic == clean_topic:
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            return None
        ids = obj.get("segment_ids") if isinstance(obj, dict) else None
        if not isinstance(ids, list) or not ids or not all(isinstance(s, str) for s in ids):
            return None
        new.update({"status": "cleaning", "cleaned_segments": list(ids)})
        return new
    return None


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    return [_retained(f"{PREFIX}/{_sim_id(decl.id, decl.ids)}/$state", "lost")]


def _device_attribute(topic: str, payload: bytes) -> list[Parsed]:
    """`$homie`, `$nodes`, `$implementation`...: part of the convention, nothing the hub needs. ($state and
    $name have their own routes.)"""
    return []


SPEC: Final = AdapterSpec(
    name=NAME,
    title="Valetudo (Homie)",
    routes=(
        Route(f"{PREFIX}/+/$state", never_raises(NAME, _parse_state), "Homie device state (discovery, availability)"),
        Route(f"{PREFIX}/+/$name", never_raises(NAME, _parse_name), "the robot's name"),
        Route(f"{PREFIX}/+/+/+", never_raises(NAME, _parse_property), "node properties (status, battery, ...)"),
        *(Route(f"{PREFIX}/+/{attr}", _device_attribute, "Homie device attribute: known, unused")
          for attr in ("$homie", "$nodes", "$implementation", "$extensions")),
    ),
    encoders=ENCODERS,
    declared_key=_declared_key,
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Valetudo robot vacuums over Homie 4: status, battery, segments; start/stop/pause/dock/rooms.",
)
