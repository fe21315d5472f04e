"""Built-in skills for hub-side timers: start, cancel, and say what is running."""

from __future__ import annotations

from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, skill, spoken_duration, timer_default_name, timer_phrase
from pydantic import Field


class TimerArgs(Args):
    seconds: int = Field(ge=1, le=86400, description="Duration in seconds.")
    name: str | None = Field(default=None, max_length=40, description="Timer name, e.g. 'pasta'.")


@skill("timer_start", "Start a timer that announces when it is done.")
def timer_start(ctx: SkillContext, args: TimerArgs) -> SkillResult:
    if ctx.timers is None:
        raise SkillError("timers are not available here")
    name = args.name or timer_default_name(args.seconds)
    ctx.timers.start_timer(name, args.seconds, ctx.context, ctx.context.room)
    if args.name:
        return SkillResult(speech=f"Started {timer_phrase(name)} for {spoken_duration(args.seconds)}")
    return SkillResult(speech=f"Started a timer for {spoken_duration(args.seconds)}")


class TimerCancelArgs(Args):
    name: str | None = Field(default=None, description="Timer name; all timers if omitted.")


@skill("timer_cancel", "Cancel a timer, or all timers.")
def timer_cancel(ctx: SkillContext, args: TimerCancelArgs) -> SkillResult:
    if ctx.timers is None:
        raise SkillError("timers are not available here")
    cancelled = ctx.timers.cancel_timer(args.name)
    if not cancelled:
        raise SkillError("no such timer")
    return SkillResult(speech=f"Cancelled {' and '.join(timer_phrase(n) for n in cancelled)}")


class NoArgs(Args):
    pass


@skill("timer_status", "Say which timers are running and how long they have left.", permission="read")
def timer_status(ctx: SkillContext, args: NoArgs) -> SkillResult:
    if ctx.timers is None:
        raise SkillError("timers are not available here")
    ts = ctx.timers.timers()
    if not ts:
        return SkillResult(speech="No timers are running")
    return SkillResult(speech="; ".join(f"{timer_phrase(t['name'], 'The')} has {spoken_duration(t['remaining_s'])} "
                                        "left" for t in ts))
