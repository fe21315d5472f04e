"""Built-in adapters: one module per ecosystem, each exporting a declarative ``SPEC`` (hub.adapter.AdapterSpec).

``BUILTIN`` maps adapter names to "module:attribute" references that the hub imports lazily.
"""

from __future__ import annotations

BUILTIN: dict[str, str] = {
    "homeassistant": "fusehub.adapters.homeassistant:SPEC",
    "owntracks": "fusehub.adapters.owntracks:SPEC",
    "hermes": "fusehub.adapters.hermes:SPEC",
    "teslamate": "fusehub.adapters.teslamate:SPEC",
    "espresense": "fusehub.adapters.espresense:SPEC",
    "frigate": "fusehub.adapters.frigate:SPEC",
    "generic": "fusehub.adapters.generic:SPEC",
    "zigbee2mqtt": "fusehub.adapters.zigbee2mqtt:SPEC",
    "valetudo": "fusehub.adapters.valetudo:SPEC",
    "tasmota": "fusehub.adapters.tasmota:SPEC",
    "shelly": "fusehub.adapters.shelly:SPEC",
}
