"""The simulator's side: a declared device announced as Home Assistant device-level discovery, its state
published as JSON and the commands :mod:`.encoders` sends applied to it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from fusehub.adapter import SimDevice
from fusehub.adapters._util import dumps, join_unique, maybe_json
from fusehub.adapters.homeassistant.schema import CONTACT_ATTR, PREFIX
from fusehub.adapters.homeassistant.state import scale_percent
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

def _sim_tag(decl: DeviceDecl) -> str | None:
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


def _sim_uid(decl: DeviceDecl) -> str:
    return str(decl.ids.get("unique_id", decl.id))


def _sim_main(decl: DeviceDecl, base: str) -> dict[str, Any] | None:
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


def sim_announce(decl: DeviceDecl) -> list[Outbound]:
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


def sim_publish_state(decl: DeviceDecl, state: Mapping[str, Any]) -> list[Outbound]:
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
        w["state"] = _onoff(g(CONTACT_ATTR[tag]))
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


def sim_command_topics(decl: DeviceDecl) -> list[str]:
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
            state["brightness"] = scale_percent(float(obj["brightness"]), 255.0)
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


def sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
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


def sim_offline(decl: DeviceDecl) -> list[Outbound]:
    return [Outbound(topic=f"sim/{decl.id}/availability", payload="offline", qos=1, retain=True)]



SIM: Final = SimDevice(announce=sim_announce, publish_state=sim_publish_state, command_topics=sim_command_topics,
                       apply=sim_apply, offline=sim_offline)
