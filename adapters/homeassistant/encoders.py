"""Outbound: a :class:`~fusehub.events.Command` -> the messages a Home Assistant MQTT entity understands.

Topics, templates and payload words come from the device's discovered ``address``; an encoder that
cannot say what was asked raises :class:`~fusehub.errors.AdapterError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from fusehub.adapters._util import TemplateFailure, command, dumps, is_finite_number, render_template, short
from fusehub.errors import AdapterError
from fusehub.events import Command, Outbound

__all__ = ["ENCODERS"]

def _need(address: Mapping[str, Any], role: str) -> str:
    t = (address.get("topics") or {}).get(role)
    if not t:
        raise AdapterError(f"device has no {role}_topic")
    return str(t)


def _send(address: Mapping[str, Any], role: str, value: Any, extra: Mapping[str, Any] | None = None,
          template: str | None = None) -> Outbound:
    tpl = template if template is not None else (address.get("templates") or {}).get(role)
    text = value if isinstance(value, str) else dumps(value)
    if tpl:
        try:
            text = render_template(tpl, {"value": value, **(extra or {})})
        except TemplateFailure as e:
            raise AdapterError(f"{role} template failed: {e}") from None
    return command(_need(address, role), text)


def _pl(address: Mapping[str, Any], name: str) -> str:
    v = (address.get("payloads") or {}).get(name)
    if v is None:
        raise AdapterError(f"device has no {name}")
    return str(v)


def _param_num(cmd: Command, name: str, lo: float | None = None, hi: float | None = None) -> float:
    v = cmd.params.get(name)
    if not is_finite_number(v):
        raise AdapterError(f"{cmd.action} needs a numeric {name}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise AdapterError(f"{name} {v} is outside {lo}..{hi}")
    return float(v)


def _is_json_light(address: Mapping[str, Any]) -> bool:
    return address.get("platform") == "light" and address.get("schema") == "json"


def _num_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _enc_on_off(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    word = {"turn_on": "ON", "turn_off": "OFF", "toggle": "TOGGLE"}.get(cmd.action)
    if word is None:
        raise AdapterError(f"on_off has no action {cmd.action!r}")
    if _is_json_light(address):
        return [command(_need(address, "command"), {"state": word})]
    pl = {"ON": "payload_on", "OFF": "payload_off"}.get(word)
    return [_send(address, "command", _pl(address, pl) if pl else word)]


def _enc_brightness(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    pct = _param_num(cmd, "brightness", 0, 100)
    scale = (address.get("settings") or {}).get("brightness_scale", 255.0)
    raw = round(pct * scale / 100)
    if _is_json_light(address):
        return [command(_need(address, "command"), {"state": "ON" if raw else "OFF", "brightness": raw})]
    return [_send(address, "brightness_command", str(raw))]


def _rgb(cmd: Command) -> list[int]:
    v = cmd.params.get("rgb")
    if not isinstance(v, list) or len(v) != 3 or not all(
        isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in v
    ):
        raise AdapterError("set_color needs rgb as three integers 0-255")
    return list(v)


def _enc_color(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    r, g, b = _rgb(cmd)
    if _is_json_light(address):
        return [command(_need(address, "command"), {"state": "ON", "color": {"r": r, "g": g, "b": b}})]
    return [_send(address, "rgb_command", f"{r},{g},{b}", {"red": r, "green": g, "blue": b})]


def _enc_color_temp(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    k = _param_num(cmd, "kelvin", 1000, 20000)
    kelvin = bool((address.get("settings") or {}).get("color_temp_kelvin"))
    value = round(k) if kelvin else round(1_000_000 / k)
    if _is_json_light(address):
        return [command(_need(address, "command"), {"state": "ON", "color_temp": value})]
    return [_send(address, "color_temp_command", str(value))]


def _enc_temperature(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    s = address.get("settings") or {}
    t = _param_num(cmd, "temperature", s.get("min_temp"), s.get("max_temp"))
    return [_send(address, "temperature_command", str(t))]


def _enc_hvac(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    mode = cmd.params.get("mode")
    modes = (address.get("settings") or {}).get("modes")
    if not isinstance(mode, str) or (modes and mode not in modes):
        raise AdapterError(f"hvac mode {short(mode)} is not one of {modes}")
    return [_send(address, "mode_command", mode)]


def _enc_cover(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action == "set_position":
        pct = _param_num(cmd, "position", 0, 100)
        s = address.get("settings") or {}
        lo, hi = s.get("position_closed", 0.0), s.get("position_open", 100.0)
        raw = round(lo + (hi - lo) * pct / 100)
        return [_send(address, "set_position", str(raw), {"position": raw})]
    pl = {"open": "payload_open", "close": "payload_close", "stop": "payload_stop"}.get(cmd.action)
    if pl is None:
        raise AdapterError(f"cover has no action {cmd.action!r}")
    return [command(_need(address, "command"), _pl(address, pl))]


def _enc_payload(table: Mapping[str, str]) -> Callable[[Command, Mapping[str, Any]], list[Any]]:
    def enc(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
        pl = table.get(cmd.action)
        if pl is None:
            raise AdapterError(f"no action {cmd.action!r} (known: {', '.join(table)})")
        return [_send(address, "command", _pl(address, pl))]

    return enc


def _enc_vacuum(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "clean_rooms":
        return [command(_need(address, "command"), _pl(address, {
            "start": "payload_start", "stop": "payload_stop", "pause": "payload_pause",
            "dock": "payload_return_to_base"}.get(cmd.action) or _unknown(cmd)))]
    segs = cmd.params.get("segments")
    if not isinstance(segs, list) or not segs or not all(isinstance(x, (str, int)) for x in segs):
        raise AdapterError("clean_rooms needs a non-empty list of segments")
    topics = address.get("topics") or {}
    if "clean_segments_command" in topics:
        tpl = (address.get("templates") or {}).get("clean_segments_command")
        if tpl:
            return [_send(address, "clean_segments_command", segs)]
        return [command(topics["clean_segments_command"], {"segment_ids": [str(x) for x in segs]})]
    return [command(_need(address, "send_command"), {"command": "app_segment_clean", "params": segs})]


def _unknown(cmd: Command) -> str:
    raise AdapterError(f"{cmd.capability} has no action {cmd.action!r}")


def _message(cmd: Command) -> str:
    m = cmd.params.get("message")
    if not isinstance(m, str) or not m:
        raise AdapterError(f"{cmd.action} needs a message")
    return m


def _enc_notify(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action not in ("notify", "announce"):
        _unknown(cmd)
    title = cmd.params.get("title")
    return [_send(address, "command", _message(cmd), {"title": title if isinstance(title, str) else ""})]


def _enc_attribute(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "set_attribute":
        _unknown(cmd)
    name = cmd.params.get("attribute")
    entry = (address.get("attributes") or {}).get(name) if isinstance(name, str) else None
    if not entry or not entry.get("command_topic"):
        raise AdapterError(f"device has no settable attribute {short(name)}")
    v = cmd.params.get("value")
    if entry.get("type") == "number":
        if not is_finite_number(v):
            raise AdapterError(f"{name} needs a number")
        text: Any = _num_text(float(v))
    else:
        if not isinstance(v, str) or (entry.get("options") and v not in entry["options"]):
            raise AdapterError(f"{name} must be one of {entry.get('options')}")
        text = v
    topic = str(entry["command_topic"])
    tpl = entry.get("command_template")
    if tpl:
        try:
            text = render_template(tpl, {"value": v})
        except TemplateFailure as e:
            raise AdapterError(f"{name} command template failed: {e}") from None
    return [command(topic, text)]


ENCODERS: Final[dict[str, Callable[[Command, Mapping[str, Any]], list[Any]]]] = {
    "on_off": _enc_on_off, "brightness": _enc_brightness, "color": _enc_color, "color_temp": _enc_color_temp,
    "temperature_setpoint": _enc_temperature, "hvac_mode": _enc_hvac, "cover_position": _enc_cover,
    "lock": _enc_payload({"lock": "payload_lock", "unlock": "payload_unlock"}),
    "garage": _enc_payload({"open": "payload_open", "close": "payload_close"}),
    "vacuum": _enc_vacuum, "button": _enc_payload({"press": "payload_press"}),
    "notify": _enc_notify, "tts": _enc_notify, "attributes": _enc_attribute,
}
