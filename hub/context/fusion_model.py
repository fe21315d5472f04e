"""The fusion's vocabulary: its configuration, its input (`FusedInput`), its outputs (`BeliefEvent`,
`PersonBelief` and the `Evidence` behind it) and the names of the states outside the home's rooms.

The states of a person's belief are each room of the home, each declared place, ``approaching`` and
``leaving`` (outside the home geofence but within ``near_radius_m``, heading in or having just left: the
direction matters for a door) and ``away`` (anywhere else).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "AWAY",
    "NEAR_IN",
    "NEAR_OUT",
    "TAU",
    "BeliefEvent",
    "Evidence",
    "EvidenceEntry",
    "FusedInput",
    "FusionConfig",
    "InputKind",
    "PersonBelief",
    "describe",
    "from_ts",
    "to_ts",
]

InputKind = Literal["gps", "region", "ble", "motion", "occupancy", "camera", "door", "car", "voice", "node"]
NEAR_IN = "approaching"
NEAR_OUT = "leaving"
AWAY = "away"
TAU = 2 * math.pi


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



@dataclass(slots=True)
class EvidenceEntry:
    """An `Evidence` as kept per person (plain floats; made an `Evidence` only when asked for)."""

    t: float
    source: str
    kind: str
    detail: str
    before: float
    after: float
    room: str | None
    p_room: float

    def public(self) -> Evidence:
        return Evidence(time=from_ts(self.t), source=self.source, kind=self.kind, detail=self.detail,
                        p_home_before=self.before, p_home_after=self.after, room_after=self.room,
                        p_room_after=self.p_room)


def to_ts(d: datetime) -> float:
    """A datetime as POSIX seconds (naive ones taken as UTC)."""
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def from_ts(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def describe(inp: FusedInput) -> str:
    """The input in words, for an evidence entry."""
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
