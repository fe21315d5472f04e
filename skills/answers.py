"""Spoken answers about what the graph knows: a device's state with units, batteries, the outside temperature,
where a person is and when they will be home. Pure functions of the graph (and `now`); no skills here.

Only what the graph holds is said: an unknown value is said to be unknown, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from fusehub.context.facts import Whereabouts, outdoor_sensor, outside_temperature, whereabouts
from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.events import JSON

__all__ = [
    "LOW_BATTERY",
    "batteries_sentence",
    "battery_of",
    "describe",
    "distance_words",
    "minutes_words",
    "outside_sentence",
    "where_sentence",
]

LOW_BATTERY: Final = 20
"""A battery at or below this percentage is low."""

_PHRASES: Final[Mapping[str, tuple[str, str]]] = {
    "on": ("on", "off"), "locked": ("locked", "unlocked"), "contact_open": ("open", "closed"),
    "motion": ("detecting motion", "clear"), "occupancy": ("occupied", "clear"),
    "plugged_in": ("plugged in", "not plugged in"), "climate_on": ("climate on", "climate off"),
    "charge_port_door_open": ("charge port open", "charge port closed"), "doors_open": ("a door open", "doors shut"),
    "windows_open": ("a window open", "windows shut"), "preconditioning": ("preconditioning", ""),
}
"""Booleans said as words (true, false); an empty word is left out."""

_WORDS: Final = ("status", "open_state", "playback", "hvac_mode", "charging_state", "geofence")
"""Text states said as they are."""

_UNITS: Final[Mapping[str, tuple[str, str]]] = {
    "current_temperature": ("temperature", " °C"), "target_temperature": ("set to", " °C"),
    "inside_temperature": ("inside", " °C"), "outside_temperature": ("outside", " °C"),
    "temperature": ("temperature", " °C"), "brightness": ("brightness", "%"), "position": ("position", "%"),
    "volume": ("volume", "%"), "battery": ("battery", "%"), "usable_battery": ("usable battery", "%"),
    "charge_limit": ("charge limit", "%"), "est_range_km": ("range", " km"),
    "rated_range_km": ("rated range", " km"),
    "humidity": ("humidity", "%"), "power": ("power", " W"), "energy": ("energy", " kWh"),
    "pressure": ("pressure", " hPa"), "co2": ("CO2", " ppm"), "illuminance": ("light", " lx"),
    "speed": ("speed", " km/h"), "time_to_full_charge": ("full in", " h"),
}
"""Numbers said with what they are and their unit."""


_FIRST: Final = ("on", "locked", "contact_open", "open_state", "status", "playback", "hvac_mode", "value", "battery")
"""Said first when a whole device is described: what it is doing, then its reading and battery."""
_CAR_FIRST: Final = ("battery", "est_range_km", "charging_state", "plugged_in", "locked")
"""A car: its charge and range before its doors."""


def _num(v: JSON) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.1f}"
    return str(v)


def _unit(d: DeviceView) -> str:
    for u in ((d.address or {}).get("unit"), d.state.get("unit")):
        if isinstance(u, str) and u.strip():
            return u.strip()
    return ""


def _say(d: DeviceView, key: str, v: JSON) -> str | None:
    """One attribute in words, or None when it is not one people ask about."""
    if v is None:
        return None
    decl = d.attributes.get(key)
    if decl is not None:  # a declared attribute: its name and unit, as the home file gives them
        unit = decl.get("unit")
        sep = "" if unit in (None, "%") else " "
        return f"{key.replace('_', ' ')} {_num(v) if not isinstance(v, bool) else ('on' if v else 'off')}" \
               f"{sep}{unit or ''}"
    if key in _PHRASES and isinstance(v, bool):
        return _PHRASES[key][0 if v else 1] or None
    if key == "value" and not isinstance(v, bool):
        unit = _unit(d)
        return f"{_num(v)}{'' if unit in ('', '%') else ' '}{unit}"
    if key in _UNITS and isinstance(v, int | float) and not isinstance(v, bool):
        what, unit = _UNITS[key]
        return f"{what} {_num(round(v) if unit == ' km' else v)}{unit}"
    if key == "hvac_mode" and isinstance(v, str):
        return f"in {v.replace('_', ' ')} mode"
    if key in _WORDS and isinstance(v, str):
        return v.replace("_", " ")
    return None


def describe(d: DeviceView, attribute: str | None = None) -> str:
    """A short spoken description of a device's state (or of one attribute of it), with units."""
    if d.available is False:
        return f"{d.name} is offline"
    if attribute is not None:
        part = _say(d, attribute, d.state.get(attribute))
        if part is None:
            return f"{d.name}: {attribute.replace('_', ' ')} unknown"
        return f"{d.name} is {part}" if attribute in _PHRASES or attribute in _WORDS else f"{d.name}: {part}"
    keys = list(d.state) + [a for a in d.attributes if a not in d.state]
    first = _CAR_FIRST if d.kind == "car" else _FIRST
    keys.sort(key=lambda k: first.index(k) if k in first else len(first))  # stable: the rest as reported
    said = [(k, p) for k in keys if (p := _say(d, k, d.state.get(k))) is not None]
    if not said:
        return f"{d.name}: state unknown"
    lead = said[0][0]
    verb = " is " if lead in _PHRASES or lead in _WORDS or lead == "value" else ": "
    return d.name + verb + ", ".join(p for _, p in said)


# ----------------------------------------------------------------------------------------------- batteries


def battery_of(d: DeviceView) -> float | None:
    """A device's battery percentage: its `battery` state, or the value of a battery sensor."""
    v = d.state.get("battery")
    if v is None and (d.address or {}).get("device_class") == "battery":
        v = d.state.get("value")
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def batteries_sentence(devices: list[DeviceView]) -> str:
    """Which batteries are low, and the others' levels: 'Low: Hallway sensor 12%. The others: ...'."""
    levels = sorted(((b, d.name) for d in devices if d.available is not False and (b := battery_of(d)) is not None),
                    key=lambda t: (t[0], t[1]))
    if not levels:
        return "No device reports a battery level"
    low = [f"{n} {_num(b)}%" for b, n in levels if b <= LOW_BATTERY]
    rest = [f"{n} {_num(b)}%" for b, n in levels if b > LOW_BATTERY]
    if not low:
        b, n = levels[0]
        return f"No battery is low; the lowest is {n} at {_num(b)}%"
    out = f"Low batteries: {', '.join(low)}"
    return out + (f". The others: {', '.join(rest[:8])}" if rest else "")


def outside_sentence(graph: ContextGraph, now: datetime | None = None) -> str:
    """'It is 4.5 °C outside', or why it cannot be said."""
    r = outside_temperature(graph, now)
    if r is None:
        dev = outdoor_sensor(graph)
        if dev is None:
            return "There is no outdoor temperature sensor"
        return f"{graph.device(dev).name} has no temperature reading right now"
    return f"It is {_num(r.value)}{' ' + r.unit if r.unit else ''} outside"


# ----------------------------------------------------------------------------------------------- people


def distance_words(m: float) -> str:
    """'800 m', '1.5 km', '12 km'."""
    if m < 1000:
        return f"{max(50, round(m / 50) * 50)} m"
    if m < 10_000:
        return f"{m / 1000:.1f} km"
    return f"{m / 1000:.0f} km"


def minutes_words(mins: float) -> str:
    """'about 18 minutes', 'about 1 hour 10 minutes', 'a minute or two'."""
    n = round(mins)
    if n <= 1:
        return "a minute or two"
    if n < 60:
        return f"about {n} minutes"
    h, m = divmod(n, 60)
    hours = f"{h} hour{'s' if h > 1 else ''}"
    return f"about {hours}" + (f" {m} minutes" if m else "")


def _where(graph: ContextGraph, w: Whereabouts, name: str) -> str:
    sure = w.confidence >= 0.75
    if w.state == "unknown":
        return f"I don't know where {name} is"
    if w.state == "home":
        where = "at home" if w.room is None or not graph.has_room(w.room) else \
            f"in the {graph.room(w.room).name.lower()}"
        return f"{name} is {'' if sure else 'probably '}{where}"
    at = ""
    if w.place is not None:
        try:
            at = f"at {graph.place(w.place).name.lower()}"
        except KeyError:
            at = f"at {w.place}"
    parts = [at] if at else []
    if w.distance_m is not None:
        parts.append(f"{distance_words(w.distance_m)} away")
    elif not at:
        parts.append("away")
    if w.moving and w.travel_mode in ("car", "fusion"):
        parts.append("driving")
    elif w.moving:
        parts.append("on the move")
    if w.eta_min is not None:
        parts.append("about to arrive" if w.eta_min < 1 else f"home in {minutes_words(w.eta_min)}")
    head = f"{name} is {'' if sure or w.distance_m is not None else 'probably '}{', '.join(parts)}"
    if w.eta_min is None:
        head += f"; I can't tell when {name} will be home"
    return head


def where_sentence(graph: ContextGraph, person: str, now: datetime) -> str:
    """Where `person` is and, when away, how far and how soon home: 'Lars is 12 km away, driving, home in
    about 18 minutes'. KeyError when there is no such person."""
    return _where(graph, whereabouts(graph, person, now), graph.person(person).name)
