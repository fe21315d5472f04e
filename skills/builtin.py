"""The built-in skills, one module per domain: lights and switches, climate, covers, locks and garage doors,
the vacuum, media, announcements and notifications, cars, scenes, timers, questions, declared attributes.

Each skill is a small pure function of (context, typed args) -> commands and/or speech. `MODULES` lists the
domain modules in the order :func:`fusehub.skills.load_skills` registers them.
"""

from __future__ import annotations

from types import ModuleType

from fusehub.sdk import timer_default_name
from fusehub.skills import (
    attributes,
    cars,
    climate,
    covers,
    lights,
    media,
    messages,
    questions,
    scenes,
    security,
    timers,
    vacuum,
)

__all__ = ["MODULES", "timer_default_name"]

MODULES: tuple[ModuleType, ...] = (
    lights, climate, covers, security, vacuum, media, messages, cars, scenes, timers, questions, attributes,
)
"""The built-in skill modules, in registration order."""
