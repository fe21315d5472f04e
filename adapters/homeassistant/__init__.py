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

from typing import Final

from fusehub.adapter import AdapterSpec, Route
from fusehub.adapters._util import never_raises
from fusehub.adapters.homeassistant.discovery import parse_device_config, parse_entity_config
from fusehub.adapters.homeassistant.encoders import ENCODERS
from fusehub.adapters.homeassistant.export import EXPORTER, export_configs, export_states, hub_discovery
from fusehub.adapters.homeassistant.schema import ABBREVIATIONS, NAME, PREFIX, expand
from fusehub.adapters.homeassistant.sim import SIM, sim_announce
from fusehub.adapters.homeassistant.state import parse_device

__all__ = [
    "ABBREVIATIONS",
    "ENCODERS",
    "PREFIX",
    "SPEC",
    "expand",
    "export_configs",
    "export_states",
    "hub_discovery",
    "parse_device",
    "sim_announce",
]

SPEC: Final = AdapterSpec(
    name=NAME,
    title="Home Assistant MQTT discovery",
    routes=(
        Route(f"{PREFIX}/+/+/config", never_raises(NAME, parse_entity_config), "entity config (no node id)"),
        Route(f"{PREFIX}/+/+/+/config", never_raises(NAME, parse_entity_config), "entity config with node id"),
        Route(f"{PREFIX}/device/+/config", never_raises(NAME, parse_device_config), "device-level config"),
    ),
    encoders=ENCODERS,
    parse_device=parse_device,
    declared_key=lambda device_id, ids: f"{NAME}:{ids.get('unique_id', device_id)}",
    sim=SIM,
    exporter=EXPORTER,
    description=__doc__ or "",
)
