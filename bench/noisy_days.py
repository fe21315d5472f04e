"""People's days in the noisy world: the geometry of positions, the home's layout as people walk it, and
the plan of each person's outings and sleep (`Planner`)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from fusehub.home import PersonDecl, room_layout

from bench.noisy_homes import M_PER_DEG, HomeSpec

__all__ = ["Layout", "Outing", "Planner", "bearing", "distance_m", "offset", "planner_places"]


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEG, lon + east_m / (M_PER_DEG * math.cos(math.radians(lat)))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dn = (b[0] - a[0]) * M_PER_DEG
    de = (b[1] - a[1]) * M_PER_DEG * math.cos(math.radians(a[0]))
    return math.hypot(dn, de)


class Layout:
    def __init__(self, spec: HomeSpec, rng: random.Random) -> None:
        home = spec.home
        self.rooms = [r.id for r in home.rooms]
        layout = room_layout(home)
        self.adj = layout.adj
        self.level = layout.level
        self.hops = layout.hops
        door_kinds = {"contact", "garage"}
        self.entry = sorted({d.room for d in home.devices if d.kind in door_kinds and d.room}) or self.rooms[:1]
        self.front = self.entry[0]
        # true node distances per (room, node): the layout's hops with a per-home geometry of their own
        self.base: dict[tuple[str, str], float] = {}
        for rid in self.rooms:
            for n in spec.ble_nodes:
                if rid == n:
                    continue
                h = self.hops[n].get(rid, 4)
                d = {1: rng.uniform(3.5, 6.5), 2: rng.uniform(7.0, 10.5)}.get(h, rng.uniform(11.0, 15.0))
                self.base[(rid, n)] = d + 3.0 * abs(self.level[rid] - self.level[n]) * rng.uniform(0.6, 1.0)

    def path(self, a: str, b: str) -> list[str]:
        """Rooms walked through from a to b (excluding a, including b)."""
        if a == b:
            return []
        prev: dict[str, str] = {}
        q = [a]
        seen = {a}
        while q:
            r = q.pop(0)
            if r == b:
                break
            for n in sorted(self.adj[r]):
                if n not in seen:
                    seen.add(n)
                    prev[n] = r
                    q.append(n)
        if b not in prev:
            return [b]
        out = [b]
        while out[-1] in prev and prev[out[-1]] != a:
            out.append(prev[out[-1]])
        return out[::-1]


# ------------------------------------------------------------------------------------------------ people's days


@dataclass(slots=True)
class Outing:
    start: float
    end: float  # back home (door)
    dest: str  # place id or "errand"
    pos: tuple[float, float]
    travel: float
    car: str | None


class Planner:
    def __init__(self, spec: HomeSpec, layout: Layout, rng: random.Random, start: float, days: int) -> None:
        self.spec, self.lay, self.rng, self.start, self.days = spec, layout, rng, start, days
        home = spec.home
        assert home.location is not None
        self.home_pos = (home.location.latitude, home.location.longitude)
        self.places = {p.id: (p.latitude, p.longitude) for p in home.places}

    def _errand_pos(self) -> tuple[float, float]:
        ang = self.rng.uniform(0, 2 * math.pi)
        d = self.rng.uniform(1500, 6000)
        return offset(*self.home_pos, d * math.cos(ang), d * math.sin(ang))

    def outings(self, person: PersonDecl) -> tuple[list[Outing], list[tuple[float, float]]]:
        """Time away from home and sleep intervals, day by day."""
        rng, spec = self.rng, self.spec
        outs: list[Outing] = []
        sleeps: list[tuple[float, float]] = []
        child = person.role == "child"
        for d in range(self.days):
            day0 = self.start + d * 86400
            weekday = d % 7 < 5
            wake = day0 + (6.75 * 3600 + rng.gauss(0, 1200) if weekday else 8.5 * 3600 + rng.gauss(0, 2400))
            bed = day0 + (21.0 if child else 23.0) * 3600 + rng.gauss(0, 1500)
            sleeps.append((wake, bed))
            day_outs: list[Outing] = []
            work = spec.work.get(person.id)
            if weekday and work is not None and rng.random() > (0.0 if child else 0.2):
                leave = wake + rng.uniform(45, 90) * 60
                length = (7.0 if child else 8.75) * 3600 + rng.gauss(0, 2400)
                day_outs.append(self._out(person, leave, leave + length, work))
            n_errands = rng.choices([0, 1, 2], [0.45, 0.4, 0.15])[0] if weekday else rng.choice([1, 2, 2, 3])
            for _ in range(n_errands):
                for _try in range(6):
                    s = day0 + rng.uniform(9.5, 20.0) * 3600
                    e = s + rng.uniform(25, 150) * 60
                    if s > wake + 1800 and e < bed - 1800 and all(
                        e + 900 < o.start or s > o.end + 900 for o in day_outs
                    ):
                        dest = rng.choice(["errand", "errand", *[p for p in self.places if p != work]])
                        day_outs.append(self._out(person, s, e, dest))
                        break
            outs += sorted(day_outs, key=lambda o: o.start)
        return outs, sleeps

    def _out(self, person: PersonDecl, s: float, e: float, dest: str) -> Outing:
        pos = self.places[dest] if dest in self.places else self._errand_pos()
        dist = distance_m(self.home_pos, pos)
        car = person.car if person.car and dist > 2500 and self.rng.random() < 0.8 else None
        speed = self.rng.uniform(8, 13) if car else self.rng.uniform(3.5, 5.5)  # car, or bike / tram
        travel = max(300.0, dist / speed)
        return Outing(s, max(e, s + 2 * travel + 600), dest, pos, travel, car)



def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial great-circle bearing from a to b, degrees 0..360 (a car's heading)."""
    la, lb = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    y = math.sin(dl) * math.cos(lb)
    x = math.cos(la) * math.sin(lb) - math.sin(la) * math.cos(lb) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360


def planner_places(spec: HomeSpec) -> set[str]:
    return {p.id for p in spec.home.places}
