"""A noisy simulated world for presence fusion: people living realistic days, sensors reporting badly.

`generate_week(home_spec, days, seed)` plans each person's days (sleep, weekday work or school, errands,
weekend outings, occasionally working from home), a visitor now and then and a cat, records the ground
truth (where each person is, and which room, at every moment) and produces what the sensors report, as a
time-ordered list of `FusedInput` (the fusion's input type, what `inputs_from_observation` makes of the
adapters' observations):

- phone GPS fixes (OwnTracks): every couple of minutes while moving, rarely while still, with an accuracy
  radius and Gaussian error of that size, coarse (cell) fixes, outliers, and a share delivered minutes late;
- region enter/leave for home and places: detected late, sometimes missed, and flapping at the boundary;
- BLE distances (ESPresense) from room nodes to each person's phone: log-normal noise around the true
  distance, multipath jumps, dropouts, nodes failing for hours (ESPresense's status topic says so, as a
  `node` input, a little late) and phones going dark;
- motion onsets per instrumented room from people (rarely while asleep), visitors and the cat, with
  misses and a hold time; a front-door contact on every passing (who is not said); a camera in the entry
  room; voice satellites hearing someone now and then with a speaker hint that is sometimes wrong;
- the car (TeslaMate) reporting while it drives, including days when someone else takes it.

`score(week, tracker)` replays the stream into a tracker (the fusion or a baseline) and measures it
against the ground truth. Everything is deterministic given the seed.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import statistics
import time as _time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from fusehub.context.fusion import BeliefEvent, FusedInput, InputKind
from fusehub.home import DeviceDecl, FloorDecl, Home, PersonDecl, PlaceDecl, RoomDecl, room_layout
from pydantic import BaseModel, Field

__all__ = [
    "HomeSpec",
    "NoiseConfig",
    "NoisyWeek",
    "Scores",
    "Segment",
    "Tracker",
    "bench_homes",
    "generate_week",
    "score",
]

START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday, 00:00
M_PER_DEG = 111_320.0


class NoiseConfig(BaseModel):
    """How badly the sensors report. Defaults are the benchmark's default noise."""

    gps_moving_interval_s: float = 120.0
    gps_still_interval_s: tuple[float, float] = (1800.0, 3600.0)
    gps_accuracy_m: tuple[float, float] = (8.0, 40.0)
    gps_indoor_accuracy_m: tuple[float, float] = (20.0, 100.0)
    gps_coarse: float = Field(default=0.05, description="Share of coarse (cell) fixes, 300-1500 m.")
    gps_outlier: float = Field(default=0.01, description="Share of fixes 1-3 km off whatever they claim.")
    gps_late: float = Field(default=0.12, description="Share of fixes delivered 1-15 minutes late.")
    region_detect_median_s: float = 25.0
    region_miss: float = 0.05
    region_flaps_per_day: float = 0.7
    arrival_flap: float = 0.15
    ble_interval_s: float = 10.0
    ble_range_m: float = 12.0
    ble_dropout: float = 0.2
    ble_sigma: float = 0.25
    ble_multipath: float = 0.06
    node_fail_per_day: float = 0.05
    node_status: bool = Field(default=True, description="Failing nodes report offline/online (MQTT last will).")
    phone_dark_per_week: float = 1.0
    motion_awake_rate: float = 1 / 90
    motion_sleep_rate: float = 1 / 1800
    motion_miss: float = 0.1
    motion_hold_s: float = 60.0
    cat_rate: float = 1 / 300
    door_miss: float = 0.03
    camera_rate: float = 1 / 60
    voice_rate: float = 1 / 5400
    voice_misid: float = 0.03
    car_interval_s: float = 30.0
    car_other_driver: float = 0.1
    visitors_per_week: float = 3.0


@dataclass(frozen=True, slots=True)
class HomeSpec:
    """A home plus what the simulator needs to know about it beyond the home file."""

    home: Home
    ble_nodes: tuple[str, ...]
    sleep_room: dict[str, str]
    own_room: dict[str, str]
    work: dict[str, str]  # person -> place id (work or school)
    cat_rooms: tuple[str, ...]
    camera_room: str | None


@dataclass(slots=True)
class Segment:
    """Ground truth: where a person is from t0 to t1 (epoch seconds)."""

    t0: float
    t1: float
    loc: str  # "home", "away" or a place id
    room: str | None = None
    sleeping: bool = False
    a: tuple[float, float] = (0.0, 0.0)  # position (lat, lon) at t0
    b: tuple[float, float] = (0.0, 0.0)  # at t1 (moving when different)
    car: str | None = None


@dataclass
class NoisyWeek:
    spec: HomeSpec
    start: float
    end: float
    inputs: list[FusedInput]
    truth: dict[str, list[Segment]]
    arrivals: dict[str, list[float]] = field(default_factory=dict)
    departures: dict[str, list[float]] = field(default_factory=dict)

    def truth_at(self, person: str, t: float) -> Segment:
        segs = self.truth[person]
        i = bisect.bisect_right([s.t0 for s in segs], t) - 1
        return segs[max(0, i)]


# ------------------------------------------------------------------------------------------------ homes


def _room(i: str, name: str, floor: str, adj: list[str]) -> RoomDecl:
    return RoomDecl(id=i, name=name, floor=floor, adjacent=adj)


def _dev(i: str, kind: str, room: str | None, eco: str = "homeassistant") -> DeviceDecl:
    return DeviceDecl(id=i, name=i.replace("_", " "), kind=kind, room=room, ecosystem=eco)


def bench_homes() -> list[HomeSpec]:
    """Three homes: a house like the demo's (connected), a flat, and a larger family house."""
    floors = [FloorDecl(id="ground", name="Ground", level=0), FloorDecl(id="up", name="Upstairs", level=1)]
    # 1. the demo-like house
    rooms = [
        _room("hallway", "Hallway", "ground", ["living_room", "kitchen", "garage", "landing"]),
        _room("living_room", "Living room", "ground", ["kitchen"]),
        _room("kitchen", "Kitchen", "ground", []),
        _room("garage", "Garage", "ground", []),
        _room("landing", "Landing", "up", ["bedroom", "kids_room", "bathroom", "office"]),
        _room("bedroom", "Bedroom", "up", []),
        _room("kids_room", "Kids room", "up", []),
        _room("bathroom", "Bathroom", "up", []),
        _room("office", "Office", "up", []),
    ]
    loc = PlaceDecl(id="home", name="Home", latitude=52.3731, longitude=4.8922, radius_m=80)
    places = [PlaceDecl(id="work", name="Work", latitude=52.3391, longitude=4.8730, radius_m=150),
              PlaceDecl(id="work2", name="Office park", latitude=52.3100, longitude=4.9500, radius_m=200),
              PlaceDecl(id="school", name="School", latitude=52.3600, longitude=4.9100, radius_m=150)]
    people = [PersonDecl(id="anna", name="Anna", role="owner", phone="anna_phone", car="anna_car", voice_id="anna"),
              PersonDecl(id="ben", name="Ben", role="adult", phone="ben_phone", voice_id="ben"),
              PersonDecl(id="mia", name="Mia", role="child", phone="mia_watch", voice_id="mia")]
    devs = [_dev("front_door_contact", "contact", "hallway"), _dev("hall_motion", "motion", "hallway"),
            _dev("living_motion", "motion", "living_room"), _dev("kitchen_motion", "motion", "kitchen"),
            _dev("landing_motion", "motion", "landing"), _dev("hall_camera", "camera", "hallway", "frigate"),
            _dev("kitchen_speaker", "speaker", "kitchen", "hermes"),
            _dev("living_speaker", "speaker", "living_room", "hermes"),
            _dev("bedroom_speaker", "speaker", "bedroom", "hermes"),
            _dev("anna_phone", "phone", None, "owntracks"), _dev("ben_phone", "phone", None, "owntracks"),
            _dev("mia_watch", "phone", None, "owntracks"), _dev("anna_car", "car", None, "teslamate")]
    h1 = Home(name="House", location=loc, floors=floors, rooms=rooms, places=places, people=people, devices=devs)
    s1 = HomeSpec(h1, ("hallway", "living_room", "kitchen", "bedroom", "kids_room", "bathroom", "office"),
                  {"anna": "bedroom", "ben": "bedroom", "mia": "kids_room"},
                  {"anna": "office", "ben": "living_room", "mia": "kids_room"},
                  {"anna": "work", "ben": "work2", "mia": "school"},
                  ("hallway", "living_room", "kitchen"), "hallway")
    # 2. a flat
    rooms2 = [
        _room("hallway", "Hallway", "ground", ["living_room", "bedroom", "bathroom", "kitchen"]),
        _room("living_room", "Living room", "ground", ["kitchen", "study"]),
        _room("kitchen", "Kitchen", "ground", []),
        _room("bedroom", "Bedroom", "ground", ["bathroom"]),
        _room("bathroom", "Bathroom", "ground", []),
        _room("study", "Study", "ground", []),
    ]
    loc2 = PlaceDecl(id="home", name="Home", latitude=51.9225, longitude=4.4792, radius_m=100)
    places2 = [PlaceDecl(id="work", name="Work", latitude=51.9000, longitude=4.4500, radius_m=150),
               PlaceDecl(id="gym", name="Gym", latitude=51.9300, longitude=4.4900, radius_m=100)]
    people2 = [PersonDecl(id="lena", name="Lena", role="owner", phone="lena_phone", car="lena_car"),
               PersonDecl(id="omar", name="Omar", role="adult", phone="omar_phone")]
    devs2 = [_dev("door", "contact", "hallway"), _dev("hall_motion", "motion", "hallway"),
             _dev("living_motion", "motion", "living_room"), _dev("kitchen_motion", "motion", "kitchen"),
             _dev("kitchen_speaker", "speaker", "kitchen", "hermes"),
             _dev("study_speaker", "speaker", "study", "hermes"),
             _dev("lena_phone", "phone", None, "owntracks"), _dev("omar_phone", "phone", None, "owntracks"),
             _dev("lena_car", "car", None, "teslamate")]
    h2 = Home(name="Flat", location=loc2, floors=floors[:1], rooms=rooms2, places=places2, people=people2,
              devices=devs2)
    s2 = HomeSpec(h2, ("hallway", "living_room", "kitchen", "bedroom", "study"),
                  {"lena": "bedroom", "omar": "bedroom"}, {"lena": "study", "omar": "living_room"},
                  {"lena": "work", "omar": "work"}, ("hallway", "living_room", "kitchen", "bedroom"), None)
    # 3. a family house
    rooms3 = [
        _room("hallway", "Hallway", "ground", ["living_room", "kitchen", "garage", "utility", "landing"]),
        _room("living_room", "Living room", "ground", ["dining"]),
        _room("dining", "Dining room", "ground", ["kitchen"]),
        _room("kitchen", "Kitchen", "ground", ["utility"]),
        _room("utility", "Utility", "ground", []),
        _room("garage", "Garage", "ground", []),
        _room("landing", "Landing", "up", ["master", "teen_room", "kid_room", "bathroom"]),
        _room("master", "Master bedroom", "up", []),
        _room("teen_room", "Teen room", "up", []),
        _room("kid_room", "Kid room", "up", []),
        _room("bathroom", "Bathroom", "up", []),
    ]
    loc3 = PlaceDecl(id="home", name="Home", latitude=52.0907, longitude=5.1214, radius_m=120)
    places3 = [PlaceDecl(id="work", name="Work", latitude=52.0800, longitude=5.0500, radius_m=200),
               PlaceDecl(id="hospital", name="Hospital", latitude=52.0870, longitude=5.1790, radius_m=250),
               PlaceDecl(id="school", name="School", latitude=52.1000, longitude=5.1300, radius_m=150)]
    people3 = [PersonDecl(id="kai", name="Kai", role="owner", phone="kai_phone", car="kai_car"),
               PersonDecl(id="ruth", name="Ruth", role="adult", phone="ruth_phone", car="ruth_car"),
               PersonDecl(id="tess", name="Tess", role="child", phone="tess_phone"),
               PersonDecl(id="finn", name="Finn", role="child", phone="finn_tag")]
    devs3 = [_dev("front_door", "contact", "hallway"), _dev("garage_door", "garage", "garage"),
             _dev("hall_motion", "motion", "hallway"), _dev("living_motion", "motion", "living_room"),
             _dev("kitchen_motion", "motion", "kitchen"), _dev("dining_motion", "motion", "dining"),
             _dev("landing_motion", "motion", "landing"), _dev("hall_camera", "camera", "hallway", "frigate"),
             _dev("kitchen_speaker", "speaker", "kitchen", "hermes"),
             _dev("living_speaker", "speaker", "living_room", "hermes"),
             _dev("master_speaker", "speaker", "master", "hermes"),
             *[_dev(d, "phone", None, "owntracks") for d in ("kai_phone", "ruth_phone", "tess_phone", "finn_tag")],
             _dev("kai_car", "car", None, "teslamate"), _dev("ruth_car", "car", None, "teslamate")]
    h3 = Home(name="Family house", location=loc3, floors=floors, rooms=rooms3, places=places3, people=people3,
              devices=devs3)
    s3 = HomeSpec(h3, ("hallway", "living_room", "dining", "kitchen", "master", "teen_room", "kid_room",
                       "bathroom", "garage"),
                  {"kai": "master", "ruth": "master", "tess": "teen_room", "finn": "kid_room"},
                  {"kai": "living_room", "ruth": "dining", "tess": "teen_room", "finn": "kid_room"},
                  {"kai": "work", "ruth": "hospital", "tess": "school", "finn": "school"},
                  ("hallway", "living_room", "dining", "kitchen", "utility"), "hallway")
    return [s1, s2, s3]


# ------------------------------------------------------------------------------------------------ geometry


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEG, lon + east_m / (M_PER_DEG * math.cos(math.radians(lat)))


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    dn = (b[0] - a[0]) * M_PER_DEG
    de = (b[1] - a[1]) * M_PER_DEG * math.cos(math.radians(a[0]))
    return math.hypot(dn, de)


class _Layout:
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
class _Out:
    start: float
    end: float  # back home (door)
    dest: str  # place id or "errand"
    pos: tuple[float, float]
    travel: float
    car: str | None


class _Planner:
    def __init__(self, spec: HomeSpec, layout: _Layout, rng: random.Random, start: float, days: int) -> None:
        self.spec, self.lay, self.rng, self.start, self.days = spec, layout, rng, start, days
        home = spec.home
        assert home.location is not None
        self.home_pos = (home.location.latitude, home.location.longitude)
        self.places = {p.id: (p.latitude, p.longitude) for p in home.places}

    def _errand_pos(self) -> tuple[float, float]:
        ang = self.rng.uniform(0, 2 * math.pi)
        d = self.rng.uniform(1500, 6000)
        return _offset(*self.home_pos, d * math.cos(ang), d * math.sin(ang))

    def outings(self, person: PersonDecl) -> tuple[list[_Out], list[tuple[float, float]]]:
        """Time away from home and sleep intervals, day by day."""
        rng, spec = self.rng, self.spec
        outs: list[_Out] = []
        sleeps: list[tuple[float, float]] = []
        child = person.role == "child"
        for d in range(self.days):
            day0 = self.start + d * 86400
            weekday = d % 7 < 5
            wake = day0 + (6.75 * 3600 + rng.gauss(0, 1200) if weekday else 8.5 * 3600 + rng.gauss(0, 2400))
            bed = day0 + (21.0 if child else 23.0) * 3600 + rng.gauss(0, 1500)
            sleeps.append((wake, bed))
            day_outs: list[_Out] = []
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

    def _out(self, person: PersonDecl, s: float, e: float, dest: str) -> _Out:
        pos = self.places[dest] if dest in self.places else self._errand_pos()
        dist = _dist(self.home_pos, pos)
        car = person.car if person.car and dist > 2500 and self.rng.random() < 0.8 else None
        speed = self.rng.uniform(8, 13) if car else self.rng.uniform(3.5, 5.5)  # car, or bike / tram
        travel = max(300.0, dist / speed)
        return _Out(s, max(e, s + 2 * travel + 600), dest, pos, travel, car)


# ------------------------------------------------------------------------------------------------ generator


class _Gen:
    def __init__(self, spec: HomeSpec, noise: NoiseConfig, seed: int, days: int) -> None:
        self.spec, self.noise, self.days = spec, noise, days
        self.rng = random.Random(seed)
        self.seed = seed
        self.lay = _Layout(spec, random.Random(seed + 7))
        self.start = START.timestamp()
        self.end = self.start + days * 86400
        self.home_pos = (spec.home.location.latitude, spec.home.location.longitude) if spec.home.location else (
            0.0, 0.0)
        self.inputs: list[tuple[float, int, FusedInput]] = []
        self._seq = 0
        self.truth: dict[str, list[Segment]] = {}
        # node failures and phones going dark
        self.node_down: dict[str, list[tuple[float, float]]] = {}
        for n in spec.ble_nodes:
            spans = []
            for d in range(days):
                if self.rng.random() < noise.node_fail_per_day:
                    s = self.start + d * 86400 + self.rng.uniform(0, 86400)
                    spans.append((s, s + self.rng.uniform(3600, 6 * 3600)))
            self.node_down[n] = spans
        self.dark: dict[str, list[tuple[float, float]]] = {}
        # motion / camera sources: room -> list of (t0, t1, rate)
        self.motion_src: dict[str, list[tuple[float, float, float]]] = {}
        self.door_times: list[float] = []

    def emit(self, t: float, kind: InputKind, device: str, observed: float | None = None, **kw: object) -> None:
        if t < self.start or t >= self.end:
            return
        self._seq += 1
        obs = datetime.fromtimestamp(observed, UTC) if observed is not None else None
        self.inputs.append((t, self._seq, FusedInput(datetime.fromtimestamp(t, UTC), kind, device,
                                                     observed_at=obs, **kw)))  # type: ignore[arg-type]

    # ---------------------------------------------------------------- truth
    def plan(self) -> None:
        planner = _Planner(self.spec, self.lay, self.rng, self.start, self.days)
        for person in self.spec.home.people:
            outs, sleeps = planner.outings(person)
            self.truth[person.id] = self._timeline(person, outs, sleeps)
            n_dark = sum(1 for _ in range(self.days) if self.rng.random() < self.noise.phone_dark_per_week / 7)
            spans = []
            for _ in range(n_dark):
                s = self.start + self.rng.uniform(0, self.days * 86400)
                spans.append((s, s + self.rng.uniform(1800, 5400)))
            self.dark[person.id] = spans

    def _timeline(self, person: PersonDecl, outs: list[_Out], sleeps: list[tuple[float, float]]) -> list[Segment]:
        rng, lay = self.rng, self.lay
        segs: list[Segment] = []
        sleep_room = self.spec.sleep_room[person.id]
        own = self.spec.own_room[person.id]
        t = self.start
        room = sleep_room
        hp = self.home_pos

        def at_home_until(t: float, until: float, room: str) -> tuple[float, str]:
            while t < until:
                asleep = not any(w <= t < b for w, b in sleeps)
                if asleep:
                    nxt = min([w for w, _ in sleeps if w > t] + [until])
                    t, room = self._walk(segs, t, room, sleep_room, hp)
                    if nxt > t:
                        segs.append(Segment(t, nxt, "home", sleep_room, True, hp, hp))
                        t = nxt
                    continue
                hour = ((t - self.start) % 86400) / 3600
                bed = min([b for _, b in sleeps if b > t] + [until])
                if 6 <= hour < 10 and room == sleep_room:
                    target, stay = "bathroom" if "bathroom" in lay.adj else "kitchen", rng.uniform(6, 15) * 60
                elif 17.5 <= hour < 19.5 and room != "kitchen" and rng.random() < 0.5:
                    target, stay = "kitchen", rng.uniform(20, 45) * 60
                else:
                    choices = ["living_room", "kitchen", own, "bathroom", "garage", "hallway", sleep_room]
                    weights = [0.33, 0.2, 0.25, 0.07, 0.04, 0.03, 0.08]
                    opts = [(c, w) for c, w in zip(choices, weights, strict=True) if c in lay.adj and c != room]
                    target = rng.choices([c for c, _ in opts], [w for _, w in opts])[0]
                    stay = rng.uniform(4, 10) * 60 if target in ("bathroom", "garage", "hallway") else max(
                        180.0, rng.expovariate(1 / 1500))
                end = min(t + stay, until, bed if bed > t else until)
                t, room = self._walk(segs, t, room, target, hp)
                if end > t:
                    segs.append(Segment(t, end, "home", room, False, hp, hp))
                    t = end
            return t, room

        for o in outs:
            if o.start <= t:
                continue
            t, room = at_home_until(t, o.start, room)
            # go to the door, leave
            t, room = self._walk(segs, t, room, lay.front, hp)
            wait = rng.uniform(20, 90)
            segs.append(Segment(t, t + wait, "home", lay.front, False, hp, hp))
            t += wait
            self.door_times.append(t)
            arrive = t + o.travel
            back = max(o.end, arrive + 600)
            place = o.dest if o.dest in planner_places(self.spec) else "away"
            segs.append(Segment(t, arrive, "away", None, False, hp, o.pos, o.car))
            segs.append(Segment(arrive, back - o.travel, place, None, False, o.pos, o.pos))
            segs.append(Segment(back - o.travel, back, "away", None, False, o.pos, hp, o.car))
            t = back
            self.door_times.append(t)
            room = lay.front
            stay = rng.uniform(20, 60)
            segs.append(Segment(t, t + stay, "home", room, False, hp, hp))
            t += stay
        at_home_until(t, self.end, room)
        # merge adjacent identical segments
        merged: list[Segment] = []
        for s in segs:
            if s.t1 <= s.t0:
                continue
            if merged and merged[-1].loc == s.loc == "home" and merged[-1].room == s.room and \
                    merged[-1].sleeping == s.sleeping and abs(merged[-1].t1 - s.t0) < 1e-6:
                merged[-1].t1 = s.t1
            else:
                merged.append(s)
        return merged

    def _walk(self, segs: list[Segment], t: float, room: str, target: str, hp: tuple[float, float]
              ) -> tuple[float, str]:
        path = self.lay.path(room, target)
        for r in path[:-1]:
            d = self.rng.uniform(4, 9)
            segs.append(Segment(t, t + d, "home", r, False, hp, hp))
            t += d
        return t, target

    # ---------------------------------------------------------------- sensors
    def sensors(self) -> None:
        spec, noise = self.spec, self.noise
        phone = {p.id: p.phone for p in spec.home.people}
        people = {p.id: p for p in spec.home.people}
        adults = [p.id for p in spec.home.people if p.role in ("owner", "adult")]
        for pid, segs in self.truth.items():
            dev = phone[pid]
            for s in segs:
                if s.loc == "home" and s.room is not None:
                    src = noise.motion_sleep_rate if s.sleeping else noise.motion_awake_rate
                    self.motion_src.setdefault(s.room, []).append((s.t0, s.t1, src))
                if dev is None:
                    continue
                if s.loc == "home" and s.room is not None:
                    self._ble(pid, dev, s)
                    if not s.sleeping and s.room is not None:
                        self._voice(pid, s)
                self._gps(pid, dev, s)
            if dev is not None:
                self._regions(pid, dev, segs)
            for s in segs:
                if s.car is not None and people[pid].car == s.car:
                    self._car(s.car, s)
        # someone else drives an owner's car now and then (the owner is elsewhere)
        for p in spec.home.people:
            if p.car is None:
                continue
            others = [a for a in adults if a != p.id]
            for d in range(self.days):
                if others and self.rng.random() < noise.car_other_driver:
                    t0 = self.start + d * 86400 + self.rng.uniform(10, 18) * 3600
                    dest = _offset(*self.home_pos, self.rng.uniform(-4000, 4000), self.rng.uniform(-4000, 4000))
                    tr = _dist(self.home_pos, dest) / 10
                    self._car(p.car, Segment(t0, t0 + tr, "away", None, False, self.home_pos, dest, p.car))
                    back = t0 + tr + self.rng.uniform(1800, 5400)
                    self._car(p.car, Segment(back, back + tr, "away", None, False, dest, self.home_pos, p.car))
        self._visitors_and_cat()
        self._motion()
        self._doors()
        self._node_status()

    def _node_status(self) -> None:
        """ESPresense's status topic: 'offline' (the broker's last will) once the keepalive runs out after a
        node fails, 'online' when it reconnects. Own random stream: the rest of the world stays as it was."""
        if not self.noise.node_status:
            return
        rng = random.Random(self.seed * 7919 + 13)
        for node, spans in self.node_down.items():
            dev = f"espresense:node:{node}"
            for a, b in spans:
                self.emit(a + rng.uniform(5, 60), "node", dev, room=node, value=False)
                self.emit(b + rng.uniform(0.2, 2), "node", dev, room=node, value=True)

    def _up(self, pid: str, t: float) -> bool:
        return not any(a <= t < b for a, b in self.dark[pid])

    def _ble(self, pid: str, dev: str, s: Segment) -> None:
        rng, noise = self.rng, self.noise
        assert s.room is not None
        for node in self.spec.ble_nodes:
            mu = rng.uniform(0.8, 2.8) if node == s.room else self.lay.base[(s.room, node)] * rng.uniform(0.9, 1.1)
            if mu > noise.ble_range_m:
                continue
            t = s.t0 + rng.uniform(0.5, 3.0)
            while t < s.t1:
                if rng.random() >= noise.ble_dropout and self._up(pid, t) and not any(
                    a <= t < b for a, b in self.node_down[node]
                ):
                    if rng.random() < noise.ble_multipath:
                        d = mu * rng.uniform(0.35, 2.5)
                    else:
                        d = mu * math.exp(rng.gauss(0, noise.ble_sigma))
                    if d <= noise.ble_range_m * 1.3:
                        self.emit(t + rng.uniform(0.05, 0.5), "ble", dev, person=pid, room=node,
                                  distance=round(d, 2))
                t += noise.ble_interval_s * rng.uniform(0.8, 1.2)

    def _voice(self, pid: str, s: Segment) -> None:
        rng = self.rng
        rooms = {d.room: d.id for d in self.spec.home.devices if d.kind == "speaker" and d.room}
        if s.room not in rooms:
            return
        t = s.t0 + rng.expovariate(self.noise.voice_rate)
        others = [p.id for p in self.spec.home.people if p.id != pid]
        while t < s.t1:
            who = pid if rng.random() >= self.noise.voice_misid or not others else rng.choice(others)
            self.emit(t, "voice", rooms[s.room], person=who, room=s.room)
            t += rng.expovariate(self.noise.voice_rate)

    def _fix(self, pid: str, dev: str, t: float, pos: tuple[float, float], indoor: bool) -> None:
        rng, noise = self.rng, self.noise
        if not self._up(pid, t):
            return
        if rng.random() < noise.gps_coarse:
            acc = rng.uniform(300, 1500)
        else:
            acc = rng.uniform(*(noise.gps_indoor_accuracy_m if indoor else noise.gps_accuracy_m))
        sig = acc / 1.5
        lat, lon = _offset(*pos, rng.gauss(0, sig), rng.gauss(0, sig))
        if rng.random() < noise.gps_outlier:
            ang, dd = rng.uniform(0, 2 * math.pi), rng.uniform(1000, 3000)
            lat, lon = _offset(lat, lon, dd * math.cos(ang), dd * math.sin(ang))
        delay = rng.uniform(60, 900) if rng.random() < noise.gps_late else rng.uniform(0.5, 8)
        self.emit(t + delay, "gps", dev, observed=t, person=pid, latitude=lat, longitude=lon,
                  accuracy=round(acc, 1))

    def _gps(self, pid: str, dev: str, s: Segment) -> None:
        rng, noise = self.rng, self.noise
        if s.a != s.b:  # moving
            t = s.t0 + rng.uniform(0, noise.gps_moving_interval_s)
            while t < s.t1:
                f = (t - s.t0) / (s.t1 - s.t0)
                pos = (s.a[0] + f * (s.b[0] - s.a[0]), s.a[1] + f * (s.b[1] - s.a[1]))
                self._fix(pid, dev, t, pos, False)
                t += noise.gps_moving_interval_s * rng.uniform(0.7, 1.3)
            return
        t = s.t0 + rng.uniform(*noise.gps_still_interval_s)
        while t < s.t1:
            pos = _offset(*s.a, rng.gauss(0, 8), rng.gauss(0, 8))
            self._fix(pid, dev, t, pos, True)
            t += rng.uniform(*noise.gps_still_interval_s)

    def _regions(self, pid: str, dev: str, segs: list[Segment]) -> None:
        rng, noise = self.rng, self.noise
        home = self.spec.home
        assert home.location is not None
        regions = [(home.location.name, self.home_pos, home.location.radius_m)] + [
            (p.name, (p.latitude, p.longitude), p.radius_m) for p in home.places
        ]

        def event(t: float, name: str, entered: bool, a: tuple[float, float], b: tuple[float, float], f: float,
                  ) -> None:
            """A crossing at time t (fraction f of the way from a to b), detected late with a fix."""
            if rng.random() < noise.region_miss or not self._up(pid, t):
                return
            det = t + rng.lognormvariate(math.log(noise.region_detect_median_s), 0.9)
            self.emit(det + rng.uniform(0.3, 4), "region", dev, observed=det, person=pid, region=name,
                      entered=entered)
            self._fix(pid, dev, det, (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])), False)

        for s in segs:
            if s.a == s.b:
                continue
            dist_total = max(_dist(s.a, s.b), 1.0)
            for name, c, radius in regions:
                if _dist(s.a, c) <= radius < _dist(s.b, c):  # leaving: crossing at radius
                    f = min(1.0, radius / dist_total)
                    event(s.t0 + (s.t1 - s.t0) * f, name, False, s.a, s.b, f)
                elif _dist(s.b, c) <= radius < _dist(s.a, c):
                    f = 1.0 - min(1.0, radius / dist_total)
                    tc = s.t0 + (s.t1 - s.t0) * f
                    event(tc, name, True, s.a, s.b, f)
                    if c == self.home_pos and rng.random() < noise.arrival_flap:
                        t2 = tc + rng.uniform(30, 120)
                        event(t2, name, False, s.b, s.b, 1.0)
                        event(t2 + rng.uniform(30, 120), name, True, s.b, s.b, 1.0)
        # flapping at the home boundary while at home
        hname, hr = home.location.name, home.location.radius_m
        for s in segs:
            if s.loc != "home" or s.sleeping or s.t1 - s.t0 < 900:
                continue
            if rng.random() < noise.region_flaps_per_day * (s.t1 - s.t0) / (16 * 3600):
                t = rng.uniform(s.t0, s.t1 - 600)
                ang = rng.uniform(0, 2 * math.pi)
                far = _offset(*self.home_pos, (hr + 30) * math.cos(ang), (hr + 30) * math.sin(ang))
                event(t, hname, False, far, far, 0.0)
                event(t + rng.uniform(60, 600), hname, True, self.home_pos, self.home_pos, 0.0)

    def _car(self, car: str, s: Segment) -> None:
        rng = self.rng
        t = s.t0 + rng.uniform(5, 30)
        dist = _dist(s.a, s.b)
        speed = dist / max(s.t1 - s.t0, 1.0) * 3.6
        while t < s.t1:
            f = (t - s.t0) / (s.t1 - s.t0)
            pos = (s.a[0] + f * (s.b[0] - s.a[0]), s.a[1] + f * (s.b[1] - s.a[1]))
            lat, lon = _offset(*pos, rng.gauss(0, 5), rng.gauss(0, 5))
            self.emit(t + rng.uniform(0.5, 3), "car", car, observed=t, latitude=lat, longitude=lon, accuracy=10.0,
                      speed=round(speed, 1), heading=round(_bearing(s.a, s.b), 0))
            t += self.noise.car_interval_s * rng.uniform(0.8, 1.2)
        lat, lon = _offset(*s.b, rng.gauss(0, 5), rng.gauss(0, 5))
        self.emit(s.t1 + rng.uniform(5, 40), "car", car, observed=s.t1, latitude=lat, longitude=lon, accuracy=10.0,
                  speed=0.0)

    def _visitors_and_cat(self) -> None:
        rng, noise, lay = self.rng, self.noise, self.lay
        n_vis = sum(1 for _ in range(self.days) if rng.random() < noise.visitors_per_week / 7)
        days = rng.sample(range(self.days), n_vis) if n_vis <= self.days else []
        for d in days:
            t = self.start + d * 86400 + rng.uniform(13, 19) * 3600
            end = t + rng.uniform(3600, 3 * 3600)
            self.door_times.append(t)
            self.door_times.append(end)
            room = lay.front
            self.motion_src.setdefault(room, []).append((t, t + 40, noise.motion_awake_rate))
            t += 40
            while t < end:
                nxt = rng.choice([r for r in ("living_room", "kitchen", "dining") if r in lay.adj])
                stay = min(end - t, rng.uniform(1200, 2400))
                self.motion_src.setdefault(nxt, []).append((t, t + stay, noise.motion_awake_rate))
                t += stay
            self.motion_src.setdefault(lay.front, []).append((end - 40, end, noise.motion_awake_rate))
        # the cat: active spells roaming its rooms, resting in between
        t = self.start
        cat_rooms = list(self.spec.cat_rooms)
        while t < self.end:
            t += rng.uniform(1800, 7200)  # resting
            active_end = t + rng.uniform(1200, 2400)
            while t < active_end:
                r = rng.choice(cat_rooms)
                stay = rng.uniform(180, 600)
                self.motion_src.setdefault(r, []).append((t, t + stay, noise.cat_rate))
                if r == self.spec.camera_room and rng.random() < 0.05:
                    cam = next((d.id for d in self.spec.home.devices if d.kind == "camera"), "camera")
                    self.emit(t + stay / 2, "camera", cam, room=r, value=True)
                t += stay

    def _motion(self) -> None:
        rng, noise = self.rng, self.noise
        sensors = {d.room: d.id for d in self.spec.home.devices if d.kind == "motion" and d.room}
        camera = {d.room: d.id for d in self.spec.home.devices if d.kind == "camera" and d.room}
        for room, srcs in self.motion_src.items():
            if room in sensors:
                onsets: list[float] = []
                for a, b, rate in srcs:
                    t = a + rng.expovariate(rate) * (0.2 if rate >= noise.motion_awake_rate else 1.0)
                    while t < b:
                        if rng.random() >= noise.motion_miss:
                            onsets.append(t)
                        t += rng.expovariate(rate)
                onsets.sort()
                on_until = -1.0
                for t in onsets:
                    if t > on_until:
                        if on_until > 0:
                            self.emit(on_until, "motion", sensors[room], room=room, value=False)
                        self.emit(t + rng.uniform(0.1, 1.0), "motion", sensors[room], room=room, value=True)
                    on_until = t + noise.motion_hold_s
                if on_until > 0:
                    self.emit(on_until, "motion", sensors[room], room=room, value=False)
            if room in camera:
                for a, b, rate in srcs:
                    if rate < noise.motion_awake_rate:
                        continue
                    t = a + rng.uniform(1, 4)
                    while t < b:
                        self.emit(t, "camera", camera[room], room=room, value=True)
                        t += rng.expovariate(noise.camera_rate)

    def _doors(self) -> None:
        rng = self.rng
        door = next((d for d in self.spec.home.devices if d.kind == "contact" and d.room), None)
        if door is None:
            return
        for t in self.door_times:
            if rng.random() < self.noise.door_miss:
                continue
            o = t + rng.uniform(-3, 1)
            self.emit(o, "door", door.id, room=door.room, value=True)
            self.emit(o + rng.uniform(5, 20), "door", door.id, room=door.room, value=False)


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial great-circle bearing from a to b, degrees 0..360 (a car's heading)."""
    la, lb = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    y = math.sin(dl) * math.cos(lb)
    x = math.cos(la) * math.sin(lb) - math.sin(la) * math.cos(lb) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360


def planner_places(spec: HomeSpec) -> set[str]:
    return {p.id for p in spec.home.places}


def generate_week(spec: HomeSpec, days: int = 7, seed: int = 1, noise: NoiseConfig | None = None) -> NoisyWeek:
    """A seeded simulated stretch of `days` days for a home: sensor inputs in time order and the truth."""
    g = _Gen(spec, noise or NoiseConfig(), seed, days)
    g.plan()
    g.sensors()
    g.inputs.sort(key=lambda x: (x[0], x[1]))
    week = NoisyWeek(spec, g.start, g.end, [i for _, _, i in g.inputs], g.truth)
    for pid, segs in g.truth.items():
        arr, dep = [], []
        for prev, cur in itertools.pairwise(segs):
            if prev.loc == "home" and cur.loc != "home":
                dep.append(cur.t0)
            elif prev.loc != "home" and cur.loc == "home":
                arr.append(cur.t0)
        week.arrivals[pid] = arr
        week.departures[pid] = dep
    return week


# ------------------------------------------------------------------------------------------------ scoring


class Tracker(Protocol):
    def observe(self, inp: FusedInput) -> list[BeliefEvent]: ...

    def tick(self, now: datetime) -> list[BeliefEvent]: ...

    def location(self, person: str) -> tuple[str | None, str | None]: ...


@dataclass
class Scores:
    samples: int = 0
    home_ok: int = 0
    room_samples: dict[str, int] = field(default_factory=dict)
    room_ok: dict[str, int] = field(default_factory=dict)
    arrival_delays: list[float] = field(default_factory=list)
    departure_delays: list[float] = field(default_factory=list)
    missed_arrivals: int = 0
    false_triggers: int = 0
    person_days: float = 0.0
    observe_s: float = 0.0
    observations: int = 0

    def merge(self, o: Scores) -> None:
        self.samples += o.samples
        self.home_ok += o.home_ok
        for k, v in o.room_samples.items():
            self.room_samples[k] = self.room_samples.get(k, 0) + v
            self.room_ok[k] = self.room_ok.get(k, 0) + o.room_ok.get(k, 0)
        self.arrival_delays += o.arrival_delays
        self.departure_delays += o.departure_delays
        self.missed_arrivals += o.missed_arrivals
        self.false_triggers += o.false_triggers
        self.person_days += o.person_days
        self.observe_s += o.observe_s
        self.observations += o.observations

    @property
    def home_accuracy(self) -> float:
        return self.home_ok / self.samples if self.samples else 0.0

    def room_accuracy(self, person: str | None = None) -> float:
        if person is not None:
            n = self.room_samples.get(person, 0)
            return self.room_ok.get(person, 0) / n if n else 0.0
        n = sum(self.room_samples.values())
        return sum(self.room_ok.values()) / n if n else 0.0

    def arrival_delay(self, q: float) -> float:
        """Quantile of the arrival detection delay (missed arrivals count as infinitely late)."""
        d = sorted(self.arrival_delays + [math.inf] * self.missed_arrivals)
        if not d:
            return math.nan
        return d[min(len(d) - 1, int(q * len(d)))] if q != 0.5 else statistics.median_low(d)

    @property
    def false_per_person_day(self) -> float:
        return self.false_triggers / self.person_days if self.person_days else 0.0

    @property
    def us_per_observation(self) -> float:
        return 1e6 * self.observe_s / self.observations if self.observations else 0.0


def _match(truth: list[float], fired: list[float], early: float = 120.0, late: float = 1800.0
           ) -> tuple[list[float], int, int]:
    """Pair each true event with the first unused trigger in [t - early, t + late]; (delays, missed, false)."""
    used = [False] * len(fired)
    delays: list[float] = []
    missed = 0
    for t in truth:
        for i, f in enumerate(fired):
            if not used[i] and t - early <= f <= t + late:
                used[i] = True
                delays.append(f - t)
                break
        else:
            missed += 1
    return delays, missed, used.count(False)


def score(week: NoisyWeek, tracker: Tracker, sample_s: float = 10.0, warmup_s: float = 3600.0) -> Scores:
    """Replay the week's inputs into `tracker`, calling `tick` every `sample_s`, and compare with the truth.

    Home/away and room accuracy are sampled every `sample_s` after `warmup_s`; arrival and departure
    triggers are matched to the true ones (a trigger up to 2 min early or 30 min late counts; any other
    trigger is false)."""
    sc = Scores()
    people = [p for p in week.truth]
    fired: dict[str, dict[str, list[float]]] = {p: {"arrived": [], "left": []} for p in people}

    def record(evs: list[BeliefEvent]) -> None:
        for e in evs:
            if e.kind in ("arrived", "left") and e.person in fired:
                t = e.time.timestamp()
                if t >= week.start + warmup_s:
                    fired[e.person][e.kind].append(t)

    inputs = week.inputs
    i, n = 0, len(inputs)
    t = week.start + sample_s
    ptr = dict.fromkeys(people, 0)
    clock = _time.perf_counter
    while t < week.end:
        while i < n and inputs[i].time.timestamp() <= t:
            t0 = clock()
            evs = tracker.observe(inputs[i])
            sc.observe_s += clock() - t0
            sc.observations += 1
            record(evs)
            i += 1
        record(tracker.tick(datetime.fromtimestamp(t, UTC)))
        if t >= week.start + warmup_s:
            for p in people:
                segs = week.truth[p]
                j = ptr[p]
                while j + 1 < len(segs) and segs[j + 1].t0 <= t:
                    j += 1
                ptr[p] = j
                truth = segs[j]
                loc, room = tracker.location(p)
                sc.samples += 1
                is_home = truth.loc == "home"
                sc.home_ok += (loc == "home") == is_home
                if is_home:
                    sc.room_samples[p] = sc.room_samples.get(p, 0) + 1
                    sc.room_ok[p] = sc.room_ok.get(p, 0) + (room == truth.room)
        t += sample_s
    lo = week.start + warmup_s
    for p in people:
        arr = [a for a in week.arrivals[p] if a >= lo]
        dep = [d for d in week.departures[p] if d >= lo]
        d_a, miss_a, false_a = _match(arr, fired[p]["arrived"])
        d_d, _miss_d, false_d = _match(dep, fired[p]["left"])
        sc.arrival_delays += d_a
        sc.departure_delays += d_d
        sc.missed_arrivals += miss_a
        sc.false_triggers += false_a + false_d
    sc.person_days = len(people) * (week.end - lo) / 86400
    return sc
