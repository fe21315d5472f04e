"""Mapping recognized Home Assistant intents to fusehub plans: the declarative table :data:`HANDLERS` (intent name
-> small pure function), and :data:`UNSUPPORTED`, intents the hub understands but has no skill for."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fusehub.context.graph import DeviceView
from fusehub.events import JSON, Plan, SkillCall
from fusehub.reasoner.intents_fusehub import FUSEHUB_HANDLERS
from fusehub.reasoner.intents_scope import (
    Cannot,
    Req,
    Scope,
    as_float,
    as_int,
    group_calls,
    intent_plan,
    need,
    resolve_scope,
    skill_call,
)
from fusehub.reasoner.intents_vocab import cover_class, ha_domain, has_setpoint, is_cover, is_garage, is_light, norm
from fusehub.reasoner.references import is_message
from fusehub.reasoner.sentences import SENSED_CLASSES, sensed_class
from fusehub.sdk import timer_default_name

__all__ = ["CANNOT_INTENTS", "HANDLERS", "UNSUPPORTED", "light_args"]


def _onoff_call(d: DeviceView, on: bool) -> SkillCall:
    caps = set(d.capabilities)
    if is_garage(d):
        return skill_call("garage_open" if on else "garage_close", device=d.id)
    if "lock" in caps:
        return skill_call("lock_lock" if on else "lock_unlock", device=d.id)
    if "cover_position" in caps:
        return skill_call("cover_open" if on else "cover_close", device=d.id)
    if is_light(d):
        return skill_call("light_turn_on" if on else "light_turn_off", device=d.id)
    if "on_off" in caps:
        return skill_call("switch_turn_on" if on else "switch_turn_off", device=d.id)
    if "temperature_setpoint" in caps or "hvac_mode" in caps:
        return skill_call("climate_set_mode", device=d.id, mode="auto" if on else "off")
    if "media" in caps:  # conventions 7: "turn off / stop" a media player pauses it
        return skill_call("media_play" if on else "media_pause", device=d.id)
    if "vacuum" in caps:
        return skill_call("vacuum_start" if on else "vacuum_stop", device=d.id)
    raise Cannot(f"{d.name} cannot be switched {'on' if on else 'off'}")


def _covers_of_class(req: Req, scope: Scope, device_class: Any) -> list[DeviceView]:
    covers = scope.find(req, is_cover)
    if not isinstance(device_class, str):
        return [d for d in covers if not is_garage(d)]
    if device_class == "garage":
        return [d for d in covers if is_garage(d)]
    exact = [d for d in covers if cover_class(d) == device_class]
    return exact or [d for d in covers if cover_class(d) is None]


def _turn(on: bool) -> Callable[[Req], Plan]:
    def handle(req: Req) -> Plan:
        scope = resolve_scope(req)
        if scope.scene is not None:
            if not on:
                raise Cannot("a scene cannot be turned off")
            return intent_plan(skill_call("scene_activate", scene=scope.scene))
        if scope.person is not None:
            raise Cannot("people cannot be switched on or off")
        if scope.devices:
            return intent_plan(*(_onoff_call(d, on) for d in scope.devices))
        domain = req.slots.get("domain")
        if domain == "light":
            need(scope.find(req, is_light), "light", scope, req)
            return intent_plan(skill_call("light_turn_on" if on else "light_turn_off", **scope.target()))
        if domain in ("fan", "switch"):
            devs = need(scope.find(req, lambda d: ha_domain(d)[0] == domain), str(domain), scope, req)
            return intent_plan(*(skill_call("switch_turn_on" if on else "switch_turn_off", device=d.id) for d in devs))
        if domain == "lock" and on and not scope.room and not scope.floor:  # "lock up the house"
            if not req.graph.devices(capability="lock"):
                raise Cannot("there is no lock in the home")
            return intent_plan(skill_call("lock_lock", everywhere=True))
        if domain == "cover":
            cls = req.slots.get("device_class")
            covers = need(_covers_of_class(req, scope, cls), str(cls or "cover"), scope, req)
            garages = [d for d in covers if is_garage(d)]
            others = [d for d in covers if not is_garage(d)]
            calls = [skill_call("garage_open" if on else "garage_close", device=d.id) for d in garages]
            if others:
                skill = "cover_open" if on else "cover_close"
                calls += group_calls(skill, others, scope, req, lambda d: is_cover(d) and not is_garage(d))
            return intent_plan(*calls)
        raise Cannot(f"cannot switch every {domain or 'device'} at once")

    return handle


def light_args(s: dict[str, Any]) -> tuple[str, dict[str, JSON]] | None:
    """The skill and arguments a HassLightSet's slots ask for (brightness, colour or white temperature)."""
    if "brightness" in s:
        # an absolute level out of 0-100 is refused by the skill's range, never capped (conventions 12)
        return "light_set_brightness", {"brightness": as_int(s["brightness"]) or 0}
    if "color" in s:
        return "light_set_color", {"color": str(s["color"])}
    if "temperature" in s:
        return "light_set_color", {"kelvin": as_int(s["temperature"])}
    return None


def _light_set(req: Req) -> Plan:
    scope = resolve_scope(req)
    lights = need(scope.find(req, is_light), "light", scope, req)
    light = light_args(req.slots)
    if light is None:
        raise Cannot("say a brightness, colour or colour temperature")
    skill, args = light
    if scope.devices:
        return intent_plan(*(skill_call(skill, device=d.id, **args) for d in lights))
    return intent_plan(skill_call(skill, **scope.target(), **args))


def _climate_set(req: Req) -> Plan:
    scope = resolve_scope(req)
    climates = need(scope.find(req, has_setpoint), "thermostat", scope, req)
    temp = as_float(req.slots.get("temperature"))
    if scope.devices:
        return intent_plan(*(skill_call("climate_set_temperature", device=d.id, temperature=temp) for d in climates))
    return intent_plan(skill_call("climate_set_temperature", **scope.target(), temperature=temp))


def _is_temp_sensor(d: DeviceView) -> bool:
    return "measurement" in d.capabilities and "temp" in norm(d.name)


def _climate_get(req: Req) -> Plan:
    scope = resolve_scope(req)
    climates = scope.find(req, has_setpoint)
    if scope.devices:
        d = need(climates, "thermostat", scope, req)[0]
        return intent_plan(
            skill_call(
                "query_state", device=d.id, capability="temperature_setpoint", attribute="current_temperature"
            )
        )
    if climates:
        return intent_plan(
            skill_call(
                "query_state",
                room=scope.room,
                capability="temperature_setpoint",
                attribute="current_temperature",
            )
        )
    sensors = need(scope.find(req, _is_temp_sensor), "temperature sensor", scope, req)
    return intent_plan(
        *(skill_call("query_state", device=d.id, capability="measurement", attribute="value") for d in sensors)
    )


_STATE_CAPS: tuple[tuple[str, str], ...] = (
    ("lock", "locked"),
    ("garage", "open_state"),
    ("cover_position", "position"),
    ("contact", "contact_open"),
    ("motion", "motion"),
    ("occupancy", "occupancy"),
    ("on_off", "on"),
    ("temperature_setpoint", "current_temperature"),
    ("media", "playback"),
    ("vacuum", "status"),
    ("measurement", "value"),
)

_DOMAIN_STATE: dict[str, tuple[str, str]] = {
    "light": ("on_off", "on"),
    "switch": ("on_off", "on"),
    "fan": ("on_off", "on"),
    "lock": ("lock", "locked"),
    "cover": ("cover_position", "position"),
    "sensor": ("measurement", "value"),
    "climate": ("temperature_setpoint", "current_temperature"),
    "media_player": ("media", "playback"),
}

_BINARY_SENSOR_STATE: dict[str, tuple[str, str]] = {
    "motion": ("motion", "motion"),
    "occupancy": ("occupancy", "occupancy"),
    "presence": ("occupancy", "occupancy"),
    "door": ("contact", "contact_open"),
    "window": ("contact", "contact_open"),
    "opening": ("contact", "contact_open"),
    "garage_door": ("contact", "contact_open"),
}


_SENSED = frozenset(c.device_class for c in SENSED_CLASSES)


def _state_of(d: DeviceView) -> tuple[str | None, str | None]:
    for cap, attr in _STATE_CAPS:
        if cap in d.capabilities:
            return cap, attr
    return None, None


def _get_state(req: Req) -> Plan:
    s = req.slots
    if s.get("domain") == "person" or req.name_domain == "person":
        if isinstance(s.get("name"), str):
            scope = resolve_scope(req)
            if scope.person is None:
                raise Cannot(f"there is nobody called '{s['name']}'", final=False)
            return intent_plan(skill_call("where_is", person=scope.person))
        zone = s.get("state")
        room = req.vocab.areas.get(norm(zone)) if isinstance(zone, str) else None
        people = req.graph.people()
        if room is None and people:  # "is anyone home", "who is at home": where each person is
            return intent_plan(*(skill_call("where_is", person=p.id) for p in people))
        return intent_plan(skill_call("query_state", room=room, capability="presence", attribute="location"))
    scope = resolve_scope(req)
    if scope.devices:  # a named device: its whole state (the canonical form; query_state ignores a capability
        # beside a device, and the answer already says the state asked about)
        return intent_plan(*(skill_call("query_state", device=d.id) for d in scope.devices))
    if scope.scene is not None or scope.person is not None:
        raise Cannot("that has no state to ask about")
    domain, cls = s.get("domain"), s.get("device_class")
    if domain == "cover" and cls == "garage":
        cap, attr = "garage", "open_state"
    elif domain == "cover" and cls in ("door", "window") and not _covers_of_class(req, scope, cls):
        cap, attr = "contact", "contact_open"
    elif domain == "binary_sensor" and isinstance(cls, str) and cls in _BINARY_SENSOR_STATE:
        cap, attr = _BINARY_SENSOR_STATE[cls]
    elif domain == "binary_sensor" and isinstance(cls, str) and cls in _SENSED:
        # "are any batteries low": the sensors of that class, each asked (a room has other sensors too)
        sensors = need(scope.find(req, lambda d: sensed_class(d) == cls), f"{cls.replace('_', ' ')} sensor",
                        scope, req)
        return intent_plan(*(skill_call("query_state", device=d.id, capability=_state_of(d)[0],
                             attribute=_state_of(d)[1] if "state" in s else None) for d in sensors))
    elif isinstance(domain, str) and domain in _DOMAIN_STATE:
        cap, attr = _DOMAIN_STATE[domain]
    else:
        raise Cannot(f"cannot ask about {cls or domain or 'that'} yet")
    devs = need(scope.find(req, lambda d: cap in d.capabilities), str(cls or domain), scope, req)
    same = [d for d in devs if (dc := ha_domain(d))[0] == domain and (cls is None or dc[1] == cls)]
    if same and len(same) < len(devs):
        # the capability is shared with other kinds ("which lights are on": switches and fans are on_off
        # too, "which curtains are closed": blinds have positions too): ask about these devices only
        return intent_plan(*(skill_call("query_state", device=d.id, capability=cap,
                                        attribute=attr if "state" in s else None) for d in same))
    if scope.floor is not None:  # query_state has no floor: one question per room on the floor
        rooms = list(dict.fromkeys(d.room for d in devs if d.room))
        return intent_plan(*(skill_call("query_state", room=r, capability=cap, attribute=attr) for r in rooms))
    return intent_plan(skill_call("query_state", room=scope.room, capability=cap, attribute=attr))


def _set_position(req: Req) -> Plan:
    scope = resolve_scope(req)
    pos = as_int(req.slots.get("position")) or 0
    if not 0 <= pos <= 100:
        raise Cannot(f"position {pos} is out of range (0-100)")
    if scope.devices:
        covers = need([d for d in scope.devices if is_cover(d)], "cover", scope, req)
    else:
        covers = need(_covers_of_class(req, scope, req.slots.get("device_class")), "cover", scope, req)
    calls: list[SkillCall] = []
    for d in [d for d in covers if is_garage(d)]:
        if pos not in (0, 100):
            raise Cannot(f"{d.name} can only open or close")
        calls.append(skill_call("garage_open" if pos == 100 else "garage_close", device=d.id))
    others = [d for d in covers if not is_garage(d)]
    if others:
        calls += group_calls(
            "cover_set_position",
            others,
            scope,
            req,
            lambda d: is_cover(d) and not is_garage(d),
            position=pos,
        )
    return intent_plan(*calls)


def _is_vacuum(d: DeviceView) -> bool:
    return "vacuum" in d.capabilities


def _vacuum_named(req: Req, scope: Scope) -> str | None:
    """The named vacuum, else the home's only vacuum, else None (the skill picks)."""
    if scope.devices:
        return need([d for d in scope.devices if _is_vacuum(d)], "vacuum", scope, req)[0].id
    all_vacuums = req.graph.devices(capability="vacuum")
    return all_vacuums[0].id if len(all_vacuums) == 1 else None


def _vacuum_start(req: Req) -> Plan:
    scope = resolve_scope(req)
    if scope.devices:
        return intent_plan(
            *(
                skill_call("vacuum_start", device=d.id)
                for d in need([d for d in scope.devices if _is_vacuum(d)], "vacuum", scope, req)
            )
        )
    if scope.floor is not None:
        rooms = [r for r, f in req.vocab.room_floor.items() if f == scope.floor]
        if not rooms:
            raise Cannot(f"there are no rooms on {scope.where(req)}")
        return intent_plan(skill_call("vacuum_clean_rooms", device=_vacuum_named(req, scope), rooms=rooms))
    return intent_plan(skill_call("vacuum_start", device=_vacuum_named(req, scope)))


def _vacuum_clean_area(req: Req) -> Plan:
    # a name here is the vacuum (wherever it stands), the area is where to clean ("here": the speaker's)
    named = resolve_scope(replace(req, slots={k: v for k, v in req.slots.items() if k not in ("area", "floor")}))
    area = resolve_scope(req, use_name=False)
    if area.whole_home:  # "clean the house": a whole run, not a room
        return intent_plan(skill_call("vacuum_start", device=_vacuum_named(req, named)))
    room = area.room or req.room
    if room is None:
        raise Cannot("say which room to clean")
    if not req.graph.devices(capability="vacuum"):
        raise Cannot("there is no vacuum in the home")
    return intent_plan(skill_call("vacuum_clean_rooms", device=_vacuum_named(req, named), rooms=[room]))


def _vacuum_stop(req: Req) -> Plan:
    """"stop the cleaning": the named vacuum, else the one in the named room, else the home's only one."""
    scope = resolve_scope(req)
    if scope.devices:
        vacuums = need([d for d in scope.devices if _is_vacuum(d)], "vacuum", scope, req)
    else:
        vacuums = req.graph.devices(capability="vacuum")
        if scope.room is not None:
            vacuums = [d for d in vacuums if d.room == scope.room] or vacuums
        if not vacuums:
            raise Cannot("there is no vacuum in the home")
        if len(vacuums) > 1:
            raise Cannot("which vacuum? " + " or ".join(sorted(d.name for d in vacuums)), final=False)
    return intent_plan(*(skill_call("vacuum_stop", device=d.id) for d in vacuums))


def _vacuum_dock(req: Req) -> Plan:
    return intent_plan(skill_call("vacuum_dock", device=_vacuum_named(req, resolve_scope(req))))


def _has_media(d: DeviceView) -> bool:
    return "media" in d.capabilities


def _media(skill: str) -> Callable[[Req], Plan]:
    def handle(req: Req) -> Plan:
        scope = resolve_scope(req)
        devs = need(scope.find(req, _has_media), "media player", scope, req)
        extra: dict[str, JSON] = {}
        s = req.slots
        if "volume_level" in s:
            extra["volume"] = as_int(s["volume_level"]) or 0
        elif "volume_step" in s:
            step = s["volume_step"]
            extra["change"] = 10 if step == "up" else -10 if step == "down" else as_int(step)
        if scope.devices:
            return intent_plan(*(skill_call(skill, device=d.id, **extra) for d in devs))
        return intent_plan(skill_call(skill, **scope.target(), **extra))

    return handle


def _broadcast(req: Req) -> Plan:
    message = str(req.slots.get("message", "")).strip()
    if not message:
        raise Cannot("say what to announce")
    return intent_plan(skill_call("speaker_announce", message=message, everywhere=True))


_ARTICLE = re.compile(r"^(?:the|a|an|my|our)\s+", re.I)
_BARE_REMINDER = re.compile(r"^(?:remind|alert|ping|warn)\s+(?:me|us)$|^(?:tell|let)\s+(?:me|us)(?:\s+know)?$", re.I)
"""A "delayed command" that is no command: "remind me in 45 seconds" is a timer."""


def _timer_name(req: Req) -> str | None:
    """The timer's name as said, without a leading article ("a timer for the bread" is the bread timer)."""
    name = req.slots.get("name")
    if not isinstance(name, str):
        return None
    name = _ARTICLE.sub("", name.strip()).strip()
    return name or None


def _seconds(s: dict[str, Any], prefix: str = "") -> int:
    """A duration from the `hours`/`minutes`/`seconds` slots (`start_hours`... with prefix 'start_')."""
    return (3600 * (as_int(s.get(f"{prefix}hours")) or 0) + 60 * (as_int(s.get(f"{prefix}minutes")) or 0)
            + (as_int(s.get(f"{prefix}seconds")) or 0))


def _timer_start(req: Req) -> Plan:
    s = req.slots
    if "conversation_command" in s and _BARE_REMINDER.match(" ".join(str(s["conversation_command"]).split())):
        s = {k: v for k, v in s.items() if k != "conversation_command"}
    if "conversation_command" in s:
        # "text Ben that we're leaving in ten minutes": the duration is the message's, not a delay; the planner
        # reads it (tentative). A delayed command is refused: run now, it would act too early.
        message = is_message(str(s["conversation_command"]))
        raise Cannot("delayed commands are not supported yet", final=not message)
    seconds = _seconds(s)
    if seconds <= 0:
        raise Cannot("say how long the timer should run")
    return intent_plan(skill_call("timer_start", seconds=seconds, name=_timer_name(req)))


def _timer_cancel(req: Req) -> Plan:
    s = req.slots
    if "area" in s or "floor" in s:
        raise Cannot("timers are chosen by name, not by room; say which timer")
    name = _timer_name(req)
    started = _seconds(s, "start_")
    if name is None and started > 0:  # "cancel the 5 minute timer": the name an unnamed timer was given
        name = timer_default_name(started)
    return intent_plan(skill_call("timer_cancel", name=name))


def _timer_cancel_all(req: Req) -> Plan:
    if "area" in req.slots or "floor" in req.slots:
        raise Cannot("timers are chosen by name, not by room; say which timer, or cancel all timers")
    return intent_plan(skill_call("timer_cancel"))


def _timer_status(req: Req) -> Plan:
    return intent_plan(skill_call("timer_status"))


def _nevermind(req: Req) -> Plan:
    return intent_plan()


HANDLERS: dict[str, Callable[[Req], Plan]] = {
    "HassTurnOn": _turn(True),
    "HassTurnOff": _turn(False),
    "HassLightSet": _light_set,
    "HassClimateSetTemperature": _climate_set,
    "HassClimateGetTemperature": _climate_get,
    "HassGetState": _get_state,
    "HassSetPosition": _set_position,
    "HassVacuumStart": _vacuum_start,
    "HassVacuumCleanArea": _vacuum_clean_area,
    "HassVacuumReturnToBase": _vacuum_dock,
    "FusehubVacuumStop": _vacuum_stop,
    "HassMediaPause": _media("media_pause"),
    "HassMediaUnpause": _media("media_play"),
    "HassMediaNext": _media("media_next"),
    "HassSetVolume": _media("media_set_volume"),
    "HassSetVolumeRelative": _media("media_set_volume"),
    "HassBroadcast": _broadcast,
    "HassStartTimer": _timer_start,
    "HassCancelTimer": _timer_cancel,
    "HassCancelAllTimers": _timer_cancel_all,
    "HassTimerStatus": _timer_status,
    "HassNevermind": _nevermind,
    **FUSEHUB_HANDLERS,
}
"""HA intent name -> pure function (request -> Plan). Intents in neither table are left to the planner."""

UNSUPPORTED: dict[str, str] = {
    "HassMediaPrevious": "I can't go back a track yet",
    "HassMediaSearchAndPlay": "I can't search for media to play yet",
    "HassMediaPlayerMute": "I can't mute yet; ask me to set the volume instead",
    "HassMediaPlayerUnmute": "I can't unmute yet; ask me to set the volume instead",
    "HassIncreaseTimer": "timers can't be changed once started; cancel it and start a new one",
    "HassDecreaseTimer": "timers can't be changed once started; cancel it and start a new one",
    "HassPauseTimer": "timers can't be paused yet",
    "HassUnpauseTimer": "timers can't be paused or resumed yet",
    "HassGetWeather": "I have no weather service",
    "HassGetCurrentTime": "I can't tell the time yet",
    "HassGetCurrentDate": "I can't tell the date yet",
    "HassListAddItem": "I have no lists yet",
    "HassListCompleteItem": "I have no lists yet",
    "HassListRemoveItem": "I have no lists yet",
    "HassShoppingListAddItem": "I have no shopping list yet",
    "HassShoppingListCompleteItem": "I have no shopping list yet",
    "HassLawnMowerStartMowing": "I can't control a lawn mower yet",
    "HassLawnMowerDock": "I can't control a lawn mower yet",
    "HassFanSetSpeed": "I can't set fan speeds yet",
    "HassClimateSetFanMode": "I can't set a thermostat's fan mode yet",
}
"""HA intents the hub understands but has no skill for: a final `cannot` that says so, so a model is not
asked to guess a call that only looks close (the next track for "the previous song")."""

# Intents whose "no such name/room" failures are reported as `cannot` (device control and questions).
CANNOT_INTENTS = frozenset(HANDLERS) - {
    "FusehubSmallTalk",
    "HassRespond",
    "HassBroadcast",
    "HassNevermind",
    "HassStartTimer",
    "HassCancelTimer",
    "HassCancelAllTimers",
    "HassTimerStatus",
}
