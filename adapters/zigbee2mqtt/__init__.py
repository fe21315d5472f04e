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

from typing import Final

from fusehub.adapter import AdapterSpec, Route
from fusehub.adapters._util import never_raises
from fusehub.adapters.zigbee2mqtt.colour import rgb_to_xy, xy_to_rgb
from fusehub.adapters.zigbee2mqtt.common import NAME, PREFIX, declared_key, device_key
from fusehub.adapters.zigbee2mqtt.discovery import parse_bridge_event, parse_bridge_state, parse_devices
from fusehub.adapters.zigbee2mqtt.encoders import ENCODERS
from fusehub.adapters.zigbee2mqtt.sim import SIM
from fusehub.adapters.zigbee2mqtt.state import parse_device

__all__ = ["ENCODERS", "PREFIX", "SPEC", "device_key", "parse_device", "rgb_to_xy", "xy_to_rgb"]

SPEC: Final = AdapterSpec(
    name=NAME,
    title="Zigbee2MQTT",
    routes=(
        Route(f"{PREFIX}/bridge/devices", never_raises(NAME, parse_devices), "device list with exposes (discovery)"),
        Route(f"{PREFIX}/bridge/state", never_raises(NAME, parse_bridge_state), "bridge online/offline"),
        Route(f"{PREFIX}/bridge/event", never_raises(NAME, parse_bridge_event), "bridge events (device_leave)"),
    ),
    encoders=ENCODERS,
    parse_device=parse_device,
    declared_key=declared_key,
    sim=SIM,
    description="Zigbee devices through Zigbee2MQTT: exposes-based discovery, JSON state, JSON /set commands.",
)
