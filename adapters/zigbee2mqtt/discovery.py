"""Discovery: the retained ``bridge/devices`` list (each device's exposes) -> :class:`~fusehub.events.Discovered`,
plus the bridge's own state (availability of every device) and ``device_leave`` events (removal)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fusehub.adapters._util import BadInput, is_finite_number, short, slug
from fusehub.adapters.zigbee2mqtt.common import (
    IEEE_RE,
    MAX_DEVICES,
    MAX_DEVICES_PAYLOAD,
    MAX_NAME,
    MAX_PROPS,
    MEASUREMENTS,
    NAME,
    PREFIX,
    device_key,
    load_payload,
    state_word,
    valid_name,
)
from fusehub.events import Availability, DeviceSpec, Discovered, Parsed, Rejected, Removed

__all__ = ["parse_bridge_event", "parse_bridge_state", "parse_devices"]

_PLUG_WORDS: Final = ("plug", "socket", "outlet")
_CONTAINERS: Final = ("light", "switch", "lock", "cover", "climate", "fan")
_KIND_ORDER: Final = ("light", "lock", "cover", "climate", "switch")


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
            if name in MEASUREMENTS and "measurement" not in self.roles:
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



def _entry_spec(e: Any) -> DeviceSpec | None:
    if not isinstance(e, Mapping):
        raise BadInput(f"a device entry must be an object, got {type(e).__name__}")
    ieee, fn = e.get("ieee_address"), e.get("friendly_name")
    if not isinstance(ieee, str) or not IEEE_RE.match(ieee):
        raise BadInput(f"ieee_address {short(ieee)} is not 0x + 16 hex digits")
    if not valid_name(fn):
        raise BadInput(f"friendly_name {short(fn)} must be 1-{MAX_NAME} characters without wildcards or empty levels")
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


def parse_devices(topic: str, payload: bytes) -> list[Parsed]:
    data = load_payload(payload, MAX_DEVICES_PAYLOAD)
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


def parse_bridge_state(topic: str, payload: bytes) -> list[Parsed]:
    return [Availability(device=f"{NAME}:*", online=state_word(payload) == "online")]


def parse_bridge_event(topic: str, payload: bytes) -> list[Parsed]:
    data = load_payload(payload)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise BadInput("a bridge event must be an object with a string 'type'")
    if data["type"] != "device_leave":
        return []
    d = data.get("data")
    ieee = d.get("ieee_address") if isinstance(d, dict) else None
    if not isinstance(ieee, str) or not IEEE_RE.match(ieee):
        raise BadInput(f"device_leave without a valid ieee_address ({short(ieee)})")
    return [Removed(device=device_key(ieee.lower()))]

