"""Built-in skills for the robot vacuum: start, stop, dock and clean chosen rooms."""

from __future__ import annotations

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, Target, skill
from pydantic import Field


def _names(devs: list[DeviceView]) -> str:
    return ", ".join(d.name for d in devs)


class VacuumArgs(Args):
    device: str | None = Field(default=None, description="Vacuum device id; the only vacuum if omitted.")


def _vacuum(ctx: SkillContext, device: str | None) -> DeviceView:
    if device is not None:
        return ctx.targets(Target(device=device), "vacuum")[0]
    vacs = ctx.graph.devices(capability="vacuum")
    if len(vacs) != 1:
        raise SkillError("no vacuum" if not vacs else "which vacuum? " + _names(vacs))
    return vacs[0]


@skill("vacuum_start", "Start the robot vacuum cleaning the whole home.", capabilities=("vacuum",))
def vacuum_start(ctx: SkillContext, args: VacuumArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_vacuum(ctx, args.device).id, "vacuum", "start")])


@skill("vacuum_stop", "Stop the robot vacuum.", capabilities=("vacuum",))
def vacuum_stop(ctx: SkillContext, args: VacuumArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_vacuum(ctx, args.device).id, "vacuum", "stop")])


@skill("vacuum_dock", "Send the robot vacuum back to its dock.", capabilities=("vacuum",))
def vacuum_dock(ctx: SkillContext, args: VacuumArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_vacuum(ctx, args.device).id, "vacuum", "dock")])


class CleanRoomsArgs(VacuumArgs):
    rooms: list[str] = Field(min_length=1, max_length=32, description="Room ids to clean.")


def _segment_named(ctx: SkillContext, vac: DeviceView, room_id: str) -> str | None:
    """The vacuum's own map segment (e.g. Valetudo's MapData/segments {"16": "Hallway"}) named like the room."""
    segments = vac.state.get("segments")
    if not isinstance(segments, dict):
        return None
    room = ctx.graph.room(room_id)
    names = {n.strip().lower() for n in (room.name, room.id.replace("_", " "), *room.aliases)}
    for seg_id, seg_name in segments.items():
        if isinstance(seg_name, str) and seg_name.strip().lower() in names:
            return str(seg_id)
    return None


@skill("vacuum_clean_rooms", "Clean specific rooms with the robot vacuum.", capabilities=("vacuum",))
def vacuum_clean_rooms(ctx: SkillContext, args: CleanRoomsArgs) -> SkillResult:
    vac = _vacuum(ctx, args.device)
    segments, rooms = [], []
    for r in args.rooms:
        rid = ctx.graph.resolve_room(r)
        if rid is None:
            raise SkillError(f"there is no room {r!r}")
        seg = ctx.graph.room(rid).vacuum_segment or _segment_named(ctx, vac, rid)
        if seg is None:
            raise SkillError(f"the vacuum has no map segment for {rid}")
        segments.append(str(seg))
        rooms.append(rid)
    return SkillResult(commands=[ctx.command(vac.id, "vacuum", "clean_rooms", segments=segments, rooms=rooms)])
