"""Home Assistant MQTT discovery: consume other ecosystems' HA configs, command them, and simulate HA devices.

Routes: ``homeassistant/+/+/config`` and ``homeassistant/+/+/+/config`` (one entity per config; the
component is the first level after the prefix) and ``homeassistant/device/+/config`` (device-level
discovery: shared keys, ``dev``, ``o`` and a ``cmps`` map whose entries carry ``p``, the platform).
Abbreviated keys are expanded (HA's own table, the commonly used part) and a ``~`` base topic is
substituted into any ``*_topic`` value that starts or ends with ``~``.

Conventions (documented choices where HA leaves room):

- Device key: ``homeassistant:<unique_id>``; without one, ``homeassistant:<component>/[<node>/]<object>``.
- Empty config payload -> Removed for ``homeassistant:<object_id>`` (HA removes by discovery topic and a
  stateless parser cannot know the unique_id; publishers such as Valetudo and fusehub's own simulator use
  the unique_id as object_id) and for the topic-derived fallback key.
- ``{"migrate_discovery": true}`` -> nothing (the entity moves to a device-level config that follows).
- Device-level configs: number/select components whose unique_id is ``<main>__<attr>`` are merged into the
  device ``homeassistant:<main>`` as declared attributes, so one Discovered is emitted per resulting key.
  (Separate per-entity configs are not merged: the graph merges addresses shallowly.)
- Availability is per message (``availability_mode`` is recorded but all/any are not combined).
- ``toggle`` sends ``TOGGLE`` (``{"state": "TOGGLE"}`` for JSON lights), as Zigbee2MQTT and Tasmota accept.
- Vacuum segment cleaning: ``clean_segments_command_topic`` (+ its template, default Valetudo's
  ``{"segment_ids": [...]}``), else ``send_command_topic`` with ``{"command": "app_segment_clean", "params": [...]}``.
- JSON-schema light colours are reported only when the state carries ``r,g,b`` (xy/hs are not converted).

Address keys (``DeviceSpec.address``): ``platform``, ``schema`` (json|default), ``device_class``,
``topics`` / ``templates`` (by role: state, command, brightness_state, brightness_command, rgb_state,
rgb_command, color_temp_state, color_temp_command, position, set_position, temperature_state,
temperature_command, current_temperature, mode_state, mode_command, json_attributes, send_command,
clean_segments_command), ``payloads`` (HA names: payload_on, state_locked, ...), ``settings``
(brightness_scale, color_temp_kelvin, min_temp, max_temp, modes, position_open, position_closed, unit, ...),
``availability`` (list of {topic, payload_available, payload_not_available, template}),
``availability_mode``, ``attributes`` ({name: {type, command_topic, command_template, state_topic,
value_template, options}}), ``subscribe`` and ``discovery_topic``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from fusehub.adapter import AdapterSpec, Exporter, Route, SimDevice
from fusehub.adapters._util import (
    NO_JSON,
    BadInput,
    TemplateFailure,
    check_template,
    command,
    decode_text,
    dumps,
    is_finite_number,
    join_unique,
    load_json,
    maybe_json,
    never_raises,
    render_template,
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
    Removed,
)

__all__ = ["ABBREVIATIONS", "SPEC", "expand", "hub_discovery", "parse_device"]

PREFIX: Final = "homeassistant"
NAME: Final = "homeassistant"

ABBREVIATIONS: Final[dict[str, str]] = {
    "act_t": "action_topic", "act_tpl": "action_template", "avty": "availability",
    "avty_mode": "availability_mode", "avty_t": "availability_topic", "avty_tpl": "availability_template",
    "bri_cmd_t": "brightness_command_topic", "bri_cmd_tpl": "brightness_command_template",
    "bri_scl": "brightness_scale", "bri_stat_t": "brightness_state_topic", "bri_val_tpl": "brightness_value_template",
    "clr_temp_cmd_t": "color_temp_command_topic", "clr_temp_cmd_tpl": "color_temp_command_template",
    "clr_temp_stat_t": "color_temp_state_topic", "clr_temp_val_tpl": "color_temp_value_template",
    "clr_temp_k": "color_temp_kelvin", "clrm": "color_mode", "cmd_t": "command_topic", "cmd_tpl": "command_template",
    "cmps": "components", "curr_temp_t": "current_temperature_topic", "curr_temp_tpl": "current_temperature_template",
    "dev": "device", "dev_cla": "device_class", "def_ent_id": "default_entity_id", "e": "encoding",
    "en": "enabled_by_default", "ent_cat": "entity_category", "exp_aft": "expire_after",
    "fanspd_lst": "fan_speed_list", "hum_cmd_t": "target_humidity_command_topic",
    "hum_cmd_tpl": "target_humidity_command_template", "hum_stat_t": "target_humidity_state_topic",
    "hum_state_tpl": "target_humidity_state_template", "ic": "icon", "json_attr": "json_attributes",
    "json_attr_t": "json_attributes_topic", "json_attr_tpl": "json_attributes_template",
    "max_hum": "max_humidity", "min_hum": "min_humidity", "max_mirs": "max_mireds", "min_mirs": "min_mireds",
    "max_kltmp": "max_kelvin", "min_kltmp": "min_kelvin", "mode_cmd_t": "mode_command_topic",
    "mode_cmd_tpl": "mode_command_template", "mode_stat_t": "mode_state_topic", "mode_stat_tpl": "mode_state_template",
    "o": "origin", "obj_id": "object_id", "on_cmd_type": "on_command_type", "ops": "options", "opt": "optimistic",
    "p": "platform", "pct_cmd_t": "percentage_command_topic", "pct_cmd_tpl": "percentage_command_template",
    "pct_stat_t": "percentage_state_topic", "pct_val_tpl": "percentage_value_template", "pl": "payload",
    "pl_avail": "payload_available", "pl_cln_sp": "payload_clean_spot", "pl_cls": "payload_close",
    "pl_loc": "payload_locate", "pl_lock": "payload_lock", "pl_not_avail": "payload_not_available",
    "pl_off": "payload_off", "pl_on": "payload_on", "pl_open": "payload_open", "pl_paus": "payload_pause",
    "pl_prs": "payload_press", "pl_ret": "payload_return_to_base", "pl_stop": "payload_stop",
    "pl_strt": "payload_start", "pl_stpa": "payload_start_pause", "pl_unlk": "payload_unlock",
    "pos_clsd": "position_closed", "pos_open": "position_open", "pos_t": "position_topic",
    "pos_tpl": "position_template", "ret": "retain", "rgb_cmd_t": "rgb_command_topic",
    "rgb_cmd_tpl": "rgb_command_template", "rgb_stat_t": "rgb_state_topic", "rgb_val_tpl": "rgb_value_template",
    "send_cmd_t": "send_command_topic", "set_pos_t": "set_position_topic", "set_pos_tpl": "set_position_template",
    "src_type": "source_type", "stat_cla": "state_class", "stat_clsd": "state_closed", "stat_closing": "state_closing",
    "stat_jam": "state_jammed", "stat_locked": "state_locked", "stat_locking": "state_locking",
    "stat_off": "state_off", "stat_on": "state_on", "stat_open": "state_open", "stat_opening": "state_opening",
    "stat_stopped": "state_stopped", "stat_t": "state_topic", "stat_tpl": "state_template",
    "stat_unlocked": "state_unlocked", "stat_unlocking": "state_unlocking", "stat_val_tpl": "state_value_template",
    "sup_clrm": "supported_color_modes", "sup_feat": "supported_features", "t": "topic",
    "temp_cmd_t": "temperature_command_topic", "temp_cmd_tpl": "temperature_command_template",
    "temp_stat_t": "temperature_state_topic", "temp_stat_tpl": "temperature_state_template",
    "temp_unit": "temperature_unit", "temp_step": "temp_step", "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement", "val_tpl": "value_template",
}
DEVICE_ABBREVIATIONS: Final[dict[str, str]] = {
    "cns": "connections", "cu": "configuration_url", "ids": "identifiers", "mf": "manufacturer", "mdl": "model",
    "mdl_id": "model_id", "sw": "sw_version", "hw": "hw_version", "sn": "serial_number", "sa": "suggested_area",
    "via_device": "via_device",
}
ORIGIN_ABBREVIATIONS: Final[dict[str, str]] = {"sw": "sw_version", "url": "support_url"}

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
_READ_ROLES: Final = frozenset(
    {"state", "brightness_state", "rgb_state", "color_temp_state", "position", "temperature_state",
     "current_temperature", "mode_state", "json_attributes"}
)
_BINARY_CLASSES: Final[dict[str, tuple[str, str]]] = {
    "motion": ("motion", "motion"), "occupancy": ("occupancy", "occupancy"), "presence": ("occupancy", "occupancy"),
    "door": ("contact", "contact_open"), "window": ("contact", "contact_open"),
    "opening": ("contact", "contact_open"), "garage_door": ("contact", "contact_open"),
}
_CONTACT_ATTR: Final[dict[str, str]] = {"motion": "motion", "occupancy": "occupancy", "contact": "contact_open"}


# ---------------------------------------------------------------------------------------------
# Expanding and checking a config
# ---------------------------------------------------------------------------------------------


def _expand_keys(d: Mapping[str, Any], table: Mapping[str, str]) -> dict[str, Any]:
    return {table.get(k, k): v for k, v in d.items()}


def expand(raw: Mapping[str, Any], base: str | None = None) -> dict[str, Any]:
    """A config with abbreviations expanded (incl. device, origin, availability) and `~` substituted."""
    cfg = _expand_keys(raw, ABBREVIATIONS)
    if isinstance(cfg.get("device"), Mapping):
        cfg["device"] = _expand_keys(cfg["device"], DEVICE_ABBREVIATIONS)
    if isinstance(cfg.get("origin"), Mapping):
        cfg["origin"] = _expand_keys(cfg["origin"], ORIGIN_ABBREVIATIONS)
    if isinstance(cfg.get("availability"), list):
        cfg["availability"] = [_expand_keys(a, ABBREVIATIONS) if isinstance(a, Mapping) else a
                               for a in cfg["availability"]]
    tilde = cfg.pop("~", base)
    if tilde is not None:
        if not isinstance(tilde, str):
            raise BadInput("'~' (base topic) must be a string")

        def sub(v: Any) -> Any:
            if isinstance(v, str) and v.startswith("~"):
                return tilde + v[1:]
            if isinstance(v, str) and v.endswith("~"):
                return v[:-1] + tilde
            return v

        for k in list(cfg):
            if k.endswith("_topic"):
                cfg[k] = sub(cfg[k])
        for a in cfg.get("availability") or []:
            if isinstance(a, dict) and "topic" in a:
                a["topic"] = sub(a["topic"])
    return cfg


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
            kind, _ = _BINARY_CLASSES.get(self.device_class or "", ("sensor", "value"))
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
    topics = [t for r, t in (address.get("topics") or {}).items() if r in _READ_ROLES]
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


def _parse_entity(topic: str, payload: bytes) -> list[Parsed]:
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


def _parse_device_config(topic: str, payload: bytes) -> list[Parsed]:
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


# ---------------------------------------------------------------------------------------------
# Messages on a discovered device's own topics
# ---------------------------------------------------------------------------------------------


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


def _pct(raw: float, scale: float) -> int:
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
        out["brightness"] = _pct(float(b), s.get("brightness_scale", 255.0))
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
        _, attr = _BINARY_CLASSES.get(address.get("device_class") or "", ("sensor", "value"))
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
        out["brightness"] = _pct(_float(v, "brightness"), s.get("brightness_scale", 255.0))
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
        if t == topic and role in _READ_ROLES:
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


# ---------------------------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# The simulator's side: HA device-level discovery for a declared device
# ---------------------------------------------------------------------------------------------


def _sim_tag(decl: Any) -> str | None:
    kind, caps = decl.kind, decl.effective_capabilities()
    if kind == "light" or "brightness" in caps:
        return "light"
    for k in ("lock", "garage", "cover", "climate", "vacuum", "motion", "occupancy", "contact", "sensor", "button"):
        if kind == k:
            return k
    if kind == "phone" or "location" in caps:
        return "tracker"
    if "tts" in caps or "notify" in caps:
        return "notify"
    if "on_off" in caps:
        return "switch"
    return None


def _sim_uid(decl: Any) -> str:
    return str(decl.ids.get("unique_id", decl.id))


def _sim_main(decl: Any, base: str) -> dict[str, Any] | None:
    tag, st, caps = _sim_tag(decl), f"{base}/state", decl.effective_capabilities()
    tpl = "{{ value_json.state }}"
    if tag == "light":
        modes = [m for m, c in (("rgb", "color"), ("color_temp", "color_temp")) if c in caps]
        modes = modes or (["brightness"] if "brightness" in caps else ["onoff"])
        return {"p": "light", "schema": "json", "stat_t": st, "cmd_t": f"{base}/set", "sup_clrm": modes,
                "brightness": "brightness" in caps, "clr_temp_k": True}
    if tag == "switch":
        c = {"p": "switch", "stat_t": st, "val_tpl": tpl, "cmd_t": f"{base}/set"}
        return {**c, "dev_cla": "outlet"} if decl.kind == "plug" else c
    if tag == "lock":
        return {"p": "lock", "stat_t": st, "val_tpl": tpl, "cmd_t": f"{base}/set"}
    if tag == "garage":
        return {"p": "cover", "dev_cla": "garage", "stat_t": st, "val_tpl": tpl, "cmd_t": f"{base}/set"}
    if tag == "cover":
        return {"p": "cover", "stat_t": st, "val_tpl": tpl, "cmd_t": f"{base}/set", "pos_t": st,
                "pos_tpl": "{{ value_json.position }}", "set_pos_t": f"{base}/position/set"}
    if tag == "climate":
        return {"p": "climate", "temp_cmd_t": f"{base}/temperature/set", "temp_stat_t": st,
                "temp_stat_tpl": "{{ value_json.temperature }}", "curr_temp_t": st,
                "curr_temp_tpl": "{{ value_json.current_temperature }}", "mode_cmd_t": f"{base}/mode/set",
                "mode_stat_t": st, "mode_stat_tpl": "{{ value_json.mode }}",
                "modes": ["off", "heat", "cool", "auto"], "min_temp": 5, "max_temp": 30, "temp_step": 0.5}
    if tag == "vacuum":
        return {"p": "vacuum", "stat_t": st, "cmd_t": f"{base}/set", "send_cmd_t": f"{base}/command/set",
                "sup_feat": ["start", "stop", "pause", "return_home", "status", "send_command"]}
    if tag in ("motion", "occupancy", "contact"):
        return {"p": "binary_sensor", "dev_cla": "door" if tag == "contact" else tag, "stat_t": st, "val_tpl": tpl}
    if tag == "sensor":
        c = {"p": "sensor", "stat_t": st, "val_tpl": "{{ value_json.value }}"}
        unit = decl.initial.get("unit")
        return {**c, "unit_of_meas": unit} if isinstance(unit, str) else c
    if tag == "button":
        return {"p": "button", "cmd_t": f"{base}/press"}
    if tag == "notify":
        return {"p": "notify", "cmd_t": f"{base}/notify/set"}
    if tag == "tracker":
        return {"p": "device_tracker", "json_attr_t": st, "src_type": "gps"}
    return None


def sim_announce(decl: Any) -> list[Outbound]:
    uid, base = _sim_uid(decl), f"sim/{decl.id}"
    cmps: dict[str, Any] = {}
    main = _sim_main(decl, base)
    if main is not None:
        cmps[decl.kind or main["p"]] = {**main, "uniq_id": uid, "name": None}
    for name, a in decl.attributes.items():
        c: dict[str, Any] = {"uniq_id": f"{uid}__{name}", "name": name.replace("_", " ").capitalize(),
                             "stat_t": f"{base}/state", "cmd_t": f"{base}/attr/{name}/set",
                             "val_tpl": "{{ value_json.attributes[" + json.dumps(name) + "] }}"}
        if a.type == "number":
            c.update({"p": "number", "min": a.min, "max": a.max, "step": a.step or 1})
            if a.unit:
                c["unit_of_meas"] = a.unit
        elif a.type == "enum":
            c.update({"p": "select", "ops": list(a.options or [])})
        else:
            continue
        cmps[f"attr_{name}"] = c
    cfg = {"dev": {"ids": [uid], "name": decl.name, "sa": decl.room, "mf": "fusehub-sim", "mdl": decl.kind},
           "o": {"name": "fusehub-sim"}, "avty_t": f"{base}/availability", "cmps": cmps}
    return [Outbound(topic=f"{PREFIX}/device/{uid}/config", payload=dumps(cfg), qos=1, retain=True)]


def _onoff(v: Any) -> str:
    return "ON" if v else "OFF"


def sim_publish_state(decl: Any, state: Mapping[str, Any]) -> list[Outbound]:
    tag, w = _sim_tag(decl), dict[str, Any]()
    def g(k: str) -> Any:
        return state.get(k)

    if tag == "light":
        w["state"] = _onoff(g("on"))
        if g("brightness") is not None:
            w["brightness"] = round(float(g("brightness")) * 255 / 100)
        if isinstance(g("rgb"), (list, tuple)) and len(g("rgb")) == 3:
            w["color"] = dict(zip("rgb", g("rgb"), strict=True))
        if g("color_temp") is not None:
            w["color_temp"] = g("color_temp")
    elif tag == "switch":
        w["state"] = _onoff(g("on"))
    elif tag == "lock":
        w["state"] = "LOCKED" if g("locked") else "UNLOCKED"
    elif tag == "garage":
        w["state"] = g("open_state") or "closed"
    elif tag == "cover":
        pos = g("position") if g("position") is not None else 0
        w.update({"state": "open" if pos > 0 else "closed", "position": pos})
    elif tag == "climate":
        w.update({"temperature": g("target_temperature"), "current_temperature": g("current_temperature"),
                  "mode": g("hvac_mode")})
    elif tag == "vacuum":
        w.update({"state": g("status"), "battery_level": g("battery")})
    elif tag in ("motion", "occupancy", "contact"):
        w["state"] = _onoff(g(_CONTACT_ATTR[tag]))
    elif tag == "sensor":
        w["value"] = g("value")
    elif tag == "tracker":
        w.update({"latitude": g("latitude"), "longitude": g("longitude"), "gps_accuracy": g("accuracy")})
    attrs = {n: state[n] for n in decl.attributes if state.get(n) is not None}
    if attrs:
        w["attributes"] = attrs
    w = {k: v for k, v in w.items() if v is not None}
    base = f"sim/{decl.id}"
    return [Outbound(topic=f"{base}/state", payload=dumps(w), qos=1, retain=True),
            Outbound(topic=f"{base}/availability", payload="online", qos=1, retain=True)]


def sim_command_topics(decl: Any) -> list[str]:
    base, tag = f"sim/{decl.id}", _sim_tag(decl)
    main = _sim_main(decl, base) or {}
    topics = [v for k, v in main.items() if k.endswith("cmd_t")]
    if tag == "cover":
        topics.append(main["set_pos_t"])
    topics += [f"{base}/attr/{n}/set" for n, a in decl.attributes.items() if a.type in ("number", "enum")]
    return join_unique(topics)


def _sim_main_command(tag: str | None, text: str, state: dict[str, Any]) -> dict[str, Any] | None:
    if tag == "light":
        obj = maybe_json(text)
        if not isinstance(obj, dict):
            return None
        if obj.get("state") in ("ON", "OFF", "TOGGLE"):
            state["on"] = not state.get("on") if obj["state"] == "TOGGLE" else obj["state"] == "ON"
        if isinstance(obj.get("brightness"), (int, float)):
            state["brightness"] = _pct(float(obj["brightness"]), 255.0)
            state["on"] = obj["brightness"] > 0 if "state" not in obj else state["on"]
        col = obj.get("color")
        if isinstance(col, dict) and all(isinstance(col.get(c), int) for c in "rgb"):
            state["rgb"] = [col[c] for c in "rgb"]
        if isinstance(obj.get("color_temp"), (int, float)):
            state["color_temp"] = round(obj["color_temp"])
        return state
    table: dict[str, dict[str, tuple[str, Any]]] = {
        "switch": {"ON": ("on", True), "OFF": ("on", False), "TOGGLE": ("on", not state.get("on"))},
        "lock": {"LOCK": ("locked", True), "UNLOCK": ("locked", False)},
        "garage": {"OPEN": ("open_state", "open"), "CLOSE": ("open_state", "closed"),
                   "STOP": ("open_state", state.get("open_state", "closed"))},
        "cover": {"OPEN": ("position", 100), "CLOSE": ("position", 0), "STOP": ("position", state.get("position"))},
        "vacuum": {"start": ("status", "cleaning"), "stop": ("status", "idle"), "pause": ("status", "paused"),
                   "return_to_base": ("status", "docked")},
    }
    hit = table.get(tag or "", {}).get(text)
    if hit is None:
        return None
    state[hit[0]] = hit[1]
    return state


def sim_apply(decl: Any, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    base, tag, new = f"sim/{decl.id}", _sim_tag(decl), dict(state)
    if topic == f"{base}/set":
        return _sim_main_command(tag, text, new)
    try:
        if topic == f"{base}/position/set" and tag == "cover":
            new["position"] = max(0, min(100, round(float(text))))
        elif topic == f"{base}/temperature/set" and tag == "climate":
            new["target_temperature"] = float(text)
        elif topic == f"{base}/mode/set" and tag == "climate":
            new["hvac_mode"] = text
        elif topic == f"{base}/command/set" and tag == "vacuum":
            obj = json.loads(text)
            if not isinstance(obj, dict) or obj.get("command") != "app_segment_clean":
                return None
            new.update({"status": "cleaning", "cleaned_segments": list(obj.get("params") or [])})
        elif topic == f"{base}/press" and tag == "button":
            new["presses"] = int(new.get("presses") or 0) + 1
        elif topic == f"{base}/notify/set" and tag == "notify":
            new["last_message"] = text
        elif topic.startswith(f"{base}/attr/") and topic.endswith("/set"):
            name = topic[len(f"{base}/attr/"): -len("/set")]
            a = decl.attributes.get(name)
            if a is None:
                return None
            if a.type == "number":
                v = float(text)
                if (a.min is not None and v < a.min) or (a.max is not None and v > a.max):
                    return None
                new[name] = v
            elif a.type == "enum" and text in (a.options or []):
                new[name] = text
            else:
                return None
        else:
            return None
    except ValueError:
        return None
    return new


def sim_offline(decl: Any) -> list[Outbound]:
    return [Outbound(topic=f"sim/{decl.id}/availability", payload="offline", qos=1, retain=True)]


# ---------------------------------------------------------------------------------------------
# The hub's own entities
# ---------------------------------------------------------------------------------------------


def hub_discovery(hub_id: str, name: str, entities: list[dict[str, Any]]) -> list[Outbound]:
    """One retained device-level config announcing the hub's own entities (sensors, trackers, ...)."""
    cmps: dict[str, Any] = {}
    for e in entities:
        c: dict[str, Any] = {"p": e["platform"], "uniq_id": f"{hub_id}_{e['id']}", "name": e.get("name")}
        if e.get("state_topic"):
            c["stat_t"] = e["state_topic"]
        if e.get("json_attributes_topic"):
            c["json_attr_t"] = e["json_attributes_topic"]
        if e.get("unit"):
            c["unit_of_meas"] = e["unit"]
        if e["platform"] == "device_tracker":
            c["src_type"] = "gps"
        cmps[str(e["id"])] = c
    cfg = {"dev": {"ids": [hub_id], "name": name, "mf": "fusehub"}, "o": {"name": "fusehub"},
           "avty_t": f"fusehub/{hub_id}/status", "pl_avail": "online", "pl_not_avail": "offline", "cmps": cmps}
    return [Outbound(topic=f"{PREFIX}/device/{hub_id}/config", payload=dumps(cfg), qos=1, retain=True)]


def _export_entities(hub_id: str, view: Mapping[str, Any]) -> list[dict[str, Any]]:
    base = f"fusehub/{hub_id}"
    ents: list[dict[str, Any]] = [
        {"id": "last_decision", "platform": "sensor", "name": "Last decision",
         "state_topic": f"{base}/ha/last_decision", "json_attributes_topic": f"{base}/ha/last_decision/attributes"},
    ]
    for p in view.get("people", []):
        ents.append({"id": f"person_{p['id']}", "platform": "device_tracker", "name": f"{p['name']} (fused)",
                     "state_topic": f"{base}/ha/person/{p['id']}/state",
                     "json_attributes_topic": f"{base}/ha/person/{p['id']}/attributes"})
        ents.append({"id": f"person_{p['id']}_room", "platform": "sensor", "name": f"{p['name']} room",
                     "state_topic": f"{base}/ha/person/{p['id']}/room"})
    for r in view.get("rooms", []):
        ents.append({"id": f"room_{r['id']}_occupied", "platform": "binary_sensor", "name": f"{r['name']} occupied",
                     "state_topic": f"{base}/ha/room/{r['id']}/occupied", "device_class": "occupancy"})
    return ents


def export_configs(hub_id: str, view: Mapping[str, Any]) -> list[Outbound]:
    """Device-level discovery for the hub's fused beliefs (retained, so HA finds them after a restart too)."""
    out = hub_discovery(hub_id, str(view.get("name") or "fusehub"), _export_entities(hub_id, view))
    # device_tracker via state_topic needs home/not_home payloads; binary sensors need a device class.
    cfg = json.loads(out[0].payload)
    for ent in _export_entities(hub_id, view):
        c = cfg["cmps"][ent["id"]]
        if ent["platform"] == "device_tracker":
            c.update({"pl_home": "home", "pl_not_home": "not_home", "src_type": "router"})
        if ent.get("device_class"):
            c["dev_cla"] = ent["device_class"]
    return [Outbound(topic=out[0].topic, payload=dumps(cfg), qos=1, retain=True)]


def export_states(hub_id: str, view: Mapping[str, Any]) -> list[Outbound]:
    """Current values of the exported entities (retained)."""
    base = f"fusehub/{hub_id}/ha"
    msgs: list[Outbound] = []

    def put(topic: str, payload: str) -> None:
        msgs.append(Outbound(topic=f"{base}/{topic}", payload=payload, qos=1, retain=True))

    for p in view.get("people", []):
        loc = p.get("location")
        state = "home" if loc == "home" else ("not_home" if loc in (None, "away") else str(loc))
        put(f"person/{p['id']}/state", state)
        put(f"person/{p['id']}/attributes", dumps({"room": p.get("room"), "confidence": p.get("confidence"),
                                                   "source_type": "router"}))
        put(f"person/{p['id']}/room", str(p.get("room_name") or "unknown"))
    for r in view.get("rooms", []):
        put(f"room/{r['id']}/occupied", "ON" if r.get("occupied") else "OFF")
    put("last_decision", str(view.get("last_decision") or "none")[:255])
    put("last_decision/attributes", dumps({"summary": str(view.get("last_decision") or "")[:2000]}))
    return msgs


SPEC: Final = AdapterSpec(
    name=NAME,
    title="Home Assistant MQTT discovery",
    routes=(
        Route(f"{PREFIX}/+/+/config", never_raises(NAME, _parse_entity), "entity config (no node id)"),
        Route(f"{PREFIX}/+/+/+/config", never_raises(NAME, _parse_entity), "entity config with node id"),
        Route(f"{PREFIX}/device/+/config", never_raises(NAME, _parse_device_config), "device-level config"),
    ),
    encoders=ENCODERS,
    parse_device=parse_device,
    declared_key=lambda device_id, ids: f"{NAME}:{ids.get('unique_id', device_id)}",
    sim=SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                  apply=sim_apply, offline=sim_offline),
    exporter=Exporter(configs=export_configs, states=export_states, birth_topic=f"{PREFIX}/status"),
    description=__doc__ or "",
)
