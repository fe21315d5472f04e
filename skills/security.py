"""Built-in secure skills for locks and garage doors (permission 'secure': policy asks who may)."""

from __future__ import annotations

from fusehub.context.graph import DeviceView
from fusehub.sdk import SkillContext, SkillResult, Target, skill


@skill("lock_lock", "Lock a door.", permission="secure", capabilities=("lock",), protective=True)
def lock_lock(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "lock", "lock") for d in ctx.targets(args, "lock")])


@skill("lock_unlock", "Unlock a door.", permission="secure", capabilities=("lock",))
def lock_unlock(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "lock", "unlock") for d in ctx.targets(args, "lock")])


@skill("garage_open", "Open the garage door.", permission="secure", capabilities=("garage",))
def garage_open(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "garage", "open") for d in _garages(ctx, args)])


@skill("garage_close", "Close the garage door.", permission="secure", capabilities=("garage",), protective=True)
def garage_close(ctx: SkillContext, args: Target) -> SkillResult:
    return SkillResult(commands=[ctx.command(d.id, "garage", "close") for d in _garages(ctx, args)])


def _garages(ctx: SkillContext, args: Target) -> list[DeviceView]:
    if args.device is None and args.room is None and args.floor is None:
        args = Target(everywhere=True)
    return ctx.targets(args, "garage")
