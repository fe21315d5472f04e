"""Built-in read-only skills that answer questions from the context graph: devices' state (with units),
batteries, the outside temperature, where people are and when they will be home. The sentences are
:mod:`fusehub.skills.answers`'s."""

from __future__ import annotations

from fusehub.context.facts import outdoor_sensor
from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, skill
from fusehub.skills.answers import batteries_sentence, describe, outside_sentence, where_sentence
from pydantic import Field

__all__ = ["QueryArgs", "WhereArgs", "describe", "query_state", "where_is"]


class QueryArgs(Args):
    device: str | None = Field(default=None, description="Device id to ask about.")
    room: str | None = Field(default=None, description="Room id to ask about.")
    capability: str | None = Field(default=None, description="Only devices with this capability.")
    attribute: str | None = Field(default=None, description="Only this attribute.")


@skill("query_state", "Answer a question about devices' state from the context graph.", permission="read")
def query_state(ctx: SkillContext, args: QueryArgs) -> SkillResult:
    if args.device is not None:
        d = ctx.device(args.device)
        if args.device == outdoor_sensor(ctx.graph) and args.attribute in (None, "value", "temperature"):
            return SkillResult(speech=outside_sentence(ctx.graph, ctx.now))
        devs = [d]
    else:
        room = ctx.graph.resolve_room(args.room) if args.room else None
        if args.room and room is None:
            raise SkillError(f"there is no room {args.room!r}")
        devs = ctx.graph.devices(room=room, capability=args.capability)
    if args.attribute == "battery" and args.device is None:  # "which batteries are low"
        return SkillResult(speech=batteries_sentence(devs))
    if args.attribute:
        devs = [d for d in devs if args.attribute in d.state or args.attribute in d.attributes]
    if not devs:
        raise SkillError("no such device")
    return SkillResult(speech="; ".join(describe(d, args.attribute) for d in devs[:10]))


class WhereArgs(Args):
    person: str = Field(description="Person id.")


@skill("where_is", "Say where a person is: the room, or how far away and how soon home.", permission="read")
def where_is(ctx: SkillContext, args: WhereArgs) -> SkillResult:
    if not ctx.graph.has_person(args.person):
        raise SkillError(f"there is no person {args.person!r}")
    return SkillResult(speech=where_sentence(ctx.graph, args.person, ctx.now))
