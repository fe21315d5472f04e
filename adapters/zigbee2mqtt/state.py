"""A discovered device's own topics: ``zigbee2mqtt/<friendly_name>`` (JSON state) and
``zigbee2mqtt/<friendly_name>/availability`` -> observations, press events and availability."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from fusehub.adapters._util import BadInput, is_finite_number, never_raises, short, slug
from fusehub.adapters.zigbee2mqtt.colour import color_to_rgb
from fusehub.adapters.zigbee2mqtt.common import MAX_PROPS, MAX_TEXT, NAME, PREFIX, load_payload, number, state_word
from fusehub.events import Availability, Observation, Parsed, Rejected

__all__ = ["parse_device"]

def _convert(entry: Mapping[str, Any], v: Any) -> Any:
    """A Z2M property value as the hub attribute value; ValueError when it does not fit."""
    t = entry.get("type")
    if t == "binary":
        if v == entry.get("on"):
            return True
        if v == entry.get("off"):
            return False
        raise ValueError(f"{short(v)} is neither {short(entry.get('on'))} nor {short(entry.get('off'))}")
    if t == "contact":
        if not isinstance(v, bool):
            raise ValueError("contact must be true or false")
        return not v
    if t == "brightness":
        if not is_finite_number(v):
            raise ValueError("brightness must be a number")
        scale = float(entry.get("scale") or 254)
        return max(0, min(100, round(float(v) * 100 / scale)))
    if t == "mired":
        if not is_finite_number(v) or v <= 0:
            raise ValueError("color_temp must be a positive number of mireds")
        return round(1_000_000 / float(v))
    if t == "color":
        return color_to_rgb(v)
    if t == "numeric":
        if not is_finite_number(v):
            raise ValueError("a number is expected")
        return number(v)
    if t == "enum" or t == "text":
        if not isinstance(v, str) or len(v) > MAX_TEXT:
            raise ValueError("a string is expected")
        return v
    raise ValueError(f"unknown property type {short(t)}")



def _passable(v: Any) -> bool:
    """An unmapped property worth keeping: a scalar, a bounded string, a finite number."""
    if isinstance(v, str):
        return len(v) <= MAX_TEXT
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, int | bool)


def _parse_state(key: str, address: Mapping[str, Any], payload: bytes) -> list[Parsed]:
    data = load_payload(payload)
    if not isinstance(data, dict):
        raise BadInput(f"device state must be a JSON object, got {type(data).__name__}")
    if len(data) > MAX_PROPS:
        raise BadInput(f"device state has more than {MAX_PROPS} properties")
    props: Mapping[str, Any] = address.get("props") or {}
    roles: Mapping[str, Any] = address.get("roles") or {}
    attrs: dict[str, Any] = {}
    problems: list[str] = []
    out: list[Parsed] = []
    for prop, v in data.items():
        entry = props.get(prop)
        if prop == "action" or (entry is not None and entry.get("type") == "action"):
            if isinstance(v, str) and v:
                if len(v) > MAX_TEXT:
                    problems.append(f"{short(prop)}: too long")
                else:
                    out.append(Observation(device=key, event="press", data={"action": v}))
            continue
        if v is None:
            continue
        if entry is None:
            if _passable(v):
                attrs[slug(prop)] = v
            continue
        try:
            value = _convert(entry, v)
        except ValueError as e:
            problems.append(f"{short(prop, 40)}: {e}")
            continue
        if entry.get("attr"):
            attrs[str(entry["attr"])] = value
        if roles.get("measurement") == prop:
            attrs["value"] = value
    result: list[Parsed] = []
    if attrs:
        result.append(Observation(device=key, attributes=attrs))
    result += out
    if problems:
        result.append(Rejected(reason=f"{NAME}: {short(key, 80)}: bad properties: {'; '.join(problems[:3])}"))
    return result


def _parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    base, fn = address.get("base", PREFIX), address.get("friendly_name")
    if topic == f"{base}/{fn}/availability":
        return [Availability(device=key, online=state_word(payload) == "online")]
    if topic == f"{base}/{fn}":
        return _parse_state(key, address, payload)
    raise BadInput("not one of this device's topics")


def parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    """Read a message on a discovered device's state or availability topic; never raises."""
    return never_raises(NAME, lambda t, p: _parse_device(key, address, t, p))(topic, payload)

