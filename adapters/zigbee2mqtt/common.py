"""Shared by the Zigbee2MQTT modules: the base topic, limits, device keys and the small payload checks."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Final, TypeGuard

from fusehub.adapters._util import BadInput, decode_text, maybe_json, short

__all__ = [
    "IEEE_RE",
    "MAX_DEVICES",
    "MAX_DEVICES_PAYLOAD",
    "MAX_NAME",
    "MAX_PROPS",
    "MAX_TEXT",
    "MEASUREMENTS",
    "NAME",
    "PREFIX",
    "decl_ieee",
    "declared_key",
    "device_key",
    "load_payload",
    "number",
    "state_word",
    "valid_name",
]

NAME: Final = "zigbee2mqtt"
PREFIX: Final = "zigbee2mqtt"
MAX_DEVICES_PAYLOAD: Final = 16 * 1024 * 1024
"""bridge/devices carries every definition (several KB per device): it gets a larger limit than state."""
MAX_DEVICES: Final = 2000
MAX_NAME: Final = 200
MAX_PROPS: Final = 200
MAX_TEXT: Final = 500

IEEE_RE: Final = re.compile(r"^0x[0-9a-fA-F]{16}$")
MEASUREMENTS: Final = (
    "temperature", "humidity", "illuminance", "illuminance_lux", "co2", "pressure", "pm25", "voc", "power",
    "energy", "soil_moisture",
)


def number(v: float) -> int | float:
    """An integral float as an int (21.0 -> 21), anything else unchanged."""
    return int(v) if float(v).is_integer() else v


def valid_name(name: Any) -> TypeGuard[str]:
    """A usable friendly_name: 1-MAX_NAME characters, no wildcards, NUL or empty topic levels."""
    return (
        isinstance(name, str) and 0 < len(name) <= MAX_NAME and not any(c in name for c in "+#\x00")
        and not name.startswith("/") and not name.endswith("/") and "//" not in name
    )


def load_payload(payload: bytes, limit: int | None = None) -> Any:
    """The payload as strict JSON; `limit` replaces the usual payload size limit (bridge/devices is large)."""
    if limit is not None and len(payload) > limit:
        raise BadInput(f"payload too large ({len(payload)} bytes > {limit})")
    if limit is not None:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadInput(f"payload is not valid UTF-8 (byte {e.start})") from None
    else:
        text = decode_text(payload)
    if not text.strip():
        raise BadInput("payload is empty, JSON expected")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise BadInput("payload is nested too deeply") from None
    except ValueError as e:
        raise BadInput(f"payload is not valid JSON: {e}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def state_word(payload: bytes) -> str:
    """'online'/'offline' from {"state": ...} or the legacy plain text."""
    text = decode_text(payload).strip()
    obj = maybe_json(text)
    if isinstance(obj, dict):
        v = obj.get("state")
    elif isinstance(obj, str):
        v = obj
    else:
        v = text
    if v not in ("online", "offline"):
        raise BadInput(f"availability must be online or offline, got {short(v)}")
    return str(v)



def device_key(ieee: str) -> str:
    """The hub key of a Zigbee device: 'zigbee2mqtt:<ieee_address>'."""
    return f"{NAME}:{ieee}"


def decl_ieee(device_id: str, ids: Mapping[str, str]) -> str:
    """A declared device's IEEE address: ids.ieee_address (or ids.ieee), else one derived from its id."""
    for k in ("ieee_address", "ieee"):
        if isinstance(ids.get(k), str) and IEEE_RE.match(ids[k]):
            return ids[k].lower()
    return "0x" + hashlib.sha256(device_id.encode("utf-8")).hexdigest()[:16]


def declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    """'zigbee2mqtt:<ids.ieee_address>' (or ids.key); without one, a stable address derived from the id."""
    if ids.get("key"):
        return f"{NAME}:{ids['key']}"
    return device_key(decl_ieee(device_id, ids))

