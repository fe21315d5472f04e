"""TeslaMate car telemetry (read-only) with car commands through tesla_ble_mqtt.

Telemetry (teslamate-org/teslamate ``website/docs/integrations/mqtt.md``, ``vehicle_subscriber.ex``):

- ``teslamate/cars/<car_id>/<key>`` and, with ``MQTT_NAMESPACE`` set, ``teslamate/<ns>/cars/<car_id>/<key>``.
- One scalar text payload per key (``to_string``: ``true``/``false``, ``21.5``, ISO-8601 times), retained,
  QoS 1, published on change. ``location`` is JSON ``{"latitude": .., "longitude": ..}``, ``active_route``
  JSON (``{"destination", "minutes_to_arrival", ...}`` or ``{"error": ...}``).
- A few keys (``shift_state``, ``charger_power``, ``time_to_full_charge``, ...) are always published and
  then an empty payload means "no value": it becomes the attribute ``None``, never a rejection.
- There is no last will; ``healthy`` and ``state`` (``online``, ``asleep``, ``offline``, ``driving``, ...)
  say how the car is.

Device key: ``teslamate:<car_id>`` (``teslamate:<ns>/<car_id>`` with a namespace). Every message carries a
Discovered (kind ``car``; capabilities location, car_climate, car_lock; address ``{"car_id"[, "namespace"]}``)
so an undeclared car still appears; the hub ignores repeats. TeslaMate never publishes the VIN, so a
declared car gives it in its ids (``{car_id: "1", vin: "5YJ3..."}``) and :func:`declared_spec` builds the
address (with ``vin``) the encoders need.

Commands: TeslaMate subscribes to nothing. Car commands go to **tesla_ble_mqtt**
(tesla-local-control/tesla_ble_mqtt_core ``mqtt-listen.sh``, which subscribes to ``tesla_ble/+/+``):

- ``car_lock`` lock/unlock -> ``tesla_ble/<VIN>/command`` = ``lock`` / ``unlock``.
- ``car_climate`` precondition ``{on, temperature?}`` -> ``tesla_ble/<VIN>/climate-set-temp`` = ``21.5``
  (°C; only with a temperature, sent first) then ``tesla_ble/<VIN>/climate`` = ``on`` / ``off``. (The tool
  runs ``tesla-control climate-on``/``climate-off`` for these; ``climate-on`` is *not* accepted as a
  ``command`` payload, which lists only lock, unlock, wake, honk, flash-lights, frunk-open, ....)

Every text the car reports (display_name, geofence, route destination) is data, never instructions.

The car ETA model (:func:`eta_to_home`, :func:`haversine_m`) lives in the core, :mod:`fusehub.geo`; it is
re-exported here for existing callers.
"""

from __future__ import annotations

import math
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
from fusehub.events import Command, DeviceSpec, Discovered, Observation, Outbound, Parsed
from fusehub.home import DeviceDecl

__all__ = [
    "BLE_PREFIX",
    "PREFIX",
    "SPEC",
    "declared_spec",
    "device_key",
]

PREFIX: Final = "teslamate"
BLE_PREFIX: Final = "tesla_ble"
NAME: Final = "teslamate"
MAX_TEXT: Final = 200
MAX_ID: Final = 64
_CAPABILITIES: Final = ["location", "car_climate", "car_lock"]
_VIN_RE: Final = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_ID_RE: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_CTRL_RE: Final = re.compile(r"[\x00-\x1f\x7f]")

# ---------------------------------------------------------------------------------------------
# Value conversions
# ---------------------------------------------------------------------------------------------


def _bool(text: str) -> bool:
    t = text.strip().lower()
    if t == "true":
        return True
    if t == "false":
        return False
    raise BadInput(f"'true' or 'false' expected, got {short(text)}")


def _number(text: str) -> int | float:
    t = text.strip()
    try:
        v = float(t)
    except ValueError:
        raise BadInput(f"a number expected, got {short(text)}") from None
    if not math.isfinite(v):
        raise BadInput(f"a finite number expected, got {short(text)}")
    integral = v.is_integer() and abs(v) < 2**53 and not any(c in t for c in ".eE")
    return int(v) if integral else v


def _text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise BadInput(f"text longer than {MAX_TEXT} characters")
    return _CTRL_RE.sub(" ", text)


def _lat(text: str) -> float:
    v = float(_number(text))
    if not -90 <= v <= 90:
        raise BadInput(f"latitude {v} is outside -90..90")
    return v


def _lon(text: str) -> float:
    v = float(_number(text))
    if not -180 <= v <= 180:
        raise BadInput(f"longitude {v} is outside -180..180")
    return v


def _heading(text: str) -> int | float:
    v = _number(text)
    if not 0 <= v <= 360:
        raise BadInput(f"heading {v} is outside 0..360")
    return v


def _percent(text: str) -> int | float:
    v = _number(text)
    if not 0 <= v <= 100:
        raise BadInput(f"percentage {v} is outside 0..100")
    return v


# TeslaMate key -> (hub attribute, converter). Empty payload -> None for all of them.
_KEYS: Final[dict[str, tuple[str, Callable[[str], Any]]]] = {
    "display_name": ("display_name", _text),
    "state": ("state", _text),
    "since": ("since", _text),
    "healthy": ("healthy", _bool),
    "version": ("version", _text),
    "update_available": ("update_available", _bool),
    "update_version": ("update_version", _text),
    "model": ("model", _text),
    "trim_badging": ("trim_badging", _text),
    "exterior_color": ("exterior_color", _text),
    "wheel_type": ("wheel_type", _text),
    "spoiler_type": ("spoiler_type", _text),
    "geofence": ("geofence", _text),
    "latitude": ("latitude", _lat),
    "longitude": ("longitude", _lon),
    "shift_state": ("shift_state", _text),
    "power": ("power", _number),
    "speed": ("speed", _number),
    "heading": ("heading", _heading),
    "elevation": ("elevation", _number),
    "odometer": ("odometer", _number),
    "locked": ("locked", _bool),
    "sentry_mode": ("sentry_mode", _bool),
    "windows_open": ("windows_open", _bool),
    "doors_open": ("doors_open", _bool),
    "driver_front_door_open": ("driver_front_door_open", _bool),
    "driver_rear_door_open": ("driver_rear_door_open", _bool),
    "passenger_front_door_open": ("passenger_front_door_open", _bool),
    "passenger_rear_door_open": ("passenger_rear_door_open", _bool),
    "trunk_open": ("trunk_open", _bool),
    "frunk_open": ("frunk_open", _bool),
    "is_user_present": ("is_user_present", _bool),
    "is_climate_on": ("climate_on", _bool),
    "is_preconditioning": ("preconditioning", _bool),
    "inside_temp": ("inside_temperature", _number),
    "outside_temp": ("outside_temperature", _number),
    "tpms_pressure_fl": ("tpms_pressure_fl", _number),
    "tpms_pressure_fr": ("tpms_pressure_fr", _number),
    "tpms_pressure_rl": ("tpms_pressure_rl", _number),
    "tpms_pressure_rr": ("tpms_pressure_rr", _number),
    "tpms_soft_warning_fl": ("tpms_soft_warning_fl", _bool),
    "tpms_soft_warning_fr": ("tpms_soft_warning_fr", _bool),
    "tpms_soft_warning_rl": ("tpms_soft_warning_rl", _bool),
    "tpms_soft_warning_rr": ("tpms_soft_warning_rr", _bool),
    "battery_level": ("battery", _percent),
    "usable_battery_level": ("usable_battery", _percent),
    "plugged_in": ("plugged_in", _bool),
    "est_battery_range_km": ("est_range_km", _number),
    "rated_battery_range_km": ("rated_range_km", _number),
    "ideal_battery_range_km": ("ideal_range_km", _number),
    "charge_energy_added": ("charge_energy_added", _number),
    "charge_limit_soc": ("charge_limit", _percent),
    "charge_port_door_open": ("charge_port_door_open", _bool),
    "charger_actual_current": ("charger_actual_current", _number),
    "charger_phases": ("charger_phases", _number),
    "charger_power": ("charger_power", _number),
    "charger_voltage": ("charger_voltage", _number),
    "charge_current_request": ("charge_current_request", _number),
    "charge_current_request_max": ("charge_current_request_max", _number),
    "charging_state": ("charging_state", _text),
    "scheduled_charging_start_time": ("scheduled_charging_start_time", _text),
    "time_to_full_charge": ("time_to_full_charge", _number),
    "center_display_state": ("center_display_state", _number),
}
_ATTR_TO_KEY: Final[dict[str, str]] = {attr: key for key, (attr, _) in _KEYS.items()}

# ---------------------------------------------------------------------------------------------
# Keys and topics
# ---------------------------------------------------------------------------------------------


def device_key(car_id: str, namespace: str | None = None) -> str:
    """'teslamate:<car_id>', or 'teslamate:<ns>/<car_id>' for a namespaced TeslaMate."""
    return f"{PREFIX}:{namespace}/{car_id}" if namespace else f"{PREFIX}:{car_id}"


def _topic_parts(topic: str) -> tuple[str | None, str, str]:
    parts = topic.split("/")
    if len(parts) == 4 and parts[0] == PREFIX and parts[1] == "cars":
        ns, car_id, key = None, parts[2], parts[3]
    elif len(parts) == 5 and parts[0] == PREFIX and parts[2] == "cars":
        ns, car_id, key = parts[1], parts[3], parts[4]
        if not _ID_RE.match(ns):
            raise BadInput("namespace must be 1-64 letters, digits, '_', '-' or '.'")
    else:
        raise BadInput("not a TeslaMate car topic")
    if not _ID_RE.match(car_id):
        raise BadInput("car id must be 1-64 letters, digits, '_', '-' or '.'")
    return ns, car_id, key


def _discovered(car_id: str, ns: str | None) -> Discovered:
    address: dict[str, Any] = {"car_id": car_id}
    if ns:
        address["namespace"] = ns
    return Discovered(
        spec=DeviceSpec(
            key=device_key(car_id, ns), name=f"Tesla {car_id}", kind="car", capabilities=list(_CAPABILITIES),
            address=address, manufacturer="Tesla",
        )
    )


def _location(payload: bytes) -> dict[str, Any]:
    data = load_json(payload, "location")
    if not isinstance(data, dict):
        raise BadInput("location must be a JSON object")
    out: dict[str, Any] = {}
    for name, lim in (("latitude", 90), ("longitude", 180)):
        v = data.get(name)
        if not is_finite_number(v):
            raise BadInput(f"location.{name} must be a number")
        if not -lim <= v <= lim:
            raise BadInput(f"location.{name} {v} is outside -{lim}..{lim}")
        out[name] = float(v)
    return out


def _active_route(payload: bytes) -> dict[str, Any]:
    data = load_json(payload, "active_route")
    if not isinstance(data, dict):
        raise BadInput("active_route must be a JSON object")
    if "error" in data or not data.get("destination"):
        return {"route_destination": None, "route_minutes_to_arrival": None}
    dest = data.get("destination")
    minutes = data.get("minutes_to_arrival")
    if not isinstance(dest, str):
        raise BadInput("active_route.destination must be a string")
    if minutes is not None and (not is_finite_number(minutes) or minutes < 0):
        raise BadInput("active_route.minutes_to_arrival must be a non-negative number")
    return {"route_destination": _text(dest), "route_minutes_to_arrival": minutes}


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------


def _parse(topic: str, payload: bytes) -> list[Parsed]:
    ns, car_id, key = _topic_parts(topic)
    key_ = device_key(car_id, ns)
    disc = _discovered(car_id, ns)
    if key == "location":
        return [disc, Observation(device=key_, attributes=_location(payload))]
    if key == "active_route":
        return [disc, Observation(device=key_, attributes=_active_route(payload))]
    entry = _KEYS.get(key)
    if entry is None:
        decode_text(payload)  # still refuse oversized / non-UTF-8 input with a clear reason
        return [disc]  # a key fusehub does not use (charger_*, tpms_* of newer firmware, ...)
    attr, conv = entry
    text = decode_text(payload)
    value = None if text.strip() == "" else conv(text)
    return [disc, Observation(device=key_, attributes={attr: value})]


# ---------------------------------------------------------------------------------------------
# Encoders (tesla_ble_mqtt)
# ---------------------------------------------------------------------------------------------


def _vin(address: Mapping[str, Any]) -> str:
    vin = address.get("vin")
    if not isinstance(vin, str) or not vin:
        raise AdapterError("the car has no VIN in its address (declare ids: {car_id: ..., vin: ...})")
    if not _VIN_RE.match(vin.upper()):
        raise AdapterError(f"VIN {short(vin)} is not 17 VIN characters")
    return vin.upper()


def _enc_lock(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action not in ("lock", "unlock"):
        raise AdapterError(f"car_lock has no action {short(cmd.action)}")
    return [command(f"{BLE_PREFIX}/{_vin(address)}/command", cmd.action)]


def _enc_climate(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "precondition":
        raise AdapterError(f"car_climate has no action {short(cmd.action)}")
    on = cmd.params.get("on", True)
    if not isinstance(on, bool):
        raise AdapterError("precondition needs 'on' as true or false")
    vin = _vin(address)
    out: list[Outbound] = []
    temp = cmd.params.get("temperature")
    if temp is not None:
        if not on:
            raise AdapterError("a temperature makes no sense when turning the climate off")
        if not is_finite_number(temp) or not 15 <= temp <= 28:
            raise AdapterError("temperature must be a number 15..28 (°C)")
        out.append(command(f"{BLE_PREFIX}/{vin}/climate-set-temp", f"{float(temp):g}"))
    out.append(command(f"{BLE_PREFIX}/{vin}/climate", "on" if on else "off"))
    return out


# ---------------------------------------------------------------------------------------------
# Declared cars
# ---------------------------------------------------------------------------------------------


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    return device_key(ids.get("car_id", device_id), ids.get("namespace") or None)


def declared_spec(decl: DeviceDecl) -> DeviceSpec:
    """The DeviceSpec of a car declared in the home file, with the address (car_id, vin) encoders need."""
    ids: Mapping[str, str] = decl.ids
    car_id = ids.get("car_id", decl.id)
    address: dict[str, Any] = {"car_id": car_id}
    if ids.get("namespace"):
        address["namespace"] = ids["namespace"]
    if ids.get("vin"):
        address["vin"] = ids["vin"].upper()
    return DeviceSpec(
        key=_declared_key(decl.id, ids), name=decl.name, kind=decl.kind, room=decl.room,
        capabilities=decl.effective_capabilities(), address=address, manufacturer="Tesla",
    )


# ---------------------------------------------------------------------------------------------
# Simulated car: TeslaMate telemetry out, tesla_ble_mqtt commands in
# ---------------------------------------------------------------------------------------------


def _sim_base(decl: DeviceDecl) -> str:
    ids: Mapping[str, str] = decl.ids
    ns = ids.get("namespace")
    car_id = ids.get("car_id", decl.id)
    return f"{PREFIX}/{ns}/cars/{car_id}" if ns else f"{PREFIX}/cars/{car_id}"


def _sim_vin(decl: DeviceDecl) -> str:
    ids: Mapping[str, str] = decl.ids
    return ids.get("vin", "").upper() or f"SIM{decl.id}".upper()



def _to_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _pub(topic: str, payload: str) -> Outbound:
    # Real TeslaMate retains every key; the simulator does not, so runs never leak into each other.
    return Outbound(topic=topic, payload=payload, qos=1, retain=False)


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
    base = _sim_base(decl)
    out: list[Outbound] = []
    lat, lon = state.get("latitude"), state.get("longitude")
    if is_finite_number(lat) and is_finite_number(lon):
        out.append(_pub(f"{base}/location", dumps({"latitude": lat, "longitude": lon})))
    for attr, v in state.items():
        key = _ATTR_TO_KEY.get(attr)
        if key is None or key in ("latitude", "longitude"):
            continue
        if v is not None and not isinstance(v, str | int | float | bool):
            continue
        out.append(_pub(f"{base}/{key}", _to_text(v)))
    return out


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    base = _sim_base(decl)
    return [_pub(f"{base}/display_name", decl.name), _pub(f"{base}/healthy", "true")]


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    vin = _sim_vin(decl)
    return [f"{BLE_PREFIX}/{vin}/command", f"{BLE_PREFIX}/{vin}/climate", f"{BLE_PREFIX}/{vin}/climate-set-temp"]


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    topics = sim_command_topics(decl)
    if topic not in topics:
        return None
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    new = dict(state)
    if topic == topics[0]:
        if text not in ("lock", "unlock"):
            return None if text not in ("wake", "honk", "flash-lights", "ping") else new
        new["locked"] = text == "lock"
    elif topic == topics[1]:
        if text not in ("on", "off"):
            return None
        new["climate_on"] = text == "on"
    else:
        try:
            t = float(text)
        except ValueError:
            return None
        if not math.isfinite(t) or not 15 <= t <= 28:
            return None
        new["climate_target_temperature"] = t
    return new


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    """TeslaMate has no last will; a car that goes away reports state 'offline' and healthy 'false'."""
    base = _sim_base(decl)
    return [_pub(f"{base}/state", "offline"), _pub(f"{base}/healthy", "false")]


SPEC: Final = AdapterSpec(
    declared_spec=declared_spec,
    name=NAME,
    title="TeslaMate (+ tesla_ble_mqtt commands)",
    routes=(
        Route(f"{PREFIX}/cars/+/+", never_raises(NAME, _parse), "car telemetry, one key per topic"),
        Route(f"{PREFIX}/+/cars/+/+", never_raises(NAME, _parse), "car telemetry with a namespace"),
    ),
    encoders={"car_lock": _enc_lock, "car_climate": _enc_climate},
    declared_key=_declared_key,
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Tesla cars: TeslaMate telemetry (location, battery, climate, locks); commands via tesla_ble_mqtt.",
)
