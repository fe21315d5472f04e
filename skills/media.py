"""Built-in skills for media players: play, pause, next track and volume."""

from __future__ import annotations

from fusehub.errors import SkillError
from fusehub.sdk import SkillContext, SkillResult, Target, skill
from fusehub.skills._common import clamp
from pydantic import Field


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
        v = args.volume if args.volume is not None else round(clamp(base + (args.change or 0), 0, 100))
        cmds.append(ctx.command(d.id, "media", "set_volume", volume=int(v)))
    return SkillResult(commands=cmds)
