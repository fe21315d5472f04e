"""Facts about the household read from the context graph: where a person is (with distance, ETA and travel mode
when away), daylight at the home, and the outside temperature.

A pure read side: functions of the graph (and, where time matters, of `now`), no I/O, no state of their own.
The answers, preference conditions and situation events all read the same facts.

- :func:`whereabouts`: home in a room, away (how far, how soon home, by car, phone or both), or unknown. An away
  person's position comes from their phone (OwnTracks: latitude, longitude, velocity, heading) and their car
  (TeslaMate: latitude, longitude, speed, heading, and a navigation route's minutes to arrival when it leads
  home). Both fresh and close together while the car moves: the person drives it (``fusion``).
- :func:`daylight`: the sun's elevation at the home's latitude and longitude (``astral``), whether it is up,
  the next sunrise and sunset. None when the home file gives no ``location``.
- :func:`outside_temperature`: the home's outdoor temperature sensor: the device the home file's
  ``outdoor_sensor`` names (any device with a temperature: a weather station, the car's outside temperature),
  else a temperature sensor in a room the home declares outdoor, else a temperature sensor whose name or alias
  says ``outdoor``, ``outside``, ``exterior`` or ``weather``. None when there is none or it has no value yet;
  never another room's sensor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal

from astral import Observer
from astral.sun import elevation, sunrise, sunset
from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.geo import MOVING_KMH, eta_to_home, haversine_m

__all__ = [
    "CAR_FRESH_S",
    "PHONE_FRESH_S",
    "SAME_PLACE_M",
    "TEMPERATURE_KEYS",
    "Daylight",
    "Reading",
    "Whereabouts",
    "daylight",
    "outdoor_sensor",
    "outside_temperature",
    "whereabouts",
]

PHONE_FRESH_S: Final = 3600.0
"""A phone position older than this (seconds) says nothing about where its owner is now."""
CAR_FRESH_S: Final = 900.0
"""A car position older than this is not used to say that its owner is driving (a parked car reports seldom)."""
SAME_PLACE_M: Final = 500.0
"""A phone within this distance of its owner's moving car: the person is in the car."""
SUN_HORIZON_DEG: Final = -0.833
"""The sun centre's geometric elevation at sunrise and sunset (the upper limb on the horizon once refraction lifts
it): above it, daylight."""
TEMPERATURE_KEYS: Final = ("temperature", "outside_temperature", "value", "current_temperature")
"""State keys an outdoor temperature is read from, in this order."""

State = Literal["home", "away", "unknown"]
Mode = Literal["car", "phone", "fusion"]


@dataclass(frozen=True)
class Whereabouts:
    """Where one person is, as the graph knows it at `now`."""

    person: str
    """Person id."""
    state: State
    """home, away, or unknown (no belief yet)."""
    room: str | None
    """Room id when home and the room is known."""
    confidence: float
    """The fusion's confidence in `state` / `room` (0..1)."""
    distance_m: float | None = None
    """Great-circle distance from home in metres (away, with a fresh phone or car position)."""
    eta_min: float | None = None
    """Minutes until home (away and heading home); None when that cannot be said."""
    travel_mode: Mode | None = None
    """Which position `distance_m` and `eta_min` come from: car, phone, or both agreeing (fusion)."""
    moving: bool = False
    """Whether that position is moving (at least MOVING_KMH)."""
    place: str | None = None
    """The place id (work, school) the fusion puts the person at, when away at one."""
    source: tuple[str, ...] = ()
    """The signals used: 'fusion' (the location belief), 'phone:<id>', 'car:<id>', 'route:<id>'."""


@dataclass(frozen=True)
class Daylight:
    """The sun at the home at one moment."""

    elevation_deg: float
    """Sun elevation above the horizon in degrees (negative: below)."""
    is_daylight: bool
    """The sun is up (elevation above -0.833 degrees, as sunrise and sunset are defined)."""
    next_sunrise: datetime | None
    """The next sunrise after the moment (UTC); None where the sun does not rise within two days (polar)."""
    next_sunset: datetime | None
    """The next sunset after the moment (UTC); None where the sun does not set within two days (polar)."""


@dataclass(frozen=True)
class Reading:
    """One sensor value."""

    value: float
    unit: str | None
    """The device's unit ('°C'), when it reports or declares one."""
    device: str
    """Device id."""
    name: str
    """Device name."""
    age_s: float | None
    """Seconds since the device last reported, at `now`; None without a report time or a `now`."""


# ----------------------------------------------------------------------------------------------- whereabouts


def _num(v: object) -> float | None:
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def _age_s(d: DeviceView, now: datetime) -> float | None:
    if d.last_updated is None:
        return None
    return (_aware(now) - _aware(d.last_updated)).total_seconds()


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Fix:
    """A device's position: where, how fast (km/h), which way, how old."""

    device: str
    lat: float
    lon: float
    speed_kmh: float | None
    heading: float | None
    age_s: float | None


def _fix(graph: ContextGraph, dev_id: str | None, now: datetime, fresh_s: float, speed_key: str) -> _Fix | None:
    if dev_id is None or not graph.has_device(dev_id):
        return None
    d = graph.device(dev_id)
    lat, lon = _num(d.state.get("latitude")), _num(d.state.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    age = _age_s(d, now)
    if age is not None and age > fresh_s:
        return None
    return _Fix(dev_id, lat, lon, _num(d.state.get(speed_key)), _num(d.state.get("heading")), age)


def _route_minutes(graph: ContextGraph, car: str) -> float | None:
    """Minutes to arrival of the car's navigation route when it leads home (TeslaMate's active_route)."""
    st = graph.device(car).state
    dest, mins = st.get("route_destination"), _num(st.get("route_minutes_to_arrival"))
    if not isinstance(dest, str) or mins is None or mins < 0:
        return None
    names = {"home", graph.home_name.strip().lower()}
    return mins if dest.strip().lower() in names else None


def _eta_min(f: _Fix, home: tuple[float, float, float]) -> float | None:
    s = eta_to_home(f.lat, f.lon, f.speed_kmh, f.heading, home[0], home[1])
    return None if s is None else s / 60.0


def whereabouts(graph: ContextGraph, person: str, now: datetime) -> Whereabouts:
    """Where `person` is at `now`: home (and the room), away (distance, ETA and travel mode where a fresh phone or
    car position says so), or unknown. KeyError when there is no such person."""
    p = graph.person(person)
    if p.location is None:
        return Whereabouts(person, "unknown", None, 0.0)
    if p.location == "home":
        return Whereabouts(person, "home", p.room, p.confidence, source=("fusion",))
    place = p.location if p.location != "away" else None
    home = graph.home_location()
    if home is None:
        return Whereabouts(person, "away", None, p.confidence, place=place, source=("fusion",))
    phone = _fix(graph, p.phone, now, PHONE_FRESH_S, "velocity")
    car = _fix(graph, p.car, now, CAR_FRESH_S, "speed")
    car_moving = car is not None and (car.speed_kmh or 0.0) >= MOVING_KMH
    fix: _Fix | None
    mode: Mode | None
    if phone is not None and car is not None and car_moving and \
            haversine_m(phone.lat, phone.lon, car.lat, car.lon) <= SAME_PLACE_M:
        fix, mode = car, "fusion"
    elif phone is not None:
        fix, mode = phone, "phone"
    elif car is not None:
        fix, mode = car, "car"
    else:
        fix, mode = None, None
    source: list[str] = ["fusion"]
    if fix is None:
        return Whereabouts(person, "away", None, p.confidence, place=place, source=tuple(source))
    if mode == "fusion" and phone is not None:
        source.append(f"phone:{phone.device}")
    source.append(f"{'phone' if mode == 'phone' else 'car'}:{fix.device}")
    eta: float | None = None
    if mode in ("car", "fusion") and p.car is not None and (mins := _route_minutes(graph, p.car)) is not None:
        eta = mins
        source.append(f"route:{p.car}")
    else:
        eta = _eta_min(fix, home)
    return Whereabouts(
        person, "away", None, p.confidence, distance_m=haversine_m(fix.lat, fix.lon, home[0], home[1]),
        eta_min=eta, travel_mode=mode, moving=(fix.speed_kmh or 0.0) >= MOVING_KMH, place=place,
        source=tuple(source),
    )


# ----------------------------------------------------------------------------------------------- daylight


def _next(event: str, obs: Observer, now: datetime) -> datetime | None:
    """The first sunrise (or sunset) after `now`, looking at most two days ahead; None where there is none."""
    fn = sunrise if event == "sunrise" else sunset
    day: date = now.astimezone(UTC).date() - timedelta(days=1)
    for k in range(4):
        try:
            t = fn(obs, day + timedelta(days=k), tzinfo=UTC)
        except ValueError:  # the sun neither rises nor sets that day (polar day or night)
            continue
        if t > now:
            return t
    return None


def daylight(graph: ContextGraph, now: datetime) -> Daylight | None:
    """The sun at the home at `now` (naive times are UTC); None when the home file gives no location."""
    home = graph.home_location()
    if home is None:
        return None
    at = _aware(now)
    obs = Observer(latitude=home[0], longitude=home[1])
    elev = float(elevation(obs, at))
    # sunrise and sunset put the sun's geometric centre at -0.833 degrees (refraction and the upper limb folded
    # in); comparing the refracted elevation with it would count refraction twice (minutes off at each end)
    geometric = float(elevation(obs, at, with_refraction=False))
    return Daylight(elevation_deg=elev, is_daylight=geometric > SUN_HORIZON_DEG,
                    next_sunrise=_next("sunrise", obs, at), next_sunset=_next("sunset", obs, at))


# ----------------------------------------------------------------------------------------------- outside


def _temperature_key(d: DeviceView) -> str | None:
    for k in TEMPERATURE_KEYS:
        if k in d.state or k in d.attributes:
            return k
    return None


def _is_temperature(d: DeviceView, *, outdoor_named: bool = False) -> bool:
    """Whether `d` reports a temperature: a temperature unit, else a temperature device class, key or name (a
    sensor named as outdoor with a unitless number counts: 'Weather station')."""
    if _temperature_key(d) is None:
        return False
    unit = _unit(d)
    if unit is not None:
        return unit.replace(" ", "").lower() in ("°c", "°f", "c", "f", "degc", "degf", "k")
    dc = (d.address or {}).get("device_class")
    return dc == "temperature" or "temp" in d.name.lower() or "temperature" in d.state or outdoor_named


def _unit(d: DeviceView) -> str | None:
    for u in ((d.address or {}).get("unit"), d.state.get("unit"),
              (d.attributes.get(_temperature_key(d) or "") or {}).get("unit")):
        if isinstance(u, str) and u.strip():
            return u.strip()
    return None


_OUTDOOR_WORDS: Final = ("outdoor", "outdoors", "outside", "exterior", "weather")


def outdoor_sensor(graph: ContextGraph) -> str | None:
    """The device the outside temperature is read from (see the module's doc), or None."""
    declared = graph.outdoor_sensor()
    if declared is not None:
        return declared if graph.has_device(declared) else None
    outdoor_rooms = {r.id for r in graph.rooms() if getattr(r, "outdoor", False)}
    devices = [d for d in graph.devices() if d.kind not in ("climate", "car", "phone")]
    for d in devices:
        if d.room in outdoor_rooms and _is_temperature(d):
            return d.id
    for d in devices:
        words = " ".join((d.name, *d.aliases)).lower().replace("_", " ").split()
        if any(w in words for w in _OUTDOOR_WORDS) and _is_temperature(d, outdoor_named=True):
            return d.id
    return None


def outside_temperature(graph: ContextGraph, now: datetime | None = None) -> Reading | None:
    """The outside temperature from the home's outdoor sensor; None when there is none, it is offline, or it has
    not reported a number. `now` (optional) gives the reading's age."""
    dev_id = outdoor_sensor(graph)
    if dev_id is None:
        return None
    d = graph.device(dev_id)
    if d.available is False:
        return None
    for k in TEMPERATURE_KEYS:
        v = _num(d.state.get(k))
        if v is not None:
            age = _age_s(d, now) if now is not None else None
            return Reading(value=v, unit=_unit(d) or ("°C" if k != "value" else None), device=d.id, name=d.name,
                           age_s=age)
    return None
