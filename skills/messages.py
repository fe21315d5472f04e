"""Built-in skills that speak or send a message: announcements on speakers, notifications to phones."""

from __future__ import annotations

from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, Target, skill
from pydantic import Field


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
