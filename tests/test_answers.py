"""Questions about what the graph knows and messages for people, through the real hub (`Hub.say`: references,
the question and message stages, intents, policy, the skills) on the demo home, with recorded device payloads
ingested by the adapters. The answer is the skill's speech; a message goes to a speaker or a phone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fusehub.app import Hub, build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig
from fusehub.events import Origin
from fusehub.home import Home, parse_home
from fusehub.journal import Journal
from fusehub.runtime.outcome import Outcome

from tests import adapter_cases
from tests.conftest import DEMO_HOME

T0 = datetime(2024, 6, 10, 7, 14, tzinfo=UTC)
FIX = adapter_cases.FIXTURES


def home_with(extra_devices: str = "", top: str = "") -> Home:
    text = DEMO_HOME.read_text(encoding="utf-8").replace("\nscenes:", extra_devices + "\nscenes:")
    return parse_home(top + text)


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    home = home_with("""
  - {id: weather, name: Weather station, kind: sensor, ecosystem: homeassistant, initial: {value: 3.5, unit: "°C"}}
  - {id: hall_sensor, name: Hallway sensor, kind: sensor, room: hallway, ecosystem: homeassistant,
     initial: {value: 20.5, unit: "°C", battery: 12}}
""")
    h = build_hub(HubConfig(home=str(DEMO_HOME), data_dir=str(tmp_path)), clock=VirtualClock(T0), home=home,
                  journal=Journal(":memory:"))
    for d in home.devices:
        if d.initial:
            h.graph.apply_state(d.id, dict(d.initial), T0)
    return h


async def ask(hub: Hub, text: str, person: str | None = "anna", room: str | None = "kitchen") -> Outcome:
    return await hub.say(text, person=person, room=room, origin=Origin.voice)


def recorded(ecosystem: str, name: str) -> tuple[str, bytes]:
    case = adapter_cases.load(FIX / ecosystem / f"{name}.json")
    return case["topic"], adapter_cases.fixture_payload(case)


async def drive_anna_home(hub: Hub) -> None:
    """Anna's car about 12 km out, 87 km/h towards home, navigating home (recorded TeslaMate payloads), her
    phone in it (the recorded Android location format at her position)."""
    await hub.ingest("teslamate/cars/1/location", b'{"latitude": 52.30, "longitude": 4.76}')
    for name in ("speed", "state_driving", "active_route"):
        await hub.ingest(*recorded("teslamate", name))
    await hub.ingest("teslamate/cars/1/heading", b"50")
    case = adapter_cases.load(FIX / "owntracks" / "location_android.json")
    phone = dict(case["payload"], lat=52.301, lon=4.76, tst=int(T0.timestamp()))
    await hub.ingest("owntracks/anna/pixel", json.dumps(phone).encode())


async def test_when_will_anna_be_home_while_she_drives(hub: Hub) -> None:
    await drive_anna_home(hub)
    assert hub.graph.person("anna").location == "away"
    for q in ("when will Anna be home", "where is Anna", "how far away is Anna?", "what's Anna's ETA"):
        out = await ask(hub, q, person="ben", room="kitchen")
        assert [c.skill for c in out.plan.calls] == ["where_is"], q
        assert out.speech == "Anna is 12 km away, driving, home in about 23 minutes", (q, out.speech)


async def test_people_at_home_unknown_and_away_without_eta(hub: Hub) -> None:
    hub.graph.set_person_location("ben", "home", "living_room", 0.95, T0)
    assert (await ask(hub, "where's Ben")).speech == "Ben is in the living room"
    assert (await ask(hub, "do you know where Mia is")).speech == "I don't know where Mia is"
    await hub.ingest(*recorded("owntracks", "location_ios_moving"))  # Ben walks west, away from home
    out = await ask(hub, "when will Ben be home")
    assert out.speech == "Ben is 1.5 km away, on the move; I can't tell when Ben will be home"


async def test_outside_temperature_batteries_car_and_attributes(hub: Hub) -> None:
    out = await ask(hub, "how cold is it outside")
    assert out.plan.calls[0].args == {"device": "weather"} and out.speech == "It is 3.5 °C outside"
    out = await ask(hub, "which batteries are low")
    assert out.speech == "Low batteries: Hallway sensor 12%. The others: Robot vacuum 100%"
    assert (await ask(hub, "what's the battery of the hallway sensor")).speech == \
        "Hallway sensor is 20.5 °C, battery 12%"
    for name in ("battery_level", "est_range", "plugged_in"):
        await hub.ingest(*recorded("teslamate", name))
    speech = (await ask(hub, "how much charge does the car have")).speech or ""
    assert speech == "Anna's car: battery 81%, range 312 km, plugged in, locked, climate off, inside 4 °C"
    out = await ask(hub, "what mode is the humidifier in")
    assert [c.model_dump() for c in out.plan.calls] == [
        {"skill": "attribute_get", "args": {"device": "humidifier", "attribute": "mode"}}]
    assert out.speech == "Humidifier mode is normal"
    out = await ask(hub, "what's the target humidity of the humidifier")
    assert out.speech == "Humidifier target humidity is 45%"


async def test_no_outdoor_sensor_is_said_not_guessed(tmp_path: Path) -> None:
    hub = build_hub(HubConfig(home=str(DEMO_HOME), data_dir=str(tmp_path)), clock=VirtualClock(T0),
                    home=home_with(), journal=Journal(":memory:"))
    hub.graph.apply_state("living_temperature", {"value": 21.0, "unit": "°C"}, T0)
    out = await ask(hub, "what's the temperature outside")
    assert out.plan.calls == [] and out.plan.cannot == "there is no outdoor temperature sensor"


async def test_a_message_goes_to_the_speaker_where_the_person_is(hub: Hub) -> None:
    hub.graph.set_person_location("ben", "home", "living_room", 0.9, T0)
    out = await ask(hub, "tell Ben dinner is ready")
    assert [(c.skill, c.args) for c in out.plan.calls] == [
        ("speaker_announce", {"message": "dinner is ready", "room": "living_room"})]
    assert [(c.device, c.action, c.params["message"]) for c in out.commands] == [
        ("living_speaker", "announce", "dinner is ready")]


async def test_a_message_goes_to_the_phone_when_away_or_where_there_is_no_speaker(hub: Hub) -> None:
    hub.graph.set_person_location("ben", "home", "bathroom", 0.9, T0)  # no speaker in the bathroom
    out = await ask(hub, "let Ben know that the laundry is done")
    assert [(c.device, c.action, c.params["message"]) for c in out.commands] == [
        ("ben_phone", "notify", "the laundry is done")]
    await drive_anna_home(hub)
    out = await ask(hub, "tell Anna to pick up milk", person="ben")
    assert [(c.device, c.params["message"]) for c in out.commands] == [("anna_phone", "to pick up milk")]
    hub.graph.set_person_location("ben", "home", "kitchen", 0.9, T0)
    out = await ask(hub, "text Ben that I'm late")  # the phone, asked for outright
    assert [c.device for c in out.commands] == ["ben_phone"]
    out = await ask(hub, "tell Mia to come down", person="anna")  # Mia: no phone, location unknown
    assert out.commands == [] and out.plan.cannot == "Mia has no phone and I don't know which room Mia is in"


async def test_announcements_name_a_room_or_go_everywhere(hub: Hub) -> None:
    out = await ask(hub, "broadcast dinner is ready in the living room")
    assert [(c.skill, c.args) for c in out.plan.calls] == [
        ("speaker_announce", {"message": "dinner is ready", "room": "living_room"})]
    assert [c.device for c in out.commands] == ["living_speaker"]
    out = await ask(hub, "announce that the movie starts in 5 minutes.")
    assert [(c.skill, c.args) for c in out.plan.calls] == [
        ("speaker_announce", {"message": "the movie starts in 5 minutes", "everywhere": True})]
    assert sorted(c.device for c in out.commands) == [
        "bedroom_speaker", "hallway_speaker", "kitchen_speaker", "living_speaker"]
    out = await ask(hub, "broadcast time for bed in the bathroom")
    assert out.commands == [] and out.plan.cannot == "there is no speaker in the bathroom"


async def test_a_declared_attribute_is_found_by_its_last_word(hub: Hub) -> None:
    out = await ask(hub, "what humidity does the humidifier have")
    assert [(c.skill, c.args) for c in out.plan.calls] == [
        ("attribute_get", {"device": "humidifier", "attribute": "target_humidity"})]
    assert out.speech == "Humidifier target humidity is 45%"


async def test_a_device_is_described_with_its_units(hub: Hub) -> None:
    from fusehub.events import Actor, Context
    from fusehub.sdk import SkillContext
    from fusehub.skills import load_skills

    skills = load_skills(False)
    ctx = SkillContext(graph=hub.graph, now=T0, context=Context(actor=Actor.person("anna"), origin=Origin.voice))
    assert skills.execute("query_state", ctx, {"device": "thermostat"}).speech == \
        "Thermostat is in heat mode, set to 19 °C, temperature 19.5 °C"
    assert skills.execute("query_state", ctx, {"device": "vacuum", "attribute": "status"}).speech == \
        "Robot vacuum is docked"
    assert (await ask(hub, "what's the battery of the robot vacuum")).speech == "Robot vacuum is docked, battery 100%"
