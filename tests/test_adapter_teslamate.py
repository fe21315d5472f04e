"""TeslaMate adapter: fixture-driven telemetry parsing, tesla_ble_mqtt encoders, the simulated car, ETA."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.teslamate import SPEC, declared_spec
from fusehub.errors import AdapterError
from fusehub.events import Command, Discovered, Observation, Parsed, Rejected
from fusehub.geo import eta_to_home, haversine_m
from fusehub.home import DeviceDecl

from tests import adapter_cases

FIXTURES = adapter_cases.FIXTURES / "teslamate"
HOSTILE = adapter_cases.HOSTILE
VIN = "5YJ3E7EB2KF123456"


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("teslamate")
test_fixture = adapter_cases.fixture_test(SPEC, "teslamate")


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"location", "ns_inside_temp", "speed_empty", "display_name_hostile", "active_route"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 10


def test_discovery_of_an_unseen_car() -> None:
    disc, obs = route("teslamate/cars/3/battery_level", b"64")
    assert isinstance(disc, Discovered) and isinstance(obs, Observation)
    assert disc.spec.key == obs.device == "teslamate:3"
    assert disc.spec.kind == "car" and disc.spec.capabilities == ["location", "car_climate", "car_lock"]
    assert disc.spec.address == {"car_id": "3"}  # TeslaMate never publishes the VIN
    assert obs.attributes == {"battery": 64}


@pytest.mark.parametrize(
    ("topic", "payload", "needle"),
    [
        ("teslamate/cars/1/speed", b"\xff\xfe12", "not valid UTF-8"),
        ("teslamate/cars/1/location", b"\x00\x01", "not valid JSON"),
        ("teslamate/cars/1/location", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("teslamate/cars/1/display_name", b"x" * (300 * 1024), "too large"),
        ("teslamate/cars/1/unknown_future_key", b"\xff", "not valid UTF-8"),
        ("teslamate/cars/1/odometer", b"1e400", "finite"),
        ("teslamate/cars/" + "1" * 65 + "/speed", b"1", "car id must be"),
    ],
)
def test_malformed_is_rejected_never_raised(topic: str, payload: bytes, needle: str) -> None:
    out = route(topic, payload)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert needle in out[0].reason and out[0].reason.startswith("teslamate: ")
    assert len(out[0].reason) < 400


def test_hostile_name_is_plain_data() -> None:
    _, obs = route("teslamate/cars/1/display_name", HOSTILE.encode())
    assert isinstance(obs, Observation)
    assert obs.attributes == {"display_name": HOSTILE} and obs.event is None


# ------------------------------------------------------------------------------------------ encoders


def cmd(capability: str, action: str, **params: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="tesla", capability=capability, action=action,
                   params=params)


ADDRESS = {"key": "teslamate:1", "car_id": "1", "vin": VIN}


@pytest.mark.parametrize(
    ("command", "expect"),
    [
        (cmd("car_lock", "lock"), [(f"tesla_ble/{VIN}/command", "lock")]),
        (cmd("car_lock", "unlock"), [(f"tesla_ble/{VIN}/command", "unlock")]),
        (cmd("car_climate", "precondition", on=True), [(f"tesla_ble/{VIN}/climate", "on")]),
        (cmd("car_climate", "precondition", on=False), [(f"tesla_ble/{VIN}/climate", "off")]),
        (cmd("car_climate", "precondition"), [(f"tesla_ble/{VIN}/climate", "on")]),
        (
            cmd("car_climate", "precondition", on=True, temperature=21.5),
            [(f"tesla_ble/{VIN}/climate-set-temp", "21.5"), (f"tesla_ble/{VIN}/climate", "on")],
        ),
        (
            cmd("car_climate", "precondition", on=True, temperature=20),
            [(f"tesla_ble/{VIN}/climate-set-temp", "20"), (f"tesla_ble/{VIN}/climate", "on")],
        ),
    ],
)
def test_encode(command: Command, expect: list[tuple[str, str]]) -> None:
    msgs = SPEC.encoders[command.capability](command, ADDRESS)
    assert [(m.topic, m.payload) for m in msgs] == expect
    assert all((m.qos, m.retain) == (1, False) for m in msgs)


def test_encode_lower_case_vin_is_normalised() -> None:
    [msg] = SPEC.encoders["car_lock"](cmd("car_lock", "lock"), {"vin": VIN.lower()})
    assert msg.topic == f"tesla_ble/{VIN}/command"


@pytest.mark.parametrize(
    ("command", "address", "needle"),
    [
        (cmd("car_lock", "lock"), {"key": "teslamate:1", "car_id": "1"}, "no VIN"),
        (cmd("car_lock", "lock"), {"vin": "tesla_ble/+/command"}, "17 VIN characters"),
        (cmd("car_lock", "lock"), {"vin": "5YJ3E7EB2KF12345#"}, "17 VIN characters"),
        (cmd("car_lock", "open_frunk"), ADDRESS, "no action"),
        (cmd("car_climate", "defrost"), ADDRESS, "no action"),
        (cmd("car_climate", "precondition", on="yes"), ADDRESS, "true or false"),
        (cmd("car_climate", "precondition", on=True, temperature=45), ADDRESS, "15..28"),
        (cmd("car_climate", "precondition", on=True, temperature="warm"), ADDRESS, "15..28"),
        (cmd("car_climate", "precondition", on=False, temperature=21), ADDRESS, "makes no sense"),
    ],
)
def test_encode_errors(command: Command, address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders[command.capability](command, address)


# ------------------------------------------------------------------------------------------ declared car

DECL = DeviceDecl(id="model3", name="the Model 3", kind="car", ecosystem="teslamate",
                  ids={"car_id": "1", "vin": VIN.lower()},
                  initial={"latitude": 52.37, "longitude": 4.89, "locked": True, "climate_on": False,
                           "battery": 80, "inside_temperature": 14.5, "state": "asleep"})


def test_declared_key_and_spec() -> None:
    assert SPEC.key_for("model3", {"car_id": "1", "vin": VIN}) == "teslamate:1"
    assert SPEC.key_for("model3", {"car_id": "2", "namespace": "garage"}) == "teslamate:garage/2"
    assert SPEC.key_for("model3", {}) == "teslamate:model3"
    spec = declared_spec(DECL)
    assert spec.key == "teslamate:1" and spec.kind == "car" and spec.name == "the Model 3"
    assert spec.address == {"car_id": "1", "vin": VIN}
    assert spec.capabilities == ["location", "car_climate", "car_lock"]
    # the declared address is exactly what the encoders need
    [msg] = SPEC.encoders["car_lock"](cmd("car_lock", "unlock"), {"key": spec.key, **spec.address})
    assert (msg.topic, msg.payload) == (f"tesla_ble/{VIN}/command", "unlock")


# ------------------------------------------------------------------------------------------ simulated car

assert SPEC.sim is not None
SIM = SPEC.sim


def parse_all(msgs: list[Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for m in msgs:
        for item in route(m.topic, m.payload.encode("utf-8")):
            assert not isinstance(item, Rejected), item
            if isinstance(item, Observation):
                assert item.device == SPEC.key_for(DECL.id, DECL.ids)
                attrs.update(item.attributes)
    return attrs


@pytest.mark.parametrize(
    "state",
    [
        dict(DECL.initial),
        {"latitude": -33.86, "longitude": 151.2, "speed": 87, "heading": 271, "shift_state": "D", "state": "driving",
         "geofence": None, "charging_state": "Disconnected", "plugged_in": False, "climate_on": True,
         "inside_temperature": 21.5, "outside_temperature": -3.5, "est_range_km": 312.45, "display_name": HOSTILE},
    ],
)
def test_sim_publish_state_round_trip(state: dict[str, Any]) -> None:
    msgs = SIM.publish_state(DECL, state)
    assert all(m.topic.startswith("teslamate/cars/1/") and not m.retain for m in msgs)
    assert parse_all(msgs) == state


def test_sim_commands_round_trip() -> None:
    topics = SIM.command_topics(DECL)
    assert topics == [f"tesla_ble/{VIN}/command", f"tesla_ble/{VIN}/climate", f"tesla_ble/{VIN}/climate-set-temp"]
    state: dict[str, Any] = dict(DECL.initial)
    for command in (cmd("car_lock", "unlock"), cmd("car_climate", "precondition", on=True, temperature=22)):
        for m in SPEC.encoders[command.capability](command, declared_spec(DECL).address):
            assert m.topic in topics
            new = SIM.apply(DECL, m.topic, m.payload.encode(), state)
            assert new is not None
            state = new
    assert state["locked"] is False and state["climate_on"] is True and state["climate_target_temperature"] == 22.0
    seen = parse_all(SIM.publish_state(DECL, state))
    assert seen["locked"] is False and seen["climate_on"] is True
    assert SIM.apply(DECL, topics[0], b"self-destruct", state) is None
    assert SIM.apply(DECL, topics[1], b"\xff", state) is None
    assert SIM.apply(DECL, topics[2], b"99", state) is None
    assert SIM.apply(DECL, "tesla_ble/OTHERVIN/command", b"lock", state) is None
    assert SIM.apply(DECL, topics[0], b"honk", state) == state


def test_sim_announce_and_offline() -> None:
    assert parse_all(SIM.announce(DECL)) == {"display_name": "the Model 3", "healthy": True}
    assert parse_all(SIM.offline(DECL)) == {"state": "offline", "healthy": False}


# ------------------------------------------------------------------------------------------ ETA

HOME = (52.3731, 4.8922)  # Amsterdam


def test_haversine() -> None:
    # one degree of latitude is ~111.2 km
    assert haversine_m(52.0, 4.0, 53.0, 4.0) == pytest.approx(111_195, rel=1e-3)


@pytest.mark.parametrize(
    ("lat", "lon", "speed", "heading", "expect"),
    [
        # 10 km due south of home, driving north at 60 km/h: 1.3 * 10 km / (60/3.6 m/s) = 780 s
        (HOME[0] - 10_000 / 111_195, HOME[1], 60, 0, 780.0),
        # same place, heading 45 degrees off the bearing: still approaching
        (HOME[0] - 10_000 / 111_195, HOME[1], 60, 45, 780.0),
        # 20 km due east, driving west at 100 km/h: 1.3 * 20 km / 27.78 m/s = 936 s
        (HOME[0], HOME[1] + 20_000 / (111_195 * 0.6101), 100, 270, 936.0),
        # driving away (south), or sideways (90 degrees off)
        (HOME[0] - 10_000 / 111_195, HOME[1], 60, 180, None),
        (HOME[0] - 10_000 / 111_195, HOME[1], 60, 90, None),
        # parked or creeping away from home
        (HOME[0] - 10_000 / 111_195, HOME[1], 0, 0, None),
        (HOME[0] - 10_000 / 111_195, HOME[1], None, None, None),
        # at home (within 150 m), moving or not
        (HOME[0] + 0.0005, HOME[1], 0, 0, 0.0),
        (HOME[0], HOME[1], 30, 180, 0.0),
        # no position, or nonsense
        (None, None, 60, 0, None),
        (float("nan"), HOME[1], 60, 0, None),
        (95.0, HOME[1], 60, 0, None),
    ],
)
def test_eta_to_home(lat: float | None, lon: float | None, speed: float | None, heading: float | None,
                     expect: float | None) -> None:
    got = eta_to_home(lat, lon, speed, heading, *HOME)
    if expect is None:
        assert got is None
    else:
        assert got == pytest.approx(expect, rel=0.01)


def test_eta_wraps_heading_around_north() -> None:
    south = HOME[0] - 10_000 / 111_195
    assert eta_to_home(south, HOME[1], 60, 350, *HOME) == pytest.approx(780, rel=0.01)
    assert eta_to_home(south, HOME[1], 60, 359.9, *HOME) == pytest.approx(780, rel=0.01)


def test_ten_minutes_out() -> None:
    # 8 km south-west at 50 km/h heading north-east: 1.3 * 8 km / 13.9 m/s ~ 749 s (12.5 min)
    lat = HOME[0] - 8_000 / 111_195 / 2**0.5
    lon = HOME[1] - 8_000 / (111_195 * 0.6101) / 2**0.5
    eta = eta_to_home(lat, lon, 50, 45, *HOME)
    assert eta is not None and 700 < eta < 800
