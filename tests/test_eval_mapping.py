"""The peer-suite evaluation (bench/eval_planner.py, bench/peer_home.py): fixture conversion, the mapping table
from HA intents to fusehub calls, and plan scoring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fusehub.app import load_skills
from fusehub.events import Plan, SkillCall
from fusehub.sdk import SkillRegistry

from bench.eval_planner import Env, Expected, canon_plan, expected_for, score_plan
from bench.peer_home import PeerHome, convert, load_fixtures

SUITE = Path("/work/shared/peer-suites/ha-intents-en")

# A small home in the suite's fixture format (the shapes of the real one, a few entities more to be tricky).
FIXTURES: dict[str, Any] = {
    "floors": [{"name": "Ground Floor", "id": "ground_floor_id"}, {"name": "First Floor", "id": "first_floor_id"}],
    "areas": [
        {"name": "Kitchen", "id": "kitchen_id", "floor": "first_floor_id"},
        {"name": "Living Room", "id": "living_room_id", "floor": "first_floor_id"},
        {"name": "Bedroom", "id": "bedroom_id", "floor": "first_floor_id"},
        {"name": "Garage", "id": "garage_id", "floor": "ground_floor_id"},
    ],
    "entities": [
        {"name": "Kitchen ceiling", "id": "light.kitchen_ceiling", "area": "kitchen_id", "state": "on",
         "domain": "light"},
        {"name": "Kitchen cabinets", "id": "light.kitchen_cabinets", "area": "kitchen_id", "state": "on",
         "domain": "light"},
        {"name": "Bedroom Lamp", "id": "light.bedroom_lamp", "area": "bedroom_id", "state": "off", "domain": "light"},
        {"name": "Garage Light", "id": "light.garage", "area": "garage_id", "state": "on", "domain": "light"},
        {"name": "Bedroom Switch", "id": "switch.bedroom", "area": "bedroom_id", "state": "off", "domain": "switch"},
        {"name": "Kitchen Switch", "id": "switch.kitchen", "area": "kitchen_id", "state": "on", "domain": "switch"},
        {"name": "Bedroom Curtain", "id": "cover.bedroom", "area": "bedroom_id", "state": "closed",
         "attributes": {"device_class": "curtain", "position": "0"}, "domain": "cover"},
        {"name": "Ceiling Fan", "id": "fan.ceiling", "area": "living_room_id", "state": "off", "domain": "fan"},
        {"name": "Curtain Left", "id": "cover.curtain_left", "area": "living_room_id", "state": "open",
         "attributes": {"device_class": "curtain"}, "domain": "cover"},
        {"name": "Living Blind", "id": "cover.living_blind", "area": "living_room_id", "state": "open",
         "attributes": {"device_class": "blind"}, "domain": "cover"},
        {"name": "Thermostat", "id": "climate.thermostat", "area": "living_room_id", "state": "heat",
         "attributes": {"current_temperature": 21}, "domain": "climate"},
        {"name": "Front Door", "id": "lock.front_door", "state": "locked", "domain": "lock"},
        {"name": "Pet Door", "id": "binary_sensor.pet_door", "state": {"in": "closed", "out": "off"},
         "attributes": {"device_class": "door"}, "domain": "binary_sensor"},
        {"name": "Phone", "id": "binary_sensor.phone_battery", "state": {"in": "normal", "out": "off"},
         "attributes": {"device_class": "battery"}, "domain": "binary_sensor"},
        {"name": "Outside Temperature", "id": "sensor.outside_temperature", "area": "garage_id", "state": "42",
         "attributes": {"unit_of_measurement": "°F"}, "domain": "sensor"},
        {"name": "TV", "id": "media_player.tv", "area": "living_room_id", "state": "idle",
         "attributes": {"volume_level": "50"}, "domain": "media_player"},
        {"name": "Ada", "id": "person.ada", "state": "Work", "domain": "person"},
        {"name": "Party Mode", "id": "scene.party_mode", "domain": "scene"},
        {"name": "Stealth Mode", "id": "script.stealth_mode", "domain": "script"},
        {"name": "London", "id": "weather.london", "state": "rainy", "domain": "weather"},
    ],
    "timers": [{"name": "pizza", "start_minutes": 30, "total_seconds_left": 1505}],
}


@pytest.fixture(scope="module")
def skills() -> SkillRegistry:
    return load_skills(False)


@pytest.fixture(scope="module")
def peer() -> PeerHome:
    return convert(FIXTURES)


def _env(peer: PeerHome, skills: SkillRegistry, room: str | None = None) -> Env:
    return Env(peer.graph(), skills, room, peer.timers)


def _expect(peer: PeerHome, skills: SkillRegistry, intent: str, slots: dict[str, Any], room: str | None = None,
            **extra: Any) -> tuple[Expected, Env]:
    env = _env(peer, skills, room)
    return expected_for({"intent": intent, "slots": slots, **extra}, peer, env), env


def _plan(*calls: tuple[str, dict[str, Any]]) -> Plan:
    return Plan(calls=[SkillCall(skill=s, args=a) for s, a in calls], source="planner")


def _key(env: Env, *calls: tuple[str, dict[str, Any]]) -> Any:
    return canon_plan(list(calls), env)


# ----------------------------------------------------------------------------------------------- conversion


def test_conversion_rooms_floors_and_device_ids(peer: PeerHome) -> None:
    assert {r.id for r in peer.home.rooms} == {"kitchen", "living_room", "bedroom", "garage"}
    assert {f.id for f in peer.home.floors} == {"ground_floor", "first_floor"}
    assert next(r for r in peer.home.rooms if r.id == "living_room").floor == "first_floor"
    devs = {d.id: d for d in peer.home.devices}
    assert devs["kitchen_ceiling"].kind == "light" and devs["kitchen_ceiling"].room == "kitchen"
    assert devs["kitchen_ceiling"].name == "Kitchen ceiling"
    # object ids shared by two entities, or equal to a room id, get their domain appended
    assert {"bedroom_switch", "bedroom_cover", "garage_light", "kitchen_switch"} <= set(devs)
    assert "bedroom" not in devs and "garage" not in devs and "kitchen" not in devs
    assert devs["ceiling"].kind == "fan" and devs["ceiling"].effective_capabilities() == ["on_off"]
    assert devs["pet_door"].kind == "contact"
    assert devs["phone_battery"].kind == "sensor"
    assert devs["tv"].kind == "media_player" and devs["front_door"].kind == "lock"
    assert peer.entities["bedroom_cover"].device_class == "curtain"
    assert peer.entities["garage_light"].entity_id == "light.garage"


def test_conversion_skips_people_scenes_and_states(peer: PeerHome) -> None:
    assert dict(peer.skipped).keys() == {"script.stealth_mode", "weather.london"}
    assert peer.people == {"ada": ("Ada", "work")}
    assert [s.id for s in peer.home.scenes] == ["party_mode"]
    g = peer.graph()
    assert g.device("kitchen_ceiling").state["on"] is True
    assert g.device("bedroom_lamp").state["on"] is False
    assert g.device("bedroom_cover").state["position"] == 0
    assert g.device("curtain_left").state["position"] == 100
    assert g.device("front_door").state["locked"] is True
    assert g.device("pet_door").state["contact_open"] is False
    assert g.device("phone_battery").state["value"] == "normal"
    assert g.device("outside_temperature").state["value"] == 42
    assert g.device("outside_temperature").address["unit"] == "°F"
    assert g.device("thermostat").state == {"hvac_mode": "heat", "current_temperature": 21}
    assert g.device("tv").state["volume"] == 50
    assert g.person("ada").location == "work"
    assert peer.timers == [("pizza", 1505.0)]


def test_local_entities_are_added(skills: SkillRegistry) -> None:
    local = {"entities": [{"name": "Overhead Light", "domain": "light"}, {"name": "Kitchen", "domain": "cover"}]}
    p = convert(FIXTURES, local)
    assert p.entities["overhead_light"].local and p.entities["overhead_light"].kind == "light"
    assert p.entities["kitchen_cover"].kind == "cover"  # 'kitchen' is a room id
    assert "overhead_light" not in convert(FIXTURES).entities


@pytest.mark.skipif(not (SUITE / "ha_fixtures_en.json").exists(), reason="peer suite not present")
def test_real_fixture_home() -> None:
    p = convert(load_fixtures(SUITE / "ha_fixtures_en.json"))
    assert len(p.entities) + len(p.people) + len(p.home.scenes) + len(p.skipped) == 107
    assert {s for s, _ in p.skipped} == {"script.stealth_mode", "weather.london", "weather.los_angeles",
                                        "todo.trader_joes", "todo.chores", "valve.main_valve"}
    assert p.entities["kitchen_ceiling"].room == "kitchen"
    assert p.entities["light_binary_sensor"].device_class == "light"
    assert p.entities["traveling_speed"].kind == "sensor"


# ----------------------------------------------------------------------------------------------- mapping


def test_turn_on_by_name(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassTurnOn", {"name": "Kitchen ceiling"})
    assert exp.status == "supported"
    assert exp.alternatives == [_key(env, ("light_turn_on", {"device": "kitchen_ceiling"}))]
    exp, env = _expect(peer, skills, "HassTurnOff", {"name": "Front Door"})
    assert exp.alternatives == [_key(env, ("lock_unlock", {"device": "front_door"}))]
    exp, env = _expect(peer, skills, "HassTurnOn", {"name": "Party Mode", "domain": "scene", "area": "Kitchen"})
    assert exp.alternatives == [_key(env, ("scene_activate", {"scene": "party_mode"}))]


def test_area_domain_maps_to_room_call_and_per_device(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassTurnOff", {"area": "Kitchen", "domain": "light"})
    assert _key(env, ("light_turn_off", {"room": "kitchen"})) in exp.alternatives
    assert _key(env, ("light_turn_off", {"device": "kitchen_ceiling"}),
                ("light_turn_off", {"device": "kitchen_cabinets"})) in exp.alternatives
    assert len(exp.alternatives) == 2
    exp, env = _expect(peer, skills, "HassLightSet", {"area": "Bedroom", "brightness": 50})
    assert _key(env, ("light_set_brightness", {"room": "bedroom", "brightness": 50})) in exp.alternatives
    assert _key(env, ("light_turn_on", {"room": "bedroom", "brightness": 50})) in exp.alternatives
    exp, env = _expect(peer, skills, "HassTurnOn", {"domain": "light", "floor": "First Floor"})
    assert _key(env, ("light_turn_on", {"floor": "first_floor"})) in exp.alternatives


def test_group_call_only_when_it_selects_the_same_devices(peer: PeerHome, skills: SkillRegistry) -> None:
    # the living room has a blind besides its curtain: "close the curtains" is not every cover there
    exp, env = _expect(peer, skills, "HassTurnOff",
                       {"area": "Living Room", "domain": "cover", "device_class": "curtain"})
    assert exp.alternatives == [_key(env, ("cover_close", {"device": "curtain_left"}))]
    exp, env = _expect(peer, skills, "HassTurnOff", {"area": "Bedroom", "domain": "cover", "device_class": "curtain"})
    assert _key(env, ("cover_close", {"room": "bedroom"})) in exp.alternatives


def test_infeasible_and_unsupported(peer: PeerHome, skills: SkillRegistry) -> None:
    assert _expect(peer, skills, "HassTurnOn", {"area": "Kitchen", "domain": "fan", "name": "all"})[0].status \
        == "infeasible"
    assert _expect(peer, skills, "HassTurnOn", {"area": "Bedroom", "domain": "cover", "device_class": "blind"})[0] \
        .status == "infeasible"
    # 50 °C is outside climate_set_temperature's range: no valid call can express it
    exp = _expect(peer, skills, "HassClimateSetTemperature", {"area": "Living Room", "temperature": 50})[0]
    assert exp.status == "infeasible" and exp.alternatives == []
    for intent, slots in (("HassGetWeather", {}), ("HassMediaSearchAndPlay", {"search_query": "Queen"}),
                          ("HassTurnOn", {"domain": "script", "name": "Stealth Mode"}),
                          ("HassCancelAllTimers", {"area": "Kitchen"}), ("HassNevermind", {})):
        assert _expect(peer, skills, intent, slots)[0].status == "unsupported", intent


def test_list_slot_means_any_and_timers(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassCancelTimer", {"name": ["pizza ", "pizza"]})
    assert exp.status == "supported"
    assert exp.alternatives == [_key(env, ("timer_cancel", {"name": "pizza"}))]
    exp, env = _expect(peer, skills, "HassStartTimer", {"hours": 1, "minutes": 15, "seconds": 30})
    assert exp.alternatives == [_key(env, ("timer_start", {"seconds": 4530}))]
    exp, env = _expect(peer, skills, "HassTimerStatus", {"area": "Kitchen"})
    assert exp.alternatives == [_key(env, ("timer_status", {}))]


def test_state_questions_map_to_reads(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassGetState",
                       {"domain": "binary_sensor", "device_class": "battery", "name": "Phone", "state": "on"})
    assert exp.read and _key(env, ("query_state", {"device": "phone_battery"})) in exp.alternatives
    exp, env = _expect(peer, skills, "HassGetState", {"domain": "person", "name": "Ada"})
    assert exp.alternatives == [_key(env, ("where_is", {"person": "ada"}))]


def test_home_wide_in_here_without_room_accepts_decline(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassTurnOn", {"domain": "light"}, context_area=True)
    assert exp.decline_ok
    assert _key(env, ("light_turn_on", {"everywhere": True})) in exp.alternatives
    assert _key(env, ("light_turn_on", {})) in exp.alternatives
    assert not _expect(peer, skills, "HassTurnOn", {"domain": "light"})[0].decline_ok


# ----------------------------------------------------------------------------------------------- scoring


def test_score_right_and_wrong_control(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassTurnOff", {"area": "Kitchen", "domain": "light"})
    right = score_plan(_plan(("light_turn_off", {"room": "Kitchen"})), exp, env)  # a room name resolves
    assert right.correct and right.strict and right.intent and not right.invalid
    per_device = score_plan(_plan(("light_turn_off", {"device": "kitchen_cabinets"}),
                                  ("light_turn_off", {"device": "kitchen_ceiling"})), exp, env)
    assert per_device.correct and per_device.strict
    for wrong in (_plan(("light_turn_on", {"room": "kitchen"})), _plan(("light_turn_off", {"room": "bedroom"})),
                  _plan(("light_turn_off", {"device": "kitchen_ceiling"})), _plan(),
                  _plan(("light_turn_off", {"room": "kitchen"}), ("switch_turn_off", {"room": "kitchen"}))):
        s = score_plan(wrong, exp, env)
        assert not s.correct and not s.strict, wrong
    bad = score_plan(_plan(("light_turn_off", {"room": "kitchen", "colour": "red"})), exp, env)
    assert bad.invalid and not bad.correct
    assert score_plan(_plan(("lights_off", {})), exp, env).invalid


def test_score_same_effect_and_request_room(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassTurnOff", {"area": "Living Room", "domain": "fan", "name": "all"},
                       room="living_room")
    # the target-less call means the speaker's room
    assert score_plan(_plan(("switch_turn_off", {})), exp, env).correct
    # light_turn_off on the fan by id sends the same command: right by effect, not strictly
    s = score_plan(_plan(("light_turn_off", {"device": "ceiling"})), exp, env)
    assert s.correct and not s.strict and s.how == "effect"
    assert not score_plan(_plan(("switch_turn_on", {"device": "ceiling"})), exp, env).correct


def test_score_state_question_by_speech(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassClimateGetTemperature", {"area": "Living Room"})
    s = score_plan(_plan(("query_state", {"room": "living_room", "capability": "temperature_setpoint",
                                          "attribute": "current_temperature"})), exp, env)
    assert s.correct and not s.strict and s.how == "speech"
    # the whole room's state is a different answer
    assert not score_plan(_plan(("query_state", {"room": "living_room"})), exp, env).correct
    assert not score_plan(_plan(("query_state", {"device": "outside_temperature"})), exp, env).correct
    # a control plan never scores by speech
    assert not score_plan(_plan(("climate_set_temperature", {"device": "thermostat", "temperature": 21})),
                          exp, env).correct


def test_score_decline(peer: PeerHome, skills: SkillRegistry) -> None:
    exp, env = _expect(peer, skills, "HassGetWeather", {"name": "London"})
    assert score_plan(Plan(cannot="no weather", source="planner"), exp, env).correct
    assert not score_plan(_plan(("query_state", {})), exp, env).correct
    exp, env = _expect(peer, skills, "HassTurnOn", {"area": "Kitchen", "domain": "fan"})
    assert score_plan(Plan(cannot="no fan in the kitchen", source="planner"), exp, env).correct
    assert not score_plan(_plan(("switch_turn_on", {"room": "kitchen"})), exp, env).correct
