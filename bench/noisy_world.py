"""A noisy simulated world for presence fusion: people living realistic days, sensors reporting badly.

`generate_week(home_spec, days, seed)` plans each person's days (sleep, weekday work or school, errands,
weekend outings, occasionally working from home), a visitor now and then and a cat, records the ground
truth (where each person is, and which room, at every moment) and produces what the sensors report, as a
time-ordered list of `FusedInput` (the fusion's input type, what `inputs_from_observation` makes of the
adapters' observations); the homes and the noise are in `bench.noisy_homes`, people's days in
`bench.noisy_days`:

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

`bench.noisy_score.score(week, tracker)` replays the stream into a tracker (the fusion or a baseline)
and measures it against the ground truth. Everything is deterministic given the seed.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime

from fusehub.context.fusion import FusedInput, InputKind
from fusehub.home import PersonDecl

from bench.noisy_days import Layout, Outing, Planner, bearing, distance_m, offset, planner_places
from bench.noisy_homes import START, HomeSpec, NoiseConfig, NoisyWeek, Segment

__all__ = ["generate_week"]


class _Gen:
    def __init__(self, spec: HomeSpec, noise: NoiseConfig, seed: int, days: int) -> None:
        self.spec, self.noise, self.days = spec, noise, days
        self.rng = random.Random(seed)
        self.seed = seed
        self.lay = Layout(spec, random.Random(seed + 7))
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
        planner = Planner(self.spec, self.lay, self.rng, self.start, self.days)
        for person in self.spec.home.people:
            outs, sleeps = planner.outings(person)
            self.truth[person.id] = self._timeline(person, outs, sleeps)
            n_dark = sum(1 for _ in range(self.days) if self.rng.random() < self.noise.phone_dark_per_week / 7)
            spans = []
            for _ in range(n_dark):
                s = self.start + self.rng.uniform(0, self.days * 86400)
                spans.append((s, s + self.rng.uniform(1800, 5400)))
            self.dark[person.id] = spans

    def _timeline(self, person: PersonDecl, outs: list[Outing], sleeps: list[tuple[float, float]]) -> list[Segment]:
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
                    dest = offset(*self.home_pos, self.rng.uniform(-4000, 4000), self.rng.uniform(-4000, 4000))
                    tr = distance_m(self.home_pos, dest) / 10
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
        lat, lon = offset(*pos, rng.gauss(0, sig), rng.gauss(0, sig))
        if rng.random() < noise.gps_outlier:
            ang, dd = rng.uniform(0, 2 * math.pi), rng.uniform(1000, 3000)
            lat, lon = offset(lat, lon, dd * math.cos(ang), dd * math.sin(ang))
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
            pos = offset(*s.a, rng.gauss(0, 8), rng.gauss(0, 8))
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
            dist_total = max(distance_m(s.a, s.b), 1.0)
            for name, c, radius in regions:
                if distance_m(s.a, c) <= radius < distance_m(s.b, c):  # leaving: crossing at radius
                    f = min(1.0, radius / dist_total)
                    event(s.t0 + (s.t1 - s.t0) * f, name, False, s.a, s.b, f)
                elif distance_m(s.b, c) <= radius < distance_m(s.a, c):
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
                far = offset(*self.home_pos, (hr + 30) * math.cos(ang), (hr + 30) * math.sin(ang))
                event(t, hname, False, far, far, 0.0)
                event(t + rng.uniform(60, 600), hname, True, self.home_pos, self.home_pos, 0.0)

    def _car(self, car: str, s: Segment) -> None:
        rng = self.rng
        t = s.t0 + rng.uniform(5, 30)
        dist = distance_m(s.a, s.b)
        speed = dist / max(s.t1 - s.t0, 1.0) * 3.6
        while t < s.t1:
            f = (t - s.t0) / (s.t1 - s.t0)
            pos = (s.a[0] + f * (s.b[0] - s.a[0]), s.a[1] + f * (s.b[1] - s.a[1]))
            lat, lon = offset(*pos, rng.gauss(0, 5), rng.gauss(0, 5))
            self.emit(t + rng.uniform(0.5, 3), "car", car, observed=t, latitude=lat, longitude=lon, accuracy=10.0,
                      speed=round(speed, 1), heading=round(bearing(s.a, s.b), 0))
            t += self.noise.car_interval_s * rng.uniform(0.8, 1.2)
        lat, lon = offset(*s.b, rng.gauss(0, 5), rng.gauss(0, 5))
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
