"""One plan from several, and the canonical form of a plan's calls, whichever stage made them.

:func:`unite` is used by the pipeline for the clauses of one request (:func:`fusehub.reasoner.guard.union`) and for
the rooms or people one reference names (``pipeline._union``); the two differ only in which refusals they keep,
which the caller says. :func:`canonical_calls` is applied to every plan the pipeline returns:

- Brightness implies on (conventions 6): ``light_turn_on`` with a brightness is ``light_set_brightness`` alone.
- Vacuuming several rooms is one clean-room call per room, with no separate start (conventions 9): a
  ``vacuum_clean_rooms`` call with several rooms is one call per room, in the order said, each room once per
  vacuum, and a ``vacuum_start`` of a vacuum that is sent to rooms in the same plan is dropped. The executor sends
  one vacuum's room calls of one decision as one run (:func:`fusehub.runtime.executor.one_run_per_vacuum`), so a
  second room never replaces the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from fusehub.events import Plan, SkillCall

__all__ = ["canonical_calls", "unite"]


def unite(plans: Sequence[Plan], cannots: Sequence[str], *, once: bool = False, speech_sep: str = " ") -> Plan:
    """`plans` as one: their calls in order and canonical (each call `once` when asked: a reference's rooms that ask
    the same thing); the `cannots` given (the caller decides which refusals count); each distinct speech once,
    joined by `speech_sep`; the lowest confidence; the planner's source when any plan is the planner's, else the
    first plan's; the first language said."""
    calls: list[SkillCall] = []
    for p in plans:
        calls.extend(c for c in p.calls if not once or c not in calls)
    source: Literal["rule", "intent", "planner", "situation", "cli"] = (
        "planner" if any(p.source == "planner" for p in plans) else plans[0].source if plans else "intent")
    return Plan(calls=canonical_calls(calls), source=source,
                confidence=min((p.confidence for p in plans), default=1.0), cannots=list(cannots),
                speech=speech_sep.join(dict.fromkeys(p.speech for p in plans if p.speech)) or None,
                language=next((p.language for p in plans if p.language), None))


def canonical_calls(calls: Sequence[SkillCall]) -> list[SkillCall]:
    """`calls` in the conventions' canonical form (see the module docstring); nothing else changes."""
    out = [_brightness_alone(c) for c in calls]
    return _one_vacuum_run(out)


_BRIGHTNESS_ONLY = frozenset({"device", "room", "floor", "everywhere", "brightness"})


def _brightness_alone(c: SkillCall) -> SkillCall:
    if c.skill != "light_turn_on" or c.args.get("brightness") is None or set(c.args) - _BRIGHTNESS_ONLY:
        return c  # a colour as well: the call that sets both stays
    return c.model_copy(update={"skill": "light_set_brightness"})


def _one_vacuum_run(calls: list[SkillCall]) -> list[SkillCall]:
    out: list[SkillCall] = []
    seen: set[tuple[object, str]] = set()
    for c in calls:
        rooms = c.args.get("rooms")
        if c.skill != "vacuum_clean_rooms" or not isinstance(rooms, list):
            out.append(c)
            continue
        key = c.args.get("device")
        for r in rooms:
            if (key, str(r)) not in seen:
                seen.add((key, str(r)))
                out.append(c.model_copy(update={"args": {**c.args, "rooms": [r]}}))
    sent = {k for k, _ in seen}
    return [c for c in out if not (c.skill == "vacuum_start" and c.args.get("device") in sent)]
