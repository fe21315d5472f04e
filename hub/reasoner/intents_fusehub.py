"""Handlers for fusehub's own intents (the ``Fusehub*`` intents of its sentence files, e.g.
``sentences_data/zh-CN.yaml``) and for Home Assistant's ``HassRespond``: relative brightness and temperature
changes, comfort statements, attribute questions, "where is X", and small talk. Each is a pure function of the
request, like :mod:`fusehub.reasoner.intents_handlers`, whose table includes these.

Amounts follow the household conventions (rule 11): "a bit brighter / dimmer" is 20 points, "a bit warmer /
cooler" 1 °C, an explicit amount is used as given; a comfort statement acts on the speaker's room only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fusehub.events import Plan
from fusehub.reasoner.comfort import BRIGHTNESS_STEP, DEGREE_STEP
from fusehub.reasoner.intents_scope import Cannot, Req, as_float, as_int, intent_plan, need, resolve_scope, skill_call
from fusehub.reasoner.intents_vocab import has_setpoint, is_light
from fusehub.reasoner.messages import MESSAGES, message

__all__ = ["FUSEHUB_HANDLERS"]


def _sign(req: Req) -> int:
    return -1 if req.slots.get("direction") == "down" else 1


def _where(req: Req) -> dict[str, Any]:
    """The target for a request that names no device: its area, else the speaker's room, else none (the skill
    then resolves the speaker's room, or says which room is meant)."""
    scope = resolve_scope(req, use_name=False)
    if scope.room is not None or scope.floor is not None:
        return dict(scope.target())
    return {"room": req.room} if req.room is not None else {}


def _dimmable(d: Any) -> bool:
    return is_light(d) and "brightness" in d.capabilities


def _light_change(req: Req) -> Plan:
    points = as_int(req.slots.get("change")) or BRIGHTNESS_STEP
    change = _sign(req) * points
    scope = resolve_scope(req)
    if scope.devices:
        lights = need([d for d in scope.devices if _dimmable(d)], "dimmable light", scope, req)
        return intent_plan(*(skill_call("light_set_brightness", device=d.id, change=change) for d in lights))
    target = _where(req)
    room = target.get("room")
    if isinstance(room, str) and not req.graph.devices(room=room, capability="brightness"):
        raise Cannot(f"there is no dimmable light in the {req.room_name(room)}")
    return intent_plan(skill_call("light_set_brightness", **target, change=change))


def _climate_change(req: Req) -> Plan:
    degrees = as_float(req.slots.get("change")) or DEGREE_STEP
    change = _sign(req) * degrees
    scope = resolve_scope(req)
    if scope.devices:
        climates = need([d for d in scope.devices if has_setpoint(d)], "thermostat", scope, req)
        return intent_plan(*(skill_call("climate_set_temperature", device=d.id, change=change) for d in climates))
    target = _where(req)
    room = target.get("room")
    if isinstance(room, str):
        if not req.graph.devices(room=room, capability="temperature_setpoint"):
            raise Cannot(f"there is no thermostat in the {req.room_name(room)}")
    elif not target:
        thermostats = req.graph.devices(capability="temperature_setpoint")
        if len(thermostats) == 1:  # the home's only thermostat is meant
            return intent_plan(skill_call("climate_set_temperature", device=thermostats[0].id, change=change))
    return intent_plan(skill_call("climate_set_temperature", **target, change=change))


_FEELINGS: dict[str, tuple[str, str, float, str]] = {
    "cold": ("climate_set_temperature", "temperature_setpoint", DEGREE_STEP, "thermostat"),
    "hot": ("climate_set_temperature", "temperature_setpoint", -DEGREE_STEP, "thermostat"),
    "dark": ("light_set_brightness", "brightness", BRIGHTNESS_STEP, "dimmable light"),
    "bright": ("light_set_brightness", "brightness", -BRIGHTNESS_STEP, "dimmable light"),
}


def _comfort(req: Req) -> Plan:
    """'好冷', '太暗了': the speaker's room one step warmer, cooler, brighter or dimmer (never a guessed room)."""
    feeling = _FEELINGS.get(str(req.slots.get("feeling")))
    if feeling is None:
        raise Cannot("I did not understand that")
    if req.room is None:
        raise Cannot(message("no_room_known", "en"))
    skill, capability, step, missing = feeling
    if not req.graph.devices(room=req.room, capability=capability):
        raise Cannot(f"there is no {missing} in the {req.room_name(req.room)}")
    change: float | int = step if skill.startswith("climate") else int(step)
    return intent_plan(skill_call(skill, room=req.room, change=change))


_ATTRIBUTES: dict[str, str] = {
    "brightness": "brightness", "current_temperature": "temperature_setpoint",
    "target_temperature": "temperature_setpoint", "volume": "media", "position": "cover_position",
}
"""Attribute asked about -> the capability a device needs to have it."""


def _attribute_get(req: Req) -> Plan:
    attribute = str(req.slots.get("attribute"))
    capability = _ATTRIBUTES.get(attribute)
    scope = resolve_scope(req)
    if capability is None or not scope.devices:
        raise Cannot("that has no state to ask about")
    calls = []
    for d in scope.devices:
        if capability not in d.capabilities:
            raise Cannot(f"{d.name} has no {attribute}")
        calls.append(skill_call("query_state", device=d.id, capability=capability, attribute=attribute))
    return intent_plan(*calls)


def _where_is(req: Req) -> Plan:
    """A person: where the hub believes they are. A device: the room the home file puts it in."""
    scope = resolve_scope(req)
    if scope.person is not None:
        return intent_plan(skill_call("where_is", person=scope.person))
    if not scope.devices:
        raise Cannot("that has no state to ask about")
    d = scope.devices[0]
    if d.room is None:
        return Plan(source="intent", confidence=1.0, speech=message("device_no_room", req.language, device=d.name))
    return Plan(source="intent", confidence=1.0,
                speech=message("device_in_room", req.language, device=d.name, room=req.room_name(d.room)))


def _small_talk(req: Req) -> Plan:
    """Greetings, thanks and Home Assistant's HassRespond questions: a reply, no action."""
    kind = req.slots.get("kind")
    if not isinstance(kind, str):
        kind = req.response or "greeting"
    if kind not in MESSAGES:
        kind = "greeting"
    return Plan(source="intent", confidence=1.0, speech=message(kind, req.language))


FUSEHUB_HANDLERS: dict[str, Callable[[Req], Plan]] = {
    "FusehubLightChange": _light_change,
    "FusehubClimateChange": _climate_change,
    "FusehubComfort": _comfort,
    "FusehubAttributeGet": _attribute_get,
    "FusehubWhereIs": _where_is,
    "FusehubSmallTalk": _small_talk,
    "HassRespond": _small_talk,
}
"""fusehub intent name -> pure function (request -> Plan)."""
