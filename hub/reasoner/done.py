"""What a call did, in a short sentence, for the reply to a request some of whose clauses were refused:
"Turned off the Desk Lamp. There is no fan in the Kitchen." (the refusals follow, see ``Plan.cannots``)."""

from __future__ import annotations

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON, SkillCall

__all__ = ["done_sentence"]

_VERBS: dict[str, str] = {
    "light_turn_on": "Turned on", "light_turn_off": "Turned off", "switch_turn_on": "Turned on",
    "switch_turn_off": "Turned off", "cover_open": "Opened", "cover_close": "Closed", "garage_open": "Opened",
    "garage_close": "Closed", "lock_lock": "Locked", "lock_unlock": "Unlocked", "media_play": "Played",
    "media_pause": "Paused", "media_next": "Skipped on", "vacuum_start": "Started", "vacuum_stop": "Stopped",
    "vacuum_dock": "Sent home", "scene_activate": "Activated", "climate_set_mode": "Set the mode of",
}
_SETS: dict[str, tuple[str, str, str]] = {
    "light_set_brightness": ("brightness", "brightness", "%"),
    "media_set_volume": ("volume", "volume", "%"),
    "cover_set_position": ("position", "position", "%"),
    "climate_set_temperature": ("temperature", "temperature", " degrees"),
}


def _target(args: dict[str, JSON], graph: ContextGraph, what: str) -> str:
    dev = args.get("device")
    if isinstance(dev, str) and graph.has_device(dev):
        return f"the {graph.device(dev).name}"
    room = args.get("room")
    if isinstance(room, str):
        name = graph.room(room).name if graph.has_room(room) else room
        return f"the {what} in the {name}"
    scene = args.get("scene")
    if isinstance(scene, str):
        return scene.replace("_", " ")
    return f"all the {what}"


def _what(skill: str) -> str:
    for k, w in (("light", "lights"), ("switch", "switches"), ("cover", "covers"), ("media", "players"),
                 ("climate", "thermostats"), ("lock", "locks")):
        if skill.startswith(k):
            return w
    return "devices"


def done_sentence(call: SkillCall, graph: ContextGraph) -> str:
    """"Turned off the Desk Lamp", "Set the brightness of the lights in the Kitchen to 30%", ..."""
    a = call.args
    target = _target(a, graph, _what(call.skill))
    if call.skill in _VERBS:
        extra = f" to {a['mode']}" if call.skill == "climate_set_mode" and "mode" in a else ""
        return f"{_VERBS[call.skill]} {target}{extra}"
    if call.skill in _SETS:
        key, word, unit = _SETS[call.skill]
        if a.get(key) is not None:
            return f"Set the {word} of {target} to {a[key]}{unit}"
        change = a.get("change")
        if isinstance(change, int | float):
            return f"{'Raised' if change > 0 else 'Lowered'} the {word} of {target} by {abs(change):g}{unit}"
    if call.skill == "attribute_set":
        attr = str(a.get("attribute", "")).replace("_", " ")
        if a.get("value") is not None:
            return f"Set the {attr} of {target} to {a['value']}"
        return f"Changed the {attr} of {target}"
    return f"Did {call.skill.replace('_', ' ')}"
