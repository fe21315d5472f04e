"""Built-in adapters: one module per ecosystem, each exporting a declarative ``SPEC`` (hub.adapter.AdapterSpec).

``BUILTIN`` maps adapter names to "module:attribute" references that the hub imports lazily.
"""

from __future__ import annotations

BUILTIN: dict[str, str] = {
    "homeassistant": "adapters.homeassistant:SPEC",
    "owntracks": "adapters.owntracks:SPEC",
    "hermes": "adapters.hermes:SPEC",
    "teslamate": "adapters.teslamate:SPEC",
    "espresense": "adapters.espresense:SPEC",
    "frigate": "adapters.frigate:SPEC",
    "generic": "adapters.generic:SPEC",
    "zigbee2mqtt": "adapters.zigbee2mqtt:SPEC",
    "valetudo": "adapters.valetudo:SPEC",
    "tasmota": "adapters.tasmota:SPEC",
    "shelly": "adapters.shelly:SPEC",
}
