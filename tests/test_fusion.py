"""Sensor fusion: the sensor models pinned, triggers with hysteresis, explanation, and a noisy day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fusehub.context.fusion import BeliefEvent, FusedInput, Fusion, inputs_from_availability, inputs_from_observation
from fusehub.context.graph import ContextGraph
from fusehub.events import Observation
from fusehub.home import Home

from bench.fusion_baselines import LatestReportWins, PriorityRule
from bench.noisy_homes import bench_homes
from bench.noisy_score import score
from bench.noisy_world import generate_week

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
HOME = (52.3731, 4.8922)
WORK = (52.3391, 4.8730)
M_PER_DEG = 111_320.0


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


@pytest.fixture
def home() -> Home:
    return bench_homes()[0].home  # hallway (front door) + living room, kitchen, garage; landing + bedrooms


def ble(t: float, person: str, node: str, d: float) -> FusedInput:
    return FusedInput(at(t), "ble", f"{person}_phone", person, node, distance=d)


def gps(t: float, person: str, pos: tuple[float, float], acc: float = 20.0, late: float = 0.0) -> FusedInput:
    return FusedInput(at(t), "gps", f"{person}_phone", person, observed_at=at(t - late), latitude=pos[0],
                      longitude=pos[1], accuracy=acc)


def north(pos: tuple[float, float], m: float) -> tuple[float, float]:
    return pos[0] + m / M_PER_DEG, pos[1]


def settle_home(f: Fusion, person: str, room: str, until: float, start: float = 0.0) -> list[BeliefEvent]:
    """BLE every 4 s: the person's own-room node close, the hallway node further."""
    evs: list[BeliefEvent] = []
    t = start
    while t < until:
        evs += f.observe(ble(t, person, room, 1.4))
        if room != "hallway":
            evs += f.observe(ble(t + 1, person, "hallway", 5.5))
        t += 4
    return evs


def settle_work(f: Fusion, person: str, until: float, start: float = 0.0) -> None:
    t = start
    while t < until:
        f.observe(gps(t, person, WORK))
        t += 300


def test_consistent_ble_makes_a_confident_room_belief(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "anna", "kitchen", 120)
    b = f.belief("anna")
    assert b.location == "home" and b.room == "kitchen"
    assert b.p_home > 0.999 and b.p_room > 0.95


def test_single_noisy_reading_cannot_flip_a_confident_belief(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "anna", "kitchen", 300)
    # a GPS outlier 3 km away, a multipath BLE reading 'next to' the bedroom node, a wrong voice hint
    f.observe(gps(301, "anna", north(HOME, 3000), acc=15))
    f.observe(ble(302, "anna", "bedroom", 1.0))
    f.observe(FusedInput(at(303), "voice", "bedroom_speaker", "anna", "bedroom"))
    f.observe(FusedInput(at(304), "region", "anna_phone", "anna", region="Home", entered=False))
    b = f.belief("anna")
    assert b.location == "home" and b.room == "kitchen"
    assert b.p_home > 0.9


def test_single_ble_reading_cannot_bring_a_confidently_away_person_home(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "ben", "living_room", 60)
    settle_work(f, "ben", 4 * 3600, start=600)
    assert f.location("ben")[0] == "work"
    evs = f.observe(ble(4 * 3600 + 1, "ben", "hallway", 2.0))
    assert f.location("ben")[0] != "home"
    assert not [e for e in evs if e.kind == "arrived"]


def test_consistent_evidence_flips_room_and_location(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "anna", "kitchen", 300)
    evs = settle_home(f, "anna", "bedroom", 340, start=300)  # walked upstairs: the bedroom node hears her
    assert f.belief("anna").room == "bedroom"
    assert {e.kind for e in evs} == {"room_changed"} and evs[-1].room == "bedroom"
    # she leaves: the tag falls silent, the region says so, fixes move away
    evs = f.observe(FusedInput(at(400), "region", "anna_phone", "anna", region="Home", entered=False))
    for i, m in enumerate((300, 800, 1500, 3000)):
        evs += f.observe(gps(430 + 60 * i, "anna", north(HOME, m)))
    evs += f.tick(at(700))
    assert f.location("anna")[0] == "away"
    assert [e.kind for e in evs] == ["left"]


def test_arrival_fires_once_with_hysteresis(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "anna", "kitchen", 60)
    settle_work(f, "anna", 3 * 3600, start=600)
    evs: list[BeliefEvent] = []
    t0 = 3 * 3600
    for i, m in enumerate((3000, 1200, 400)):  # driving home
        evs += f.observe(gps(t0 + 60 * i, "anna", north(HOME, m)))
    evs += f.observe(FusedInput(at(t0 + 200), "door", "front_door_contact", room="hallway", value=True))
    t = t0 + 201
    # at home now; the region flaps and a late fix from the drive arrives, while BLE keeps hearing her
    noise = {t0 + 230: FusedInput(at(t0 + 230), "region", "anna_phone", "anna", region="Home", entered=False),
             t0 + 260: gps(t0 + 260, "anna", north(HOME, 1200), late=200),
             t0 + 290: FusedInput(at(t0 + 290), "region", "anna_phone", "anna", region="Home", entered=True)}
    while t < t0 + 900:
        evs += f.observe(ble(t, "anna", "hallway" if t < t0 + 260 else "living_room", 1.5))
        if t in noise:
            evs += f.observe(noise[t])
        evs += f.tick(at(t + 1))
        t += 5
    kinds = [e.kind for e in evs if e.kind in ("arrived", "left")]
    assert kinds == ["arrived"]
    arrived = next(e for e in evs if e.kind == "arrived")
    assert arrived.time <= at(t0 + 210)  # at the door, or the first BLE reading after it
    assert arrived.probability >= f.cfg.arrive_threshold


def motion(f: Fusion, t: float, room: str, on: bool) -> list[BeliefEvent]:
    """A motion report; asserts that, by itself, it leaves everyone's P(home) exactly where it was."""
    f.tick(at(t))
    before = {p: f.p_home(p) for p in f.people}
    evs = f.observe(FusedInput(at(t), "motion", f"{room}_motion", room=room, value=on))
    for p, v in before.items():
        assert f.p_home(p) == pytest.approx(v, rel=1e-12, abs=1e-300)
    return evs


def test_cat_motion_does_not_move_anyone(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "anna", "bedroom", 300)
    settle_home(f, "ben", "living_room", 60)
    settle_work(f, "ben", 3600, start=600)
    assert f.location("ben")[0] == "work"
    settle_home(f, "anna", "bedroom", 3600, start=3400)
    assert f.belief("anna").room == "bedroom"
    evs: list[BeliefEvent] = []
    t = 3600.0
    for _ in range(120):  # the cat roams the kitchen for an hour: motion on/off every 30 s
        evs += motion(f, t, "kitchen", True)
        evs += f.observe(ble(t + 5, "anna", "bedroom", 1.5))
        evs += f.observe(ble(t + 15, "anna", "bedroom", 1.5))
        evs += motion(f, t + 20, "kitchen", False)
        t += 30
    assert f.location("ben")[0] == "work" and f.p_home("ben") < 0.05
    assert f.belief("anna").room == "bedroom"
    assert not [e for e in evs if e.kind in ("arrived", "room_changed")]
    assert f.room_occupancy("kitchen") > 0.2  # something is moving there, though nobody tracked
    assert f.room_occupancy("bedroom") > 0.9


def test_motion_supports_a_room_among_close_candidates(home: Home) -> None:
    f = Fusion(home)
    # heard only by the hallway node at an adjacent-room distance: living room, kitchen, garage, landing
    for i in range(30):
        f.observe(ble(4 * i, "anna", "hallway", 5.5))
    before = f.belief("anna").room_probs["kitchen"]
    for i in range(3):
        motion(f, 121 + 20 * i, "kitchen", True)
        motion(f, 131 + 20 * i, "kitchen", False)
        f.observe(ble(135 + 20 * i, "anna", "hallway", 5.5))
    b = f.belief("anna")
    assert b.room_probs["kitchen"] > before
    assert b.room == "kitchen" and b.p_home > 0.99


def test_explain_lists_the_evidence(home: Home) -> None:
    f = Fusion(home)
    settle_home(f, "anna", "kitchen", 60)
    f.observe(FusedInput(at(61), "voice", "kitchen_speaker", "anna", "kitchen"))
    lines = f.explain("anna")
    assert lines[0].startswith("anna: home, in the kitchen")
    text = "\n".join(lines)
    assert "voice" in text and "kitchen_speaker" in text and "ble" in text and "anna_phone" in text
    b = f.belief("anna")
    assert b.evidence and b.evidence[-1].kind == "voice"


def test_unknown_people_and_devices_are_ignored(home: Home) -> None:
    f = Fusion(home)
    assert f.observe(ble(0, "stranger", "kitchen", 1.0)) == []
    assert f.observe(FusedInput(at(1), "motion", "m", room="nowhere", value=True)) == []
    assert f.observe(FusedInput(at(2), "gps", "x", "anna")) == []  # no coordinates
    assert f.belief("anna").location is None


def test_inputs_from_observation(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home)
    now = T0
    ins = inputs_from_observation(g, "anna_phone", Observation(
        device="owntracks:anna/pixel", attributes={"latitude": 52.3731, "longitude": 4.8922, "accuracy": 12},
        observed_at=now - timedelta(seconds=30)), now)
    assert [(i.kind, i.person, i.accuracy) for i in ins] == [("gps", "anna", 12.0)]
    assert ins[0].observed_at == now - timedelta(seconds=30)
    ins = inputs_from_observation(g, "anna_phone", Observation(
        device="x", event="region_leave", data={"region": "Home"}), now)
    assert [(i.kind, i.region, i.entered) for i in ins] == [("region", "Home", False)]
    ins = inputs_from_observation(g, "ben_phone", Observation(
        device="x", event="ble_distance", data={"room": "Kitchen", "distance": 2.5, "rssi": -70}), now)
    assert [(i.kind, i.person, i.room, i.distance) for i in ins] == [("ble", "ben", "kitchen", 2.5)]
    ins = inputs_from_observation(g, "hall_motion", Observation(device="x", attributes={"motion": True}), now,
                                  owners={"hall_motion": "anna"})  # owners only attribute what is personal
    assert [(i.kind, i.person) for i in ins] == [("motion", None)]
    ins = inputs_from_observation(g, "hall_motion", Observation(device="x", attributes={"motion": True}), now)
    assert [(i.kind, i.person, i.room, i.value) for i in ins] == [("motion", None, "hallway", True)]
    ins = inputs_from_observation(g, "front_door_contact", Observation(
        device="x", attributes={"contact_open": True}), now)
    assert [(i.kind, i.room) for i in ins] == [("door", "hallway")]
    ins = inputs_from_observation(g, "kitchen_speaker", Observation(
        device="x", event="utterance", data={"text": "lights on", "speaker": "mia"}), now)
    assert [(i.kind, i.person, i.room) for i in ins] == [("voice", "mia", "kitchen")]
    assert inputs_from_observation(g, "kitchen_light", Observation(device="x", attributes={"on": True}), now) == []
    assert inputs_from_observation(g, "no_such_device", Observation(device="x"), now) == []
    f = Fusion(demo_home)  # the demo home's layout (unconnected upstairs) works too
    for i in range(5):
        f.observe(FusedInput(at(4 * i), "ble", "anna_phone", "anna", "bedroom", distance=1.2))
    assert f.belief("anna").room == "bedroom"


def test_noisy_world_is_deterministic() -> None:
    spec = bench_homes()[1]
    a = generate_week(spec, days=1, seed=5)
    b = generate_week(spec, days=1, seed=5)
    assert len(a.inputs) == len(b.inputs) > 1000
    assert a.inputs[:50] == b.inputs[:50] and a.inputs[-50:] == b.inputs[-50:]
    assert a.arrivals == b.arrivals
    c = generate_week(spec, days=1, seed=6)
    assert c.inputs[:50] != a.inputs[:50]


def test_fusion_beats_latest_report_wins_on_a_noisy_day() -> None:
    spec = bench_homes()[0]
    week = generate_week(spec, days=1, seed=11)
    fused = score(week, Fusion(spec.home))
    latest = score(week, LatestReportWins(spec.home))
    ha = score(week, PriorityRule(spec.home))
    assert fused.home_accuracy > latest.home_accuracy
    assert fused.home_accuracy > ha.home_accuracy
    assert fused.room_accuracy() > ha.room_accuracy() > latest.room_accuracy()
    assert fused.false_triggers < latest.false_triggers


# ------------------------------------------------------------------------------------------------ BLE nodes


def flat_ble(f: Fusion, t0: float, t1: float, person: str, readings: dict[str, float]) -> None:
    """Every 5 s each listed node hears the person at its distance; tick between."""
    t = t0
    while t < t1:
        for k, (node, d) in enumerate(readings.items()):
            f.observe(ble(t + 0.1 * k, person, node, d))
        f.tick(at(t + 1))
        t += 5


def node(t: float, room: str, online: bool) -> FusedInput:
    return FusedInput(at(t), "node", f"espresense:node:{room}", room=room, value=online)


def test_node_down_night_does_not_make_the_sleeper_vanish_from_the_bedroom() -> None:
    home = bench_homes()[1].home  # the flat: bedroom (node) and bathroom (no node) both off the hallway
    f = Fusion(home)
    in_bedroom = {"bedroom": 1.5, "hallway": 5.5, "living_room": 9.0}
    in_bathroom = {"bedroom": 5.0, "hallway": 5.5, "living_room": 9.0}
    t = 0.0
    for _ in range(3):  # evenings: long in the bedroom, short visits to the bathroom
        flat_ble(f, t, t + 3600, "omar", in_bedroom)
        flat_ble(f, t + 3600, t + 4200, "omar", in_bathroom)
        t += 4200
    flat_ble(f, t, t + 600, "omar", in_bedroom)
    assert f.location("omar") == ("home", "bedroom")
    assert f.room_stay("bathroom") < f.room_stay("bedroom")
    t += 600
    f.observe(node(t, "bedroom", False))
    assert f.node_online("bedroom") is False
    flat_ble(f, t + 1, t + 3 * 3600, "omar", {"hallway": 5.5, "living_room": 9.0})  # the night
    b = f.belief("omar")
    assert b.room == "bedroom" and b.p_room > 0.7 and b.p_home > 0.99


def test_node_status_decides_whether_a_silent_node_is_evidence(home: Home) -> None:
    # then heard by the hallway node only, at an adjacent room's distance: kitchen, living room, garage, landing
    probs: list[float] = []
    rooms: list[str | None] = []
    for status in (True, False):
        f = Fusion(home)
        flat_ble(f, 0, 300, "anna", {"kitchen": 1.4, "hallway": 5.5})
        if status:
            f.observe(node(300, "kitchen", False))
        flat_ble(f, 301, 600, "anna", {"hallway": 5.5})
        probs.append(f.belief("anna").room_probs["kitchen"])
        rooms.append(f.location("anna")[1])
    offline, silent = probs
    # a node known down says nothing; an online one that hears nothing says she is not in its room
    # (bounded: a node may fail unannounced, so its silence alone never rules a room out)
    assert offline > 0.8 and silent < offline - 0.25
    assert rooms[0] == "kitchen"
    # back online: its silence counts again, from the moment it came back
    f.observe(node(901, "kitchen", True))
    assert f.node_online("kitchen") is True
    assert f.node_online("garage") is None  # no node there


def test_a_reading_from_a_node_marked_offline_brings_it_back(home: Home) -> None:
    f = Fusion(home)
    f.observe(ble(0, "anna", "kitchen", 1.4))
    f.observe(node(1, "kitchen", False))
    assert f.node_online("kitchen") is False
    f.observe(ble(2, "anna", "kitchen", 1.4))
    assert f.node_online("kitchen") is True


def test_node_availability_inputs(demo_home: Home) -> None:
    from fusehub.home import DeviceDecl

    decl = DeviceDecl(id="kitchen_node", name="Kitchen node", kind="ble_node", room="kitchen",
                      ecosystem="espresense")
    g = ContextGraph()
    g.load_home(demo_home.model_copy(update={"devices": [*demo_home.devices, decl]}))
    ins = inputs_from_availability(g, "kitchen_node", False, T0)
    assert [(i.kind, i.device, i.room, i.value) for i in ins] == [("node", "kitchen_node", "kitchen", False)]
    ins = inputs_from_observation(g, "kitchen_node", Observation(device="x", attributes={"available": True}), T0)
    assert [(i.kind, i.room, i.value) for i in ins] == [("node", "kitchen", True)]
    assert inputs_from_availability(g, "hall_motion", False, T0) == []  # not a BLE node
    assert inputs_from_availability(g, "no_such_device", False, T0) == []


def test_noisy_world_reports_node_failures() -> None:
    spec = bench_homes()[1]
    week = generate_week(spec, days=7, seed=1001)
    nodes = [(i.room, i.value) for i in week.inputs if i.kind == "node"]
    assert ("bedroom", False) in nodes and ("bedroom", True) in nodes


# ------------------------------------------------------------------------------------------------ car ETA


def test_car_eta_is_smoothed_and_forgotten(home: Home) -> None:
    f = Fusion(home)
    assert f.car_eta("anna_car") is None

    def car(t: float, m: float, speed: float, heading: float = 180.0) -> FusedInput:  # north of home, southbound
        pos = north(HOME, m)
        return FusedInput(at(t), "car", "anna_car", latitude=pos[0], longitude=pos[1], accuracy=10.0,
                          speed=speed, heading=heading)

    f.observe(car(0, 6000, 60.0))
    first = f.car_eta("anna_car")
    assert first is not None and 300 < first < 700
    f.observe(car(30, 5500, 120.0))  # a burst of speed: the estimate moves only part of the way
    second = f.car_eta("anna_car")
    assert second is not None and second < first - 30
    f.observe(car(60, 5000, 60.0, heading=0.0))  # turned away from home
    assert f.car_eta("anna_car") is None
    f.observe(car(90, 20, 0.0))
    assert f.car_eta("anna_car") == 0.0
    f.tick(at(90 + f.cfg.eta_stale_s + 1))
    assert f.car_eta("anna_car") is None
