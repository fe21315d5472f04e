"""Sensor fusion: one belief per person (where: home room, a known place, near home, away) and per room.

The model is, per person, a discrete Bayesian filter (a continuous-time hidden Markov model) over the
states: each room of the home, each declared place, ``approaching`` and ``leaving`` (outside the home
geofence but within ``near_radius_m``, heading in or having just left: the direction matters for a door)
and ``away`` (anywhere else). Between observations the
belief moves with a transition model built from the home's layout (rooms move to adjacent rooms; only
entry rooms, those with a door, lock or garage, lead outside, and a door that just opened raises the
rate of that crossing for a short window: someone approaching walks in, someone in the door's room may
have walked out). Each observation multiplies the belief by an explicit
likelihood (the sensor model) and renormalises:

- phone GPS fix: a 2-D Gaussian around home / each place with the fix's accuracy, a uniform density for
  ``near`` and ``away``, mixed with an outlier density; a late fix (``observed_at`` long before arrival)
  is blended towards the predictive likelihood by the chance the person moved since;
- region enter/leave: a confusion table (events are late and flap at the boundary);
- BLE distance from a room node: a log-normal around the distance the layout predicts from the true room
  (hops through adjacent rooms, floors), mixed with a multipath outlier; a reading when the person is not
  home has a tiny probability (a misattributed tag); and silence of a tagged person's BLE while they are
  believed home is itself evidence (each reading interval without one multiplies home states by the
  Poisson chance of hearing nothing, floored by the chance the tag stopped working);
- motion / occupancy / camera (unattributed): a Poisson event model per room: rate ``bg`` (a cat, a
  visitor) plus ``per_person`` for each person in the room. For one person the event likelihood is
  ``bg + per_person * (1[in R] + others_in_R)``, with the other people's expected presence (mean field),
  and each interval without motion in an instrumented room multiplies that room by ``exp(-per_person*dt)``.
  A cat's motion at its background rate therefore nets out and cannot teleport anyone;
- car position (owner, not who drives): a GPS likelihood blended half-way with the predictive one, used on
  the car's zone changes only (a stream of driving reports is one piece of evidence, not hundreds);
- voice with a speaker hint: a strong, momentary room observation with a misidentification rate;
- BLE node availability (kind ``node``, from ESPresense's status topic via `inputs_from_availability`): an
  online node that does not hear a tag other nodes hear makes its own room less likely (bounded by
  ``node_miss``: a node may die unannounced); an offline node, or one that heard nobody for
  ``node_quiet_s``, is no evidence, so a node failing at night leaves the sleeper where transitions put them;
- a door opening is also evidence (likelihood ratio ``door_approach_lr``) for whoever was approaching.

Room stays are learned (``dwell_learn``): each finished stay (between room triggers) updates that room's
mean stay, a gamma prior worth ``dwell_prior_n`` stays of ``room_stay_s``; so when the sensors cannot tell
two rooms apart, the one people stay in (a bedroom at night, not the bathroom) keeps the belief. Per car the
latest ETA to home (`adapters.teslamate.eta_to_home`, smoothed) is kept: `car_eta`.

Triggers are on beliefs with hysteresis: ``arrived`` fires once when P(home) rises to
``arrive_threshold`` after the person was believed away, ``left`` once when it falls to
``leave_threshold``; ``room_changed`` when another room becomes the most likely and passes
``room_threshold``. Everything is pure Python and deterministic; `Fusion` holds all state (no globals).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from fusehub.geo import eta_to_home, haversine_m
from fusehub.home import Home, room_layout
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from fusehub.context.graph import ContextGraph
    from fusehub.events import Observation

__all__ = [
    "BeliefEvent",
    "Evidence",
    "FusedInput",
    "Fusion",
    "FusionConfig",
    "InputKind",
    "PersonBelief",
    "inputs_from_availability",
    "inputs_from_observation",
]

InputKind = Literal["gps", "region", "ble", "motion", "occupancy", "camera", "door", "car", "voice", "node"]
NEAR_IN = "approaching"
NEAR_OUT = "leaving"
AWAY = "away"
_TAU = 2 * math.pi


class FusionConfig(BaseModel):
    """Noise parameters, transition rates, thresholds and hysteresis of the fusion model."""

    # transition model (rates are 1/mean seconds)
    room_stay_s: float = Field(default=900.0, description="Mean stay in a room before moving.")
    room_adjacent_share: float = Field(default=0.85, description="Share of room moves to adjacent rooms.")
    home_exit_s: float = Field(default=4 * 3600.0, description="Mean time before leaving from an entry room.")
    any_room_exit_s: float = Field(default=48 * 3600.0, description="Leaving from a non-entry room (robustness).")
    near_stay_s: float = Field(default=600.0, description="Mean time spent near home (approach or departure).")
    near_to_home_share: float = Field(default=0.8, description="Share of 'approaching' that ends at home.")
    turn_back_share: float = Field(default=0.05, description="Share of 'leaving' that turns back.")
    away_to_near_s: float = Field(default=6 * 3600.0, description="Mean time away before heading home.")
    away_to_place_s: float = Field(default=2 * 3600.0, description="Mean time away before reaching a place.")
    place_stay_s: float = Field(default=4 * 3600.0, description="Mean stay at a place.")
    door_window_s: float = Field(default=60.0, description="How long a door opening raises crossing rates.")
    door_enter: float = Field(default=0.95, description="Share of 'approaching' that an opening brings in at once.")
    door_enter_s: float = Field(default=20.0, description="Mean approaching->door-room time after an opening.")
    door_approach_lr: float = Field(
        default=10.0, description="Likelihood ratio of an opening, approaching vs. anywhere else (others open it too)."
    )
    door_exit_s: float = Field(default=600.0, description="Mean door-room->leaving time after an opening.")
    entry_rooms: list[str] | None = Field(default=None, description="Rooms with a way out; default: door rooms.")
    # GPS
    home_spread_m: float = Field(default=15.0, description="Spread of a person's position inside the home.")
    near_radius_m: float = Field(default=1500.0, description="Outer radius of the 'near' state.")
    away_radius_m: float = Field(default=30000.0, description="Radius of the area 'away' spreads over.")
    gps_outlier: float = Field(default=0.01, description="Share of fixes that are wildly wrong.")
    gps_wide: float = Field(default=0.1, description="Share of fixes worse than stated (stale, multipath).")
    gps_wide_factor: float = Field(default=4.0, description="How much worse: sigma * factor + 50 m.")
    gps_min_accuracy_m: float = Field(default=10.0, description="Floor on a fix's stated accuracy.")
    stale_mix_s: float = Field(default=300.0, description="Late fix: mean time for a person to move on.")
    # region events: P(event | state group)
    region_enter_home: tuple[float, float, float, float, float] = Field(
        default=(0.5, 0.45, 0.05, 0.03, 0.02), description="P(enter Home | home, approaching, leaving, away, place)."
    )
    region_leave_home: tuple[float, float, float, float, float] = Field(
        default=(0.1, 0.1, 0.6, 0.25, 0.05), description="P(leave Home | home, approaching, leaving, away, place)."
    )
    region_place_hit: float = Field(default=0.8, description="P(place event matches the state | at/near it).")
    # BLE
    ble_same_room_m: float = Field(default=1.6, description="Typical distance to the node of one's own room.")
    ble_same_sigma: float = Field(default=0.55, description="Log-normal sigma in the node's own room.")
    ble_hop_m: float = Field(default=5.5, description="Typical distance to an adjacent room's node.")
    ble_extra_hop_m: float = Field(default=3.5, description="Added per further room in between.")
    ble_floor_m: float = Field(default=2.5, description="Added per floor in between.")
    ble_max_m: float = 14.0
    ble_sigma: float = Field(default=0.45, description="Log-normal sigma of a BLE distance from another room.")
    ble_outlier: float = Field(default=0.12, description="Share of multipath readings (uniform in log distance).")
    ble_misattributed: float = Field(default=1e-4, description="P(a reading for a tag whose person is not home).")
    ble_rate_home: float = Field(default=0.2, description="Readings per second expected from a tag at home.")
    ble_silence_grace_s: float = Field(default=20.0, description="Silence shorter than this is not evidence.")
    ble_fail: float = Field(default=0.01, description="P(a tag at home goes silent: battery, radio off).")
    node_rate: float = Field(default=0.05, description="Readings/s a room's own node gets from a tag in the room.")
    node_grace_s: float = Field(default=25.0, description="A node's silence shorter than this is not evidence.")
    node_miss: float = Field(default=0.03, description="P(an online node does not hear a tag in its room at all).")
    node_quiet_s: float = Field(
        default=300.0, description="A node that heard no tag at all for this long is presumed down (no evidence)."
    )
    tag_alive_s: float = Field(
        default=30.0, description="A node's silence counts only while other nodes heard the tag this recently."
    )
    # learned dwell times
    dwell_learn: bool = Field(default=True, description="Learn each room's mean stay from the household's stays.")
    dwell_prior_n: float = Field(default=3.0, description="Weight of room_stay_s, in stays, against learned ones.")
    dwell_min_s: float = Field(default=120.0, description="Floor on a room's learned mean stay.")
    dwell_max_s: float = Field(default=4 * 3600.0, description="Cap on one stay and on a room's mean stay.")
    # motion / occupancy / camera (Poisson onsets per room)
    motion_bg_rate: float = Field(default=1 / 600, description="Motion onsets/s from pets and untracked people.")
    motion_person_rate: float = Field(default=1 / 150, description="Motion onsets/s a person in the room adds.")
    camera_bg_rate: float = Field(default=1 / 7200, description="Camera person detections/s without a tracked one.")
    camera_person_rate: float = Field(default=1 / 90, description="Detections/s a person in view adds.")
    # car
    car_other_driver: float = Field(default=0.5, description="P(the car's report says nothing about its owner).")
    eta_smoothing: float = Field(default=0.4, description="Weight of a new car ETA against the smoothed one.")
    eta_stale_s: float = Field(default=300.0, description="A car ETA older than this is forgotten.")
    # voice
    voice_misid: float = Field(default=0.03, description="P(speaker hint names the wrong person).")
    voice_other_room: float = Field(default=0.05, description="P(heard in another room than the speaker is).")
    # triggers
    arrive_threshold: float = 0.9
    leave_threshold: float = 0.1
    room_threshold: float = Field(default=0.5, description="P(room | home) for another room to take over.")
    room_drop: float = Field(default=0.2, description="Below this the current room gives way to the likeliest.")
    evidence_keep: int = Field(default=40, description="Evidence entries kept per person.")


@dataclass(frozen=True, slots=True)
class FusedInput:
    """One observation in the fusion's terms, attributed (person) where the device says who.

    `time` is when the hub received it; `observed_at` when the device observed it (late GPS fixes).
    `room` is the room the reading is about (a BLE node's room, the device's room). Kind ``node`` is a
    BLE room node going online (`value` True) or offline (False); `room` is the node's room."""

    time: datetime
    kind: InputKind
    device: str
    person: str | None = None
    room: str | None = None
    observed_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    speed: float | None = None
    region: str | None = None
    entered: bool | None = None
    distance: float | None = None
    value: bool | None = None
    heading: float | None = None


class Evidence(BaseModel):
    """One observation that moved a person's belief, and by how much."""

    time: datetime
    source: str = Field(description="Device id.")
    kind: str
    detail: str
    p_home_before: float
    p_home_after: float
    room_after: str | None
    p_room_after: float


class PersonBelief(BaseModel):
    person: str
    p_home: float = Field(description="P(at home).")
    location: str | None = Field(description="'home', 'away', a place id; None before any evidence.")
    p_location: float
    room: str | None = Field(description="Room when believed home.")
    p_room: float = Field(description="P(room | home).")
    room_probs: dict[str, float]
    place_probs: dict[str, float] = Field(description="P(place), plus 'near' and 'away'.")
    since: datetime | None = Field(description="When location/room last changed.")
    evidence: list[Evidence]


@dataclass(frozen=True, slots=True)
class BeliefEvent:
    kind: Literal["arrived", "left", "room_changed"]
    person: str
    time: datetime
    probability: float
    room: str | None = None


# ------------------------------------------------------------------------------------------------ internals


@dataclass(slots=True)
class _Ev:
    t: float
    source: str
    kind: str
    detail: str
    before: float
    after: float
    room: str | None
    p_room: float


class _Person:
    __slots__ = (
        "ble_last", "ble_seen", "evidence", "home_flag", "id", "last_t", "node_applied", "node_last", "p",
        "room_flag", "room_t0", "silence_applied", "since",
    )

    def __init__(self, pid: str, n: int, nrooms: int, keep: int) -> None:
        self.id = pid
        # prior: half home (spread over rooms), half elsewhere
        self.p = [0.5 / nrooms] * nrooms + [0.5 / (n - nrooms)] * (n - nrooms) if nrooms else [1.0 / n] * n
        self.last_t: float | None = None
        self.ble_seen = False
        self.ble_last: float | None = None
        self.silence_applied = 1.0
        self.home_flag: bool | None = None
        self.room_flag: str | None = None
        self.room_t0: float | None = None
        self.since: float | None = None
        self.node_last: dict[int, float] = {}  # node room index -> when that node last heard the tag
        self.node_applied: dict[int, float] = {}  # node room index -> silence factor already applied
        self.evidence: deque[_Ev] = deque(maxlen=keep)


def _ts(d: datetime) -> float:
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def _dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


class Fusion:
    """Beliefs about every person of a home, updated by `observe` and moved forward in time by `tick`."""

    def __init__(self, home: Home, config: FusionConfig | None = None) -> None:
        self.home = home
        self.cfg = cfg = config or FusionConfig()
        self.rooms = [r.id for r in home.rooms]
        self.places = [p.id for p in home.places]
        self.states = [*self.rooms, *self.places, NEAR_IN, NEAR_OUT, AWAY]
        self.idx = {s: i for i, s in enumerate(self.states)}
        self.nr = nr = len(self.rooms)
        self.n = len(self.states)
        self.i_in, self.i_out, self.i_away = self.n - 3, self.n - 2, self.n - 1
        self.home_loc = home.location
        names = {"home"}
        if home.location is not None:
            names |= {home.location.id.lower(), home.location.name.lower()}
        names.add(home.name.lower())
        self._home_names = names
        self._place_names: dict[str, int] = {}
        for pl in home.places:
            for nm in (pl.id, pl.name):
                self._place_names[nm.lower()] = self.idx[pl.id]
        # layout: adjacency, hops, floors
        layout = room_layout(home)
        self.adj = adj = layout.adj
        self._level = layout.level
        self._hops = layout.hops
        if cfg.entry_rooms is not None:
            entry = [r for r in cfg.entry_rooms if r in adj]
        else:
            door_kinds = {"contact", "lock", "garage", "door"}
            entry = sorted({d.room for d in home.devices if d.room and d.kind in door_kinds})
        self.entry = set(entry or self.rooms)
        self._build_transitions()
        # BLE expected log-distance per (true room index, node room)
        self._ble_mu: dict[str, list[tuple[float, float, float]]] = {}  # node -> per room (mu, 1/sigma, norm)
        for node in self.rooms:
            row = []
            for rid in self.rooms:
                sig = cfg.ble_same_sigma if rid == node else cfg.ble_sigma
                row.append((math.log(self._expected_m(rid, node)), 1.0 / sig,
                            (1.0 - cfg.ble_outlier) / (sig * math.sqrt(_TAU))))
            self._ble_mu[node] = row
        self._ble_out = cfg.ble_outlier / math.log(40.0 / 0.2)  # uniform in log distance over [0.2, 40] m
        # people
        self.people: dict[str, _Person] = {
            p.id: _Person(p.id, self.n, nr, cfg.evidence_keep) for p in home.people
        }
        self._voice: dict[str, str] = {}
        for p in home.people:
            self._voice[p.id] = p.id
            if p.voice_id:
                self._voice[p.voice_id] = p.id
        self._car_owner = {p.car: p.id for p in home.people if p.car}
        self._car_zone: dict[str, int] = {}
        self._quiet_rooms: dict[int, float] = {}  # instrumented room -> per-person event rate
        self._quiet_kinds: dict[tuple[int, str], float] = {}
        self._motion_state: dict[str, bool] = {}
        self._door_until: dict[int, float] = {}
        self._room_last: dict[str, tuple[float, float]] = {}  # room -> (time, weight) of last unattributed hit
        # BLE room nodes: when each was first known / last heard anyone, and its reported availability
        self._node_heard: dict[int, float] = {}
        self._node_since: dict[int, float] = {}  # when the node (re)started: its silence clock starts there
        self._node_up: dict[int, bool] = {}
        # learned dwell: per room, number and total length of finished stays
        self._stay_n = [0] * nr
        self._stay_sum = [0.0] * nr
        # cars: smoothed ETA to home (seconds) and when it was last updated
        self._eta: dict[str, tuple[float, float]] = {}
        self._clock: float | None = None

    # ---------------------------------------------------------------- layout
    def _expected_m(self, room: str, node: str) -> float:
        c = self.cfg
        if room == node:
            return c.ble_same_room_m
        hops = self._hops[node].get(room, 3)
        floors = abs(self._level[room] - self._level[node])
        d = c.ble_hop_m + c.ble_extra_hop_m * (max(hops, 1) - 1) + c.ble_floor_m * floors
        return min(d, c.ble_max_m * 1.3)

    def _build_transitions(self) -> None:
        """Per state: total leaving rate and where it goes (index, share); room jumps go to a uniform pool."""
        c, nr = self.cfg, self.nr
        self._rate: list[float] = [0.0] * self.n
        self._dest: list[list[tuple[int, float]]] = [[] for _ in range(self.n)]
        self._pool: list[float] = [0.0] * self.n  # share of leaving mass that goes to the uniform room pool
        for i in range(nr):
            self._room_row(i, c.room_stay_s)
        entry_idx = [self.idx[r] for r in sorted(self.entry)]
        # approaching: home (entry rooms) or on past; leaving: away, or turning back
        self._rate[self.i_in] = 1.0 / c.near_stay_s
        self._dest[self.i_in] = [(j, c.near_to_home_share / len(entry_idx)) for j in entry_idx]
        self._dest[self.i_in].append((self.i_away, 1.0 - c.near_to_home_share))
        self._rate[self.i_out] = 1.0 / c.near_stay_s
        self._dest[self.i_out] = [(self.i_away, 1.0 - c.turn_back_share), (self.i_in, c.turn_back_share)]
        # away: near, or a place
        np_ = len(self.places)
        r_near, r_place = 1.0 / c.away_to_near_s, (1.0 / c.away_to_place_s if np_ else 0.0)
        self._rate[self.i_away] = r_near + r_place
        self._dest[self.i_away] = [(self.i_in, r_near / (r_near + r_place))]
        self._dest[self.i_away] += [(nr + k, r_place / np_ / (r_near + r_place)) for k in range(np_)]
        for k in range(np_):
            self._rate[nr + k] = 1.0 / c.place_stay_s
            self._dest[nr + k] = [(self.i_away, 1.0)]
        self._entry_idx = entry_idx

    def _room_row(self, i: int, stay_s: float) -> None:
        """Transitions out of room i for a mean stay of `stay_s` seconds."""
        c, r = self.cfg, self.rooms[i]
        move = 1.0 / stay_s
        out = 1.0 / c.home_exit_s if r in self.entry else 1.0 / c.any_room_exit_s
        total = move + out
        neigh = sorted(self.adj[r])
        share_adj = c.room_adjacent_share if neigh else 0.0
        dest = [(self.idx[a], move * share_adj / len(neigh) / total) for a in neigh]
        dest.append((self.i_out, out / total))
        self._rate[i] = total
        self._dest[i] = dest
        self._pool[i] = move * (1.0 - share_adj) / total

    def _learn_stay(self, room: str, dur: float) -> None:
        """A stay in `room` of `dur` seconds ended: update the room's mean stay (a gamma prior on its rate,
        worth `dwell_prior_n` stays of `room_stay_s`), so that a bathroom is left soon and a bedroom at night
        is not: when the sensors cannot tell two rooms apart (a node down), the likelier one wins."""
        c = self.cfg
        i = self.idx[room]
        self._stay_n[i] += 1
        self._stay_sum[i] += min(max(dur, 0.0), c.dwell_max_s)
        k = c.dwell_prior_n
        mean = (k * c.room_stay_s + self._stay_sum[i]) / (k + self._stay_n[i])
        self._room_row(i, min(max(mean, c.dwell_min_s), c.dwell_max_s))

    def room_stay(self, room: str) -> float:
        """The mean stay in `room` (seconds) the transition model uses now (learned when `dwell_learn`)."""
        i = self.idx[room]
        c = self.cfg
        return 1.0 / (self._rate[i] - (1.0 / c.home_exit_s if room in self.entry else 1.0 / c.any_room_exit_s))

    # ---------------------------------------------------------------- prediction
    def _propagate(self, ps: _Person, t: float) -> None:
        if ps.last_t is None:
            ps.last_t = t
            return
        dt = t - ps.last_t
        if dt <= 0:
            return
        t0 = ps.last_t
        ps.last_t = t
        p, n, nr = ps.p, self.n, self.nr
        new = [0.0] * n
        pool = 0.0
        rate, dest, pshare = self._rate, self._dest, self._pool
        for s in range(n):
            ms = p[s]
            if ms <= 0.0:
                continue
            stay = math.exp(-rate[s] * dt)
            new[s] += ms * stay
            move = ms - ms * stay
            for d, f in dest[s]:
                new[d] += move * f
            pool += move * pshare[s]
        if pool > 0.0:
            share = pool / nr
            for s in range(nr):
                new[s] += share
        # doors: an opening moves 'approaching' in through that room and lets its occupants leave
        if self._door_until:
            c = self.cfg
            for ri, until in self._door_until.items():
                overlap = min(t, until) - max(t0, until - c.door_window_s)
                if overlap <= 0:
                    continue
                m_in = new[self.i_in] * (1.0 - math.exp(-overlap / c.door_enter_s))
                m_out = new[ri] * (1.0 - math.exp(-overlap / c.door_exit_s))
                new[self.i_in] -= m_in
                new[self.i_out] += m_out
                new[ri] += m_in - m_out
        # motion/camera silence: an instrumented room that saw nothing is less likely to hold this person
        # (conditioned on home: unattributed sensors never move P(home) itself)
        if self._quiet_rooms:
            before = sum(new[:nr])
            for ri, r in self._quiet_rooms.items():
                new[ri] *= math.exp(-r * dt)
            after = sum(new[:nr])
            if after > 0.0:
                k = before / after
                for s in range(nr):
                    new[s] *= k
        # an online node that does not hear a tag others hear: that node's room is less likely (within home);
        # a node that is offline, or heard nobody for a while (presumed down), is no evidence
        if self._node_heard and ps.ble_last is not None and t - ps.ble_last <= self.cfg.tag_alive_s:
            self._node_silence(ps, new, t)
        # BLE silence of a tagged person: home is less likely with every interval nobody heard the tag
        if ps.ble_seen and ps.ble_last is not None:
            silent = t - ps.ble_last - self.cfg.ble_silence_grace_s
            if silent > 0:
                c = self.cfg
                target = c.ble_fail + (1.0 - c.ble_fail) * math.exp(-c.ble_rate_home * silent)
                ratio = target / ps.silence_applied
                ps.silence_applied = target
                for s in range(nr):
                    new[s] *= ratio
        tot = sum(new)
        ps.p = [x / tot for x in new]

    def _node_silence(self, ps: _Person, new: list[float], t: float) -> None:
        c, nr = self.cfg, self.nr
        before = sum(new[:nr])
        changed = False
        for ri, heard in self._node_heard.items():
            if not self._node_up.get(ri, True) or t - heard > c.node_quiet_s:
                continue
            start = max(ps.node_last.get(ri, -math.inf), self._node_since[ri])
            silent = t - start - c.node_grace_s
            if silent <= 0:
                continue
            target = c.node_miss + (1.0 - c.node_miss) * math.exp(-c.node_rate * silent)
            applied = ps.node_applied.get(ri, 1.0)
            if target < applied:
                new[ri] *= target / applied
                ps.node_applied[ri] = target
                changed = True
        if changed:
            after = sum(new[:nr])
            if after > 0.0:
                k = before / after
                for s in range(nr):
                    new[s] *= k

    def _node_status(self, inp: FusedInput, t: float) -> list[BeliefEvent]:
        """A BLE node went online or offline: offline, its silence says nothing; online, its clock restarts."""
        room = inp.room
        if room is None or room not in self.idx or self.idx[room] >= self.nr or inp.value is None:
            return []
        ri = self.idx[room]
        out: list[BeliefEvent] = []
        for ps in self.people.values():  # settle the silence so far under the old status
            self._propagate(ps, t)
            out += self._triggers(ps, t)
        was = self._node_up.get(ri, True)
        self._node_up[ri] = inp.value
        if inp.value and not was:
            self._node_since[ri] = t
            self._node_heard[ri] = t
            for ps in self.people.values():
                ps.node_applied.pop(ri, None)
        return out

    def node_online(self, room: str) -> bool | None:
        """Whether the room's BLE node is taken as online (None: no node known there)."""
        ri = self.idx.get(room)
        if ri is None or (ri not in self._node_heard and ri not in self._node_up):
            return None
        return self._node_up.get(ri, True)

    def car_eta(self, car: str) -> float | None:
        """The car's smoothed ETA to home in seconds (0.0: home), or None when not heading home or unknown.
        `eta_stale_s` after the last report it is forgotten: call with the hub's clock via `tick` moving."""
        e = self._eta.get(car)
        if e is None:
            return None
        if self._clock is not None and self._clock - e[1] > self.cfg.eta_stale_s:
            return None
        return e[0]

    def _car_eta(self, inp: FusedInput, t: float) -> None:
        if self.home_loc is None:
            return
        eta = eta_to_home(inp.latitude, inp.longitude, inp.speed, inp.heading, self.home_loc.latitude,
                          self.home_loc.longitude)
        if eta is None:
            self._eta.pop(inp.device, None)
            return
        old = self._eta.get(inp.device)
        if old is not None and eta > 0.0 and t - old[1] <= self.cfg.eta_stale_s:
            a = self.cfg.eta_smoothing
            # the old estimate has counted down meanwhile
            eta = a * eta + (1.0 - a) * max(old[0] - (t - old[1]), 0.0)
        self._eta[inp.device] = (eta, t)

    # ---------------------------------------------------------------- public API
    def observe(self, inp: FusedInput) -> list[BeliefEvent]:
        """Update beliefs with one observation; returns the trigger events it caused."""
        t = _ts(inp.time)
        self._clock = t if self._clock is None else max(self._clock, t)
        k = inp.kind
        if k in ("motion", "occupancy", "camera", "door"):
            return self._unattributed(inp, t)
        if k == "node":
            return self._node_status(inp, t)
        if k == "car" and inp.latitude is not None and inp.longitude is not None:
            self._car_eta(inp, _ts(inp.observed_at) if inp.observed_at is not None else t)
        if k == "voice":
            pid = self._voice.get(inp.person or "")
        elif k == "car":
            pid = inp.person or self._car_owner.get(inp.device)
        else:
            pid = inp.person
        ps = self.people.get(pid or "")
        if ps is None:
            return []
        self._propagate(ps, t)
        lik = self._likelihood(ps, inp, t)
        if lik is None:
            return []
        return self._apply(ps, lik, t, inp)

    def tick(self, now: datetime) -> list[BeliefEvent]:
        """Move every belief forward to `now` (transitions, silence), returning triggers that fired."""
        t = _ts(now)
        self._clock = t if self._clock is None else max(self._clock, t)
        if self._door_until:
            self._door_until = {r: u for r, u in self._door_until.items() if u > t - 3600}
        out: list[BeliefEvent] = []
        for ps in self.people.values():
            self._propagate(ps, t)
            out += self._triggers(ps, t)
        return out

    def belief(self, person: str) -> PersonBelief:
        ps = self.people[person]
        p = ps.p
        ph = sum(p[: self.nr])
        room_probs = {r: (p[i] / ph if ph > 0 else 0.0) for i, r in enumerate(self.rooms)}
        place_probs = {s: p[i] for i, s in enumerate(self.states) if i >= self.nr}
        loc = self._location(ps)
        p_loc = ph if loc == "home" else place_probs.get(loc, 1 - ph) if loc is not None else 0.0
        if loc == AWAY:
            p_loc = 1.0 - ph - sum(v for k, v in place_probs.items() if k not in (NEAR_IN, NEAR_OUT, AWAY))
        room = ps.room_flag if ps.home_flag else None
        return PersonBelief(
            person=person, p_home=ph, location=loc, p_location=p_loc, room=room,
            p_room=room_probs.get(room, 0.0) if room else 0.0, room_probs=room_probs, place_probs=place_probs,
            since=_dt(ps.since) if ps.since is not None else None,
            evidence=[self._evidence(e) for e in ps.evidence],
        )

    def p_home(self, person: str) -> float:
        return sum(self.people[person].p[: self.nr])

    def location(self, person: str) -> tuple[str | None, str | None]:
        """(location, room) as the hysteresis exposes them: cheap, for the hub and the benchmark."""
        ps = self.people[person]
        return self._location(ps), (ps.room_flag if ps.home_flag else None)

    def room_occupancy(self, room: str) -> float:
        """P(someone is in `room`): tracked people's beliefs and recent unattributed detections."""
        i = self.idx[room]
        empty = 1.0
        for ps in self.people.values():
            empty *= 1.0 - ps.p[i]
        last = self._room_last.get(room)
        if last is not None:
            latest = max((ps.last_t or 0.0) for ps in self.people.values()) if self.people else last[0]
            empty *= 1.0 - last[1] * math.exp(-max(0.0, latest - last[0]) / 300.0)
        return 1.0 - empty

    def explain(self, person: str) -> list[str]:
        """Human lines: the current belief and the evidence behind it (for `fusehub context why`)."""
        b = self.belief(person)
        lines = []
        if b.location is None:
            lines.append(f"{person}: unknown (P(home) {b.p_home:.2f}), no decisive evidence yet")
        elif b.location == "home":
            where = f"home, in the {b.room} (P {b.p_room:.2f})" if b.room else "home"
            lines.append(f"{person}: {where}; P(home) {b.p_home:.3f}" +
                         (f", since {b.since:%Y-%m-%d %H:%M:%S}" if b.since else ""))
        else:
            lines.append(f"{person}: {b.location} (P {b.p_location:.3f}); P(home) {b.p_home:.3f}" +
                         (f", since {b.since:%Y-%m-%d %H:%M:%S}" if b.since else ""))
        top = sorted(b.room_probs.items(), key=lambda kv: -kv[1])[:3]
        lines.append("  rooms if home: " + ", ".join(f"{r} {v:.2f}" for r, v in top))
        lines.append("  elsewhere: " + ", ".join(f"{k} {v:.3f}" for k, v in b.place_probs.items()))
        if not b.evidence:
            lines.append("  no evidence yet")
        for e in reversed(b.evidence[-12:]):
            lines.append(
                f"  {e.time:%H:%M:%S} {e.kind:<6} {e.source}: {e.detail}; P(home) {e.p_home_before:.3f} -> "
                f"{e.p_home_after:.3f}" + (f", {e.room_after} {e.p_room_after:.2f}" if e.room_after else "")
            )
        return lines

    # ---------------------------------------------------------------- sensor models
    def _gps_lik(self, lat: float, lon: float, acc: float) -> list[float]:
        c, n, nr = self.cfg, self.n, self.nr
        acc = max(acc, c.gps_min_accuracy_m)
        a2 = acc * acc
        u_away = 1.0 / (math.pi * c.away_radius_m**2)
        lik = [0.0] * n
        if self.home_loc is not None:
            d = haversine_m(lat, lon, self.home_loc.latitude, self.home_loc.longitude)
            lh = self._gauss2(d, a2 + c.home_spread_m**2)
            for i in range(nr):
                lik[i] = lh
            # near home: uniform in distance along the way in or out (not in area), so density ~ 1/d
            rn = c.near_radius_m
            ln = 1.0 / (_TAU * max(d, c.home_spread_m) * rn) if d <= rn + 2 * acc else 0.0
            lik[self.i_in] = lik[self.i_out] = ln
        else:
            for i in range(nr):
                lik[i] = u_away
            lik[self.i_in] = lik[self.i_out] = u_away
        for k, pl in enumerate(self.home.places):
            d = haversine_m(lat, lon, pl.latitude, pl.longitude)
            lik[nr + k] = self._gauss2(d, a2 + (pl.radius_m / 2) ** 2)
        lik[self.i_away] = u_away
        out = c.gps_outlier * u_away
        return [(1.0 - c.gps_outlier) * x + out for x in lik]

    def _gauss2(self, d: float, s2: float) -> float:
        """2-D density at distance d of a fix with variance s2 per axis, with a wider, rarer component."""
        c = self.cfg
        w2 = (math.sqrt(s2) * c.gps_wide_factor + 50.0) ** 2
        return (1.0 - c.gps_wide) * math.exp(-d * d / (2 * s2)) / (_TAU * s2) + c.gps_wide * math.exp(
            -d * d / (2 * w2)) / (_TAU * w2)

    def _stale(self, ps: _Person, lik: list[float], lag: float, mix_s: float) -> list[float]:
        """Blend a likelihood towards the predictive one by the chance the person moved in `lag` seconds."""
        if lag <= 0:
            return lik
        m = 1.0 - math.exp(-lag / mix_s)
        mean = sum(a * b for a, b in zip(ps.p, lik, strict=True))
        return [(1.0 - m) * x + m * mean for x in lik]

    def _zone(self, lik: list[float]) -> int:
        """The most likely state group of a GPS likelihood: 0 home, 1 near, 2 away, 3+k place k."""
        best = max(range(self.n), key=lambda i: lik[i])
        if best < self.nr:
            return 0
        if best in (self.i_in, self.i_out):
            return 1
        if best == self.i_away:
            return 2
        return 3 + best - self.nr

    def _likelihood(self, ps: _Person, inp: FusedInput, t: float) -> list[float] | None:
        c, k = self.cfg, inp.kind
        lag = t - _ts(inp.observed_at) if inp.observed_at is not None else 0.0
        if k == "gps":
            if inp.latitude is None or inp.longitude is None:
                return None
            lik = self._gps_lik(inp.latitude, inp.longitude, inp.accuracy if inp.accuracy is not None else 50.0)
            return self._stale(ps, lik, lag, c.stale_mix_s)
        if k == "car":
            if inp.latitude is None or inp.longitude is None:
                return None
            lik = self._gps_lik(inp.latitude, inp.longitude, inp.accuracy if inp.accuracy is not None else 15.0)
            zone = self._zone(lik)
            if self._car_zone.get(inp.device) == zone:
                return None  # the same place again: not new evidence
            self._car_zone[inp.device] = zone
            mean = sum(a * b for a, b in zip(ps.p, lik, strict=True))
            w = c.car_other_driver
            lik = [(1.0 - w) * x + w * mean for x in lik]
            return self._stale(ps, lik, lag, c.stale_mix_s)
        if k == "region":
            if inp.region is None or inp.entered is None:
                return None
            name = inp.region.strip().lower()
            if name in self._home_names:
                h, n_in, n_out, away, place = c.region_enter_home if inp.entered else c.region_leave_home
                lik = [h] * self.nr + [place] * len(self.places) + [n_in, n_out, away]
            elif name in self._place_names:
                pi = self._place_names[name]
                hit, miss = c.region_place_hit, 1.0 - c.region_place_hit
                lik = [miss if inp.entered else hit] * self.n
                lik[pi] = hit if inp.entered else miss
                lik[self.i_away] = (miss + hit) / 2
            else:
                return None
            return self._stale(ps, lik, lag, c.stale_mix_s)
        if k == "ble":
            node = inp.room
            if node is None or node not in self._ble_mu or inp.distance is None or inp.distance <= 0:
                return None
            x = math.log(inp.distance)
            out = self._ble_out
            lik = [0.0] * self.n
            for i, (mu, inv, norm) in enumerate(self._ble_mu[node]):
                z = (x - mu) * inv
                lik[i] = norm * math.exp(-0.5 * z * z) + out
            miss = c.ble_misattributed * out / c.ble_outlier if c.ble_outlier > 0 else c.ble_misattributed
            for i in range(self.nr, self.n):
                lik[i] = miss
            ps.ble_seen = True
            ps.ble_last = t
            ps.silence_applied = 1.0
            ri = self.idx[node]
            if ri not in self._node_since or not self._node_up.get(ri, True):  # a reading proves the node up
                self._node_up[ri] = True
                self._node_since[ri] = t
                for other in self.people.values():
                    other.node_applied.pop(ri, None)
            self._node_heard[ri] = t
            ps.node_last[ri] = t
            ps.node_applied.pop(ri, None)
            return lik
        if k == "voice":
            room = inp.room
            if room is None or room not in self.idx or self.idx[room] >= self.nr:
                return None
            ri = self.idx[room]
            lik = [c.voice_misid] * self.n
            for i in range(self.nr):
                lik[i] = c.voice_other_room + c.voice_misid
            lik[ri] = 1.0
            return lik
        return None

    def _unattributed(self, inp: FusedInput, t: float) -> list[BeliefEvent]:
        room = inp.room
        if room is None or room not in self.idx or self.idx[room] >= self.nr:
            return []
        ri = self.idx[room]
        c = self.cfg
        if inp.kind == "door":
            if not inp.value:
                return []
            # someone passed: most of whoever was approaching is now in the door's room
            self._door_until[ri] = t + c.door_window_s
            out: list[BeliefEvent] = []
            for ps in self.people.values():
                self._propagate(ps, t)
                # an opening now is likelier if this person was about to come in than if not (a Poisson
                # onset: approaching people open within a minute; others' comings and goings are rarer)
                p = ps.p
                lr = c.door_approach_lr
                if p[self.i_in] > 1e-9 and lr != 1.0:
                    tot = 1.0 + p[self.i_in] * (lr - 1.0)
                    ps.p = p = [x / tot for x in p]
                    p[self.i_in] *= lr
                m = ps.p[self.i_in] * c.door_enter
                if m > 1e-6:
                    before = sum(ps.p[: self.nr])
                    ps.p[self.i_in] -= m
                    ps.p[ri] += m
                    if m > 0.01:
                        ps.evidence.append(_Ev(t, inp.device, "door", _detail(inp), before, before + m, room,
                                               ps.p[ri] / (before + m)))
                out += self._triggers(ps, t)
            return out
        if inp.kind in ("motion", "occupancy"):
            self._instrument(ri, "motion", c.motion_person_rate)
            prev = self._motion_state.get(inp.device, False)
            self._motion_state[inp.device] = bool(inp.value)
            if not inp.value or prev:
                return []  # only onsets are events; 'still on' and 'off' carry no new information
            bg, per = c.motion_bg_rate, c.motion_person_rate
            self._room_last[room] = (t, 0.5)
        else:  # camera: person detected
            self._instrument(ri, "camera", c.camera_person_rate)
            bg, per = c.camera_bg_rate, c.camera_person_rate
            self._room_last[room] = (t, 0.9)
        out = []
        people = list(self.people.values())
        for ps in people:
            self._propagate(ps, t)
        occ = [ps.p[ri] for ps in people]
        total = sum(occ)
        nr = self.nr
        for ps, mine in zip(people, occ, strict=True):
            # Poisson onset likelihood, others' expected presence explaining part of it; applied within home
            # only (P(r | home)), so that a stream of unattributed events supports a room, never P(home)
            base = bg + per * (total - mine)
            p = ps.p
            ph = sum(p[:nr])
            if ph <= 0.0:
                continue
            gain = (base + per) / base
            norm = ph + p[ri] * (gain - 1.0)
            k = ph / norm
            before_room = p[ri] / ph
            for s in range(nr):
                p[s] *= k
            p[ri] *= gain
            if abs(p[ri] / ph - before_room) > 0.05:
                ps.evidence.append(_Ev(t, inp.device, inp.kind, _detail(inp), ph, ph, room, p[ri] / ph))
            out += self._triggers(ps, t)
        return out

    def _instrument(self, ri: int, kind: str, rate: float) -> None:
        if (ri, kind) not in self._quiet_kinds:
            self._quiet_kinds[(ri, kind)] = rate
            self._quiet_rooms[ri] = self._quiet_rooms.get(ri, 0.0) + rate

    # ---------------------------------------------------------------- update and triggers
    def _apply(self, ps: _Person, lik: list[float], t: float, inp: FusedInput) -> list[BeliefEvent]:
        nr = self.nr
        p = ps.p
        before = sum(p[:nr])
        post = [a * b for a, b in zip(p, lik, strict=True)]
        tot = sum(post)
        if tot <= 0.0 or not math.isfinite(tot):
            return []
        ps.p = post = [x / tot for x in post]
        after = sum(post[:nr])
        if inp.kind not in ("motion", "occupancy", "camera") or abs(after - before) > 0.01:
            best = max(range(nr), key=post.__getitem__) if nr else 0
            ps.evidence.append(_Ev(t, inp.device, inp.kind, _detail(inp), before, after,
                                   self.rooms[best] if nr and after > 0 else None,
                                   post[best] / after if after > 0 else 0.0))
        return self._triggers(ps, t)

    def _triggers(self, ps: _Person, t: float) -> list[BeliefEvent]:
        c, p, nr = self.cfg, ps.p, self.nr
        ph = sum(p[:nr])
        out: list[BeliefEvent] = []
        pid = ps.id
        if ph >= c.arrive_threshold and ps.home_flag is not True:
            if ps.home_flag is False:
                out.append(BeliefEvent("arrived", pid, _dt(t), ph))
            ps.home_flag = True
            ps.since = t
        elif ph <= c.leave_threshold and ps.home_flag is not False:
            if ps.home_flag is True:
                out.append(BeliefEvent("left", pid, _dt(t), ph))
            ps.home_flag = False
            ps.room_flag = None
            ps.room_t0 = None
            ps.since = t
        if ps.home_flag and nr:
            best = max(range(nr), key=p.__getitem__)
            room = self.rooms[best]
            cur = self.idx[ps.room_flag] if ps.room_flag is not None else -1
            if room != ps.room_flag and (p[best] >= c.room_threshold * ph or cur < 0 or p[cur] < c.room_drop * ph):
                old = ps.room_flag
                ps.room_flag = room
                ps.since = t
                if old is not None and ps.room_t0 is not None and c.dwell_learn:
                    self._learn_stay(old, t - ps.room_t0)
                ps.room_t0 = t
                if old is not None:
                    out.append(BeliefEvent("room_changed", pid, _dt(t), p[best] / ph, room))
        return out

    def _location(self, ps: _Person) -> str | None:
        if ps.home_flag is None:
            return None
        if ps.home_flag:
            return "home"
        p = ps.p
        best = max(range(self.nr, self.n), key=p.__getitem__)
        s = self.states[best]
        return AWAY if s in (NEAR_IN, NEAR_OUT) else s

    @staticmethod
    def _evidence(e: _Ev) -> Evidence:
        return Evidence(time=_dt(e.t), source=e.source, kind=e.kind, detail=e.detail, p_home_before=e.before,
                        p_home_after=e.after, room_after=e.room, p_room_after=e.p_room)


def _detail(inp: FusedInput) -> str:
    k = inp.kind
    late = ""
    if inp.observed_at is not None:
        lag = (inp.time - inp.observed_at).total_seconds()
        if lag >= 30:
            late = f", {lag:.0f} s late"
    if k in ("gps", "car"):
        spd = f", {inp.speed:.0f} km/h" if inp.speed else ""
        return f"fix {inp.latitude:.5f},{inp.longitude:.5f} +/-{inp.accuracy or 0:.0f} m{spd}{late}"
    if k == "region":
        return f"{'entered' if inp.entered else 'left'} region {inp.region}{late}"
    if k == "ble":
        return f"{inp.distance:.1f} m from the {inp.room} node"
    if k == "voice":
        return f"spoke in the {inp.room}"
    if k == "camera":
        return f"person seen in the {inp.room}"
    return f"{k} {'on' if inp.value else 'off'} in the {inp.room}"


# ------------------------------------------------------------------------------------------------ hub bridge


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def inputs_from_observation(
    graph: ContextGraph, device_id: str, obs: Observation, now: datetime, owners: Mapping[str, str] | None = None
) -> list[FusedInput]:
    """The fusion inputs in a hub Observation of device `device_id`: who owns the device (the graph's
    phone/car ownership, or `owners`: device id -> person, e.g. an ESPresense BLE tag) and which room it is
    in come from the graph. Unknown or irrelevant observations give []."""
    if not graph.has_device(device_id):
        return []
    dev = graph.device(device_id)
    room = graph.room_of(device_id)
    owner = (owners or {}).get(device_id) or graph.owner_of(device_id)
    at = obs.observed_at
    out: list[FusedInput] = []
    ev, data, attrs = obs.event, obs.data, obs.attributes
    if ev in ("region_enter", "region_leave"):
        region = data.get("region")
        if isinstance(region, str) and owner is not None:
            out.append(FusedInput(now, "region", device_id, owner, observed_at=at, region=region,
                                  entered=ev == "region_enter"))
    elif ev == "ble_distance":
        node = data.get("room")
        dist = _num(data.get("distance"))
        node_room = graph.resolve_room(node) if isinstance(node, str) else None
        if node_room is not None and dist is not None and owner is not None:
            out.append(FusedInput(now, "ble", device_id, owner, node_room, observed_at=at, distance=dist))
    elif ev == "utterance":
        hint = data.get("speaker")
        pid = graph.person_by_voice(hint) if isinstance(hint, str) and hint else None
        if pid is not None and room is not None:
            out.append(FusedInput(now, "voice", device_id, pid, room, observed_at=at))
    elif ev == "person_detected":
        rooms: list[str] = []
        zones = data.get("zones")
        if isinstance(zones, list):
            rooms = [r for z in zones if isinstance(z, str) and (r := graph.resolve_room(z)) is not None]
        for r in rooms or ([room] if room else []):
            out.append(FusedInput(now, "camera", device_id, None, r, observed_at=at, value=True))
    lat, lon = _num(attrs.get("latitude")), _num(attrs.get("longitude"))
    if lat is not None and lon is not None:
        is_car = dev.kind == "car" or (owner is not None and graph.person(owner).car == device_id)
        spd = _num(attrs.get("speed"))
        acc = _num(attrs.get("accuracy"))
        if owner is not None or is_car:  # a car's ETA is kept whoever drives it
            out.append(FusedInput(now, "car" if is_car else "gps", device_id, owner, observed_at=at,
                                  latitude=lat, longitude=lon, accuracy=acc, speed=spd,
                                  heading=_num(attrs.get("heading"))))
    avail = attrs.get("available")
    if isinstance(avail, bool):
        out += inputs_from_availability(graph, device_id, avail, now)
    for attr, kind in (("motion", "motion"), ("occupancy", "occupancy"), ("contact_open", "door")):
        v = attrs.get(attr)
        if isinstance(v, bool) and room is not None:
            out.append(FusedInput(now, kind, device_id, None, room, observed_at=at, value=v))  # type: ignore[arg-type]
    return out


def _node_room(graph: ContextGraph, device_id: str) -> str | None:
    """The room a BLE room node serves: its room in the graph, else the room its key names."""
    dev = graph.device(device_id)
    room = graph.room_of(device_id)
    is_node = dev.kind == "ble_node" or dev.key.startswith("espresense:node:")
    if not is_node:
        return None
    if room is None and dev.key.startswith("espresense:node:"):
        room = graph.resolve_room(dev.key.removeprefix("espresense:node:"))
    return room


def inputs_from_availability(graph: ContextGraph, device_id: str, online: bool, now: datetime) -> list[FusedInput]:
    """The fusion input for a device going online/offline: only BLE room nodes (kind ``ble_node``, e.g.
    ESPresense's ``espresense:node:<room>`` from its status topic) matter. While a node is offline its
    silence is no evidence that nobody is in its room; other devices give []."""
    if not graph.has_device(device_id):
        return []
    room = _node_room(graph, device_id)
    if room is None:
        return []
    return [FusedInput(now, "node", device_id, None, room, value=online)]
