"""Skills a humidifier maker ships: boost and sleep modes, using the device's declared attributes."""

from __future__ import annotations

from fusehub.skills import Args, SkillContext, SkillResult, skill
from pydantic import Field


class HumidifierArgs(Args):
    device: str = Field(description="Humidifier device id.")


@skill(
    "humidifier_boost",
    "Run a humidifier at its highest target humidity in boost mode.",
    permission="control",
    capabilities=("attributes",),
)
def humidifier_boost(ctx: SkillContext, args: HumidifierArgs) -> SkillResult:
    dev = ctx.device(args.device)
    top = dev.attributes.get("target_humidity", {}).get("max", 60)
    return SkillResult(
        commands=[
            ctx.command(dev.id, "on_off", "turn_on"),
            ctx.command(dev.id, "attributes", "set_attribute", attribute="target_humidity", value=float(top)),
            ctx.command(dev.id, "attributes", "set_attribute", attribute="mode", value="boost"),
        ],
        speech=f"{dev.name} boosted",
    )


@skill("humidifier_sleep", "Quiet night mode for a humidifier.", capabilities=("attributes",))
def humidifier_sleep(ctx: SkillContext, args: HumidifierArgs) -> SkillResult:
    dev = ctx.device(args.device)
    return SkillResult(
        commands=[ctx.command(dev.id, "attributes", "set_attribute", attribute="mode", value="sleep")]
    )
