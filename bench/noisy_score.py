"""Scoring a presence tracker (the fusion or a baseline) against a noisy world's ground truth: `score`
replays the stream into the tracker and samples home/away and room accuracy, arrival and departure delays,
false triggers and the update cost."""

from __future__ import annotations

import math
import statistics
import time as _time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from fusehub.context.fusion import BeliefEvent, FusedInput

from bench.noisy_homes import NoisyWeek

__all__ = ["Scores", "Tracker", "score"]


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
