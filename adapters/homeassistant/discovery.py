"""Discovery configs -> :class:`~fusehub.events.Discovered`: one entity per ``homeassistant/<component>/
[<node>/]<object>/config`` and device-level configs on ``homeassistant/device/<object>/config``.

A config is expanded (:func:`~.schema.expand`), checked field by field (topics, templates, payloads,
numeric settings, availability) and classified into a device kind and capabilities; the result's
``address`` carries everything :mod:`.state` and :mod:`.encoders` need. Conventions are listed in the
package docstring.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from fusehub.adapters._util import (
    BadInput,
    TemplateFailure,
    check_template,
    is_finite_number,
    join_unique,
    load_json,
    short,
    slug,
)
from fusehub.adapters.homeassistant.schema import BINARY_CLASSES, NAME, READ_ROLES, expand
from fusehub.events import DeviceSpec, Discovered, Parsed, Removed

__all__ = ["parse_device_config", "parse_entity_config"]

_ID_RE: Final = re.compile(r"^[A-Za-z0-9_-]+$")
_CTRL_RE: Final = re.compile(r"[\x00-\x1f\x7f]")
_MAX_NAME: Final = 200

# Payload defaults per platform (HA's documented defaults).
_DEFAULT_PAYLOADS: Final[dict[str, dict[str, str]]] = {
    "switch": {"payload_on": "ON", "payload_off": "OFF"},
    "light": {"payload_on": "ON", "payload_off": "OFF"},
    "fan": {"payload_on": "ON", "payload_off": "OFF"},
    "humidifier": {"payload_on": "ON", "payload_off": "OFF"},
    "binary_sensor": {"payload_on": "ON", "payload_off": "OFF"},
    "lock": {"payload_lock": "LOCK", "payload_unlock": "UNLOCK", "payload_open": "OPEN",
             "state_locked": "LOCKED", "state_unlocked": "UNLOCKED", "state_locking": "LOCKING",
             "state_unlocking": "UNLOCKING", "state_jammed": "JAMMED"},
    "cover": {"payload_open": "OPEN", "payload_close": "CLOSE", "payload_stop": "STOP", "state_open": "open",
              "state_closed": "closed", "state_opening": "opening", "state_closing": "closing",
              "state_stopped": "stopped"},
    "vacuum": {"payload_start": "start", "payload_stop": "stop", "payload_pause": "pause",
               "payload_return_to_base": "return_to_base", "payload_locate": "locate",
               "payload_clean_spot": "clean_spot"},
    "button": {"payload_press": "PRESS"},
}
_PLATFORMS: Final = frozenset(
    {"light", "switch", "lock", "cover", "climate", "vacuum", "binary_sensor", "sensor", "number", "select",
     "button", "notify", "device_tracker", "fan", "humidifier"}
)
# Template keys whose role is not simply the key minus "_template".
_TEMPLATE_ROLES: Final[dict[str, str]] = {
    "value_template": "state", "state_value_template": "state", "brightness_value_template": "brightness_state",
    "rgb_value_template": "rgb_state", "color_temp_value_template": "color_temp_state",
    "percentage_value_template": "percentage_state", "target_humidity_state_template": "target_humidity_state",
}
_SETTINGS: Final = (
    "brightness_scale", "min_temp", "max_temp", "temp_step", "position_open", "position_closed", "min", "max",
    "step", "min_humidity", "max_humidity", "speed_range_min", "speed_range_max",
)


def _topic(v: Any, what: str) -> str:
    if not isinstance(v, str) or not v:
        raise BadInput(f"{what} must be a non-empty string")
    if "+" in v or "#" in v or "\x00" in v or len(v) > 1024:
        raise BadInput(f"{what} {short(v)} is not a usable topic (wildcard, NUL or too long)")
    return v


def _text(v: Any, what: str) -> str:
    if not isinstance(v, (str, int, float)):  # HA coerces scalars with str(): true -> "True"
        raise BadInput(f"{what} must be a string")
    return str(v)


def _num(cfg: Mapping[str, Any], key: str) -> float | None:
    v = cfg.get(key)
    if v is None:
        return None
    if not is_finite_number(v):
        raise BadInput(f"{key} must be a number, got {short(v)}")
    return float(v)


def _strlist(cfg: Mapping[str, Any], key: str) -> list[str] | None:
    v = cfg.get(key)
    if v is None:
        return None
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise BadInput(f"{key} must be a list of strings")
    return list(v)


def _template(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise BadInput(f"{what} must be a string")
    try:
        check_template(v)
    except TemplateFailure as e:
        raise BadInput(f"{what}: {e}") from None
    return v


def _clean_name(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise BadInput("name must be a string or null")
    v = _CTRL_RE.sub(" ", v).strip()
    return v[:_MAX_NAME] or None


def _uid(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int)) or str(v) == "":
        raise BadInput("unique_id must be a non-empty string")
    s = str(v)
    if len(s) > 200 or "\x00" in s:
        raise BadInput("unique_id is too long or contains NUL")
    return s


# ---------------------------------------------------------------------------------------------
# One entity config -> spec parts
# ---------------------------------------------------------------------------------------------


def _availability(cfg: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    entries: list[Any] = []
    if cfg.get("availability") is not None:
        if not isinstance(cfg["availability"], list):
            raise BadInput("availability must be a list")
        entries = list(cfg["availability"])
    if cfg.get("availability_topic") is not None:
        entries.append({"topic": cfg["availability_topic"], "payload_available": cfg.get("payload_available"),
                        "payload_not_available": cfg.get("payload_not_available"),
                        "value_template": cfg.get("availability_template")})
    for i, a in enumerate(entries):
        if not isinstance(a, Mapping):
            raise BadInput(f"availability[{i}] must be an object")
        e: dict[str, Any] = {
            "topic": _topic(a.get("topic"), f"availability[{i}].topic"),
            "payload_available": _text(a.get("payload_available") or "online", "payload_available"),
            "payload_not_available": _text(a.get("payload_not_available") or "offline", "payload_not_available"),
        }
        if a.get("value_template") is not None:
            e["template"] = _template(a["value_template"], f"availability[{i}].value_template")
        out.append(e)
    return out


def _roles(cfg: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    topics: dict[str, str] = {}
    templates: dict[str, str] = {}
    for k, v in cfg.items():
        if k.endswith("_topic") and k != "availability_topic" and v is not None:
            topics[k[: -len("_topic")]] = _topic(v, k)
        elif k.endswith("_template") and k != "availability_template" and v is not None:
            role = _TEMPLATE_ROLES.get(k, k[: -len("_template")])
            if k == "value_template" and "state_value_template" in cfg:
                continue
            templates[role] = _template(v, k)
    return topics, templates


def _payloads(platform: str, cfg: Mapping[str, Any]) -> dict[str, str]:
    p = dict(_DEFAULT_PAYLOADS.get(platform, {}))
    for k, v in cfg.items():
        if (k.startswith("payload_") or k.startswith("state_")) and not k.endswith(("_topic", "_template")):
            if k in ("payload_available", "payload_not_available", "state_class") or v is None:
                continue
            p[k] = _text(v, k)
    if platform in ("switch", "light", "fan", "humidifier"):
        p.setdefault("state_on", p["payload_on"])
        p.setdefault("state_off", p["payload_off"])
    return p


def _settings(cfg: Mapping[str, Any]) -> dict[str, Any]:
    s: dict[str, Any] = {}
    for k in _SETTINGS:
        v = _num(cfg, k)
        if v is not None:
            s[k] = v
    if s.get("brightness_scale") is not None and s["brightness_scale"] <= 0:
        raise BadInput("brightness_scale must be positive")
    for k in ("modes", "options", "supported_color_modes"):
        lst = _strlist(cfg, k)
        if lst is not None:
            s[k] = lst
    for k in ("brightness", "color_temp_kelvin", "rgb", "color_temp"):
        if cfg.get(k) is not None:
            if not isinstance(cfg[k], bool):
                raise BadInput(f"{k} must be true or false")
            s[k] = cfg[k]
    unit = cfg.get("unit_of_measurement")
    if unit is not None:
        s["unit"] = _text(unit, "unit_of_measurement")[:20]
    return s


def _attr_entry(
    kind: str, topics: Mapping[str, str], templates: Mapping[str, str], cmd: str = "command",
    state: str = "state", settings: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(DeviceSpec.attributes entry, address["attributes"] entry) for a number/select-like entity."""
    s = settings or {}
    entry: dict[str, Any] = {"type": kind}
    if cmd in topics:
        entry["command_topic"] = topics[cmd]
    if cmd in templates:
        entry["command_template"] = templates[cmd]
    if state in topics:
        entry["state_topic"] = topics[state]
    if state in templates:
        entry["value_template"] = templates[state]
    if kind == "number":
        decl: dict[str, Any] = {"type": "number", "min": s.get("min", 1.0), "max": s.get("max", 100.0),
                                "step": s.get("step", 1.0), "unit": s.get("unit")}
    else:
        decl = {"type": "enum", "options": list(s.get("options") or [])}
        if not decl["options"]:
            raise BadInput("a select needs options")
        entry["options"] = decl["options"]
    return decl, entry


class _Ent:
    """One entity config turned into spec parts (main capabilities or attribute declarations)."""

    def __init__(self, cfg: dict[str, Any], platform: str, fallback_key: str) -> None:
        if platform not in _PLATFORMS:
            raise BadInput(f"platform {short(platform)} is not supported")
        self.platform = platform
        uid = _uid(cfg.get("unique_id"))
        self.uid = uid
        self.key = f"{NAME}:{uid}" if uid else fallback_key
        dev = cfg.get("device") or {}
        if not isinstance(dev, Mapping):
            raise BadInput("device must be an object")
        dev_name = _clean_name(dev.get("name"))
        own = _clean_name(cfg.get("name"))
        if own and dev_name and not own.lower().startswith(dev_name.lower()):
            self.name = f"{dev_name} {own}"
        else:
            self.name = own or dev_name or cfg.get("object_id") or uid or fallback_key.split(":", 1)[1]
        self.own_name = own
        room = dev.get("suggested_area")
        self.room = _clean_name(room) if room is not None else None
        self.manufacturer = _clean_name(dev.get("manufacturer"))
        self.model = _clean_name(dev.get("model"))
        dc = cfg.get("device_class")
        self.device_class = _text(dc, "device_class") if dc is not None else None
        schema = cfg.get("schema", "default")
        self.schema = _text(schema, "schema")
        self.topics, self.templates = _roles(cfg)
        self.payloads = _payloads(platform, cfg)
        self.settings = _settings(cfg)
        self.availability = _availability(cfg)
        mode = cfg.get("availability_mode", "latest")
        if mode not in ("all", "any", "latest"):
            raise BadInput("availability_mode must be all, any or latest")
        self.availability_mode = mode
        self.attributes: dict[str, dict[str, Any]] = {}
        self.attr_address: dict[str, dict[str, Any]] = {}
        self.kind, self.caps = self._classify()

    def _classify(self) -> tuple[str, list[str]]:
        p, t, s = self.platform, self.topics, self.settings
        if p == "light":
            modes = set(s.get("supported_color_modes") or [])
            if self.schema == "json":
                bri = bool(s.get("brightness")) or bool(modes - {"onoff"})
                color = bool(s.get("rgb")) or bool(modes & {"rgb", "rgbw", "rgbww", "hs", "xy"})
                ct = bool(s.get("color_temp")) or "color_temp" in modes
            else:
                bri, color, ct = "brightness_command" in t, "rgb_command" in t, "color_temp_command" in t
            caps = ["on_off"] + ["brightness"] * bri + ["color"] * color + ["color_temp"] * ct
            return "light", caps
        if p == "switch":
            return ("plug" if self.device_class == "outlet" else "switch"), ["on_off"]
        if p in ("fan", "humidifier"):
            if p == "fan" and "percentage_command" in t:
                self._attr("percentage", "number", "percentage_command", "percentage_state",
                           {"min": s.get("speed_range_min", 0.0), "max": s.get("speed_range_max", 100.0),
                            "step": 1.0, "unit": "%"})
            if p == "humidifier" and "target_humidity_command" in t:
                self._attr("target_humidity", "number", "target_humidity_command", "target_humidity_state",
                           {"min": s.get("min_humidity", 0.0), "max": s.get("max_humidity", 100.0),
                            "step": 1.0, "unit": "%"})
            return p, ["on_off"] + (["attributes"] if self.attributes else [])
        if p == "lock":
            return "lock", ["lock"]
        if p == "cover":
            return ("garage", ["garage"]) if self.device_class == "garage" else ("cover", ["cover_position"])
        if p == "climate":
            caps = []
            if t.keys() & {"temperature_command", "temperature_state", "current_temperature"}:
                caps.append("temperature_setpoint")
            if t.keys() & {"mode_command", "mode_state"}:
                caps.append("hvac_mode")
            return "climate", caps
        if p == "vacuum":
            return "vacuum", ["vacuum"]
        if p == "binary_sensor":
            kind, _ = BINARY_CLASSES.get(self.device_class or "", ("sensor", "value"))
            return kind, ["measurement" if kind == "sensor" else kind]
        if p == "sensor":
            return "sensor", ["measurement"]
        if p in ("number", "select"):
            return "generic", ["attributes"]
        if p == "button":
            return "button", ["button"]
        if p == "notify":
            return "speaker", ["notify", "tts"]
        return "tracker", ["location"]  # device_tracker

    def _attr(self, name: str, kind: str, cmd: str, state: str, settings: Mapping[str, Any]) -> None:
        decl, entry = _attr_entry(kind, self.topics, self.templates, cmd, state, settings)
        self.attributes[name] = decl
        self.attr_address[name] = entry

    def as_attribute(self, name: str) -> None:
        """Treat this number/select entity as one declared attribute called `name`."""
        self._attr(name, "number" if self.platform == "number" else "enum", "command", "state", self.settings)

    def address(self, discovery_topic: str) -> dict[str, Any]:
        if self.platform in ("number", "select"):
            return {"platform": self.platform, "availability": self.availability,
                    "availability_mode": self.availability_mode, "discovery_topic": discovery_topic}
        return {
            "platform": self.platform, "schema": self.schema, "device_class": self.device_class,
            "topics": self.topics, "templates": self.templates, "payloads": self.payloads,
            "settings": self.settings, "availability": self.availability,
            "availability_mode": self.availability_mode, "discovery_topic": discovery_topic,
        }


def _subscribe(address: Mapping[str, Any]) -> list[str]:
    topics = [t for r, t in (address.get("topics") or {}).items() if r in READ_ROLES]
    topics += [e["state_topic"] for e in (address.get("attributes") or {}).values() if "state_topic" in e]
    topics += [a["topic"] for a in address.get("availability") or []]
    return join_unique(topics)


def _spec(ent: _Ent, address: dict[str, Any], attributes: dict[str, dict[str, Any]],
          attr_address: dict[str, dict[str, Any]], caps: list[str], kind: str, name: str) -> DeviceSpec:
    if attributes and "attributes" not in caps:
        caps = [*caps, "attributes"]
    address = {**address, "attributes": attr_address}
    address["subscribe"] = _subscribe(address)
    return DeviceSpec(key=ent.key, name=name, kind=kind, room=ent.room,
                      capabilities=caps, attributes=attributes, address=address,
                      manufacturer=ent.manufacturer, model=ent.model)


def _single(ent: _Ent, discovery_topic: str) -> DeviceSpec:
    if ent.platform in ("number", "select"):
        ent.as_attribute(slug(ent.own_name or ent.name))
    return _spec(ent, ent.address(discovery_topic), ent.attributes, ent.attr_address, ent.caps, ent.kind, ent.name)


# ---------------------------------------------------------------------------------------------
# Discovery routes
# ---------------------------------------------------------------------------------------------


def _config(payload: bytes) -> dict[str, Any] | None:
    """The config object; None for an empty payload (removal)."""
    if not payload.strip():
        return None
    raw = load_json(payload, "discovery config")
    if not isinstance(raw, dict):
        raise BadInput(f"discovery config must be a JSON object, got {type(raw).__name__}")
    return raw


def _from_fusehub(raw: Mapping[str, Any]) -> bool:
    """A fusehub's own exported beliefs (origin 'fusehub', availability on fusehub/<hub>/status, as
    export_configs writes them) are not devices to consume."""
    origin = raw.get("o", raw.get("origin"))
    avty = raw.get("avty_t", raw.get("availability_topic"))
    return (isinstance(origin, Mapping) and origin.get("name") == "fusehub" and isinstance(avty, str)
            and avty.startswith("fusehub/") and avty.endswith("/status"))


def parse_entity_config(topic: str, payload: bytes) -> list[Parsed]:
    parts = topic.split("/")
    component, ids = parts[1], parts[2:-1]
    if component == "device":
        return []  # device-level configs have their own route
    if not all(_ID_RE.match(i) for i in ids) or not _ID_RE.match(component):
        raise BadInput("discovery topic ids may use only [a-zA-Z0-9_-]")
    fallback = f"{NAME}:{component}/{'/'.join(ids)}"
    raw = _config(payload)
    if raw is None:
        return [Removed(device=k) for k in join_unique([f"{NAME}:{ids[-1]}", fallback])]
    if raw.get("migrate_discovery") is True or _from_fusehub(raw):
        return []
    cfg = expand(raw)
    cfg.setdefault("object_id", ids[-1])
    return [Discovered(spec=_single(_Ent(cfg, component, fallback), topic))]


def parse_device_config(topic: str, payload: bytes) -> list[Parsed]:
    object_id = topic.split("/")[2]
    if not _ID_RE.match(object_id):
        raise BadInput("discovery topic ids may use only [a-zA-Z0-9_-]")
    raw = _config(payload)
    if raw is None:
        return [Removed(device=f"{NAME}:{object_id}")]
    if raw.get("migrate_discovery") is True or _from_fusehub(raw):
        return []
    tilde = raw.get("~")
    if tilde is not None and not isinstance(tilde, str):
        raise BadInput("'~' (base topic) must be a string")
    cfg = expand({k: v for k, v in raw.items() if k != "~"})
    if not isinstance(cfg.get("device"), dict):
        raise BadInput("device-level config needs a 'dev' (device) object")
    comps = cfg.pop("components", None)
    if not isinstance(comps, dict) or not comps:
        raise BadInput("device-level config needs a non-empty 'cmps' (components) object")
    shared = {k: v for k, v in cfg.items() if k not in ("origin", "migrate_discovery")}
    mains: dict[str, _Ent] = {}
    extras: dict[str, list[tuple[str, _Ent]]] = {}
    order: list[str] = []
    for cid, comp in comps.items():
        if not isinstance(comp, dict):
            raise BadInput(f"component {short(cid)} must be an object")
        c = expand({**shared, **comp}, tilde)
        platform = c.get("platform")
        if not isinstance(platform, str):
            raise BadInput(f"component {short(cid)} needs 'p' (platform) as a string")
        if set(comp) <= {"p", "platform"} or c.get("migrate_discovery") is True:
            continue  # {"p": ...} only: HA removes that component; nothing to add
        c.setdefault("object_id", str(cid))
        c.setdefault("unique_id", f"{object_id}_{cid}")
        try:
            ent = _Ent(c, platform, f"{NAME}:device/{object_id}/{cid}")
        except BadInput as e:
            if str(e).startswith("platform"):
                continue  # unsupported components of a device are skipped; the rest still counts
            raise BadInput(f"component {short(cid)}: {e}") from None
        uid = ent.uid or ""
        if platform in ("number", "select") and "__" in uid:
            main_uid, attr = uid.split("__", 1)
            ent.as_attribute(attr)
            extras.setdefault(main_uid, []).append((attr, ent))
            order.append(main_uid)
        else:
            mains[uid] = ent
            order.append(uid)
    out: list[Parsed] = []
    for uid in join_unique(order):
        ent_or = mains.get(uid)
        attrs: dict[str, dict[str, Any]] = {}
        attr_addr: dict[str, dict[str, Any]] = {}
        for _, x in extras.get(uid, []):
            attrs.update(x.attributes)
            attr_addr.update(x.attr_address)
        if ent_or is not None:
            attrs = {**ent_or.attributes, **attrs}
            attr_addr = {**ent_or.attr_address, **attr_addr}
            spec = _spec(ent_or, ent_or.address(topic), attrs, attr_addr, ent_or.caps, ent_or.kind, ent_or.name)
        else:
            first = extras[uid][0][1]
            first.key = f"{NAME}:{uid}"
            dev_name = _clean_name(cfg["device"].get("name")) or uid
            addr = {"platform": "device", "availability": first.availability,
                    "availability_mode": first.availability_mode, "discovery_topic": topic}
            spec = _spec(first, addr, attrs, attr_addr, [], "generic", dev_name)
        out.append(Discovered(spec=spec))
    if not out:
        raise BadInput("device-level config has no supported components")
    return out
