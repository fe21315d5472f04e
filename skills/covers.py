"""Built-in skills for blinds, shades and curtains."""

from __future__ import annotations

from fusehub.sdk import SkillContext, SkillResult, Target, skill
from pydantic import Field


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
