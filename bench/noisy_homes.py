"""The fusion benchmark's homes, how badly their sensors report (`NoiseConfig`) and the ground-truth types
of a simulated stretch of days (`Segment`, `NoisyWeek`); the world itself is made in `bench.noisy_world`."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fusehub.context.fusion import FusedInput
from fusehub.home import DeviceDecl, FloorDecl, Home, PersonDecl, PlaceDecl, RoomDecl
from pydantic import BaseModel, Field

__all__ = [
    "M_PER_DEG",
    "START",
    "HomeSpec",
    "NoiseConfig",
    "NoisyWeek",
    "Segment",
    "bench_homes",
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

