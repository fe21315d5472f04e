"""The hub's own beliefs exported to Home Assistant: one retained device-level discovery config for the
hub's entities (people as trackers, their rooms, room occupancy, the last decision) and their states."""

from __future__ import annotations

import json
from typing import Any, Final

from fusehub.adapter import Exporter, ExportView
from fusehub.adapters._util import dumps
from fusehub.adapters.homeassistant.schema import PREFIX
from fusehub.events import Outbound

__all__ = ["EXPORTER", "export_configs", "export_states", "hub_discovery"]

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


def _export_entities(hub_id: str, view: ExportView) -> list[dict[str, Any]]:
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


def export_configs(hub_id: str, view: ExportView) -> list[Outbound]:
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


def export_states(hub_id: str, view: ExportView) -> list[Outbound]:
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


EXPORTER: Final = Exporter(configs=export_configs, states=export_states, birth_topic=f"{PREFIX}/status")
