"""Skills: typed actions the hub can take, and the SDK device makers write them with.

    from fusehub.skills import Args, SkillContext, SkillResult, skill

The SDK's contracts live in the core (:mod:`fusehub.sdk`, so the reasoner and policy can read them without
knowing any skill); this package re-exports them and holds the built-in skills, one module per domain
(lights, climate, ...; :mod:`fusehub.skills.builtin` lists them). The test harness for skill authors, which runs a
skill in the simulator, is :mod:`fusehub.simulations.harness`.
"""

from __future__ import annotations

from fusehub.sdk import (
    Args,
    Permission,
    SkillContext,
    SkillInfo,
    SkillRegistry,
    SkillResult,
    Target,
    TimerService,
    skill,
)

__all__ = [
    "Args",
    "Permission",
    "SkillContext",
    "SkillInfo",
    "SkillRegistry",
    "SkillResult",
    "Target",
    "TimerService",
    "load_skills",
    "skill",
]


def load_skills(entry_points_too: bool = True) -> SkillRegistry:
    """The built-in skills, plus those of installed packages (the `fusehub.skills` entry-point group)."""
    from fusehub.skills import builtin

    reg = SkillRegistry()
    for module in builtin.MODULES:
        reg.add_module(module)
    if entry_points_too:
        reg.load_entry_points()
    return reg
