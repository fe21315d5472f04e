"""Two presence baselines for the fusion benchmark, fed the same `FusedInput` stream as `Fusion`.

- `LatestReportWins`: every attributable report sets the person's location (and room) outright; this is
  what `hub/context/presence.py` does with phone reports, extended to BLE, voice and the owner's car.
- `PriorityRule`: Home Assistant's person entity: a stationary tracker (BLE room presence) that reported
  within `consider_home_s` says home and wins; otherwise the latest GPS tracker state (the phone's fixes and
  region events). The room is ESPresense's `mqtt_room` logic: switch to a node that reports a shorter
  distance, or to any node once the current room's reading is older than `room_timeout_s`.

Both trigger `arrived`/`left` on every change of home/away (no hysteresis), as those systems do.
"""

from __future__ import annotations

from datetime import datetime

from fusehub.context.fusion import BeliefEvent, FusedInput
from fusehub.geo import haversine_m
from fusehub.home import Home

__all__ = ["LatestReportWins", "PriorityRule"]


class _Geo:
    def __init__(self, home: Home) -> None:
        self.home = home
        names = {"home", home.name.lower()}
        if home.location is not None:
            names |= {home.location.id.lower(), home.location.name.lower()}
        self.home_names = names
        self.place_names = {n.lower(): p.id for p in home.places for n in (p.id, p.name)}
        self.car_owner = {p.car: p.id for p in home.people if p.car}

    def zone(self, lat: float, lon: float, acc: float | None) -> str:
        """presence.py's geometry: home if within radius + min(accuracy, radius), else a place, else away."""
        a = acc if acc is not None and acc >= 0 else 50.0
        loc = self.home.location
        if loc is not None and haversine_m(lat, lon, loc.latitude, loc.longitude) <= loc.radius_m + min(
            a, loc.radius_m
        ):
            return "home"
        for pl in self.home.places:
            if haversine_m(lat, lon, pl.latitude, pl.longitude) <= pl.radius_m + min(a, pl.radius_m):
                return pl.id
        return "away"

    def region(self, name: str, entered: bool) -> str | None:
        n = name.strip().lower()
        if n in self.home_names:
            return "home" if entered else "away"
        if n in self.place_names:
            return self.place_names[n] if entered else "away"
        return None


def _change(person: str, old: str | None, new: str | None, when: datetime) -> list[BeliefEvent]:
    if old is None or new is None or (old == "home") == (new == "home"):
        return []
    return [BeliefEvent("arrived" if new == "home" else "left", person, when, 1.0)]


class LatestReportWins:
    """The latest attributable report sets location and room."""

    def __init__(self, home: Home) -> None:
        self.geo = _Geo(home)
        self.loc: dict[str, str | None] = {p.id: None for p in home.people}
        self.room: dict[str, str | None] = {p.id: None for p in home.people}
        self.voice = {p.voice_id or p.id: p.id for p in home.people}

    def observe(self, inp: FusedInput) -> list[BeliefEvent]:
        k = inp.kind
        person = inp.person
        new: str | None = None
        room: str | None = None
        if k in ("gps", "car") and inp.latitude is not None and inp.longitude is not None:
            person = person or self.geo.car_owner.get(inp.device)
            new = self.geo.zone(inp.latitude, inp.longitude, inp.accuracy)
        elif k == "region" and inp.region is not None and inp.entered is not None:
            new = self.geo.region(inp.region, inp.entered)
        elif k == "ble" and inp.room is not None:
            new, room = "home", inp.room
        elif k == "voice" and inp.room is not None:
            person = self.voice.get(person or "", person)
            new, room = "home", inp.room
        if person not in self.loc or new is None:
            return []
        old = self.loc[person]
        self.loc[person] = new
        if new != "home":
            self.room[person] = None
        elif room is not None:
            self.room[person] = room
        return _change(person, old, new, inp.time)

    def tick(self, now: datetime) -> list[BeliefEvent]:
        return []

    def location(self, person: str) -> tuple[str | None, str | None]:
        return self.loc[person], self.room[person]


class PriorityRule:
    """Home Assistant's person entity over a BLE room tracker and the phone's GPS tracker."""

    def __init__(self, home: Home, consider_home_s: float = 180.0, room_timeout_s: float = 10.0) -> None:
        self.geo = _Geo(home)
        self.consider_home_s = consider_home_s
        self.room_timeout_s = room_timeout_s
        ids = [p.id for p in home.people]
        self.gps: dict[str, str | None] = dict.fromkeys(ids)
        self.ble_t: dict[str, float] = {}
        self.cur: dict[str, tuple[str, float, float]] = {}  # person -> (room, distance, time)
        self.state: dict[str, str | None] = dict.fromkeys(ids)

    def observe(self, inp: FusedInput) -> list[BeliefEvent]:
        person, k, t = inp.person, inp.kind, inp.time.timestamp()
        if person not in self.state:
            return []
        if k == "gps" and inp.latitude is not None and inp.longitude is not None:
            self.gps[person] = self.geo.zone(inp.latitude, inp.longitude, inp.accuracy)
        elif k == "region" and inp.region is not None and inp.entered is not None:
            z = self.geo.region(inp.region, inp.entered)
            if z is not None:
                self.gps[person] = z
        elif k == "ble" and inp.room is not None and inp.distance is not None:
            self.ble_t[person] = t
            cur = self.cur.get(person)
            if (cur is None or cur[0] == inp.room or inp.distance < cur[1]
                    or t - cur[2] > self.room_timeout_s):
                self.cur[person] = (inp.room, inp.distance, t)
        else:
            return []
        return self._update(person, t, inp.time)

    def _update(self, person: str, t: float, when: datetime) -> list[BeliefEvent]:
        seen = self.ble_t.get(person)
        new = "home" if seen is not None and t - seen <= self.consider_home_s else self.gps[person]
        old = self.state[person]
        self.state[person] = new
        return _change(person, old, new, when)

    def tick(self, now: datetime) -> list[BeliefEvent]:
        t = now.timestamp()
        out: list[BeliefEvent] = []
        for p in self.state:
            out += self._update(p, t, now)
        return out

    def location(self, person: str) -> tuple[str | None, str | None]:
        loc = self.state[person]
        cur = self.cur.get(person)
        return loc, (cur[0] if loc == "home" and cur is not None else None)
