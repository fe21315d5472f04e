"""Built-in skills: lights, switches, climate, covers, locks, garage, vacuum, media, speakers, phones,
cars, scenes, timers, state queries and generic declared attributes.

Each skill is a small pure function of (context, typed args) -> commands and/or speech.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, Target, skill
from pydantic import Field

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "white": (255, 255, 255),
    "yellow": (255, 255, 0), "orange": (255, 165, 0), "purple": (128, 0, 128), "pink": (255, 192, 203),
    "cyan": (0, 255, 255), "magenta": (255, 0, 255), "warm white": (255, 214, 170), "brown": (165, 42, 42),
}
ColorName = Literal[
    "red", "green", "blue", "white", "yellow", "orange", "purple", "pink", "cyan", "magenta", "warm white", "brown"
]


def _names(devs: list[DeviceView]) -> str:
    return ", ".join(d.name for d in devs)


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


# ------------------------------------------------------------------------------------------ lights


class LightOnArgs(Target):
    brightness: int | None = Field(default=None, ge=0, le=100, description="Brightness in percent.")
    color: ColorName | None = Field(default=None, description="Color name.")


@skill("light_turn_on", "Turn lights on, optionally at a brightness or color.", capabilities=("on_off",))
def light_turn_on(ctx: SkillContext, args: LightOnArgs) -> SkillResult:
    lights = ctx.targets(args, "on_off", kind="light")
    cmds = []
    for d in lights:
        cmds.append(ctx.command(d.id, "on_off", "turn_on"))
        if args.brightness is not None and "brightness" in d.capabilities:
            cmds.append(ctx.command(d.id, "brightness", "set_brightness", brightness=args.brightness))
        if args.color is not None and "color" in d.capabilities:
            cmds.append(ctx.command(d.id, "color", "set_color", rgb=list(COLORS[args.color])))
    return SkillResult(commands=cmds)


@skill("light_turn_off", "Turn lights off.", capabilities=("on_off",))
def light_turn_off(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "on_off", "turn_off") for d in ctx.targets(args, "on_off", "light")])


class BrightnessArgs(Target):
    brightness: int | None = Field(default=None, ge=0, le=100, description="Absolute brightness in percent.")
    change: int | None = Field(default=None, ge=-100, le=100, description="Relative change in percentage points.")


@skill("light_set_brightness", "Set or change the brightness of lights.", capabilities=("brightness",))
def light_set_brightness(ctx: SkillContext, args: BrightnessArgs) -> SkillResult:
    if (args.brightness is None) == (args.change is None):
        raise SkillError("give either brightness or change")
    cmds = []
    for d in ctx.targets(args, "brightness", "light"):
        cur = d.state.get("brightness")
        base = float(cur) if isinstance(cur, int | float) else (100.0 if d.state.get("on") else 0.0)
        value = args.brightness if args.brightness is not None else round(_clamp(base + (args.change or 0), 0, 100))
        cmds.append(ctx.command(d.id, "brightness", "set_brightness", brightness=int(value)))
    return SkillResult(commands=cmds)


class ColorArgs(Target):
    color: ColorName | None = Field(default=None, description="Color name.")
    kelvin: int | None = Field(default=None, ge=1500, le=9000, description="White temperature in kelvin.")


@skill("light_set_color", "Set the color or white temperature of lights.", capabilities=("on_off",))
def light_set_color(ctx: SkillContext, args: ColorArgs) -> SkillResult:
    if (args.color is None) == (args.kelvin is None):
        raise SkillError("give either a color or a white temperature")
    cap = "color" if args.color is not None else "color_temp"
    cmds = []
    for d in ctx.targets(args, cap, "light"):
        if args.color is not None:
            cmds.append(ctx.command(d.id, "color", "set_color", rgb=list(COLORS[args.color])))
        else:
            cmds.append(ctx.command(d.id, "color_temp", "set_color_temp", kelvin=args.kelvin))
    return SkillResult(commands=cmds)


# ------------------------------------------------------------------------------------------ switches


def _non_lights(ctx: SkillContext, target: Target) -> list[DeviceView]:
    devs = [d for d in ctx.targets(target, "on_off") if d.kind != "light" or target.device is not None]
    if not devs:
        raise SkillError("no switch there")
    return devs


@skill("switch_turn_on", "Turn on a switch, plug, fan or other on/off device.", capabilities=("on_off",))
def switch_turn_on(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "on_off", "turn_on") for d in _non_lights(ctx, args)])


@skill("switch_turn_off", "Turn off a switch, plug, fan or other on/off device.", capabilities=("on_off",))
def switch_turn_off(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "on_off", "turn_off") for d in _non_lights(ctx, args)])


# ------------------------------------------------------------------------------------------ climate


class TemperatureArgs(Target):
    temperature: float | None = Field(default=None, ge=5, le=35, description="Target temperature in °C.")
    change: float | None = Field(default=None, ge=-10, le=10, description="Relative change in °C.")


@skill("climate_set_temperature", "Set or change a thermostat's target temperature.",
       capabilities=("temperature_setpoint",))
def climate_set_temperature(ctx: SkillContext, args: TemperatureArgs) -> SkillResult:
    if (args.temperature is None) == (args.change is None):
        raise SkillError("give either a temperature or a change")
    cmds = []
    for d in ctx.targets(args, "temperature_setpoint"):
        lo, hi = _range(d, "target_temperature", 5.0, 35.0)
        if args.temperature is not None:
            t = args.temperature
        else:
            cur = d.state.get("target_temperature")
            if not isinstance(cur, int | float):
                raise SkillError(f"{d.name}: current setpoint unknown, say a temperature")
            t = float(cur) + (args.change or 0.0)
        cmds.append(ctx.command(d.id, "temperature_setpoint", "set_temperature", temperature=_clamp(t, lo, hi)))
    return SkillResult(commands=cmds)


def _range(d: DeviceView, attr: str, lo: float, hi: float) -> tuple[float, float]:
    decl = d.attributes.get(attr, {})
    mn, mx = decl.get("min"), decl.get("max")
    return (float(mn) if isinstance(mn, int | float) else lo, float(mx) if isinstance(mx, int | float) else hi)


class ModeArgs(Target):
    mode: Literal["off", "heat", "cool", "auto", "dry", "fan_only", "heat_cool"] = Field(description="HVAC mode.")


@skill("climate_set_mode", "Set a thermostat's mode.", capabilities=("hvac_mode",))
def climate_set_mode(ctx: SkillContext, args: ModeArgs) -> SkillResult:
    return SkillResult(
        commands=[ctx.command(d.id, "hvac_mode", "set_hvac_mode", mode=args.mode)
                  for d in ctx.targets(args, "hvac_mode")]
    )


# ------------------------------------------------------------------------------------------ covers


@skill("cover_open", "Open blinds, shades or curtains.", capabilities=("cover_position",))
def cover_open(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(
        commands=[ctx.command(d.id, "cover_position", "open") for d in ctx.targets(args, "cover_position")]
    )


@skill("cover_close", "Close blinds, shades or curtains.", capabilities=("cover_position",))
def cover_close(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(
        commands=[ctx.command(d.id, "cover_position", "close") for d in ctx.targets(args, "cover_position")]
    )


class PositionArgs(Target):
    position: int = Field(ge=0, le=100, description="0 closed, 100 fully open.")


@skill("cover_set_position", "Move blinds to a position.", capabilities=("cover_position",))
def cover_set_position(ctx: SkillContext, args: PositionArgs) -> SkillResult:
    return SkillResult(
        commands=[ctx.command(d.id, "cover_position", "set_position", position=args.position)
                  for d in ctx.targets(args, "cover_position")]
    )


# ------------------------------------------------------------------------------------------ secure: locks, garage


@skill("lock_lock", "Lock a door.", permission="secure", capabilities=("lock",))
def lock_lock(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "lock", "lock") for d in ctx.targets(args, "lock")])


@skill("lock_unlock", "Unlock a door.", permission="secure", capabilities=("lock",))
def lock_unlock(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "lock", "unlock") for d in ctx.targets(args, "lock")])


@skill("garage_open", "Open the garage door.", permission="secure", capabilities=("garage",))
def garage_open(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "garage", "open") for d in _garages(ctx, args)])


@skill("garage_close", "Close the garage door.", permission="secure", capabilities=("garage",))
def garage_close(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "garage", "close") for d in _garages(ctx, args)])


def _garages(ctx: SkillContext, args: Target) -> list[DeviceView]:
    if args.device is None and args.room is None and args.floor is None:
        args = Target(everywhere=True)
    return ctx.targets(args, "garage")


# ------------------------------------------------------------------------------------------ vacuum


class VacuumArgs(Args):
    device: str | None = Field(default=None, description="Vacuum device id; the only vacuum if omitted.")


def _vacuum(ctx: SkillContext, device: str | None) -> DeviceView:
    if device is not None:
        return ctx.targets(Target(device=device), "vacuum")[0]
    vacs = ctx.graph.devices(capability="vacuum")
    if len(vacs) != 1:
        raise SkillError("no vacuum" if not vacs else "which vacuum? " + _names(vacs))
    return vacs[0]


@skill("vacuum_start", "Start the robot vacuum cleaning the whole home.", capabilities=("vacuum",))
def vacuum_start(ctx: SkillContext, args: VacuumArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_vacuum(ctx, args.device).id, "vacuum", "start")])


@skill("vacuum_stop", "Stop the robot vacuum.", capabilities=("vacuum",))
def vacuum_stop(ctx: SkillContext, args: VacuumArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_vacuum(ctx, args.device).id, "vacuum", "stop")])


@skill("vacuum_dock", "Send the robot vacuum back to its dock.", capabilities=("vacuum",))
def vacuum_dock(ctx: SkillContext, args: VacuumArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_vacuum(ctx, args.device).id, "vacuum", "dock")])


class CleanRoomsArgs(VacuumArgs):
    rooms: list[str] = Field(min_length=1, max_length=32, description="Room ids to clean.")


def _segment_named(ctx: SkillContext, vac: DeviceView, room_id: str) -> str | None:
    """The vacuum's own map segment (e.g. Valetudo's MapData/segments {"16": "Hallway"}) named like the room."""
    segments = vac.state.get("segments")
    if not isinstance(segments, dict):
        return None
    node = ctx.graph.g.nodes[f"room:{room_id}"]
    names = {n.strip().lower() for n in (node["name"], node["id"].replace("_", " "), *node.get("aliases", []))}
    for seg_id, seg_name in segments.items():
        if isinstance(seg_name, str) and seg_name.strip().lower() in names:
            return str(seg_id)
    return None


@skill("vacuum_clean_rooms", "Clean specific rooms with the robot vacuum.", capabilities=("vacuum",))
def vacuum_clean_rooms(ctx: SkillContext, args: CleanRoomsArgs) -> SkillResult:
    vac = _vacuum(ctx, args.device)
    segments, rooms = [], []
    for r in args.rooms:
        rid = ctx.graph.resolve_room(r)
        if rid is None:
            raise SkillError(f"there is no room {r!r}")
        seg = ctx.graph.g.nodes[f"room:{rid}"].get("vacuum_segment") or _segment_named(ctx, vac, rid)
        if seg is None:
            raise SkillError(f"the vacuum has no map segment for {rid}")
        segments.append(str(seg))
        rooms.append(rid)
    return SkillResult(commands=[ctx.command(vac.id, "vacuum", "clean_rooms", segments=segments, rooms=rooms)])


# ------------------------------------------------------------------------------------------ media


@skill("media_play", "Resume or start media playback.", capabilities=("media",))
def media_play(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "media", "play") for d in ctx.targets(args, "media")])


@skill("media_pause", "Pause media playback.", capabilities=("media",))
def media_pause(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "media", "pause") for d in ctx.targets(args, "media")])


@skill("media_next", "Skip to the next track.", capabilities=("media",))
def media_next(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "media", "next") for d in ctx.targets(args, "media")])


class VolumeArgs(Target):
    volume: int | None = Field(default=None, ge=0, le=100, description="Absolute volume in percent.")
    change: int | None = Field(default=None, ge=-100, le=100, description="Relative change in percentage points.")


@skill("media_set_volume", "Set or change the volume of a media player.", capabilities=("media",))
def media_set_volume(ctx: SkillContext, args: VolumeArgs) -> SkillResult:
    if (args.volume is None) == (args.change is None):
        raise SkillError("give either a volume or a change")
    cmds = []
    for d in ctx.targets(args, "media"):
        cur = d.state.get("volume")
        base = float(cur) if isinstance(cur, int | float) else 50.0
        v = args.volume if args.volume is not None else round(_clamp(base + (args.change or 0), 0, 100))
        cmds.append(ctx.command(d.id, "media", "set_volume", volume=int(v)))
    return SkillResult(commands=cmds)


# ------------------------------------------------------------------------------------------ speakers, phones


class AnnounceArgs(Args):
    message: str = Field(min_length=1, max_length=300, description="Text to speak.")
    room: str | None = Field(default=None, description="Room id; the requester's room if omitted.")
    everywhere: bool = Field(default=False, description="Announce on every speaker.")


@skill("speaker_announce", "Speak a message on the speakers of a room or the whole home.", capabilities=("tts",))
def speaker_announce(ctx: SkillContext, args: AnnounceArgs) -> SkillResult:
    target = Target(room=args.room, everywhere=args.everywhere or (args.room is None and ctx.context.room is None))
    return SkillResult(
        commands=[ctx.command(d.id, "tts", "announce", message=args.message) for d in ctx.targets(target, "tts")]
    )


class NotifyArgs(Args):
    person: str = Field(description="Person id whose phone gets the notification.")
    message: str = Field(min_length=1, max_length=500, description="Notification text.")
    title: str | None = Field(default=None, max_length=100, description="Notification title.")


@skill("phone_notify", "Send a notification to a person's phone.", capabilities=("notify",))
def phone_notify(ctx: SkillContext, args: NotifyArgs) -> SkillResult:
    if not ctx.graph.has_person(args.person):
        raise SkillError(f"there is no person {args.person!r}")
    phone = ctx.graph.person(args.person).phone
    if phone is None:
        raise SkillError(f"{args.person} has no phone")
    dev = ctx.targets(Target(device=phone), "notify")[0]
    params: dict[str, object] = {"message": args.message}
    if args.title:
        params["title"] = args.title
    return SkillResult(commands=[ctx.command(dev.id, "notify", "notify", **params)])


# ------------------------------------------------------------------------------------------ cars


class CarArgs(Args):
    car: str | None = Field(default=None, description="Car device id; the requester's car if omitted.")


def _car(ctx: SkillContext, car: str | None, capability: str) -> DeviceView:
    if car is None:
        actor = ctx.context.actor
        if actor.kind == "person" and actor.id and ctx.graph.has_person(actor.id):
            car = ctx.graph.person(actor.id).car
        if car is None:
            cars = ctx.graph.devices(capability=capability)
            if len(cars) != 1:
                raise SkillError("which car?" if cars else "no car")
            car = cars[0].id
    return ctx.targets(Target(device=car), capability)[0]


class PreconditionArgs(CarArgs):
    temperature: float | None = Field(default=None, ge=15, le=28, description="Cabin target in °C.")
    on: bool = Field(default=True, description="False stops preconditioning.")


@skill("car_precondition", "Warm up or cool down a car's cabin before a trip.", capabilities=("car_climate",))
def car_precondition(ctx: SkillContext, args: PreconditionArgs) -> SkillResult:
    car = _car(ctx, args.car, "car_climate")
    params: dict[str, object] = {"on": args.on}
    if args.temperature is not None:
        params["temperature"] = args.temperature
    return SkillResult(commands=[ctx.command(car.id, "car_climate", "precondition", **params)])


@skill("car_lock", "Lock a car.", permission="secure", capabilities=("car_lock",))
def car_lock(ctx: SkillContext, args: CarArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_car(ctx, args.car, "car_lock").id, "car_lock", "lock")])


@skill("car_unlock", "Unlock a car.", permission="secure", capabilities=("car_lock",))
def car_unlock(ctx: SkillContext, args: CarArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_car(ctx, args.car, "car_lock").id, "car_lock", "unlock")])


# ------------------------------------------------------------------------------------------ scenes


class SceneArgs(Args):
    scene: str = Field(description="Scene id.")


_SCENE_ACTIONS: dict[str, tuple[str, Callable[[Any], tuple[str, dict[str, Any]]]]] = {
    "on": ("on_off", lambda v: ("turn_on" if v else "turn_off", {})),
    "brightness": ("brightness", lambda v: ("set_brightness", {"brightness": v})),
    "position": ("cover_position", lambda v: ("set_position", {"position": v})),
    "target_temperature": ("temperature_setpoint", lambda v: ("set_temperature", {"temperature": v})),
    "volume": ("media", lambda v: ("set_volume", {"volume": v})),
}


@skill("scene_activate", "Activate a scene (a stored set of device states).")
def scene_activate(ctx: SkillContext, args: SceneArgs) -> SkillResult:
    node = ctx.graph.g.nodes.get(f"scene:{args.scene}")
    if node is None:
        names = {s["name"].lower(): s["id"] for s in ctx.graph.scenes()}
        sid = names.get(args.scene.lower())
        node = ctx.graph.g.nodes.get(f"scene:{sid}") if sid else None
    if node is None:
        raise SkillError(f"there is no scene {args.scene!r}")
    cmds = []
    for dev_id, target in node["states"].items():
        d = ctx.device(dev_id)
        for attr, value in target.items():
            if attr not in _SCENE_ACTIONS:
                if attr in d.attributes:
                    cmds.append(ctx.command(d.id, "attributes", "set_attribute", attribute=attr, value=value))
                    continue
                raise SkillError(f"scene {node['id']}: cannot set {attr} on {d.name}")
            cap, fn = _SCENE_ACTIONS[attr]
            if cap in d.capabilities:
                action, params = fn(value)
                cmds.append(ctx.command(d.id, cap, action, **params))
    return SkillResult(commands=cmds, speech=f"{node['name']} activated")


# ------------------------------------------------------------------------------------------ timers


class TimerArgs(Args):
    seconds: int = Field(ge=1, le=86400, description="Duration in seconds.")
    name: str | None = Field(default=None, max_length=40, description="Timer name, e.g. 'pasta'.")


def timer_default_name(seconds: int) -> str:
    """The name of a timer started without one: '5 minute', '90 second'."""
    return f"{seconds // 60} minute" if seconds % 60 == 0 else f"{seconds} second"


@skill("timer_start", "Start a timer that announces when it is done.")
def timer_start(ctx: SkillContext, args: TimerArgs) -> SkillResult:
    if ctx.timers is None:
        raise SkillError("timers are not available here")
    name = args.name or timer_default_name(args.seconds)
    ctx.timers.start_timer(name, args.seconds, ctx.context, ctx.context.room)
    return SkillResult(speech=f"Timer {name} started")


class TimerCancelArgs(Args):
    name: str | None = Field(default=None, description="Timer name; all timers if omitted.")


@skill("timer_cancel", "Cancel a timer, or all timers.")
def timer_cancel(ctx: SkillContext, args: TimerCancelArgs) -> SkillResult:
    if ctx.timers is None:
        raise SkillError("timers are not available here")
    cancelled = ctx.timers.cancel_timer(args.name)
    if not cancelled:
        raise SkillError("no such timer")
    return SkillResult(speech=f"Cancelled {', '.join(cancelled)}")


class NoArgs(Args):
    pass


@skill("timer_status", "Say which timers are running and how long they have left.", permission="read")
def timer_status(ctx: SkillContext, args: NoArgs) -> SkillResult:
    if ctx.timers is None:
        raise SkillError("timers are not available here")
    ts = ctx.timers.timers()
    if not ts:
        return SkillResult(speech="No timers are running")
    return SkillResult(speech="; ".join(f"{t['name']}: {int(t['remaining_s'])} seconds left" for t in ts))


# ------------------------------------------------------------------------------------------ queries


class QueryArgs(Args):
    device: str | None = Field(default=None, description="Device id to ask about.")
    room: str | None = Field(default=None, description="Room id to ask about.")
    capability: str | None = Field(default=None, description="Only devices with this capability.")
    attribute: str | None = Field(default=None, description="Only this attribute.")


_PHRASES = {
    "on": ("on", "off"), "locked": ("locked", "unlocked"), "contact_open": ("open", "closed"),
    "motion": ("detecting motion", "clear"), "occupancy": ("occupied", "clear"),
}


def describe(d: DeviceView, attribute: str | None = None) -> str:
    """A short spoken description of a device's state."""
    if d.available is False:
        return f"{d.name} is offline"
    state = {attribute: d.state.get(attribute)} if attribute else d.state
    parts = []
    for k, v in state.items():
        if v is None:
            continue
        if k in _PHRASES and isinstance(v, bool):
            parts.append(_PHRASES[k][0 if v else 1])
        elif k in ("value", "current_temperature", "target_temperature", "brightness", "position", "volume"):
            unit = "°C" if "temperature" in k else ("%" if k != "value" else str(d.state.get("unit") or ""))
            parts.append(f"{k.replace('_', ' ')} {v}{unit}".strip())
        elif k in ("status", "open_state", "playback", "hvac_mode"):
            parts.append(str(v))
    if not parts:
        return f"{d.name}: state unknown"
    return f"{d.name} is " + ", ".join(parts)


@skill("query_state", "Answer a question about devices' state from the context graph.", permission="read")
def query_state(ctx: SkillContext, args: QueryArgs) -> SkillResult:
    if args.device is not None:
        devs = [ctx.device(args.device)]
    else:
        room = ctx.graph.resolve_room(args.room) if args.room else None
        if args.room and room is None:
            raise SkillError(f"there is no room {args.room!r}")
        devs = ctx.graph.devices(room=room, capability=args.capability)
    if args.attribute:
        devs = [d for d in devs if args.attribute in d.state or args.attribute in d.attributes]
    if not devs:
        raise SkillError("no such device")
    return SkillResult(speech="; ".join(describe(d, args.attribute) for d in devs[:10]))


class WhereArgs(Args):
    person: str = Field(description="Person id.")


@skill("where_is", "Say where a person is, with the hub's confidence.", permission="read")
def where_is(ctx: SkillContext, args: WhereArgs) -> SkillResult:
    if not ctx.graph.has_person(args.person):
        raise SkillError(f"there is no person {args.person!r}")
    p = ctx.graph.person(args.person)
    if p.location is None:
        return SkillResult(speech=f"I don't know where {p.name} is")
    where = p.location if p.room is None else f"in the {ctx.graph.g.nodes[f'room:{p.room}']['name']}"
    if where == "home":
        where = "at home"
    elif where == "away":
        where = "away"
    return SkillResult(speech=f"{p.name} is {where} ({round(p.confidence * 100)}% sure)")


# ------------------------------------------------------------------------------------------ declared attributes


class AttributeSetArgs(Args):
    device: str = Field(description="Device id.")
    attribute: str = Field(description="A declared attribute of that device.")
    value: float | str | bool | None = Field(default=None, description="New value (number, option or bool).")
    change: float | None = Field(default=None, description="Relative change for numeric attributes.")


@skill("attribute_set", "Set a device's declared attribute within its range or options.", capabilities=("attributes",))
def attribute_set(ctx: SkillContext, args: AttributeSetArgs) -> SkillResult:
    d = ctx.device(args.device)
    decl = d.attributes.get(args.attribute)
    if decl is None:
        raise SkillError(f"{d.name} has no attribute {args.attribute!r}")
    if decl.get("writable") is False:
        raise SkillError(f"{d.name}: {args.attribute} is read-only")
    typ = decl.get("type")
    value: float | str | bool
    if typ == "number":
        lo, hi = float(decl["min"]), float(decl["max"])
        if args.change is not None:
            cur = d.state.get(args.attribute)
            if not isinstance(cur, int | float):
                raise SkillError(f"{d.name}: {args.attribute} is unknown, give a value")
            value = _clamp(float(cur) + args.change, lo, hi)
        elif isinstance(args.value, int | float) and not isinstance(args.value, bool):
            if not lo <= float(args.value) <= hi:
                raise SkillError(f"{d.name}: {args.attribute} must be within {lo:g}-{hi:g} {decl.get('unit') or ''}")
            value = float(args.value)
        else:
            raise SkillError(f"{d.name}: {args.attribute} needs a number")
    elif typ == "enum":
        opts = [str(o) for o in decl.get("options", [])]
        if not isinstance(args.value, str) or args.value not in opts:
            raise SkillError(f"{d.name}: {args.attribute} must be one of {', '.join(opts)}")
        value = args.value
    elif typ == "bool":
        if not isinstance(args.value, bool):
            raise SkillError(f"{d.name}: {args.attribute} must be true or false")
        value = args.value
    else:
        if not isinstance(args.value, str):
            raise SkillError(f"{d.name}: {args.attribute} needs text")
        value = args.value[:255]
    return SkillResult(
        commands=[ctx.command(d.id, "attributes", "set_attribute", attribute=args.attribute, value=value)]
    )


class AttributeGetArgs(Args):
    device: str = Field(description="Device id.")
    attribute: str = Field(description="Attribute name.")


@skill("attribute_get", "Read a device's attribute.", permission="read")
def attribute_get(ctx: SkillContext, args: AttributeGetArgs) -> SkillResult:
    d = ctx.device(args.device)
    if args.attribute not in d.attributes and args.attribute not in d.state:
        raise SkillError(f"{d.name} has no attribute {args.attribute!r}")
    v = d.state.get(args.attribute)
    unit = d.attributes.get(args.attribute, {}).get("unit") or ""
    return SkillResult(speech=f"{d.name} {args.attribute.replace('_', ' ')} is {'unknown' if v is None else v}{unit}")
