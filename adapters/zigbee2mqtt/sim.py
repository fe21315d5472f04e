"""The simulator's side: a declared device announced in a one-entry ``bridge/devices`` (not retained, so one
device's announcement does not replace another's list) with a retained availability; its state published
as Z2M JSON and the ``/set`` commands :mod:`.encoders` sends applied to it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from fusehub.adapter import SimDevice
from fusehub.adapters._util import dumps, is_finite_number
from fusehub.adapters.zigbee2mqtt.colour import color_to_rgb, rgb_to_xy
from fusehub.adapters.zigbee2mqtt.common import MEASUREMENTS, PREFIX, decl_ieee
from fusehub.events import Outbound
from fusehub.home import DeviceDecl

__all__ = [
    "SIM",
    "sim_announce",
    "sim_apply",
    "sim_command_topics",
    "sim_offline",
    "sim_publish_state",
]

def _sim_fn(decl: DeviceDecl) -> str:
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


def _sim_measure(decl: DeviceDecl) -> str:
    q = decl.initial.get("quantity")
    return q if isinstance(q, str) and q in MEASUREMENTS else "temperature"


def _sim_exposes(decl: DeviceDecl) -> tuple[list[dict[str, Any]], str]:
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


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
    exposes, desc = _sim_exposes(decl)
    fn = _sim_fn(decl)
    entry = {
        "ieee_address": decl_ieee(decl.id, decl.ids), "friendly_name": fn, "type": "Router",
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


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
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


def sim_command_topics(decl: DeviceDecl) -> list[str]:
    return [f"{PREFIX}/{_sim_fn(decl)}/set"]


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
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
            new["rgb"], hit = color_to_rgb(col), True
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


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    return [Outbound(topic=f"{PREFIX}/{_sim_fn(decl)}/availability", payload=dumps({"state": "offline"}),
                     qos=1, retain=True)]



SIM: Final = SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                       apply=sim_apply, offline=sim_offline)
