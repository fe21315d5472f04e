"""Outbound: a :class:`~fusehub.events.Command` -> one JSON message to ``zigbee2mqtt/<friendly_name>/set``,
with the Z2M property names and value words the device's exposes declared."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from fusehub.adapters._util import command, is_finite_number, short
from fusehub.adapters.zigbee2mqtt.common import MAX_TEXT, PREFIX, number, valid_name
from fusehub.errors import AdapterError
from fusehub.events import Command

__all__ = ["ENCODERS"]

def _set_topic(address: Mapping[str, Any]) -> str:
    fn = address.get("friendly_name")
    if not valid_name(fn):
        raise AdapterError("Zigbee2MQTT device has no usable friendly_name (it has not been discovered yet)")
    base = address.get("base", PREFIX)
    return f"{base}/{fn}/set"


def _role(address: Mapping[str, Any], role: str, default: str) -> tuple[str, Mapping[str, Any]]:
    prop = (address.get("roles") or {}).get(role, default)
    entry = (address.get("props") or {}).get(prop) or {}
    return str(prop), entry


def _param_num(cmd: Command, name: str, lo: Any = None, hi: Any = None) -> float:
    v: Any = cmd.params.get(name)
    if not is_finite_number(v):
        raise AdapterError(f"{cmd.action} needs a numeric {name}")
    if (is_finite_number(lo) and v < lo) or (is_finite_number(hi) and v > hi):
        raise AdapterError(f"{name} {v} is outside {lo}..{hi}")
    return float(v)


def _send(address: Mapping[str, Any], body: Mapping[str, Any]) -> list[Any]:
    return [command(_set_topic(address), body)]


def _enc_on_off(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    prop, e = _role(address, "on_off", "state")
    value = {"turn_on": e.get("on", "ON"), "turn_off": e.get("off", "OFF"),
             "toggle": e.get("toggle", "TOGGLE")}.get(cmd.action)
    if value is None:
        raise AdapterError(f"on_off has no action {short(cmd.action)}")
    return _send(address, {prop: value})


def _enc_brightness(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    pct = _param_num(cmd, "brightness", 0, 100)
    prop, e = _role(address, "brightness", "brightness")
    scale = float(e.get("scale") or 254)
    return _send(address, {prop: round(pct * scale / 100)})


def _enc_color(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    v = cmd.params.get("rgb")
    if not isinstance(v, list) or len(v) != 3 or not all(
        isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in v
    ):
        raise AdapterError("set_color needs rgb as three integers 0-255")
    prop, _ = _role(address, "color", "color")
    return _send(address, {prop: {"r": v[0], "g": v[1], "b": v[2]}})


def _enc_color_temp(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    k = _param_num(cmd, "kelvin", 1000, 20000)
    prop, e = _role(address, "color_temp", "color_temp")
    mired = round(1_000_000 / k)
    if is_finite_number(e.get("min")):
        mired = max(mired, round(e["min"]))
    if is_finite_number(e.get("max")):
        mired = min(mired, round(e["max"]))
    return _send(address, {prop: mired})


def _enc_lock(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    prop, e = _role(address, "lock", "state")
    value = {"lock": e.get("on", "LOCK"), "unlock": e.get("off", "UNLOCK")}.get(cmd.action)
    if value is None:
        raise AdapterError(f"lock has no action {short(cmd.action)}")
    return _send(address, {prop: value})


def _enc_cover(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action == "set_position":
        prop, _ = _role(address, "position", "position")
        pos = _param_num(cmd, "position", 0, 100)
        return _send(address, {prop: round(pos)})
    word = {"open": "OPEN", "close": "CLOSE", "stop": "STOP"}.get(cmd.action)
    if word is None:
        raise AdapterError(f"cover has no action {short(cmd.action)}")
    prop, _ = _role(address, "cover_state", "state")
    return _send(address, {prop: word})


def _enc_setpoint(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "set_temperature":
        raise AdapterError(f"temperature_setpoint has no action {short(cmd.action)}")
    prop, e = _role(address, "setpoint", "occupied_heating_setpoint")
    t = _param_num(cmd, "temperature", e.get("min"), e.get("max"))
    return _send(address, {prop: number(t)})


def _enc_hvac(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    prop, e = _role(address, "hvac_mode", "system_mode")
    mode, values = cmd.params.get("mode"), e.get("values")
    if not isinstance(mode, str) or (values and mode not in values):
        raise AdapterError(f"hvac mode {short(mode)} is not one of {values}")
    return _send(address, {prop: mode})


def _enc_attribute(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "set_attribute":
        raise AdapterError(f"attributes has no action {short(cmd.action)}")
    name, v = cmd.params.get("attribute"), cmd.params.get("value")
    props: Mapping[str, Any] = address.get("props") or {}
    hit = next(((p, e) for p, e in props.items() if isinstance(name, str) and e.get("attr") == name), None)
    if hit is None or not int(hit[1].get("access") or 0) & 2:
        raise AdapterError(f"device has no settable attribute {short(name)}")
    prop, e = hit
    t = e.get("type")
    if t == "numeric":
        value: Any = number(_param_num(cmd, "value", e.get("min"), e.get("max")))
    elif t == "binary":
        if not isinstance(v, bool):
            raise AdapterError(f"{name} needs true or false")
        value = e.get("on") if v else e.get("off")
    elif t == "enum":
        if not isinstance(v, str) or v not in (e.get("values") or []):
            raise AdapterError(f"{name} must be one of {e.get('values')}")
        value = v
    else:
        if not isinstance(v, str) or len(v) > MAX_TEXT:
            raise AdapterError(f"{name} needs a string")
        value = v
    return _send(address, {prop: value})


ENCODERS: Final[dict[str, Callable[[Command, Mapping[str, Any]], list[Any]]]] = {
    "on_off": _enc_on_off, "brightness": _enc_brightness, "color": _enc_color, "color_temp": _enc_color_temp,
    "lock": _enc_lock, "cover_position": _enc_cover, "temperature_setpoint": _enc_setpoint,
    "hvac_mode": _enc_hvac, "attributes": _enc_attribute,
}
