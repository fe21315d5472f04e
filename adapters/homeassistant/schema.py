"""Home Assistant's discovery vocabulary: the topic prefix, the abbreviation tables and :func:`expand`,
and the per-platform tables both the discovery and the state parsers use.

Abbreviated keys are expanded with HA's own table (the commonly used part); a ``~`` base topic is
substituted into any ``*_topic`` value that starts or ends with ``~``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fusehub.adapters._util import BadInput

__all__ = [
    "ABBREVIATIONS",
    "BINARY_CLASSES",
    "CONTACT_ATTR",
    "DEVICE_ABBREVIATIONS",
    "NAME",
    "ORIGIN_ABBREVIATIONS",
    "PREFIX",
    "READ_ROLES",
    "expand",
]

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

READ_ROLES: Final = frozenset(
    {"state", "brightness_state", "rgb_state", "color_temp_state", "position", "temperature_state",
     "current_temperature", "mode_state", "json_attributes"}
)
"""Address topic roles that carry readings: the device topics the hub subscribes to."""
BINARY_CLASSES: Final[dict[str, tuple[str, str]]] = {
    "motion": ("motion", "motion"), "occupancy": ("occupancy", "occupancy"), "presence": ("occupancy", "occupancy"),
    "door": ("contact", "contact_open"), "window": ("contact", "contact_open"),
    "opening": ("contact", "contact_open"), "garage_door": ("contact", "contact_open"),
}
"""binary_sensor device_class -> (device kind, hub attribute)."""
CONTACT_ATTR: Final[dict[str, str]] = {"motion": "motion", "occupancy": "occupancy", "contact": "contact_open"}
"""The hub attribute a binary sensor of each kind reports."""


# ---------------------------------------------------------------------------------------------
# Expanding a config
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

