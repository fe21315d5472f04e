"""Built-in skills for lights, and for switches, plugs and fans (on/off devices that are not lights)."""

from __future__ import annotations

from typing import Literal

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError
from fusehub.sdk import SkillContext, SkillResult, Target, skill
from fusehub.skills._common import check_option, clamp
from pydantic import Field

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "white": (255, 255, 255),
    "yellow": (255, 255, 0), "orange": (255, 165, 0), "purple": (128, 0, 128), "pink": (255, 192, 203),
    "cyan": (0, 255, 255), "magenta": (255, 0, 255), "warm white": (255, 214, 170), "brown": (165, 42, 42),
}
ColorName = Literal[
    "red", "green", "blue", "white", "yellow", "orange", "purple", "pink", "cyan", "magenta", "warm white", "brown"
]


# ------------------------------------------------------------------------------------------ lights


class LightOnArgs(Target):
    brightness: int | None = Field(default=None, ge=0, le=100, description="Brightness in percent.")
    color: ColorName | None = Field(default=None, description="Color name.")


@skill("light_turn_on", "Turn lights on, optionally at a brightness or color.", capabilities=("on_off",))
def light_turn_on(ctx: SkillContext, args: LightOnArgs) -> SkillResult:
    lights = ctx.targets(args, "on_off", kind="light")
    if args.color is not None:
        for d in lights:
            check_option(d, "color", args.color)
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
        value = args.brightness if args.brightness is not None else round(clamp(base + (args.change or 0), 0, 100))
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
    lights = ctx.targets(args, cap, "light")
    if args.color is not None:
        for d in lights:
            check_option(d, "color", args.color)
    for d in lights:
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
