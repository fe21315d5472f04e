"""Messages on a discovered device's own topics (state, attribute and availability topics) -> observations.

The device's ``address`` (from :mod:`.discovery`) says which role each topic plays, which template
renders it and which payloads mean what; :func:`parse_device` reads one message with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fusehub.adapters._util import (
    NO_JSON,
    BadInput,
    TemplateFailure,
    decode_text,
    is_finite_number,
    maybe_json,
    never_raises,
    render_template,
    short,
)
from fusehub.adapters.homeassistant.schema import BINARY_CLASSES, NAME, READ_ROLES
from fusehub.events import Availability, Observation, Parsed

__all__ = ["parse_device", "scale_percent"]

_SIMPLE_TEMPLATE = re.compile(r"^\{\{\s*value_json((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\}$")


def _render(template: str | None, text: str) -> str:
    if template is None:
        return text
    vj = maybe_json(text)
    fast = _SIMPLE_TEMPLATE.match(template)
    if fast is not None and isinstance(vj, dict):
        # `{{ value_json.a.b }}` (the common case) without Jinja; same text as Jinja renders for scalars.
        cur: Any = vj
        for part in fast.group(1).split(".")[1:]:
            cur = cur.get(part) if isinstance(cur, dict) else None
        if isinstance(cur, str | int | float) and not isinstance(cur, bool):
            return str(cur).strip()
    variables: dict[str, Any] = {"value": text}
    if vj is not NO_JSON:
        variables["value_json"] = vj
    try:
        return render_template(template, variables).strip()
    except TemplateFailure as e:
        raise BadInput(str(e)) from None


def _float(s: str, what: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise BadInput(f"{what} {short(s)} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise BadInput(f"{what} is not finite")
    return v


def scale_percent(raw: float, scale: float) -> int:
    """A raw level on a 0..scale range as a percentage, clamped to 0..100."""
    return max(0, min(100, round(raw * 100 / scale)))


def _kelvin(v: float, kelvin: bool) -> int:
    if kelvin:
        return round(v)
    if v <= 0:
        raise BadInput("color temperature must be positive")
    return round(1_000_000 / v)


def _json_light(text: str, s: Mapping[str, Any], out: dict[str, Any], payloads: Mapping[str, str]) -> None:
    obj = maybe_json(text)
    if not isinstance(obj, dict):
        raise BadInput("JSON light state must be a JSON object")
    st = obj.get("state")
    if st is not None:
        if st not in ("ON", "OFF"):
            raise BadInput(f"light state {short(st)} is neither ON nor OFF")
        out["on"] = st == "ON"
    b = obj.get("brightness")
    if b is not None:
        if not is_finite_number(b):
            raise BadInput("brightness must be a number")
        out["brightness"] = scale_percent(float(b), s.get("brightness_scale", 255.0))
    col = obj.get("color")
    if isinstance(col, dict) and all(isinstance(col.get(c), int) and not isinstance(col.get(c), bool)
                                     for c in "rgb"):
        out["rgb"] = [max(0, min(255, col[c])) for c in "rgb"]
    ct = obj.get("color_temp")
    if ct is not None:
        if not is_finite_number(ct):
            raise BadInput("color_temp must be a number")
        out["color_temp"] = _kelvin(float(ct), bool(s.get("color_temp_kelvin")))


def _read_state(address: Mapping[str, Any], text: str, out: dict[str, Any]) -> None:
    p, s = address.get("platform"), address.get("settings") or {}
    payloads: Mapping[str, str] = address.get("payloads") or {}
    v = _render((address.get("templates") or {}).get("state"), text)
    if v == "" or v == "None":
        return
    if p == "light" and address.get("schema") == "json":
        _json_light(v, s, out, payloads)
    elif p in ("light", "switch", "fan", "humidifier"):
        if v not in (payloads["state_on"], payloads["state_off"]):
            raise BadInput(f"state {short(v)} is neither {payloads['state_on']} nor {payloads['state_off']}")
        out["on"] = v == payloads["state_on"]
    elif p == "lock":
        if v == payloads["state_locked"]:
            out["locked"] = True
        elif v == payloads["state_unlocked"]:
            out["locked"] = False
        elif v not in (payloads["state_locking"], payloads["state_unlocking"], payloads["state_jammed"]):
            raise BadInput(f"lock state {short(v)} is not a known lock state")
    elif p == "cover":
        names = {payloads[f"state_{n}"]: n for n in ("open", "closed", "opening", "closing", "stopped")}
        if v not in names:
            raise BadInput(f"cover state {short(v)} is not a known cover state")
        n = names[v]
        if address.get("device_class") == "garage":
            if n != "stopped":
                out["open_state"] = n
        elif "position" not in (address.get("topics") or {}) and n in ("open", "closed"):
            out["position"] = 100 if n == "open" else 0
    elif p == "vacuum":
        obj = maybe_json(v)
        if isinstance(obj, dict):
            if isinstance(obj.get("state"), str):
                out["status"] = obj["state"]
            bl = obj.get("battery_level")
            if is_finite_number(bl):
                out["battery"] = bl
        else:
            out["status"] = v
    elif p == "binary_sensor":
        if v not in (payloads["payload_on"], payloads["payload_off"]):
            raise BadInput(f"state {short(v)} is neither {payloads['payload_on']} nor {payloads['payload_off']}")
        _, attr = BINARY_CLASSES.get(address.get("device_class") or "", ("sensor", "value"))
        out[attr] = v == payloads["payload_on"]
    elif p == "sensor":
        try:
            out["value"] = _float(v, "value")
        except BadInput:
            out["value"] = v[:200]
        if s.get("unit"):
            out["unit"] = s["unit"]


def _read_role(address: Mapping[str, Any], role: str, text: str, out: dict[str, Any]) -> None:
    if role == "state":
        _read_state(address, text, out)
        return
    s = address.get("settings") or {}
    v = _render((address.get("templates") or {}).get(role), text)
    if v == "" or v == "None":
        return
    if role == "brightness_state":
        out["brightness"] = scale_percent(_float(v, "brightness"), s.get("brightness_scale", 255.0))
    elif role == "rgb_state":
        parts = v.split(",")
        try:
            rgb = [int(x) for x in parts]
        except ValueError:
            rgb = []
        if len(rgb) != 3 or not all(0 <= c <= 255 for c in rgb):
            raise BadInput(f"rgb {short(v)} is not 'r,g,b'")
        out["rgb"] = rgb
    elif role == "color_temp_state":
        out["color_temp"] = _kelvin(_float(v, "color_temp"), bool(s.get("color_temp_kelvin")))
    elif role == "position":
        lo, hi = s.get("position_closed", 0.0), s.get("position_open", 100.0)
        if hi == lo:
            raise BadInput("position_open equals position_closed")
        out["position"] = max(0, min(100, round((_float(v, "position") - lo) * 100 / (hi - lo))))
    elif role == "temperature_state":
        out["target_temperature"] = _float(v, "temperature")
    elif role == "current_temperature":
        out["current_temperature"] = _float(v, "current temperature")
    elif role == "mode_state":
        out["hvac_mode"] = v[:40]
    elif role == "json_attributes" and address.get("platform") == "device_tracker":
        obj = maybe_json(v)
        if not isinstance(obj, dict):
            raise BadInput("json attributes must be a JSON object")
        for src, dst in (("latitude", "latitude"), ("longitude", "longitude"), ("gps_accuracy", "accuracy")):
            x = obj.get(src)
            if is_finite_number(x):
                out[dst] = x


def _parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    text = decode_text(payload)
    out: dict[str, Any] = {}
    for role, t in (address.get("topics") or {}).items():
        if t == topic and role in READ_ROLES:
            _read_role(address, role, text, out)
    for name, e in (address.get("attributes") or {}).items():
        if e.get("state_topic") == topic:
            v = _render(e.get("value_template"), text)
            if v in ("", "None"):
                continue
            if e.get("type") == "number":
                out[name] = _float(v, name)
            else:
                if e.get("options") and v not in e["options"]:
                    raise BadInput(f"{name} {short(v)} is not one of its options")
                out[name] = v
    result: list[Parsed] = []
    if out:
        result.append(Observation(device=key, attributes=out))
    for a in address.get("availability") or []:
        if a.get("topic") == topic:
            v = _render(a.get("template"), text)
            if v == a.get("payload_available"):
                result.append(Availability(device=key, online=True))
            elif v == a.get("payload_not_available"):
                result.append(Availability(device=key, online=False))
            break
    return result


def parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    """Interpret a message on one of a discovered device's topics; never raises (bad input -> Rejected)."""
    return never_raises(NAME, lambda t, p: _parse_device(key, address, t, p))(topic, payload)
