"""What an intent handler reads and resolves: the request (match, graph, slot indexes), where it applies (named
devices, a scene, a person, a room, a floor or the home), and the helpers that build skill calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import JSON, Plan, SkillCall
from fusehub.reasoner.intents_vocab import WHOLE_HOME, Vocab, norm


class Cannot(Exception):
    """The request is understood but cannot be done in this home (no such device, room, ...).

    `final` (the default) when the home was read and the request does not fit it ("there is no fan in
    the kitchen"); not final when a slot value names nothing the home has, which may be a misreading
    the planner can do better with.
    """

    def __init__(self, reason: str, *, final: bool = True) -> None:
        super().__init__(reason)
        self.final = final


@dataclass
class Req:
    """Everything a handler may read: the match, the graph and the indexes."""

    intent: str
    slots: dict[str, Any]
    graph: ContextGraph
    vocab: Vocab
    room: str | None  # the satellite's room id, if known
    name_domain: str | None = None  # domain of the matched name's slot value (hassil match context)
    name_class: str | None = None  # and its device class ("Phone" the battery sensor, not the presence one)
    language: str = "en"  # the request's language: what a spoken answer is said in
    response: str | None = None  # the matched template block's response key (HassRespond: which answer)

    def room_name(self, room_id: str) -> str:
        return self.vocab.room_names.get(room_id, room_id)


@dataclass
class Scope:
    """Where a request applies: named devices, a scene, a person, a room, a floor or the home."""

    devices: list[DeviceView] = field(default_factory=list)
    scene: str | None = None
    person: str | None = None
    room: str | None = None
    floor: str | None = None
    whole_home: bool = False
    """The request named the whole home ("everywhere", "the house"), not a room."""

    def target(self) -> dict[str, JSON]:
        """Target fields (room, floor or everywhere) for a scope that is not a named device."""
        if self.room is not None:
            return {"room": self.room}
        if self.floor is not None:
            return {"floor": self.floor}
        return {"everywhere": True}

    def where(self, req: Req) -> str:
        if self.room is not None:
            return f"the {req.room_name(self.room)}"
        if self.floor is not None:
            return f"the {req.vocab.floor_names.get(self.floor, self.floor)} floor"
        return "the home"

    def find(self, req: Req, pred: Callable[[DeviceView], bool]) -> list[DeviceView]:
        """Devices in this scope for which `pred` holds."""
        if self.devices:
            return [d for d in self.devices if pred(d)]
        return [d for d in req.graph.devices(room=self.room, floor=self.floor) if pred(d)]


def resolve_scope(req: Req, *, use_name: bool = True) -> Scope:
    s = req.slots
    room = floor = None
    whole = False
    if isinstance(s.get("area"), str):
        room = req.vocab.areas.get(norm(s["area"]))
        whole = room is None and norm(s["area"]) in WHOLE_HOME
        if room is None and not whole:
            raise Cannot(f"there is no room called '{s['area']}'", final=False)
    if isinstance(s.get("floor"), str):
        floor = req.vocab.floors.get(norm(s["floor"]))
        if floor is None:
            raise Cannot(f"there is no floor called '{s['floor']}'", final=False)
    if not (use_name and isinstance(s.get("name"), str)):
        return Scope(room=room, floor=floor, whole_home=whole)
    name = s["name"]
    cands = req.vocab.names.get(norm(name), [])
    if req.name_domain is not None:
        cands = [c for c in cands if c.domain == req.name_domain] or cands
    if req.name_class is not None:
        cands = [c for c in cands if c.device_class == req.name_class] or cands
    if not cands:
        raise Cannot(f"there is no device called '{name}'", final=False)
    if room is not None:
        cands = [c for c in cands if c.kind != "device" or c.room == room]
        if not cands:
            raise Cannot(f"there is no {name} in the {req.room_name(room)}")
    elif floor is not None:
        cands = [c for c in cands if c.kind != "device" or req.vocab.room_floor.get(c.room or "") == floor]
        if not cands:
            raise Cannot(f"there is no {name} on the {s['floor']} floor")
    first = cands[0]
    if first.kind == "scene":
        return Scope(scene=first.id, room=room, floor=floor)
    if first.kind == "person":
        return Scope(person=first.id)
    ids = list(dict.fromkeys(c.id for c in cands if c.kind == "device"))
    if len(ids) > 1 and req.room is not None:
        local = [c.id for c in cands if c.kind == "device" and c.room == req.room]
        ids = list(dict.fromkeys(local)) or ids
    if len(ids) > 1:
        raise Cannot(f"more than one device is called '{name}'; say which room")
    return Scope(devices=[req.graph.device(ids[0])], room=room, floor=floor)


def skill_call(skill: str, **args: JSON) -> SkillCall:
    """A skill call; None-valued optional arguments are left out."""
    return SkillCall(skill=skill, args={k: v for k, v in args.items() if v is not None})


def intent_plan(*calls: SkillCall) -> Plan:
    return Plan(calls=list(calls), source="intent")


def as_int(v: Any) -> int | None:
    return round(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def as_float(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def need(devs: list[DeviceView], what: str, scope: Scope, req: Req) -> list[DeviceView]:
    if not devs:
        if scope.devices:
            raise Cannot(f"{scope.devices[0].name} is not a {what}")
        raise Cannot(f"there is no {what} in {scope.where(req)}")
    return devs


def group_calls(
    skill: str,
    devs: list[DeviceView],
    scope: Scope,
    req: Req,
    all_of: Callable[[DeviceView], bool],
    **args: JSON,
) -> list[SkillCall]:
    """One call on the scope's room/floor when `devs` are all its `all_of` devices, else one per device."""
    if not scope.devices and {d.id for d in devs} == {d.id for d in scope.find(req, all_of)}:
        return [skill_call(skill, **scope.target(), **args)]
    return [skill_call(skill, device=d.id, **args) for d in devs]
