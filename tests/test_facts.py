"""Facts read from the context graph (fusehub.context.facts): whereabouts of away people from recorded OwnTracks
and TeslaMate payloads ingested by the real hub, daylight from astral at known places and dates, and the outside
temperature from the home's outdoor sensor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from astral import Observer
from astral.sun import sunrise, sunset
from fusehub.app import Hub, build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig
from fusehub.context.facts import daylight, outdoor_sensor, outside_temperature, whereabouts
from fusehub.context.graph import ContextGraph
from fusehub.geo import haversine_m
from fusehub.home import Home, parse_home
from fusehub.journal import Journal

from tests import adapter_cases
from tests.conftest import DEMO_HOME

FIX = adapter_cases.FIXTURES
T0 = datetime(2024, 6, 10, 7, 14, tzinfo=UTC)
HOME_LAT, HOME_LON = 52.3731, 4.8922  # the demo home's location


def recorded(ecosystem: str, name: str) -> tuple[str, bytes, dict[str, Any]]:
    """A recorded case's topic, payload bytes and JSON payload (when it is JSON)."""
    case = adapter_cases.load(FIX / ecosystem / f"{name}.json")
    body = case.get("payload") if isinstance(case.get("payload"), dict) else {}
    return case["topic"], adapter_cases.fixture_payload(case), body


def hub_for(home: Home, tmp: Path, clock: VirtualClock) -> Hub:
    return build_hub(HubConfig(home=str(DEMO_HOME), data_dir=str(tmp)), clock=clock, home=home,
                     journal=Journal(":memory:"), with_intents=False)


def demo_text() -> str:
    return DEMO_HOME.read_text(encoding="utf-8")


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


async def test_a_phone_walking_away_gives_distance_no_eta(tmp_path: Path, clock: VirtualClock) -> None:
    hub = hub_for(parse_home(demo_text()), tmp_path, clock)
    topic, payload, body = recorded("owntracks", "location_ios_moving")  # ben's iPhone, 23 km/h, course 271
    await hub.ingest(topic, payload)
    w = whereabouts(hub.graph, "ben", clock.now())
    assert w.state == "away" and w.room is None and w.travel_mode == "phone" and w.moving
    assert w.distance_m == pytest.approx(haversine_m(body["lat"], body["lon"], HOME_LAT, HOME_LON))
    assert 1400 < (w.distance_m or 0) < 1600
    assert w.eta_min is None  # heading west, home is to the north-east: not on the way home
    assert w.source == ("fusion", "phone:ben_phone")
    # an hour and more later the phone's position says nothing any more: away, distance unknown
    clock.set(T0 + timedelta(hours=2))
    late = whereabouts(hub.graph, "ben", clock.now())
    assert late.state == "away" and late.distance_m is None and late.travel_mode is None


async def test_driving_home_fuses_phone_and_car_and_uses_the_route(tmp_path: Path, clock: VirtualClock) -> None:
    hub = hub_for(parse_home(demo_text()), tmp_path, clock)
    # Anna's car (TeslaMate car 1), about 12 km south-west, 87 km/h, heading north-east towards home
    car_lat, car_lon = 52.30, 4.76
    _, _, loc = recorded("teslamate", "location")
    assert set(loc) == {"latitude", "longitude"}
    await hub.ingest("teslamate/cars/1/location", json.dumps({"latitude": car_lat, "longitude": car_lon}).encode())
    for name in ("speed", "state_driving"):
        topic, payload, _ = recorded("teslamate", name)
        await hub.ingest(topic, payload)
    await hub.ingest("teslamate/cars/1/heading", b"50")
    # her phone, in the car (the recorded Android location's format, her position)
    _, _, phone = recorded("owntracks", "location_android")
    phone.update(lat=car_lat + 0.001, lon=car_lon, tst=int(T0.timestamp()))
    await hub.ingest("owntracks/anna/pixel", json.dumps(phone).encode())
    w = whereabouts(hub.graph, "anna", clock.now())
    assert w.state == "away" and w.travel_mode == "fusion" and w.moving
    assert w.distance_m == pytest.approx(haversine_m(car_lat, car_lon, HOME_LAT, HOME_LON))
    assert 10_000 < (w.distance_m or 0) < 14_000
    # no route yet: the map-free estimate, road factor 1.3 at 87 km/h
    assert w.eta_min == pytest.approx(1.3 * (w.distance_m or 0) / (87 / 3.6) / 60, rel=1e-6)
    assert "car:anna_car" in w.source and "phone:anna_phone" in w.source
    # the car's navigation leads home: its minutes to arrival win
    topic, payload, route = recorded("teslamate", "active_route")
    await hub.ingest(topic, payload)
    w = whereabouts(hub.graph, "anna", clock.now())
    assert w.eta_min == pytest.approx(route["minutes_to_arrival"]) and "route:anna_car" in w.source


async def test_a_car_alone_is_the_car_and_a_parked_one_gives_no_eta(tmp_path: Path, clock: VirtualClock) -> None:
    hub = hub_for(parse_home(demo_text()), tmp_path, clock)
    await hub.ingest("teslamate/cars/1/location", b'{"latitude": 52.3391, "longitude": 4.8730}')  # at work
    hub.graph.set_person_location("anna", "work", None, 0.8, clock.now())
    w = whereabouts(hub.graph, "anna", clock.now())
    assert w.state == "away" and w.place == "work" and w.travel_mode == "car" and not w.moving
    assert w.eta_min is None and w.distance_m == pytest.approx(haversine_m(52.3391, 4.8730, HOME_LAT, HOME_LON))


def test_home_and_unknown_people(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home)
    assert whereabouts(g, "mia", T0).state == "unknown"
    g.set_person_location("mia", "home", "kids_room", 0.9, T0)
    w = whereabouts(g, "mia", T0)
    assert (w.state, w.room, w.distance_m, w.eta_min) == ("home", "kids_room", None, None)
    with pytest.raises(KeyError):
        whereabouts(g, "zed", T0)


# ------------------------------------------------------------------------------------------------ daylight


def graph_at(lat: float, lon: float) -> ContextGraph:
    g = ContextGraph()
    g.load_home(parse_home(f"location: {{id: home, name: Home, latitude: {lat}, longitude: {lon}}}\n"))
    return g


def test_daylight_in_amsterdam_at_midsummer() -> None:
    g = graph_at(HOME_LAT, HOME_LON)
    noon = datetime(2024, 6, 21, 12, 0, tzinfo=UTC)
    d = daylight(g, noon)
    assert d is not None and d.is_daylight and 55 < d.elevation_deg < 62
    obs = Observer(HOME_LAT, HOME_LON)
    assert d.next_sunset == sunset(obs, noon.date(), tzinfo=UTC)
    assert d.next_sunrise == sunrise(obs, noon.date() + timedelta(days=1), tzinfo=UTC)
    # the published times: sunset about 22:06 CEST (20:06 UTC), sunrise about 05:18 CEST
    assert d.next_sunset is not None and abs(d.next_sunset - noon.replace(hour=20, minute=6)) < timedelta(minutes=3)
    assert d.next_sunrise is not None and d.next_sunrise.astimezone(UTC).hour == 3
    night = daylight(g, datetime(2024, 12, 21, 23, 0, tzinfo=UTC))
    assert night is not None and not night.is_daylight and night.elevation_deg < -30
    assert night.next_sunrise is not None and night.next_sunrise.date().isoformat() == "2024-12-22"


@pytest.mark.parametrize("day", [datetime(2024, 6, 21, tzinfo=UTC), datetime(2024, 12, 7, tzinfo=UTC)])
def test_daylight_turns_at_sunrise_and_sunset(day: datetime) -> None:
    """is_daylight flips within a minute of astral's sunrise and sunset (comparing the refracted elevation with
    -0.833 degrees counted refraction twice and flipped minutes late at sunrise, early at sunset)."""
    g = graph_at(HOME_LAT, HOME_LON)
    obs = Observer(HOME_LAT, HOME_LON)
    for event, after in ((sunrise(obs, day.date(), tzinfo=UTC), True), (sunset(obs, day.date(), tzinfo=UTC), False)):
        for offset in (timedelta(minutes=-1), timedelta(minutes=1)):
            d = daylight(g, event + offset)
            assert d is not None and d.is_daylight == (after if offset > timedelta(0) else not after), (event, offset)


def test_daylight_in_polar_night_and_without_a_location() -> None:
    tromso = graph_at(69.65, 18.96)
    d = daylight(tromso, datetime(2024, 12, 21, 11, 0, tzinfo=UTC))
    assert d is not None and not d.is_daylight
    assert d.next_sunrise is None and d.next_sunset is None  # the sun does not rise for weeks
    midsummer = daylight(tromso, datetime(2024, 6, 21, 23, 0, tzinfo=UTC))
    assert midsummer is not None and midsummer.is_daylight and midsummer.next_sunset is None
    empty = ContextGraph()
    empty.load_home(parse_home("name: Nowhere\n"))
    assert daylight(empty, T0) is None


# ------------------------------------------------------------------------------------------------ outside


GARDEN = """
  - {id: garden_sensor, name: Garden thermometer, kind: sensor, ecosystem: zigbee2mqtt,
     ids: {key: "0x00158d00045a6b7c"}}
"""
"""The recorded Zigbee2MQTT bridge's 'Bathroom climate' (that ieee address), declared as the garden's sensor."""


def with_devices(extra: str, top: str = "") -> Home:
    text = demo_text().replace("\nscenes:", extra + "\nscenes:")
    return parse_home(top + text)


async def test_outside_temperature_from_the_declared_outdoor_sensor(tmp_path: Path, clock: VirtualClock) -> None:
    hub = hub_for(with_devices(GARDEN, "outdoor_sensor: garden_sensor\n"), tmp_path, clock)
    assert outside_temperature(hub.graph) is None  # declared, but nothing reported yet
    devices = (FIX / "zigbee2mqtt" / "bridge_devices.json").read_bytes()
    await hub.ingest("zigbee2mqtt/bridge/devices", devices)
    topic, payload, body = recorded("zigbee2mqtt", "state_temperature")
    await hub.ingest(topic, payload)
    clock.set(T0 + timedelta(minutes=5))
    r = outside_temperature(hub.graph, clock.now())
    assert r is not None and r.device == "garden_sensor" and r.value == body["temperature"] and r.unit == "°C"
    assert r.age_s == pytest.approx(300)
    await hub.ingest(topic + "/availability", b'{"state": "offline"}')
    assert outside_temperature(hub.graph) is None  # an offline sensor's last value is not today's weather


async def test_the_owner_may_name_the_cars_thermometer(tmp_path: Path, clock: VirtualClock) -> None:
    hub = hub_for(parse_home("outdoor_sensor: anna_car\n" + demo_text()), tmp_path, clock)
    topic, payload, _ = recorded("teslamate", "outside_temp_negative")
    await hub.ingest(topic, payload)
    r = outside_temperature(hub.graph)
    assert r is not None and (r.value, r.unit, r.device) == (-3.5, "°C", "anna_car")


def test_a_sensor_named_outdoor_is_found_and_an_indoor_one_never(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home)
    g.apply_state("living_temperature", {"value": 21.0, "unit": "°C"}, T0)
    assert outdoor_sensor(g) is None and outside_temperature(g) is None  # the living room is not outside
    g2 = ContextGraph()
    g2.load_home(with_devices("""
  - {id: wx, name: Weather station, kind: sensor, ecosystem: homeassistant}
  - {id: hum_out, name: Outdoor humidity, kind: sensor, ecosystem: homeassistant}
"""))
    g2.apply_state("hum_out", {"value": 80, "unit": "%"}, T0)
    g2.apply_state("wx", {"value": 4.5}, T0)
    r = outside_temperature(g2)
    assert r is not None and (r.device, r.value) == ("wx", 4.5)


def test_an_unknown_outdoor_sensor_is_a_home_file_error() -> None:
    from fusehub.errors import ConfigError

    with pytest.raises(ConfigError, match="outdoor_sensor"):
        parse_home("outdoor_sensor: nothing\n" + demo_text(), "home.yaml")


# ------------------------------------------------------------------------------------------------ the view


async def test_the_view_carries_the_facts_a_trigger_depends_on(tmp_path: Path, clock: VirtualClock) -> None:
    from fusehub.context.view import build_view

    hub = hub_for(parse_home("outdoor_sensor: anna_car\n" + demo_text()), tmp_path, clock)
    await hub.ingest("teslamate/cars/1/location", b'{"latitude": 52.30, "longitude": 4.76}')
    for name in ("speed", "active_route", "outside_temp_negative"):
        topic, payload, _ = recorded("teslamate", name)
        await hub.ingest(topic, payload)
    hub.graph.set_person_location("anna", "away", None, 0.9, clock.now())
    g = hub.graph
    lines = build_view(g, "when will anna be home", now=clock.now()).lines
    assert "away anna 12.1km eta 23min car" in lines
    assert "outside -3.5C" in build_view(g, "is it cold outside", now=clock.now()).lines
    # a request that depends on none of them: no fact lines, and the same view at any minute
    plain = build_view(g, "turn on the kitchen light", now=clock.now()).lines
    later = build_view(g, "turn on the kitchen light", now=clock.now() + timedelta(minutes=7)).lines
    assert plain == later and not any(ln.split()[0] in ("outside", "daylight", "away") for ln in plain)
    # a situation sees them all, daylight included (07:14 UTC in June: the sun is up in Amsterdam)
    sit = build_view(g, None, situation="anna is 20 minutes away", now=clock.now()).lines
    assert {"outside -3.5C", "daylight yes", "away anna 12.1km eta 23min car"} <= set(sit)
