"""Preferences in words: what the hub reads back before an owner confirms a plain-language preference, and the
default message of a `tell` that gave none ("the washing machine has finished")."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fusehub.context.graph import ContextGraph
from fusehub.events import JSON, SkillCall
from fusehub.preferences.schema import WEEKDAYS, Conditions, PrefAction, Preference, Situation

__all__ = ["default_message", "readback"]

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _person(graph: ContextGraph, pid: str) -> str:
    return graph.person(pid).name if graph.has_person(pid) else pid


def _device(graph: ContextGraph, did: str | None) -> str:
    return graph.device(did).name if did and graph.has_device(did) else (did or "a device")


def _room(graph: ContextGraph, rid: JSON) -> str:
    return graph.room(rid).name if isinstance(rid, str) and graph.has_room(rid) else str(rid)


def _days(days: Sequence[str]) -> str:
    if sorted(days) == sorted(WEEKDAYS[:5]):
        return "on weekdays"
    if sorted(days) == sorted(WEEKDAYS[5:]):
        return "at weekends"
    return "on " + ", ".join(_DAY_NAMES[WEEKDAYS.index(d)] + "s" for d in days)


def _who(graph: ContextGraph, people: list[str]) -> str:
    return " or ".join(_person(graph, p) for p in people) if people else "someone"


def _situation(s: Situation, graph: ContextGraph) -> str:
    who = _who(graph, s.person)
    value = ("above " + f"{s.above:g}" if s.above is not None else "below " + f"{s.below:g}"
             if s.below is not None else f"becomes {s.equals}")
    table: dict[str, Callable[[], str]] = {  # lazily: each kind reads its own fields
        "arriving": lambda: f"{who} is {s.within_min:g} minutes or less from home",
        "arrived": lambda: f"{who} arrives home",
        "left": lambda: f"{who} leaves home",
        "first_arrived": lambda: "the first person arrives home" + (f" ({who})" if s.person else ""),
        "everyone_left": lambda: "everyone has left home",
        "departure": lambda: (f"{s.lead_min:g} minutes before " if s.lead_min else "when ") + f"{who} leaves at {s.at}",
        "wake_up": lambda: f"{who}'s alarm goes off" if s.person else (
            f"the alarm of {_device(graph, s.device)} goes off" if s.device else "an alarm goes off"),
        "schedule": lambda: f"it is {s.at}",
        "car_home": lambda: f"{who}'s car reaches the driveway",
        "sensor": lambda: f"{_device(graph, s.device)} {s.attribute} " + (value if s.equals is None else f"becomes "
                                                                       f"{s.equals}"),
        "outside_temperature": lambda: f"the outside temperature goes {value} °C",
        "sunset": lambda: "the sun sets",
        "sunrise": lambda: "the sun rises",
        "doorbell": lambda: f"{_device(graph, s.device) if s.device else 'the doorbell'} rings",
    }
    text = table[s.situation]()
    if s.weekdays:
        text += " " + _days(s.weekdays)
    return text


def _conditions(c: Conditions, graph: ContextGraph) -> list[str]:
    out: list[str] = []
    if c.who:
        out.append(f"it is {_who(graph, c.who)}")
    if c.daylight is not None:
        out.append("it is light" if c.daylight else "it is dark")
    if c.outside_below is not None:
        out.append(f"it is below {c.outside_below:g} °C outside")
    if c.outside_above is not None:
        out.append(f"it is above {c.outside_above:g} °C outside")
    if c.eta_below is not None:
        out.append(f"they are under {c.eta_below:g} minutes away")
    out += [f"{_person(graph, p)} is home" for p in c.home]
    out += [f"{_person(graph, p)} is away" for p in c.away]
    if c.anyone_home is not None:
        out.append("someone is home" if c.anyone_home else "nobody is home")
    if c.after and c.before:
        out.append(f"it is between {c.after} and {c.before}")
    elif c.after:
        out.append(f"it is after {c.after}")
    elif c.before:
        out.append(f"it is before {c.before}")
    if c.weekdays:
        out.append(_days(c.weekdays))
    for d in c.devices:
        want = (f"is {d.equals}" if "equals" in d.model_fields_set else f"is not {d.not_equals}"
                if "not_equals" in d.model_fields_set else f"is above {d.above:g}" if d.above is not None
                else f"is below {d.below:g}")
        out.append(f"{_device(graph, d.device)} {d.attribute} {want}")
    return out


_VERBS = {
    "light_turn_on": "turn on", "light_turn_off": "turn off", "switch_turn_on": "turn on",
    "switch_turn_off": "turn off", "lock_lock": "lock", "lock_unlock": "unlock", "cover_open": "open",
    "cover_close": "close", "garage_open": "open", "garage_close": "close", "vacuum_start": "start",
    "vacuum_dock": "dock", "media_pause": "pause", "media_play": "play",
}


def _target(call: SkillCall, graph: ContextGraph) -> str:
    a = call.args
    if a.get("everywhere"):
        return "everything in the home"
    if isinstance(a.get("device"), str):
        return _device(graph, a["device"])
    if "room" in a:
        return f"the {_room(graph, a['room'])}"
    if isinstance(a.get("car"), str):
        return _device(graph, a["car"])
    return "it" if call.skill not in ("vacuum_start", "vacuum_dock") else "the vacuum"


def _call(call: SkillCall, graph: ContextGraph) -> str:
    a = call.args
    if call.skill == "speaker_announce":
        where = "everywhere" if a.get("everywhere") else f"in the {_room(graph, a.get('room'))}"
        return f"announce \"{a.get('message')}\" {where}"
    if call.skill == "phone_notify":
        return f"send {_person(graph, str(a.get('person')))}'s phone \"{a.get('message')}\""
    if call.skill == "climate_set_temperature":
        return f"set {_target(call, graph)} to {a.get('temperature')} °C"
    if call.skill == "light_set_brightness":
        return f"set {_target(call, graph)} to {a.get('brightness')} %"
    if call.skill == "scene_activate":
        return f"activate the scene {a.get('scene')}"
    if call.skill == "car_precondition":
        return f"warm up {_target(call, graph)}" + (f" to {a['temperature']} °C" if a.get("temperature") else "")
    if call.skill in _VERBS:
        return f"{_VERBS[call.skill]} {_target(call, graph)}"
    return f"{call.skill} {a}"


def _action(a: PrefAction, graph: ContextGraph) -> str:
    if a.skill is not None:
        return _call(SkillCall(skill=a.skill, args=a.args), graph)
    to = {"person": "them", "owners": "the owners", "home": "whoever is home", "everyone": "everyone"}.get(
        a.to) or _person(graph, a.to)
    if a.announce is not None:
        return f"announce \"{a.announce}\" " + (f"in the {_room(graph, a.room)}" if a.room else "everywhere")
    if a.notify is not None:
        return f"send {to} a phone notification \"{a.notify}\""
    return f"tell {to} \"{a.tell}\""


def readback(pref: Preference, graph: ContextGraph) -> str:
    """The preference in words: 'When Anna arrives home, if it is dark: turn on Hallway light.'"""
    s = pref.when
    head = _situation(s, graph)
    head = head if s.situation == "departure" else "when " + head
    conds = _conditions(pref.if_, graph)
    text = head[0].upper() + head[1:] + (", if " + " and ".join(conds) if conds else "") + ": "
    text += "; ".join(_action(a, graph) for a in pref.then)
    text += "" if text.endswith(('."', ".")) else "."
    if pref.autonomy == "suggest":
        text += " I will ask an owner first each time."
    return text


def default_message(s: Situation, graph: ContextGraph) -> str:
    """What a `tell` without words says, from the situation."""
    who = _who(graph, s.person)
    if s.situation == "sensor" and s.equals is not None:
        done = str(s.equals) in ("finished", "done", "complete", "completed", "idle", "off", "stopped", "False")
        return f"The {_device(graph, s.device).lower()} has finished." if done else (
            f"The {_device(graph, s.device).lower()} is {s.equals}.")
    return {
        "arriving": f"{who.capitalize()} is almost home.",
        "arrived": f"{who.capitalize()} is home.",
        "left": f"{who.capitalize()} has left.",
        "first_arrived": "Someone is home.",
        "everyone_left": "Everyone has left.",
        "departure": f"{who.capitalize()} leaves at {s.at}.",
        "wake_up": "Time to get up.",
        "schedule": f"It is {s.at}.",
        "car_home": f"{who.capitalize()}'s car is in the driveway.",
        "sensor": f"The {_device(graph, s.device).lower()} {s.attribute} is "
                  f"{'above' if s.above is not None else 'below'} {s.above if s.above is not None else s.below}.",
        "outside_temperature": "The outside temperature has changed.",
        "sunset": "The sun has set.",
        "sunrise": "The sun is up.",
        "doorbell": "Someone is at the door.",
    }[s.situation]
