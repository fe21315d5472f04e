"""Built-in read-only skills that answer questions from the context graph: devices' state, where people are."""

from __future__ import annotations

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, skill
from pydantic import Field


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
    where = p.location if p.room is None else f"in the {ctx.graph.room(p.room).name}"
    if where == "home":
        where = "at home"
    elif where == "away":
        where = "away"
    return SkillResult(speech=f"{p.name} is {where} ({round(p.confidence * 100)}% sure)")
