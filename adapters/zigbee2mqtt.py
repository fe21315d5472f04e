"""Zigbee2MQTT: discovery from ``bridge/devices`` exposes, device state and availability, JSON ``/set`` commands.

Conventions (Koenkk/zigbee2mqtt.io ``docs/guide/usage/mqtt_topics_and_messages.md`` and
``docs/guide/usage/exposes.md``; base topic ``zigbee2mqtt``):

- ``zigbee2mqtt/bridge/devices`` (retained JSON array): one entry per device with ``ieee_address``,
  ``friendly_name``, ``type``, ``definition.{model,vendor,description,exposes}``. Each entry with a
  definition becomes a :class:`Discovered` (the coordinator and not yet interviewed or unsupported devices,
  which have no definition, are skipped). A bad entry is rejected on its own; the others still count.
- ``zigbee2mqtt/bridge/state``: ``{"state":"online"|"offline"}`` (legacy: plain text) -> Availability of
  ``zigbee2mqtt:*`` (every device of the bridge).
- ``zigbee2mqtt/bridge/event``: ``device_leave`` -> Removed; other events (joined, interview) -> nothing,
  the following ``bridge/devices`` carries the device.
- ``zigbee2mqtt/<friendly_name>`` (JSON state) and ``zigbee2mqtt/<friendly_name>/availability``
  (``{"state":"online"}``, legacy plain ``online``) are the device's own topics: discovery lists them in
  ``address["subscribe"]`` and :func:`parse_device` reads them. Friendly names may contain ``/``
  (``kitchen/floor_light``); the topics are matched exactly, so that is no problem.
- Commands: JSON to ``zigbee2mqtt/<friendly_name>/set``.

Mapping (documented choices):

- Device key ``zigbee2mqtt:<ieee_address>``; name = friendly_name; room = the first level of a friendly
  name with ``/`` (the docs' ``kitchen/floor_light`` habit; the graph ignores it when no such room exists).
- Specific exposes: ``light`` (state -> ``on``; brightness 0..value_max -> percent; ``color_xy`` /
  ``color_hs`` -> ``rgb``; color_temp mireds -> kelvin), ``switch`` (kind ``plug`` when the definition
  says plug/socket/outlet), ``lock`` (state LOCK/UNLOCK -> ``locked``), ``cover`` (position), ``climate``
  (occupied_heating_setpoint or current_heating_setpoint -> ``target_temperature``, local_temperature ->
  ``current_temperature``, system_mode -> ``hvac_mode``). Only the first of each is used for the
  capability; further endpoints (``state_l2``) become attributes.
- Generic exposes: ``occupancy``/``presence`` -> ``motion`` when the definition says motion (Z2M reports PIR
  sensors as occupancy), else ``occupancy``; ``contact`` -> ``contact_open`` (Z2M ``contact: true`` means
  closed); ``action`` -> event ``press`` with ``{"action": value}`` (the device gets no ``button``
  capability: that capability means the hub can press it); numeric temperature/humidity/illuminance/... ->
  attributes of the same name, and a pure sensor also gets ``measurement`` (``value`` = its main reading);
  any other property -> an attribute of the same (slugged) name, declared (number/enum/bool/text) when
  settable.
- Unknown scalar properties in a state message are passed through under their slugged name; nested
  objects other than ``color`` are ignored.

Address keys: ``friendly_name``, ``base``, ``subscribe``, ``ieee_address``, ``props`` ({z2m property:
{attr, type, on, off, toggle, scale, min, max, step, values, access}}) and ``roles`` ({on_off, brightness,
color, color_temp, lock, cover_state, position, setpoint, hvac_mode, measurement: z2m property}).

The simulator announces each virtual device with a one-entry ``bridge/devices`` (not retained, so one
device's announcement does not replace another's retained list) and a retained availability.
"""

from __future__ import annotations

import colorsys
import hashlib
import json
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
    maybe_json,
    never_raises,
    short,
    slug,
)
from fusehub.errors import AdapterError
from fusehub.events import (
    Availability,
    Command,
    DeviceSpec,
    Discovered,
    Observation,
    Outbound,
    Parsed,
    Rejected,
    Removed,
)

__all__ = ["PREFIX", "SPEC", "parse_device", "rgb_to_xy", "xy_to_rgb"]

NAME: Final = "zigbee2mqtt"
PREFIX: Final = "zigbee2mqtt"
MAX_DEVICES_PAYLOAD: Final = 16 * 1024 * 1024
"""bridge/devices carries every definition (several KB per device): it gets a larger limit than state."""
MAX_DEVICES: Final = 2000
MAX_NAME: Final = 200
MAX_PROPS: Final = 200
MAX_TEXT: Final = 500

_IEEE_RE: Final = re.compile(r"^0x[0-9a-fA-F]{16}$")
_PLUG_WORDS: Final = ("plug", "socket", "outlet")
_MEASUREMENTS: Final = (
    "temperature", "humidity", "illuminance", "illuminance_lux", "co2", "pressure", "pm25", "voc", "power",
    "energy", "soil_moisture",
)
_CONTAINERS: Final = ("light", "switch", "lock", "cover", "climate", "fan")
_KIND_ORDER: Final = ("light", "lock", "cover", "climate", "switch")

# ---------------------------------------------------------------------------------------------
# Colour conversion (sRGB D65; the same formulas Z2M and Hue use)
# ---------------------------------------------------------------------------------------------


def _lin(v: float) -> float:
    return ((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92


def _gam(v: float) -> float:
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def rgb_to_xy(r: int, g: int, b: int) -> tuple[float, float]:
    """CIE 1931 xy of an sRGB colour (black gives the D65 white point)."""
    rl, gl, bl = (_lin(c / 255) for c in (r, g, b))
    x = rl * 0.4124 + gl * 0.3576 + bl * 0.1805
    y = rl * 0.2126 + gl * 0.7152 + bl * 0.0722
    z = rl * 0.0193 + gl * 0.1192 + bl * 0.9505
    s = x + y + z
    if s <= 0:
        return 0.3127, 0.329
    return round(x / s, 4), round(y / s, 4)


def xy_to_rgb(x: float, y: float) -> list[int]:
    """sRGB (full brightness: the largest component is 255) of a CIE xy colour."""
    if not (0 <= x <= 1 and 0 < y <= 1):
        raise ValueError("xy outside 0..1")
    big_x, big_y, big_z = x / y, 1.0, (1 - x - y) / y
    lin = [
        3.2406 * big_x - 1.5372 * big_y - 0.4986 * big_z,
        -0.9689 * big_x + 1.8758 * big_y + 0.0415 * big_z,
        0.0557 * big_x - 0.2040 * big_y + 1.0570 * big_z,
    ]
    lin = [max(0.0, c) for c in lin]
    top = max(lin) or 1.0
    return [round(_gam(c / top) * 255) for c in lin]


# ---------------------------------------------------------------------------------------------
# Small checks
# ---------------------------------------------------------------------------------------------



def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def _valid_name(name: Any) -> bool:
    return (
        isinstance(name, str) and 0 < len(name) <= MAX_NAME and not any(c in name for c in "+#\x00")
        and not name.startswith("/") and not name.endswith("/") and "//" not in name
    )


def _load(payload: bytes, limit: int | None = None) -> Any:
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


def _state_word(payload: bytes) -> str:
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


# ---------------------------------------------------------------------------------------------
# Discovery: bridge/devices exposes -> DeviceSpec
# ---------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, definition: Mapping[str, Any]) -> None:
        text = " ".join(str(definition.get(k) or "") for k in ("description", "model")).lower()
        self.motion = "motion" in text
        self.plug = any(w in text for w in _PLUG_WORDS)
        self.props: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, str] = {}
        self.caps: list[str] = []
        self.containers: list[str] = []
        self.attributes: dict[str, dict[str, Any]] = {}
        self.generic_kinds: list[str] = []

    def cap(self, name: str) -> None:
        if name not in self.caps:
            self.caps.append(name)

    def role(self, role: str, prop: str, entry: dict[str, Any], cap: str | None) -> bool:
        if role in self.roles:
            return False
        self.roles[role] = prop
        self.props[prop] = entry
        if cap:
            self.cap(cap)
        return True

    def expose(self, e: Any, depth: int = 0) -> None:
        if not isinstance(e, Mapping) or depth > 3:
            return
        t = e.get("type")
        if t in _CONTAINERS and isinstance(e.get("features"), list):
            if t not in self.containers:
                self.containers.append(str(t))
            for f in e["features"][:MAX_PROPS]:
                if isinstance(f, Mapping):
                    self.feature(str(t), f)
            return
        self.generic(e)

    def feature(self, parent: str, f: Mapping[str, Any]) -> None:
        prop, name, t = f.get("property"), f.get("name"), f.get("type")
        if not isinstance(prop, str) or not prop:
            return
        if parent in ("light", "switch") and name == "state" and t == "binary":
            if self.role("on_off", prop, _binary("on", f), "on_off"):
                return
        elif parent == "light" and name == "brightness" and t == "numeric":
            scale = f.get("value_max") if is_finite_number(f.get("value_max")) and f["value_max"] > 0 else 254
            if self.role("brightness", prop, {"attr": "brightness", "type": "brightness", "scale": scale},
                         "brightness"):
                return
        elif parent == "light" and name == "color_temp" and t == "numeric":
            entry = {"attr": "color_temp", "type": "mired", **_range(f)}
            if self.role("color_temp", prop, entry, "color_temp"):
                return
        elif parent == "light" and name in ("color_xy", "color_hs") and t == "composite":
            if self.role("color", prop, {"attr": "rgb", "type": "color"}, "color"):
                return
        elif parent == "lock" and name == "state" and t == "binary":
            if self.role("lock", prop, _binary("locked", f), "lock"):
                return
        elif parent == "cover" and name == "state":
            values = f.get("values") if isinstance(f.get("values"), list) else ["OPEN", "CLOSE", "STOP"]
            if self.role("cover_state", prop, {"attr": "cover_state", "type": "enum", "values": values}, None):
                return
        elif parent == "cover" and name == "position" and t == "numeric":
            if self.role("position", prop, {"attr": "position", "type": "numeric", **_range(f)}, "cover_position"):
                return
        elif parent == "climate" and name in ("occupied_heating_setpoint", "current_heating_setpoint"):
            entry = {"attr": "target_temperature", "type": "numeric", **_range(f)}
            if self.role("setpoint", prop, entry, "temperature_setpoint"):
                return
        elif parent == "climate" and name == "local_temperature":
            self.props[prop] = {"attr": "current_temperature", "type": "numeric"}
            return
        elif parent == "climate" and name == "system_mode" and t == "enum":
            values = [v for v in f.get("values") or [] if isinstance(v, str)]
            if self.role("hvac_mode", prop, {"attr": "hvac_mode", "type": "enum", "values": values}, "hvac_mode"):
                return
        self.generic(f)

    def generic(self, e: Mapping[str, Any]) -> None:
        prop, t = e.get("property"), e.get("type")
        if not isinstance(prop, str) or not prop or prop in self.props:
            return
        name = e.get("name") if isinstance(e.get("name"), str) else prop
        if name in ("occupancy", "presence") and t == "binary":
            attr = "motion" if self.motion else "occupancy"
            self.role(attr, prop, _binary(attr, e), attr)
            self.generic_kinds.append(attr)
            return
        if name == "contact" and t == "binary":
            self.role("contact", prop, {"attr": "contact_open", "type": "contact"}, "contact")
            self.generic_kinds.append("contact")
            return
        if name == "action" and t in ("enum", "text"):
            self.props[prop] = {"attr": None, "type": "action"}
            self.generic_kinds.append("button")
            return
        attr = slug(prop)
        access: int = e["access"] if isinstance(e.get("access"), int) else 1
        if t == "numeric":
            entry: dict[str, Any] = {"attr": attr, "type": "numeric", **_range(e)}
            if isinstance(e.get("unit"), str):
                entry["unit"] = e["unit"]
            if name in _MEASUREMENTS and "measurement" not in self.roles:
                self.roles["measurement"] = prop
        elif t == "binary":
            entry = _binary(attr, e)
        elif t == "enum":
            entry = {"attr": attr, "type": "enum", "values": [v for v in e.get("values") or [] if isinstance(v, str)]}
        elif t == "text":
            entry = {"attr": attr, "type": "text"}
        else:
            return  # composites and lists outside lights: not mapped
        entry["access"] = access
        self.props[prop] = entry
        if access & 2:
            self.attributes[attr] = _declare(entry)

    def kind(self) -> str:
        for k in _KIND_ORDER:
            if k in self.containers and (k != "switch" or "on_off" in self.caps):
                return "plug" if k == "switch" and self.plug else k
        for k in ("contact", "motion", "occupancy", "button"):
            if k in self.generic_kinds:
                return k
        if "measurement" in self.roles:
            return "sensor"
        return "generic"


def _binary(attr: str, f: Mapping[str, Any]) -> dict[str, Any]:
    on = f.get("value_on", True)
    off = f.get("value_off", False)
    entry: dict[str, Any] = {"attr": attr, "type": "binary", "on": on, "off": off}
    if "value_toggle" in f:
        entry["toggle"] = f["value_toggle"]
    return entry


def _range(f: Mapping[str, Any]) -> dict[str, Any]:
    return {k: f[src] for k, src in (("min", "value_min"), ("max", "value_max"), ("step", "value_step"))
            if is_finite_number(f.get(src))}


def _declare(entry: Mapping[str, Any]) -> dict[str, Any]:
    t = entry["type"]
    if t == "numeric":
        d: dict[str, Any] = {"type": "number" if "min" in entry and "max" in entry else "text"}
        if d["type"] == "number":
            d.update({k: entry[k] for k in ("min", "max", "step") if k in entry})
            if "unit" in entry:
                d["unit"] = entry["unit"]
        return d
    if t == "enum":
        return {"type": "enum", "options": list(entry["values"])}
    if t == "binary":
        return {"type": "bool"}
    return {"type": "text"}


def device_key(ieee: str) -> str:
    return f"{NAME}:{ieee}"


def _entry_spec(e: Any) -> DeviceSpec | None:
    if not isinstance(e, Mapping):
        raise BadInput(f"a device entry must be an object, got {type(e).__name__}")
    ieee, fn = e.get("ieee_address"), e.get("friendly_name")
    if not isinstance(ieee, str) or not _IEEE_RE.match(ieee):
        raise BadInput(f"ieee_address {short(ieee)} is not 0x + 16 hex digits")
    if not _valid_name(fn):
        raise BadInput(f"friendly_name {short(fn)} must be 1-{MAX_NAME} characters without wildcards or empty levels")
    assert isinstance(fn, str)
    definition = e.get("definition")
    if e.get("type") == "Coordinator" or definition is None or e.get("disabled") is True:
        return None  # the coordinator, unsupported or not yet interviewed devices: nothing to control
    if not isinstance(definition, Mapping):
        raise BadInput("definition must be an object")
    exposes = definition.get("exposes")
    if not isinstance(exposes, list):
        raise BadInput("definition.exposes must be a list")
    b = _Builder(definition)
    for x in exposes[:MAX_PROPS]:
        b.expose(x)
    kind = b.kind()
    caps = list(b.caps)
    if kind != "sensor" and "measurement" in caps:
        caps.remove("measurement")
    if kind == "sensor":
        caps.append("measurement")
    else:
        b.roles.pop("measurement", None)
    if b.attributes:
        caps.append("attributes")
    base = PREFIX
    address: dict[str, Any] = {
        "friendly_name": fn, "base": base, "ieee_address": ieee.lower(),
        "subscribe": [f"{base}/{fn}", f"{base}/{fn}/availability"],
        "props": b.props, "roles": b.roles,
    }
    vendor, model = definition.get("vendor"), definition.get("model")
    return DeviceSpec(
        key=device_key(ieee.lower()), name=fn, kind=kind, room=fn.split("/", 1)[0] if "/" in fn else None,
        capabilities=caps, attributes=b.attributes, address=address,
        manufacturer=vendor[:MAX_NAME] if isinstance(vendor, str) else None,
        model=model[:MAX_NAME] if isinstance(model, str) else None,
    )


def _parse_devices(topic: str, payload: bytes) -> list[Parsed]:
    data = _load(payload, MAX_DEVICES_PAYLOAD)
    if not isinstance(data, list):
        raise BadInput(f"bridge/devices must be a JSON array, got {type(data).__name__}")
    if len(data) > MAX_DEVICES:
        raise BadInput(f"bridge/devices lists more than {MAX_DEVICES} devices")
    out: list[Parsed] = []
    for i, e in enumerate(data):
        try:
            spec = _entry_spec(e)
        except BadInput as err:
            out.append(Rejected(reason=f"{NAME}: {topic}[{i}]: {err}"))
            continue
        if spec is not None:
            out.append(Discovered(spec=spec))
    return out


def _parse_bridge_state(topic: str, payload: bytes) -> list[Parsed]:
    return [Availability(device=f"{NAME}:*", online=_state_word(payload) == "online")]


def _parse_bridge_event(topic: str, payload: bytes) -> list[Parsed]:
    data = _load(payload)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise BadInput("a bridge event must be an object with a string 'type'")
    if data["type"] != "device_leave":
        return []
    d = data.get("data")
    ieee = d.get("ieee_address") if isinstance(d, dict) else None
    if not isinstance(ieee, str) or not _IEEE_RE.match(ieee):
        raise BadInput(f"device_leave without a valid ieee_address ({short(ieee)})")
    return [Removed(device=device_key(ieee.lower()))]


# ---------------------------------------------------------------------------------------------
# Device state
# ---------------------------------------------------------------------------------------------


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
        return _color(v)
    if t == "numeric":
        if not is_finite_number(v):
            raise ValueError("a number is expected")
        return _number(v)
    if t == "enum" or t == "text":
        if not isinstance(v, str) or len(v) > MAX_TEXT:
            raise ValueError("a string is expected")
        return v
    raise ValueError(f"unknown property type {short(t)}")


def _color(v: Any) -> list[int]:
    if not isinstance(v, Mapping):
        raise ValueError("color must be an object")
    if all(is_finite_number(v.get(c)) for c in "rgb"):
        return [max(0, min(255, round(v[c]))) for c in "rgb"]
    if is_finite_number(v.get("x")) and is_finite_number(v.get("y")):
        return xy_to_rgb(float(v["x"]), float(v["y"]))
    h = v.get("hue", v.get("h"))
    s = v.get("saturation", v.get("s"))
    if is_finite_number(h) and is_finite_number(s):
        r, g, b = colorsys.hsv_to_rgb((float(h) % 360) / 360, max(0.0, min(100.0, float(s))) / 100, 1.0)
        return [round(r * 255), round(g * 255), round(b * 255)]
    raise ValueError("color has neither x/y, hue/saturation nor r/g/b")


def _passable(v: Any) -> bool:
    """An unmapped property worth keeping: a scalar, a bounded string, a finite number."""
    if isinstance(v, str):
        return len(v) <= MAX_TEXT
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, int | bool)


def _parse_state(key: str, address: Mapping[str, Any], payload: bytes) -> list[Parsed]:
    data = _load(payload)
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
        return [Availability(device=key, online=_state_word(payload) == "online")]
    if topic == f"{base}/{fn}":
        return _parse_state(key, address, payload)
    raise BadInput("not one of this device's topics")


def parse_device(key: str, address: Mapping[str, Any], topic: str, payload: bytes) -> list[Parsed]:
    """Read a message on a discovered device's state or availability topic; never raises."""
    return never_raises(NAME, lambda t, p: _parse_device(key, address, t, p))(topic, payload)


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


def _set_topic(address: Mapping[str, Any]) -> str:
    fn = address.get("friendly_name")
    if not _valid_name(fn):
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
    return _send(address, {prop: _number(t)})


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
        value: Any = _number(_param_num(cmd, "value", e.get("min"), e.get("max")))
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

# ---------------------------------------------------------------------------------------------
# Declared keys and the simulated device
# ---------------------------------------------------------------------------------------------


def _decl_ieee(device_id: str, ids: Mapping[str, str]) -> str:
    for k in ("ieee_address", "ieee"):
        if isinstance(ids.get(k), str) and _IEEE_RE.match(ids[k]):
            return ids[k].lower()
    return "0x" + hashlib.sha256(device_id.encode("utf-8")).hexdigest()[:16]


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    """'zigbee2mqtt:<ids.ieee_address>' (or ids.key); without one, a stable address derived from the id."""
    if ids.get("key"):
        return f"{NAME}:{ids['key']}"
    return device_key(_decl_ieee(device_id, ids))


def _sim_fn(decl: Any) -> str:
    fn = decl.ids.get("friendly_name")
    if isinstance(fn, str) and fn:
        return fn
    return f"{decl.room}/{decl.id}" if decl.room else str(decl.id)


def _bin(name: str, on: Any = True, off: Any = False, access: int = 1, toggle: Any = None) -> dict[str, Any]:
    f = {"type": "binary", "name": name, "property": name, "access": access, "value_on": on, "value_off": off}
    if toggle is not None:
        f["value_toggle"] = toggle
    return f


def _numx(name: str, lo: float | None = None, hi: float | None = None, unit: str | None = None,
          access: int = 7, step: float | None = None) -> dict[str, Any]:
    f: dict[str, Any] = {"type": "numeric", "name": name, "property": name, "access": access}
    for k, v in (("value_min", lo), ("value_max", hi), ("value_step", step), ("unit", unit)):
        if v is not None:
            f[k] = v
    return f


def _enumx(name: str, values: list[str], access: int = 7) -> dict[str, Any]:
    return {"type": "enum", "name": name, "property": name, "access": access, "values": values}


def _sim_measure(decl: Any) -> str:
    q = decl.initial.get("quantity")
    return q if isinstance(q, str) and q in _MEASUREMENTS else "temperature"


def _sim_exposes(decl: Any) -> tuple[list[dict[str, Any]], str]:
    caps, kind = decl.effective_capabilities(), decl.kind
    ex: list[dict[str, Any]] = []
    desc = f"{kind} (simulated)"
    if kind == "light" or "brightness" in caps:
        feats = [_bin("state", "ON", "OFF", 7, "TOGGLE")]
        if "brightness" in caps:
            feats.append(_numx("brightness", 0, 254))
        if "color_temp" in caps:
            feats.append(_numx("color_temp", 150, 500, "mired"))
        if "color" in caps:
            feats.append({"type": "composite", "name": "color_xy", "property": "color", "access": 7,
                          "features": [_numx("x"), _numx("y")]})
        ex.append({"type": "light", "features": feats})
    elif "lock" in caps:
        ex.append({"type": "lock", "features": [_bin("state", "LOCK", "UNLOCK", 7),
                                                _enumx("lock_state", ["not_fully_locked", "locked", "unlocked"], 1)]})
    elif "cover_position" in caps:
        ex.append({"type": "cover", "features": [_enumx("state", ["OPEN", "CLOSE", "STOP"]),
                                                 _numx("position", 0, 100, "%")]})
    elif "temperature_setpoint" in caps or "hvac_mode" in caps:
        feats = [_numx("occupied_heating_setpoint", 5, 30, "°C", step=0.5), _numx("local_temperature", unit="°C",
                                                                                  access=5)]
        if "hvac_mode" in caps:
            feats.append(_enumx("system_mode", ["off", "auto", "heat", "cool"]))
        ex.append({"type": "climate", "features": feats})
    elif "on_off" in caps:
        ex.append({"type": "switch", "features": [_bin("state", "ON", "OFF", 7, "TOGGLE")]})
        if kind == "plug":
            desc = "Smart plug (simulated)"
            ex.append(_numx("power", unit="W", access=5))
    if "motion" in caps:
        ex.append(_bin("occupancy"))
        desc = "Motion sensor (simulated)"
    elif "occupancy" in caps:
        ex.append(_bin("presence"))
        desc = "Presence sensor (simulated)"
    if "contact" in caps:
        ex.append(_bin("contact", False, True))
    if kind == "button" or "button" in caps:
        ex.append(_enumx("action", ["single", "double", "hold"], 1))
    if "measurement" in caps:
        unit = decl.initial.get("unit")
        ex.append(_numx(_sim_measure(decl), unit=unit if isinstance(unit, str) else None, access=5))
    for name, a in decl.attributes.items():
        if a.type == "number":
            ex.append(_numx(name, a.min, a.max, a.unit, 7 if a.writable else 5, a.step))
        elif a.type == "enum":
            ex.append(_enumx(name, list(a.options or []), 7 if a.writable else 5))
        elif a.type == "bool":
            ex.append(_bin(name, True, False, 7 if a.writable else 5))
        else:
            ex.append({"type": "text", "name": name, "property": name, "access": 7 if a.writable else 5})
    ex.append(_numx("linkquality", 0, 255, "lqi", access=1))
    return ex, desc


def sim_announce(decl: Any) -> list[Outbound]:
    exposes, desc = _sim_exposes(decl)
    fn = _sim_fn(decl)
    entry = {
        "ieee_address": _decl_ieee(decl.id, decl.ids), "friendly_name": fn, "type": "Router",
        "network_address": 1, "power_source": "Mains (single phase)", "supported": True, "disabled": False,
        "interview_completed": True, "interviewing": False, "manufacturer": "fusehub-sim",
        "model_id": f"SIM-{str(decl.kind).upper()}",
        "definition": {"model": f"SIM-{str(decl.kind).upper()}", "vendor": "fusehub-sim", "description": desc,
                       "exposes": exposes, "options": [], "supports_ota": False},
    }
    return [
        Outbound(topic=f"{PREFIX}/bridge/devices", payload=dumps([entry]), qos=1, retain=False),
        Outbound(topic=f"{PREFIX}/{fn}/availability", payload=dumps({"state": "online"}), qos=1, retain=True),
    ]


def sim_publish_state(decl: Any, state: Mapping[str, Any]) -> list[Outbound]:
    caps, w = decl.effective_capabilities(), dict[str, Any]()

    def num(k: str) -> Any:
        v = state.get(k)
        return v if is_finite_number(v) else None

    if "lock" in caps and isinstance(state.get("locked"), bool):
        w["state"] = "LOCK" if state["locked"] else "UNLOCK"
        w["lock_state"] = "locked" if state["locked"] else "unlocked"
    elif "cover_position" in caps and num("position") is not None:
        w["position"] = round(state["position"])
        w["state"] = "OPEN" if state["position"] > 0 else "CLOSE"
    elif "on_off" in caps and isinstance(state.get("on"), bool):
        w["state"] = "ON" if state["on"] else "OFF"
    if num("brightness") is not None:
        w["brightness"] = round(state["brightness"] * 254 / 100)
    rgb = state.get("rgb")
    if isinstance(rgb, list | tuple) and len(rgb) == 3 and all(isinstance(c, int) for c in rgb):
        x, y = rgb_to_xy(*rgb)
        w["color"] = {"x": x, "y": y}
        w["color_mode"] = "xy"
    if num("color_temp") is not None and state["color_temp"] > 0:
        w["color_temp"] = round(1_000_000 / state["color_temp"])
        w.setdefault("color_mode", "color_temp")
    if num("target_temperature") is not None:
        w["occupied_heating_setpoint"] = state["target_temperature"]
    if num("current_temperature") is not None:
        w["local_temperature"] = state["current_temperature"]
    if isinstance(state.get("hvac_mode"), str):
        w["system_mode"] = state["hvac_mode"]
    if isinstance(state.get("motion"), bool):
        w["occupancy"] = state["motion"]
    if isinstance(state.get("occupancy"), bool):
        w["presence"] = state["occupancy"]
    if isinstance(state.get("contact_open"), bool):
        w["contact"] = not state["contact_open"]
    if "measurement" in caps and num("value") is not None:
        w[_sim_measure(decl)] = state["value"]
    if num("power") is not None:
        w["power"] = state["power"]
    if isinstance(state.get("action"), str) and state["action"]:
        w["action"] = state["action"]
    for name in decl.attributes:
        if state.get(name) is not None:
            w[name] = state[name]
    if not w:
        return []
    return [Outbound(topic=f"{PREFIX}/{_sim_fn(decl)}", payload=dumps(w), qos=1, retain=False)]


def sim_command_topics(decl: Any) -> list[str]:
    return [f"{PREFIX}/{_sim_fn(decl)}/set"]


def sim_apply(decl: Any, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    if topic != f"{PREFIX}/{_sim_fn(decl)}/set":
        return None
    try:
        obj = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    caps, new, hit = decl.effective_capabilities(), dict(state), False
    s = obj.get("state")
    if "lock" in caps and s in ("LOCK", "UNLOCK"):
        new["locked"], hit = s == "LOCK", True
    elif "cover_position" in caps and s in ("OPEN", "CLOSE", "STOP"):
        if s != "STOP":
            new["position"] = 100 if s == "OPEN" else 0
        hit = True
    elif s in ("ON", "OFF", "TOGGLE"):
        new["on"], hit = (not state.get("on")) if s == "TOGGLE" else s == "ON", True
    if is_finite_number(obj.get("brightness")):
        new["brightness"] = max(0, min(100, round(obj["brightness"] * 100 / 254)))
        if s is None:
            new["on"] = obj["brightness"] > 0
        hit = True
    col = obj.get("color")
    if isinstance(col, dict):
        try:
            new["rgb"], hit = _color(col), True
        except ValueError:
            return None
    if is_finite_number(obj.get("color_temp")) and obj["color_temp"] > 0:
        new["color_temp"], hit = round(1_000_000 / obj["color_temp"]), True
    if is_finite_number(obj.get("position")):
        new["position"], hit = max(0, min(100, round(obj["position"]))), True
    if is_finite_number(obj.get("occupied_heating_setpoint")):
        new["target_temperature"], hit = obj["occupied_heating_setpoint"], True
    if isinstance(obj.get("system_mode"), str):
        new["hvac_mode"], hit = obj["system_mode"], True
    for name, a in decl.attributes.items():
        if name not in obj or not a.writable:
            continue
        v = obj[name]
        ok = {
            "number": is_finite_number(v) and (a.min is None or v >= a.min) and (a.max is None or v <= a.max),
            "enum": v in (a.options or []), "bool": isinstance(v, bool), "text": isinstance(v, str),
        }.get(a.type, False)
        if ok:
            new[name], hit = v, True
    return new if hit else None


def sim_offline(decl: Any) -> list[Outbound]:
    return [Outbound(topic=f"{PREFIX}/{_sim_fn(decl)}/availability", payload=dumps({"state": "offline"}),
                     qos=1, retain=True)]


SPEC: Final = AdapterSpec(
    name=NAME,
    title="Zigbee2MQTT",
    routes=(
        Route(f"{PREFIX}/bridge/devices", never_raises(NAME, _parse_devices), "device list with exposes (discovery)"),
        Route(f"{PREFIX}/bridge/state", never_raises(NAME, _parse_bridge_state), "bridge online/offline"),
        Route(f"{PREFIX}/bridge/event", never_raises(NAME, _parse_bridge_event), "bridge events (device_leave)"),
    ),
    encoders=ENCODERS,
    parse_device=parse_device,
    declared_key=_declared_key,
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    description="Zigbee devices through Zigbee2MQTT: exposes-based discovery, JSON state, JSON /set commands.",
)
