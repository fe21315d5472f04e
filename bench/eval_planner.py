"""Evaluate fusehub's planner, alone and behind the local intent matcher, on the HA intents peer suite.

    .venv/bin/python -m bench.eval_planner [--path planner|pipeline|both] [--planner null|llm]
        [--model-dir DIR] [--category C ...] [--every K] [--limit N] [--show-failures N] [--out report.json]
        [--suite en|zh-cn|DIR]

`--suite zh-cn` scores Home Assistant's Chinese test sentences (``ha-intents-zh-cn``): every record's home is its
own `local_fixtures` (floors, areas, entities, timers; the suite has no shared home), converted with the home's
`language` zh-CN; for records with `inferred_domains` any listed domain is accepted for the `domain` slot.

The suite's fixture home becomes a fusehub home (:mod:`bench.peer_home`); each record's own `local_fixtures`
(areas, entities, timers) are added to it for that record. Each sentence is given with its satellite area
(`context.area`, as a room id; the `context` domain/device_class hints of 7 records are not passed) to

- the **planner** path: ``planner.plan(PlanRequest(text=sentence, room=room), graph, skills)``;
- the **pipeline** path: ``hub.reasoner.pipeline.route``, the very function ``Hub.plan_for`` calls: the
  declared-attribute matcher, then ``IntentMatcher.match``, then the planner when both return None, or when the
  matcher's plan is a *tentative* `cannot` (an unknown name) and the planner finds calls. A final `cannot`
  ("there is no fan in the kitchen", an understood intent with no skill) is the answer.

`--planner llm --model-dir DIR` loads ``hub.reasoner.llm.LlmPlanner.load(DIR, skills)`` (imported only then);
`--no-ground` turns off grounded decoding (:mod:`hub.reasoner.grounding`);
`--fan-kind switch` converts HA fans to fusehub kind `switch` instead of `fan`.

Printed per path: exact (= correct, below), strict and intent-only accuracy overall, per `category` and per intent;
the infeasible and unsupported buckets apart; invalid-output rate; latency p50/p95 (and, for the pipeline, per
answering stage). `--out` writes all of it plus every record's expectation and outcome as JSON.

How a record's expected intent and slots become expected fusehub calls: the table :data:`MAPPING` (HA intent ->
function of the slots and the home) gives the acceptable call lists. Slots are resolved against the converted
home: `name` (``"all"`` means no name) against device names and aliases, scenes and people; `domain` and
`device_class` against the upstream domain and device class of each device; `area` and `floor` against rooms and
floors. A slot whose value is a list means any of its values. Each record then falls into one of three buckets:

- **supported**: fusehub has the skill and the home has what the slots name. Acceptable: the mapped calls
  (per device, and the room/floor/home-wide call where that selects exactly the same devices).
- **infeasible**: fusehub has the skill, but in this home nothing fits the slots (no fan in the kitchen, no
  blinds in the bedroom, no garage cover) or the value is outside the skill's range (50 °C). The right answer is
  to decline (a plan with no calls); where the mapped call exists and is valid but fails on this home (an
  announcement without speakers) that call is accepted as well.
- **unsupported**: fusehub has no skill for it (:data:`UNSUPPORTED`: shopping and todo lists, weather, date and
  time, chit-chat, media search, previous track, timer pause/resume/add/remove, delayed commands, timers chosen
  by area, scripts, valves). The right answer is to decline. These are reported separately, never folded into the
  headline figure.

Nevermind is in the unsupported bucket: its right answer is also "do nothing", which any decline is.

Scoring a plan (:func:`score_plan`): calls are canonicalized (validated by the skill's pydantic model, defaults
dropped, room/floor/scene/person references resolved to ids, a target-less call in a room given the request's
room, the device winning over room in `query_state`). A plan is

- *strict* when its set of canonical calls equals one acceptable list;
- *correct* when strict, or when executing it on the graph gives the same device commands as the expected calls
  (control), or, for state questions, when its read skills speak the same descriptions as the expected calls
  (compared per device, order-free) or contain the upstream `response` text (two words or more);
- *intent-right* when its set of skill names equals that of an acceptable list (a decline where declining is
  right);
- *invalid* when a call names no skill or fails the skill's pydantic validation.

fusehub has one `timer_status` (every timer) and `timer_cancel` by name only: a timer status question maps to
`timer_status` whatever timer it names, and cancelling "the 5 minute timer" maps to ``timer_cancel name="5
minute"`` (the name fusehub gives an unnamed 5-minute timer). A home-wide request without a room ("lights on",
from a satellite the record does not place) accepts both ``everywhere=true`` and the target-less call (which
means the speaker's room).

Records marked `context_area` upstream ("lights on", "turn off the lights in here": the area comes from the
satellite) but given no `context` here also accept a decline asking for the room (their count is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Context, Origin, Plan
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.planner import CLARIFY_BELOW, NullPlanner, Planner, PlanRequest
from fusehub.sdk import SkillContext, SkillRegistry, Target
from pydantic import BaseModel

from bench.peer_home import (
    EPOCH,
    Entity,
    PeerHome,
    convert,
    floor_ref,
    load_fixtures,
    number,
    room_ref,
    timer_name,
)

__all__ = [
    "MAPPING",
    "UNSUPPORTED",
    "Case",
    "Env",
    "Expected",
    "Score",
    "canon_plan",
    "expected_for",
    "main",
    "score_plan",
]

DEFAULT_SUITE = Path("/work/shared/peer-suites/ha-intents-en")
SUITES: dict[str, Path] = {"en": DEFAULT_SUITE, "zh-cn": Path("/work/shared/peer-suites/ha-intents-zh-cn")}
"""Short names for `--suite`."""

Call = tuple[str, dict[str, Any]]
CallKey = tuple[str, tuple[tuple[str, Any], ...]]
Status = Literal["supported", "infeasible", "unsupported"]

READ_SKILLS = frozenset({"query_state", "where_is", "attribute_get", "timer_status"})

# ------------------------------------------------------------------------------------------------- cases


@dataclass
class Case:
    """What a mapping function may read: the slots (one choice of each list), the home and the request's room."""

    slots: dict[str, Any]
    peer: PeerHome
    graph: ContextGraph
    room: str | None


@dataclass
class Mapped:
    """A mapping function's answer: acceptable call lists, or why fusehub cannot do it at all."""

    alternatives: list[list[Call]] = field(default_factory=list)
    groups: list[tuple[list[Call], list[Call]]] = field(default_factory=list)  # (group call, its per-device calls)
    read: bool = False
    unsupported: str | None = None
    missing: str | None = None  # the home has nothing that fits (-> infeasible)


def _unsupported(why: str) -> Mapped:
    return Mapped(unsupported=why)


def _missing(why: str) -> Mapped:
    return Mapped(missing=why)


def _fold(s: str) -> str:
    return " ".join(s.casefold().split())


def _num(v: Any) -> int | float | None:
    """A slot value as a number (2.0 -> 2), or None."""
    n = number(v)
    return int(n) if isinstance(n, float) and n.is_integer() else n


@dataclass
class _Scope:
    """The devices a request's slots designate, and how they were designated."""

    devices: list[Entity]
    room: str | None = None
    floor: str | None = None
    named: bool = False


def _name(c: Case) -> str | None:
    n = c.slots.get("name")
    return n.strip() if isinstance(n, str) and n.strip() and _fold(n) != "all" else None


def _scope(c: Case, pred: Callable[[Entity], bool], label: str = "device") -> _Scope | str:
    """Devices for which `pred` holds, narrowed by the name, area and floor slots; or why there are none."""
    room = floor = None
    if isinstance(c.slots.get("area"), str):
        room = room_ref(c.peer.home, c.slots["area"])
        if room is None:
            return f"no area {c.slots['area']!r}"
    if isinstance(c.slots.get("floor"), str):
        floor = floor_ref(c.peer.home, c.slots["floor"])
        if floor is None:
            return f"no floor {c.slots['floor']!r}"
    name = _name(c)
    devs = [e for e in c.peer.entities.values() if pred(e)]
    if name is not None:
        aliases = {d.id: d.aliases for d in c.peer.home.devices}
        devs = [e for e in devs if _fold(name) in (_fold(e.name), *(_fold(a) for a in aliases.get(e.device_id, [])))]
    if room is not None:
        devs = [e for e in devs if e.room == room]
    if floor is not None:
        devs = [e for e in devs if e.room is not None and c.peer.room_floor(e.room) == floor]
    if not devs:
        what = f"{name!r}" if name else (c.slots.get("device_class") or c.slots.get("domain") or label)
        where = f" in {room}" if room else f" on {floor}" if floor else ""
        return f"no {what}{where}"
    return _Scope(devs, room, floor, name is not None)


def _domain_pred(c: Case, *domains: str) -> Callable[[Entity], bool]:
    """Devices of the `domain` slot (or one of `domains` when the slot is absent) and the `device_class` slot."""
    want = c.slots.get("domain")
    allowed = {want} if isinstance(want, str) else set(domains)
    dc = c.slots.get("device_class")

    def pred(e: Entity) -> bool:
        return (not allowed or e.domain in allowed) and (not isinstance(dc, str) or e.device_class == dc)

    return pred


def _target(scope: _Scope, c: Case) -> list[dict[str, Any]]:
    """Target args for a group call on the scope (room, floor or the home), all acceptable spellings."""
    if scope.room is not None:
        return [{"room": scope.room}]
    if scope.floor is not None:
        return [{"floor": scope.floor}]
    return [{"everywhere": True}] + ([{}] if c.room is None else [])


def _group_or_each(
    scope: _Scope, c: Case, group_skill: str | None, each: Callable[[Entity], Call | None], **args: Any
) -> Mapped:
    """Per-device calls, plus the group call (verified later to select the same devices) when not named."""
    calls = [each(e) for e in scope.devices]
    if any(x is None for x in calls):
        bad = [e.name for e, x in zip(scope.devices, calls, strict=True) if x is None]
        if len(bad) == len(calls):
            return _missing(f"{', '.join(bad)}: no fusehub skill for that")
    per_device = [x for x in calls if x is not None]
    alts: list[list[Call]] = [per_device]
    groups: list[tuple[list[Call], list[Call]]] = []
    if group_skill is not None and not scope.named:
        for t in _target(scope, c):
            if t:
                groups.append(([(group_skill, {**t, **args})], per_device))
            else:  # "the speaker's room", with no room given: nothing to verify it against
                alts.append([(group_skill, dict(args))])
    return Mapped(alts, groups)


# ------------------------------------------------------------------------------------------------- mappers

_ON_OFF: dict[str, tuple[str, str]] = {
    "light": ("light_turn_on", "light_turn_off"),
    "switch": ("switch_turn_on", "switch_turn_off"),
    "fan": ("switch_turn_on", "switch_turn_off"),
    "cover": ("cover_open", "cover_close"),
    "garage": ("garage_open", "garage_close"),
    "lock": ("lock_lock", "lock_unlock"),
    "vacuum": ("vacuum_start", "vacuum_stop"),
}
_GROUP_DOMAIN: dict[str, str] = {"light": "light", "fan": "switch", "switch": "switch", "cover": "cover",
                                 "lock": "lock"}
_NO_SKILL_DOMAINS = {"script": "fusehub has no scripts", "valve": "no fusehub valve skill"}


def _turn(on: bool) -> Callable[[Case], Mapped]:
    def m(c: Case) -> Mapped:
        domain = c.slots.get("domain")
        if isinstance(domain, str) and domain in _NO_SKILL_DOMAINS:
            return _unsupported(_NO_SKILL_DOMAINS[domain])
        name = _name(c)
        if name is not None and domain in (None, "scene"):
            for s in c.peer.home.scenes:
                if _fold(s.name) == _fold(name):
                    return Mapped([[("scene_activate", {"scene": s.id})]]) if on else _missing("a scene cannot be off")
        if domain == "scene":
            return _missing(f"no scene {name!r}")
        scope = _scope(c, _domain_pred(c))
        if isinstance(scope, str):
            return _missing(scope)

        def each(e: Entity) -> Call | None:
            pair = _ON_OFF.get(e.kind)
            return None if pair is None else (pair[0 if on else 1], {"device": e.device_id})

        group = None
        if isinstance(domain, str) and domain in _GROUP_DOMAIN and c.slots.get("device_class") != "garage":
            pair = _ON_OFF[_GROUP_DOMAIN[domain]]
            group = pair[0 if on else 1]
        if c.slots.get("device_class") == "garage":
            group = "garage_open" if on else "garage_close"
        return _group_or_each(scope, c, group, each)

    return m


def _light_set(c: Case) -> Mapped:
    scope = _scope(c, lambda e: e.domain == "light", "light")
    if isinstance(scope, str):
        return _missing(scope)
    s = c.slots
    args: dict[str, Any]
    if "brightness" in s:
        skill, args = "light_set_brightness", {"brightness": _num(s["brightness"])}
    elif "color" in s:
        skill, args = "light_set_color", {"color": str(s["color"])}
    elif "temperature" in s:
        skill, args = "light_set_color", {"kelvin": _num(s["temperature"])}
    else:
        return _unsupported("light setting without brightness, color or temperature")
    out = _group_or_each(scope, c, skill, lambda e: (skill, {"device": e.device_id, **args}), **args)
    if skill == "light_set_brightness" or "color" in args:  # "set it to 50%" also reads as "turn it on at 50%"
        on_args = {k: v for k, v in args.items() if k in ("brightness", "color")}
        on = _group_or_each(
            scope, c, "light_turn_on", lambda e: ("light_turn_on", {"device": e.device_id, **on_args}), **on_args
        )
        out.alternatives += on.alternatives
        out.groups += on.groups
    return out


def _climate_set(c: Case) -> Mapped:
    scope = _scope(c, lambda e: e.domain == "climate", "thermostat")
    if isinstance(scope, str):
        return _missing(scope)
    t = _num(c.slots.get("temperature"))
    return _group_or_each(
        scope, c, "climate_set_temperature",
        lambda e: ("climate_set_temperature", {"device": e.device_id, "temperature": t}), temperature=t,
    )


_PRIMARY_ATTR: dict[str, str] = {
    "light": "on", "switch": "on", "fan": "on", "cover": "position", "garage": "open_state", "lock": "locked",
    "contact": "contact_open", "motion": "motion", "occupancy": "occupancy", "sensor": "value",
    "climate": "current_temperature", "media_player": "playback", "vacuum": "status",
}


def _reads(devs: Iterable[Entity], attr: Callable[[Entity], str | None]) -> Mapped:
    devs = list(devs)
    plain: list[Call] = [("query_state", {"device": e.device_id}) for e in devs]
    with_attr: list[Call] = []
    for e in devs:
        a = attr(e)
        with_attr.append(("query_state", {"device": e.device_id, **({"attribute": a} if a else {})}))
    return Mapped([plain, with_attr], read=True)


def _get_state(c: Case) -> Mapped:
    s = c.slots
    name = _name(c)
    people = {pid: pname for pid, (pname, _) in c.peer.people.items()}
    if s.get("domain") == "person" or (name is not None and any(_fold(n) == _fold(name) for n in people.values())):
        if name is not None:
            ids = [pid for pid, pname in people.items() if _fold(pname) == _fold(name)]
            if not ids:
                return _missing(f"nobody called {name!r}")
        else:
            ids = list(people)
        return Mapped([[("where_is", {"person": p}) for p in ids]], read=True)
    domain = s.get("domain")
    if isinstance(domain, str) and domain in ("weather", "todo", "valve", "script"):
        return _unsupported(f"no fusehub {domain} state")
    scope = _scope(c, _domain_pred(c))
    if isinstance(scope, str):
        return _missing(scope)
    return _reads(scope.devices, lambda e: _PRIMARY_ATTR.get(e.kind))


def _climate_get(c: Case) -> Mapped:
    scope = _scope(c, lambda e: e.domain == "climate", "thermostat")
    if isinstance(scope, str):
        return _missing(scope)
    return _reads(scope.devices, lambda e: "current_temperature")


def _set_position(c: Case) -> Mapped:
    if c.slots.get("domain") in _NO_SKILL_DOMAINS:
        return _unsupported(_NO_SKILL_DOMAINS[str(c.slots["domain"])])
    scope = _scope(c, _domain_pred(c, "cover"))
    if isinstance(scope, str):
        return _missing(scope)
    pos = _num(c.slots.get("position"))

    def each(e: Entity) -> Call | None:
        if e.kind == "garage":
            return ("garage_open" if pos == 100 else "garage_close", {"device": e.device_id}) if pos in (0, 100) \
                else None
        return ("cover_set_position", {"device": e.device_id, "position": pos}) if e.kind == "cover" else None

    return _group_or_each(scope, c, "cover_set_position", each, position=pos)


def _media(skill: str, arg: str | None = None, slot: str | None = None) -> Callable[[Case], Mapped]:
    def m(c: Case) -> Mapped:
        scope = _scope(c, lambda e: e.domain == "media_player", "media player")
        if isinstance(scope, str):
            return _missing(scope)
        extra = {arg: _num(c.slots.get(slot))} if arg and slot else {}
        return _group_or_each(scope, c, skill, lambda e: (skill, {"device": e.device_id, **extra}), **extra)

    return m


def _vacuum_start(c: Case) -> Mapped:
    vacs = [e for e in c.peer.entities.values() if e.kind == "vacuum"]
    if not vacs:
        return _missing("no vacuum")
    if isinstance(c.slots.get("floor"), str) or isinstance(c.slots.get("area"), str):
        if isinstance(c.slots.get("area"), str):
            room = room_ref(c.peer.home, c.slots["area"])
            rooms = [room] if room else []
        else:
            fl = floor_ref(c.peer.home, c.slots["floor"])
            rooms = [r.id for r in c.peer.home.rooms if fl is not None and r.floor == fl]
        if not rooms:
            return _missing("no such rooms")
        alts: list[list[Call]] = [[("vacuum_clean_rooms", {"rooms": rooms})]]
        alts += [[("vacuum_clean_rooms", {"device": v.device_id, "rooms": rooms})] for v in vacs]
        return Mapped(alts)
    scope = _scope(c, lambda e: e.kind == "vacuum")
    if isinstance(scope, str):
        return _missing(scope)
    return _vacuum_alts("vacuum_start", scope, vacs)


def _vacuum_alts(skill: str, scope: _Scope, vacs: list[Entity]) -> Mapped:
    alts: list[list[Call]] = [[(skill, {"device": e.device_id}) for e in scope.devices]]
    if len(vacs) == 1:
        alts.append([(skill, {})])
    return Mapped(alts)


def _vacuum_dock(c: Case) -> Mapped:
    vacs = [e for e in c.peer.entities.values() if e.kind == "vacuum"]
    scope = _scope(c, lambda e: e.kind == "vacuum")
    if isinstance(scope, str):
        return _missing(scope)
    return _vacuum_alts("vacuum_dock", scope, vacs)


def _volume_relative(c: Case) -> Mapped:
    """Up / down is 10 points (the conventions' default step), a number is that many points."""
    step = c.slots.get("volume_step")
    change = 10 if step == "up" else -10 if step == "down" else _num(step)
    if not isinstance(change, int):
        return _missing(f"volume step {step!r} is not a whole number of points")
    return _media("media_set_volume", "change", "_change")(Case({**c.slots, "_change": change}, c.peer, c.graph,
                                                                  c.room))


def _vacuum_clean_area(c: Case) -> Mapped:
    """Clean the named area (or the satellite's room) with the named vacuum, or the home's only one."""
    vacs = [e for e in c.peer.entities.values() if e.kind == "vacuum"]
    if not vacs:
        return _missing("no vacuum")
    area = c.slots.get("area")
    room = room_ref(c.peer.home, area) if isinstance(area, str) else c.room
    if room is None:
        return _missing("no room to clean")
    named = _name(c)
    chosen = [v for v in vacs if named is None or _fold(v.name) == _fold(named)]
    if not chosen:
        return _missing(f"no vacuum {named!r}")
    alts: list[list[Call]] = [[("vacuum_clean_rooms", {"device": v.device_id, "rooms": [room]})] for v in chosen]
    if len(vacs) == 1:
        alts.append([("vacuum_clean_rooms", {"rooms": [room]})])
    return Mapped(alts)


def _broadcast(c: Case) -> Mapped:
    msg = str(c.slots.get("message") or "").strip()
    return Mapped([[("speaker_announce", {"message": msg, "everywhere": True})],
                   [("speaker_announce", {"message": msg})]])


def _seconds(s: dict[str, Any], prefix: str = "") -> int:
    return sum(int((_num(s.get(prefix + k)) or 0) * mult) for k, mult in (("hours", 3600), ("minutes", 60),
                                                                          ("seconds", 1)))


def _timer_name(s: dict[str, Any]) -> str | None:
    n = s.get("name")
    return n.strip() if isinstance(n, str) and n.strip() else None


def _timer_start(c: Case) -> Mapped:
    if "conversation_command" in c.slots:
        return _unsupported("delayed commands")
    args: dict[str, Any] = {"seconds": _seconds(c.slots)}
    if _timer_name(c.slots):
        args["name"] = _timer_name(c.slots)
    return Mapped([[("timer_start", args)]])


def _timer_cancel(c: Case) -> Mapped:
    s = c.slots
    if "area" in s:
        return _unsupported("fusehub timers are chosen by name, not by area")
    name = _timer_name(s)
    if name is None and any(k.startswith("start_") for k in s):
        name = timer_name(_seconds(s, "start_"))
    return Mapped([[("timer_cancel", {"name": name} if name else {})]])


def _timer_cancel_all(c: Case) -> Mapped:
    if "area" in c.slots:
        return _unsupported("fusehub timers are chosen by name, not by area")
    return Mapped([[("timer_cancel", {})]])


def _timer_status(c: Case) -> Mapped:
    return Mapped([[("timer_status", {})]])


MAPPING: dict[str, Callable[[Case], Mapped]] = {
    "HassTurnOn": _turn(True),
    "HassTurnOff": _turn(False),
    "HassLightSet": _light_set,
    "HassClimateSetTemperature": _climate_set,
    "HassClimateGetTemperature": _climate_get,
    "HassGetState": _get_state,
    "HassSetPosition": _set_position,
    "HassVacuumStart": _vacuum_start,
    "HassVacuumReturnToBase": _vacuum_dock,
    "HassVacuumCleanArea": _vacuum_clean_area,
    "HassMediaPause": _media("media_pause"),
    "HassMediaUnpause": _media("media_play"),
    "HassMediaNext": _media("media_next"),
    "HassSetVolume": _media("media_set_volume", "volume", "volume_level"),
    "HassSetVolumeRelative": _volume_relative,
    "HassBroadcast": _broadcast,
    "HassStartTimer": _timer_start,
    "HassCancelTimer": _timer_cancel,
    "HassCancelAllTimers": _timer_cancel_all,
    "HassTimerStatus": _timer_status,
}
"""HA intent -> function(slots, home) -> acceptable fusehub call lists (or unsupported / nothing fits)."""

UNSUPPORTED: dict[str, str] = {
    "HassShoppingListAddItem": "no list skill",
    "HassShoppingListCompleteItem": "no list skill",
    "HassListAddItem": "no list skill",
    "HassListCompleteItem": "no list skill",
    "HassGetWeather": "no weather skill",
    "HassGetCurrentDate": "no date skill",
    "HassGetCurrentTime": "no time skill",
    "HassRespond": "chit-chat: nothing to do",
    "HassNevermind": "nothing to do",
    "HassMediaSearchAndPlay": "no media search skill",
    "HassMediaPrevious": "no previous-track skill",
    "HassPauseTimer": "timers cannot be paused",
    "HassUnpauseTimer": "timers cannot be paused",
    "HassIncreaseTimer": "timers cannot be changed",
    "HassDecreaseTimer": "timers cannot be changed",
    "HassFanSetSpeed": "no fan speed skill",
    "HassLawnMowerDock": "no lawn mower skill",
    "HassLawnMowerStartMowing": "no lawn mower skill",
    "HassListRemoveItem": "no list skill",
    "HassMediaPlayerMute": "no mute skill",
    "HassMediaPlayerUnmute": "no mute skill",
}
"""HA intents fusehub has no skill for: the right answer is a decline (no calls)."""


# ------------------------------------------------------------------------------------------------- canonical calls


class _Timers:
    """A TimerService that only remembers (skills run against it, nothing fires)."""

    def __init__(self, seed: Iterable[tuple[str, float]] = ()) -> None:
        self._t: dict[str, float] = dict(seed)

    def start_timer(self, name: str, seconds: float, context: Context, room: str | None) -> str:
        self._t[name] = seconds
        return name

    def cancel_timer(self, name: str | None) -> list[str]:
        names = list(self._t) if name is None else [n for n in self._t if n == name]
        for n in names:
            del self._t[n]
        return names

    def timers(self) -> list[dict[str, Any]]:
        return [{"name": n, "remaining_s": s} for n, s in self._t.items()]


def _freeze(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return tuple(sorted((_freeze(x) for x in v), key=repr))
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return _fold(v)
    return v


def _resolve_floor(graph: ContextGraph, ref: str) -> str:
    want = _fold(ref)
    for f in graph.floors():
        if want in (f.id, _fold(f.name), *(_fold(a) for a in f.aliases)):
            return f.id
    return ref


@dataclass
class Env:
    """Where calls are judged: the home's graph, the skills, the request's room and the running timers."""

    graph: ContextGraph
    skills: SkillRegistry
    room: str | None = None
    timers: list[tuple[str, float]] = field(default_factory=list)


def canon_call(skill: str, args: dict[str, Any], env: Env) -> CallKey | None:
    """The comparable form of one call; None when the skill is unknown or the args fail its validation."""
    graph, skills, room = env.graph, env.skills, env.room
    if skill not in skills:
        return None
    info = skills.get(skill)
    try:
        model: BaseModel = info.validate_args(dict(args))
    except Exception:
        return None
    d: dict[str, Any] = model.model_dump(exclude_defaults=True, mode="json")
    if isinstance(d.get("room"), str):
        d["room"] = graph.resolve_room(d["room"]) or d["room"]
    if isinstance(d.get("rooms"), list):
        d["rooms"] = [graph.resolve_room(r) or r for r in d["rooms"]]
    if isinstance(d.get("floor"), str):
        d["floor"] = _resolve_floor(graph, d["floor"])
    if isinstance(d.get("scene"), str):
        names = {_fold(s.name): s.id for s in graph.scenes()}
        d["scene"] = names.get(_fold(d["scene"]), d["scene"])
    if isinstance(d.get("person"), str) and not graph.has_person(d["person"]):
        names = {_fold(p.name): p.id for p in graph.people()}
        d["person"] = names.get(_fold(d["person"]), d["person"])
    if issubclass(info.args_model, Target):
        if "device" in d:
            for k in ("room", "floor", "everywhere"):
                d.pop(k, None)
        elif not any(k in d for k in ("room", "floor", "everywhere")) and room is not None:
            d["room"] = room
    if skill == "query_state" and "device" in d:
        d.pop("room", None)
        d.pop("capability", None)
    return skill, tuple(sorted((k, _freeze(v)) for k, v in d.items()))


def canon_plan(calls: Iterable[Call], env: Env) -> frozenset[CallKey] | None:
    """The set of canonical calls of a plan; None if any call is invalid."""
    out = set()
    for skill, args in calls:
        k = canon_call(skill, args, env)
        if k is None:
            return None
        out.add(k)
    return frozenset(out)


@dataclass
class Executed:
    commands: frozenset[tuple[str, str, str, str]]
    speech: tuple[str, ...]
    error: str | None


def execute(calls: Iterable[Call], env: Env) -> Executed:
    """Run the calls against the graph (nothing is sent): their device commands and speech parts."""
    ctx = SkillContext(
        graph=env.graph, now=EPOCH, context=Context(actor=Actor.unknown(), origin=Origin.voice, room=env.room),
        timers=_Timers(env.timers),
    )
    skills = env.skills
    cmds: set[tuple[str, str, str, str]] = set()
    parts: list[str] = []
    error = None
    for skill, args in calls:
        try:
            res = skills.execute(skill, ctx, dict(args))
        except Exception as e:
            error = f"{skill}: {e}"
            continue
        for c in res.commands:
            cmds.add((c.device, c.capability, c.action, json.dumps(c.params, sort_keys=True, default=str)))
        if res.speech:
            parts += [_fold(p) for p in res.speech.split("; ") if p.strip()]
    return Executed(frozenset(cmds), tuple(sorted(parts)), error)


# ------------------------------------------------------------------------------------------------- expectations


@dataclass
class Expected:
    """What a record asks of fusehub, in comparable form."""

    status: Status
    read: bool
    alternatives: list[frozenset[CallKey]]
    skill_sets: list[frozenset[str]]
    commands: list[frozenset[tuple[str, str, str, str]]]
    speeches: list[tuple[str, ...]]
    rendered: list[str]
    reason: str = ""
    decline_ok: bool = False  # an "in here" request whose satellite room the record does not give


def _expansions(slots: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every choice of one value per list slot ("a list value means any of them")."""
    keys = list(slots)
    pools = [v if isinstance(v, list) and v else [v] for v in slots.values()]
    for combo in itertools.product(*pools):
        yield dict(zip(keys, combo, strict=True))


def render(calls: Iterable[Call]) -> str:
    out = []
    for skill, args in calls:
        out.append(" ".join([skill, *(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items())]))
    return " + ".join(out) or "(no calls)"


def expected_for(rec: dict[str, Any], peer: PeerHome, env: Env) -> Expected:
    """Map a record's intent and slots to the acceptable fusehub outcomes on this home."""
    graph, room = env.graph, env.room
    intent = rec["intent"]
    if intent in UNSUPPORTED:
        return Expected("unsupported", False, [], [frozenset()], [], [], ["(decline)"], UNSUPPORTED[intent])
    mapper = MAPPING.get(intent)
    if mapper is None:
        return Expected("unsupported", False, [], [frozenset()], [], [], ["(decline)"], "intent not in the table")
    results = [mapper(Case(s, peer, graph, room)) for s in _expansions(rec.get("slots") or {})]
    usable = [m for m in results if m.unsupported is None]
    if not usable:
        why = results[0].unsupported or ""
        return Expected("unsupported", False, [], [frozenset()], [], [], ["(decline)"], why)
    read = any(m.read for m in usable)
    alts: list[frozenset[CallKey]] = []
    skill_sets: list[frozenset[str]] = []
    commands: list[frozenset[tuple[str, str, str, str]]] = []
    speeches: list[tuple[str, ...]] = []
    rendered: list[str] = []
    ran_ok = False
    for m in usable:
        candidates: list[tuple[list[Call], list[Call] | None]] = [(calls, None) for calls in m.alternatives]
        candidates += [(g, ref) for g, ref in m.groups]
        for calls, ref in candidates:
            key = canon_plan(calls, env)
            if key is None or key in alts:
                continue
            ex = execute(calls, env)
            # a room/floor/home-wide spelling counts only when it selects exactly the per-device calls' devices
            if ref is not None and (ex.error is not None or ex.commands != execute(ref, env).commands):
                continue
            alts.append(key)
            skill_sets.append(frozenset(s for s, _ in calls))
            rendered.append(render(calls))
            if ex.error is None:
                ran_ok = True
                if ex.commands:
                    commands.append(ex.commands)
                if read and ex.speech:
                    speeches.append(ex.speech)
    missing = next((m.missing for m in results if m.missing), "")
    if not alts:
        return Expected("infeasible", read, [], [frozenset()], [], [], ["(decline)"],
                        missing or "the mapped call is not valid for the skill")
    if not ran_ok:
        return Expected("infeasible", read, alts, [*skill_sets, frozenset()], [], [], [*rendered, "(decline)"],
                        "the mapped call fails on this home")
    exp = Expected("supported", read, alts, skill_sets, commands, speeches, rendered)
    if rec.get("context_area") and room is None:
        exp.decline_ok = True
        exp.skill_sets.append(frozenset())
        exp.rendered.append("(decline: which room?)")
    return exp


# ------------------------------------------------------------------------------------------------- scoring


@dataclass
class Score:
    correct: bool
    strict: bool
    intent: bool
    invalid: bool
    declined: bool
    how: str = ""
    error: str | None = None


def _words(s: str) -> list[str]:
    return re.findall(r"[a-z0-9°%.]+", s.casefold())


def _contains_response(speech: tuple[str, ...], response: Any) -> bool:
    if not isinstance(response, str):
        return False
    want = _words(response)
    if len(want) < 2:
        return False
    said = " " + " ".join(_words(" ".join(speech))) + " "
    return f" {' '.join(want)} " in said


def score_plan(plan: Plan, exp: Expected, env: Env, response: Any = None) -> Score:
    """How a plan fares against a record's expectation (see the module docstring)."""
    calls: list[Call] = [(c.skill, dict(c.args)) for c in plan.calls]
    key = canon_plan(calls, env)
    declined = not calls
    if key is None:
        return Score(False, False, False, True, declined, "invalid")
    if (exp.status != "supported" or exp.decline_ok) and declined:
        return Score(True, True, True, False, True, "decline")
    if exp.status == "unsupported" or declined:
        return Score(False, False, False, False, declined)
    skill_set = frozenset(s for s, _ in calls)
    intent = skill_set in exp.skill_sets
    if key in exp.alternatives:
        return Score(True, True, intent, False, False, "calls")
    ex = execute(calls, env)
    if exp.read and skill_set <= READ_SKILLS and ex.error is None:
        if ex.speech and ex.speech in exp.speeches:
            return Score(True, False, intent, False, False, "speech", ex.error)
        if _contains_response(ex.speech, response):
            return Score(True, False, intent, False, False, "response", ex.error)
    if not exp.read and ex.error is None and ex.commands and ex.commands in exp.commands:
        return Score(True, False, intent, False, False, "effect")
    return Score(False, False, intent, False, False, "", ex.error)


# ------------------------------------------------------------------------------------------------- running


@dataclass
class Outcome:
    plan: Plan
    ms: float
    source: str  # "matcher", "planner", "error"
    error: str | None = None


async def _run_planner(planner: Planner, text: str, room: str | None, graph: ContextGraph,
                       skills: SkillRegistry) -> Outcome:
    t = time.perf_counter()
    try:
        plan = await planner.plan(PlanRequest(text=text, room=room), graph, skills)
        return Outcome(plan, (time.perf_counter() - t) * 1000, "planner")
    except Exception as e:  # a planner crash is an invalid output, not a crash of the evaluation
        return Outcome(Plan(source="planner", cannot="error"), (time.perf_counter() - t) * 1000, "error",
                       f"{type(e).__name__}: {e}")


async def _run_pipeline(matcher: Any, planner: Planner, text: str, room: str | None, graph: ContextGraph,
                        skills: SkillRegistry) -> Outcome:
    """The hub's own routing (hub/reasoner/pipeline.py): declared attributes, then intents, then the planner."""
    t = time.perf_counter()
    try:
        routed = await route(text, graph, skills, matcher, planner, room=room)
    except Exception as e:  # a planner crash is an invalid output, not a crash of the evaluation
        return Outcome(Plan(source="planner", cannot="error"), (time.perf_counter() - t) * 1000, "error",
                       f"{type(e).__name__}: {e}")
    source = "planner" if routed.stage == "planner" else "matcher"
    return Outcome(routed.plan, (time.perf_counter() - t) * 1000, source)


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _rate(n: int, d: int) -> str:
    return f"{n / d:6.1%} ({n}/{d})" if d else "   n/a"


def _suite_file(suite: Path, pattern: str) -> Path:
    found = sorted(suite.glob(pattern))
    if len(found) != 1:
        raise SystemExit(f"{suite}: expected one {pattern} file, found {len(found)}")
    return found[0]


def suite_language(suite: Path) -> str:
    """The language of a suite's sentences: zh-CN for the Chinese suite, else English."""
    return "zh-CN" if "zh" in suite.name.casefold() else "en"


def load_records(suite: Path) -> list[dict[str, Any]]:
    lines = _suite_file(suite, "ha_intents_*.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    for rec in records:  # "any of the inferred domains is accepted for the domain slot" (the zh-CN suite)
        inferred = rec.get("inferred_domains")
        slots = rec.get("slots") or {}
        if isinstance(inferred, list) and inferred and isinstance(slots.get("domain"), str):
            rec["slots"] = {**slots, "domain": list(dict.fromkeys([slots["domain"], *inferred]))}
    return records


def _local(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (rec.get("local_fixtures") or {}).items()
            if k in ("floors", "areas", "entities", "timers")}


def _make_planner(kind: str, model_dir: Path | None, skills: SkillRegistry, clarify_below: float = CLARIFY_BELOW,
                  ground: bool = True) -> Planner:
    if kind == "null":
        return NullPlanner()
    if model_dir is None:
        raise SystemExit("--planner llm needs --model-dir")
    from fusehub.reasoner.llm import LlmPlanner  # type: ignore[import-not-found,unused-ignore]

    planner: Planner = LlmPlanner.load(model_dir, skills, clarify_below=clarify_below, ground=ground)
    return planner


def _summary(rows: list[dict[str, Any]], path: str) -> dict[str, Any]:
    res = [r[path] for r in rows]
    sup = [(r, x) for r, x in zip(rows, res, strict=True) if r["status"] != "unsupported"]
    uns = [(r, x) for r, x in zip(rows, res, strict=True) if r["status"] == "unsupported"]
    feas = [(r, x) for r, x in sup if r["status"] == "supported"]
    inf = [(r, x) for r, x in sup if r["status"] == "infeasible"]

    def acc(items: list[tuple[dict[str, Any], dict[str, Any]]], k: str = "correct") -> dict[str, Any]:
        return {"n": len(items), "ok": sum(1 for _, x in items if x[k]),
                "rate": (sum(1 for _, x in items if x[k]) / len(items)) if items else None}

    def by(keyf: Callable[[dict[str, Any]], str]) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = collections.defaultdict(list)
        for r, x in sup:
            groups[keyf(r)].append((r, x))
        return {k: acc(v) for k, v in sorted(groups.items())}

    ms = [x["ms"] for x in res]
    out: dict[str, Any] = {
        "records": len(rows),
        "supported_and_infeasible": {**acc(sup), "strict": acc(sup, "strict")["ok"], "intent": acc(sup, "intent")},
        "supported": {**acc(feas), "strict": acc(feas, "strict")["ok"], "intent": acc(feas, "intent")},
        "infeasible": acc(inf),
        "unsupported_declined": acc(uns),
        "all_records": acc(list(zip(rows, res, strict=True))),
        "invalid": sum(1 for x in res if x["invalid"]),
        "errors": sum(1 for x in res if x["source"] == "error"),
        "how": dict(collections.Counter(x["how"] for _, x in sup if x["correct"])),
        "latency_ms": {"p50": _pct(ms, 0.5), "p95": _pct(ms, 0.95), "mean": statistics.fmean(ms) if ms else None},
        "per_category": by(lambda r: r["category"]),
        "per_intent": by(lambda r: r["intent"]),
    }
    sources = collections.Counter(x["source"] for x in res)
    if path == "pipeline":
        out["sources"] = dict(sources)
        for src in ("matcher", "planner"):
            part = [(r, x) for r, x in sup if x["source"] == src]
            out[f"{src}_answered"] = acc(part)
            lat = [x["ms"] for x in res if x["source"] == src]
            out[f"{src}_latency_ms"] = {"p50": _pct(lat, 0.5), "p95": _pct(lat, 0.95)}
    return out


def _print_summary(path: str, s: dict[str, Any]) -> None:
    a, f = s["supported_and_infeasible"], s["supported"]
    print(f"\n== {path} ==")
    print(f"  exact (supported + infeasible): {_rate(a['ok'], a['n'])}   strict calls {_rate(a['strict'], a['n'])}"
          f"   intent {_rate(a['intent']['ok'], a['n'])}")
    print(f"    supported only:   exact {_rate(f['ok'], f['n'])}   strict {_rate(f['strict'], f['n'])}"
          f"   intent {_rate(f['intent']['ok'], f['n'])}")
    print(f"    infeasible (right answer: decline): {_rate(s['infeasible']['ok'], s['infeasible']['n'])}")
    print(f"  unsupported, declined: {_rate(s['unsupported_declined']['ok'], s['unsupported_declined']['n'])}")
    print(f"  all records (decline right where unsupported): {_rate(s['all_records']['ok'], s['records'])}")
    print(f"  invalid outputs: {_rate(s['invalid'], s['records'])}   planner errors: {s['errors']}")
    print(f"  correct by: {s['how']}")
    lat = s["latency_ms"]
    print(f"  latency ms: p50 {lat['p50']:.2f}  p95 {lat['p95']:.2f}")
    if "sources" in s:
        print(f"  answered by: {s['sources']}")
        for src in ("matcher", "planner"):
            x, lt = s[f"{src}_answered"], s[f"{src}_latency_ms"]
            print(f"    {src}: exact {_rate(x['ok'], x['n'])} of supported+infeasible it answered;"
                  f" latency p50 {lt['p50']:.2f} p95 {lt['p95']:.2f} ms")
    print("  per category (supported + infeasible):")
    for k, v in sorted(s["per_category"].items(), key=lambda kv: -kv[1]["n"]):
        print(f"    {k:16} {_rate(v['ok'], v['n'])}")
    print("  per intent (supported + infeasible):")
    for k, v in sorted(s["per_intent"].items(), key=lambda kv: -kv[1]["n"]):
        print(f"    {k:28} {_rate(v['ok'], v['n'])}")


async def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    from fusehub.app import load_skills

    skills = load_skills(False)
    args.suite = SUITES.get(str(args.suite).casefold(), args.suite)
    language = suite_language(args.suite)
    fixtures = load_fixtures(_suite_file(args.suite, "ha_fixtures_*.json"))
    records = load_records(args.suite)
    if args.category:
        records = [r for r in records if r.get("category") in args.category]
    if args.every > 1:  # a spread sample: the suites are sorted by intent
        records = records[:: args.every]
    if args.limit:
        records = records[: args.limit]
    base = convert(fixtures, fan_kind=args.fan_kind, language=language)
    n_ent = len(fixtures.get("entities", []))
    print(f"fixture home: {n_ent} entities -> {len(base.entities)} devices, {len(base.people)} people, "
          f"{len(base.home.scenes)} scenes, {len(base.home.rooms)} rooms, {len(base.home.floors)} floors; "
          f"skipped {len(base.skipped)}:")
    for ent, why in base.skipped:
        print(f"  skipped {ent}: {why}")
    kinds = collections.Counter(e.kind for e in base.entities.values())
    print("  kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))

    paths = ["planner", "pipeline"] if args.path == "both" else [args.path]
    t0 = time.perf_counter()
    planner = _make_planner(args.planner, args.model_dir, skills, args.clarify_below, not args.no_ground)
    t_planner = time.perf_counter() - t0
    matcher = None
    t_matcher = 0.0
    if "pipeline" in paths:
        from fusehub.reasoner.intents import IntentMatcher

        t0 = time.perf_counter()
        matcher = IntentMatcher(language, skills)
        matcher.warm_up()
        t_matcher = time.perf_counter() - t0
    print(f"planner {args.planner} loaded in {t_planner:.2f} s"
          + (f"; intent matcher in {t_matcher:.2f} s" if matcher else ""))

    homes: dict[str, tuple[PeerHome, ContextGraph]] = {"": (base, base.graph())}
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(records):
        local = _local(rec)
        key = json.dumps(local, sort_keys=True) if local else ""
        if key not in homes:
            peer = convert(fixtures, local, fan_kind=args.fan_kind, language=language)
            homes[key] = (peer, peer.graph())
        peer, graph = homes[key]
        area = (rec.get("context") or {}).get("area")
        room = room_ref(peer.home, area) if isinstance(area, str) else None
        env = Env(graph, skills, room, peer.timers)
        exp = expected_for(rec, peer, env)
        row: dict[str, Any] = {
            "i": i, "sentence": rec["sentence"], "intent": rec["intent"], "slots": rec.get("slots"),
            "category": rec.get("category", ""), "room": room, "status": exp.status, "reason": exp.reason,
            "decline_ok": exp.decline_ok, "expected": exp.rendered,
        }
        for path in paths:
            if path == "planner":
                out = await _run_planner(planner, rec["sentence"], room, graph, skills)
            else:
                out = await _run_pipeline(matcher, planner, rec["sentence"], room, graph, skills)
            sc = score_plan(out.plan, exp, env, rec.get("response"))
            row[path] = {
                "correct": sc.correct, "strict": sc.strict, "intent": sc.intent, "invalid": sc.invalid,
                "declined": sc.declined, "how": sc.how, "ms": out.ms, "source": out.source,
                "got": render([(c.skill, c.args) for c in out.plan.calls]) if out.plan.calls
                else f"(decline: {out.plan.cannot or out.plan.speech or ''})",
                "exec_error": sc.error, "planner_error": out.error,
            }
        rows.append(row)

    status = collections.Counter(r["status"] for r in rows)
    print(f"\n{len(rows)} records: supported {status['supported']}, infeasible {status['infeasible']}, "
          f"unsupported {status['unsupported']}")
    why_uns = collections.Counter(f"{r['intent']}: {r['reason']}" for r in rows if r["status"] == "unsupported")
    print("  unsupported: " + "; ".join(f"{k} ({v})" for k, v in why_uns.most_common()))
    why_inf = collections.Counter(r["reason"] for r in rows if r["status"] == "infeasible")
    print("  infeasible: " + "; ".join(f"{k} ({v})" for k, v in why_inf.most_common()))
    n_ok = sum(1 for r in rows if r["decline_ok"])
    print(f"  'in here' without a satellite room (a decline is also accepted): {n_ok}")

    report: dict[str, Any] = {
        "suite": str(args.suite), "planner": args.planner, "model_dir": str(args.model_dir or ""),
        "fan_kind": args.fan_kind, "limit": args.limit, "status": dict(status),
        "skipped_entities": base.skipped, "summary": {}, "records": rows,
    }
    for path in paths:
        s = _summary(rows, path)
        report["summary"][path] = s
        _print_summary(path, s)
        if args.show_failures:
            fails = [r for r in rows if not r[path]["correct"]]
            print(f"  first {min(args.show_failures, len(fails))} of {len(fails)} failures ({path}):")
            for r in fails[: args.show_failures]:
                x = r[path]
                print(f"    [{r['status']}] {r['sentence']!r} room={r['room']} {r['intent']} {r['slots']}")
                print(f"        expected: {' | '.join(r['expected'][:3])}")
                print(f"        got:      {x['got']}" + (f"  ({x['exec_error']})" if x["exec_error"] else ""))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"\nreport written to {args.out}")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--suite", type=Path, default=DEFAULT_SUITE,
                    help="a suite folder, or en / zh-cn for the shared peer suites")
    ap.add_argument("--path", choices=["planner", "pipeline", "both"], default="both")
    ap.add_argument("--planner", choices=["null", "llm"], default="null")
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--clarify-below", type=float, default=CLARIFY_BELOW,
                    help="the planner's confidence threshold for asking instead of acting (0: never ask)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N records")
    ap.add_argument("--every", type=int, default=1, metavar="K", help="only every K-th record (a spread sample)")
    ap.add_argument("--category", nargs="+", default=None, help="only records of these categories (light, ...)")
    ap.add_argument("--show-failures", type=int, default=0, metavar="N")
    ap.add_argument("--out", type=Path, default=None, help="write a JSON report here")
    ap.add_argument("--no-ground", action="store_true",
                    help="LLM planner without grounded decoding (hub.reasoner.grounding): the grammar alone")
    ap.add_argument("--fan-kind", choices=["fan", "switch"], default="fan",
                    help="fusehub kind for HA fans (both get the on/off capability)")
    args = ap.parse_args(argv)
    asyncio.run(evaluate(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
