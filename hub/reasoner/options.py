"""Option sets kept by every plan: a colour, mode or temperature a device does not offer is refused as out of range
(conventions 12), naming what it offers, whichever stage proposed the call.

The skills refuse such a value too when they run (`skills/_common.py`); this makes the refusal the plan's, so
`fusehub plan` and the evaluations see a `cannot` rather than a call that would fail. A call's devices are read
from its arguments (a device or car, else the devices with the capability in its room, floor or the whole
home, else in the speaker's room).
"""

from __future__ import annotations

from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import JSON, Plan, SkillCall, joined_cannots

__all__ = ["keep_options", "option_problem"]

_CHECKS: dict[str, tuple[str, str, str]] = {
    # skill -> (argument, option set, capability the targets have)
    "light_turn_on": ("color", "color", "color"),
    "light_set_color": ("color", "color", "color"),
    "climate_set_mode": ("mode", "hvac_mode", "hvac_mode"),
    "climate_set_temperature": ("temperature", "temperature", "temperature_setpoint"),
    "car_precondition": ("temperature", "temperature", "car_climate"),
}


def _token(v: object) -> str:
    return " ".join(str(v).replace("_", " ").lower().split())


def _targets(call: SkillCall, capability: str, graph: ContextGraph, room: str | None) -> list[DeviceView]:
    a = call.args
    for key in ("device", "car"):
        v = a.get(key)
        if isinstance(v, str):
            return [graph.device(v)] if graph.has_device(v) else []
    if call.skill == "car_precondition":
        return graph.devices(capability=capability)
    where: dict[str, str | None] = {}
    if isinstance(a.get("room"), str):
        where["room"] = graph.resolve_room(str(a["room"]))
    elif isinstance(a.get("floor"), str):
        where["floor"] = str(a["floor"])
    elif a.get("everywhere") is not True:
        where["room"] = room
        if room is None:
            return []
    return graph.devices(capability=capability, **where)


def _problem(d: DeviceView, key: str, value: JSON) -> str | None:
    opt = d.options.get(key)
    if not opt:
        return None
    name = d.name if "'" in d.name.split()[0] else f"The {d.name}"  # "Anna's car", "The Thermostat"
    values = opt.get("values")
    if isinstance(values, list):
        if _token(value) in {_token(v) for v in values}:
            return None
        offered = [_token(v) for v in values]
        return (f"{name} cannot be set to {_token(value)}; it offers {', '.join(offered[:-1])} and {offered[-1]}"
                if len(offered) > 1 else f"{name} cannot be set to {_token(value)}; it offers only {offered[0]}")
    lo, hi = opt.get("min"), opt.get("max")
    if isinstance(value, int | float) and isinstance(lo, int | float) and isinstance(hi, int | float) and not (
            lo <= value <= hi):
        return f"{name} goes from {lo:g} to {hi:g} degrees, not {value:g}"
    return None


def option_problem(call: SkillCall, graph: ContextGraph, room: str | None) -> str | None:
    """Why `call` asks a device for a value outside its option set, or None."""
    check = _CHECKS.get(call.skill)
    if check is None:
        return None
    arg, key, capability = check
    value = call.args.get(arg)
    if value is None:
        return None
    for d in _targets(call, capability, graph, room):
        why = _problem(d, key, value)
        if why is not None:
            return why
    return None


def keep_options(plan: Plan, graph: ContextGraph, room: str | None) -> Plan:
    """`plan` without the calls that ask a device for a value it does not offer, and the first such refusal added
    to its `cannots` (the other calls stand); `plan` itself when there is none."""
    kept: list[SkillCall] = []
    why: str | None = None
    for call in plan.calls:
        problem = option_problem(call, graph, room)
        if problem is None:
            kept.append(call)
        elif why is None:
            why = problem
    if why is None:
        return plan
    cannots = [*plan.cannots, why]
    return plan.model_copy(update={"calls": kept, "cannots": cannots, "cannot": joined_cannots(cannots)})
