"""Label checks run on every generated target: arguments normalized by the skills' models, every id in the
view, every argument within what grounded decoding permits for the request."""

from __future__ import annotations

from collections.abc import Sequence

from fusehub.context.view import View
from fusehub.model.datagen.homes import GenHome
from fusehub.reasoner.calls import Call, free_text_skills
from fusehub.reasoner.grounding import grounding_for
from fusehub.sdk import SkillRegistry


def normalized(calls: Sequence[Call], skills: SkillRegistry) -> tuple[Call, ...]:
    out = []
    for call in calls:
        model = skills.get(call.skill).validate_args(call.args)
        out.append(Call(call.skill, model.model_dump(exclude_defaults=True)))
    return tuple(out)


def check_ids(calls: Sequence[Call], view: View, h: GenHome, skills: SkillRegistry) -> None:
    floors = set(h.floors)
    people = {p.id for p in h.home.people}
    scenes = {s.id for s in h.home.scenes}
    for call in calls:
        info = skills.get(call.skill)
        for k, v in call.args.items():
            if k in ("device", "car"):
                if v not in view.device_ids:
                    raise AssertionError(f"{call.skill}: {k}={v} not in the view")
                caps = set(h.graph.device(v).capabilities)
                if info.capabilities and not caps & set(info.capabilities):
                    raise AssertionError(f"{call.skill}: {v} lacks {info.capabilities}")
            elif k == "room" and v not in view.rooms:
                raise AssertionError(f"{call.skill}: room {v} not in the rooms line")
            elif k == "rooms" and not set(v) <= set(view.rooms):
                raise AssertionError(f"{call.skill}: rooms {v} not in the rooms line")
            elif (k == "floor" and v not in floors) or (k == "person" and v not in people) or (
                    k == "scene" and v not in scenes):
                raise AssertionError(f"{call.skill}: {k}={v} unknown")


def check_grounded(calls: Sequence[Call], view: View, h: GenHome, text: str | None, room: str | None,
                    skills: SkillRegistry, speaker: str | None = None) -> None:
    """Every target stays within what grounded decoding lets the runtime write for this request
    (`hub.reasoner.grounding`): a target outside it could never be produced, so it would be a label defect."""
    g = grounding_for(view, h.graph, text=text, room=room, free=free_text_skills(skills), speaker=speaker)
    for call in calls:
        for k, v in call.args.items():
            if not g.permits(k, v, call.skill):
                raise AssertionError(f"{call.skill}: {k}={v} is not grounded in {text!r} (room {room})")
