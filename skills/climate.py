"""Built-in skills for thermostats: setpoint and HVAC mode."""

from __future__ import annotations

from typing import Literal

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError
from fusehub.sdk import SkillContext, SkillResult, Target, skill
from fusehub.skills._common import check_option, clamp, option_range
from pydantic import Field


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
        lo, hi = option_range(d, "temperature") or _range(d, "target_temperature", 5.0, 35.0)
        if args.temperature is not None:
            t = args.temperature
            if not lo <= t <= hi:  # conventions 12: an absolute value out of range is refused, never capped
                raise SkillError(f"{d.name} can be set from {lo:g} to {hi:g} degrees, not {t:g}")
        else:
            cur = d.state.get("target_temperature")
            if not isinstance(cur, int | float):
                raise SkillError(f"{d.name}: current setpoint unknown, say a temperature")
            t = float(cur) + (args.change or 0.0)
        cmds.append(ctx.command(d.id, "temperature_setpoint", "set_temperature", temperature=clamp(t, lo, hi)))
    return SkillResult(commands=cmds)


def _range(d: DeviceView, attr: str, lo: float, hi: float) -> tuple[float, float]:
    decl = d.attributes.get(attr, {})
    mn, mx = decl.get("min"), decl.get("max")
    return (float(mn) if isinstance(mn, int | float) else lo, float(mx) if isinstance(mx, int | float) else hi)


class ModeArgs(Target):
    mode: Literal["off", "heat", "cool", "auto", "dry", "fan_only", "heat_cool"] = Field(description="HVAC mode.")


@skill("climate_set_mode", "Set a thermostat's mode.", capabilities=("hvac_mode",))
def climate_set_mode(ctx: SkillContext, args: ModeArgs) -> SkillResult:
    devs = ctx.targets(args, "hvac_mode")
    for d in devs:
        check_option(d, "hvac_mode", args.mode)
    return SkillResult(commands=[ctx.command(d.id, "hvac_mode", "set_hvac_mode", mode=args.mode) for d in devs])
