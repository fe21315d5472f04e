"""Requests for a car, read without a model: lock or unlock it, warm or cool its cabin (preconditioning).

    "lock Ines's car"                 -> car_lock(car=<Ines's car>)
    "unlock my car"                   -> car_unlock(car=<the speaker's car>)
    "warm my car up to 24"            -> car_precondition(car=<the speaker's car>, temperature=24)
    "start the car climate"           -> car_precondition(car=<the home's only car>)
    "heat up the car" (no car)        -> cannot: there is no car in the home

Whose car: "my"/"our" is the speaker's (people's ``car`` in the home file), else the home's only car; a name with
"'s" is that person's; "the car" is the home's only car, else the speaker's. A person without a car, a home
without one, or a car that cannot be told apart is a `cannot` that says so, never another car. Who may do it
(conventions 14) is policy's, as for every secure skill.
"""

from __future__ import annotations

import re

from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Plan, SkillCall

__all__ = ["car_request"]

_WHOSE = r"(?:(?P<mine>my|our)|the|(?P<who>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)'s?)"
_CAR = r"(?:car|vehicle|ev)"
_TEMP = r"(?:\s+(?:to|at)\s+(?P<t>\d+(?:\.\d+)?)\s*(?:degrees?|°\s*c?)?(?:\s+celsius)?)?"
_LOCK = re.compile(rf"^(?P<verb>lock|unlock)\s+(?:up\s+)?{_WHOSE}\s+{_CAR}$", re.I)
_WARM = re.compile(rf"^(?:warm|heat|cool|pre-?heat|pre-?cool|pre-?condition)(?:\s+(?:up|down))?\s+{_WHOSE}\s+{_CAR}"
                   rf"(?:\s+(?:up|down))?{_TEMP}$", re.I)
_CLIMATE = re.compile(rf"^(?:start|turn\s+on|switch\s+on|run)\s+{_WHOSE}\s+{_CAR}(?:'s)?\s+(?:climate(?:\s+control)?|"
                      rf"heating|heater|air\s*con(?:ditioning)?|ac|a/c|cabin\s+heating){_TEMP}$", re.I)


def car_request(text: str, graph: ContextGraph, actor: Actor | None) -> Plan | None:
    """The plan for a car request, or None when `text` is not one."""
    t = " ".join(text.split())
    m = _LOCK.match(t)
    if m is not None:
        skill, args = ("car_lock" if m.group("verb").lower() == "lock" else "car_unlock"), {}
    else:
        m = _WARM.match(t) or _CLIMATE.match(t)
        if m is None:
            return None
        skill, args = "car_precondition", ({"temperature": float(m.group("t"))} if m.group("t") else {})
    car = _whose_car(m, graph, actor)
    if isinstance(car, Plan):
        return car
    return Plan(source="intent", confidence=1.0, calls=[SkillCall(skill=skill, args={"car": car, **args})])


def _refused(why: str) -> Plan:
    return Plan(source="intent", confidence=1.0, cannot=why)


def _whose_car(m: re.Match[str], graph: ContextGraph, actor: Actor | None) -> str | Plan:
    cars = [d for d in graph.devices() if "car_lock" in d.capabilities or "car_climate" in d.capabilities]
    if not cars:
        return _refused("there is no car in the home")
    speaker = actor.id if actor is not None and actor.kind == "person" and actor.id else None
    own = graph.person(speaker).car if speaker and graph.has_person(speaker) else None
    who = m.group("who")
    if who is not None:
        key = who.casefold()
        people = [p for p in graph.people()
                  if key in {p.id.casefold(), p.name.casefold(), *(a.casefold() for a in getattr(p, "aliases", ()))}]
        if not people:
            return _refused(f"there is no one called {who} here")
        car = people[0].car
        return car if car is not None else _refused(f"{people[0].name} has no car")
    if m.group("mine") is not None and own is not None:
        return own
    if len(cars) == 1:
        return cars[0].id
    if own is not None:
        return own
    return _refused("which car? " + " or ".join(sorted(d.name for d in cars)))
