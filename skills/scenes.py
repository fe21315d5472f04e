"""Built-in skill that activates a scene declared in the home file."""

from __future__ import annotations

from collections.abc import Callable

from fusehub.errors import SkillError
from fusehub.events import JSON
from fusehub.sdk import Args, SkillContext, SkillResult, skill
from pydantic import Field


class SceneArgs(Args):
    scene: str = Field(description="Scene id.")


_SCENE_ACTIONS: dict[str, tuple[str, Callable[[JSON], tuple[str, dict[str, JSON]]]]] = {
    "on": ("on_off", lambda v: ("turn_on" if v else "turn_off", {})),
    "brightness": ("brightness", lambda v: ("set_brightness", {"brightness": v})),
    "position": ("cover_position", lambda v: ("set_position", {"position": v})),
    "target_temperature": ("temperature_setpoint", lambda v: ("set_temperature", {"temperature": v})),
    "volume": ("media", lambda v: ("set_volume", {"volume": v})),
}


@skill("scene_activate", "Activate a scene (a stored set of device states).")
def scene_activate(ctx: SkillContext, args: SceneArgs) -> SkillResult:
    scene_id = ctx.graph.resolve_scene(args.scene)
    if scene_id is None:
        raise SkillError(f"there is no scene {args.scene!r}")
    scene = ctx.graph.scene(scene_id)
    cmds = []
    for dev_id, target in scene.states.items():
        d = ctx.device(dev_id)
        for attr, value in target.items():
            if attr not in _SCENE_ACTIONS:
                if attr in d.attributes:
                    cmds.append(ctx.command(d.id, "attributes", "set_attribute", attribute=attr, value=value))
                    continue
                raise SkillError(f"scene {scene.id}: cannot set {attr} on {d.name}")
            cap, fn = _SCENE_ACTIONS[attr]
            if cap in d.capabilities:
                action, params = fn(value)
                cmds.append(ctx.command(d.id, cap, action, **params))
    return SkillResult(commands=cmds, speech=f"{scene.name} activated")
