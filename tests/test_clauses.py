"""Multi-clause requests (hub/reasoner/clauses.py, guard.py, pipeline.py): normalised, split into clauses, each
resolved on its own by the real matcher on a real home, the union planned; every clause done or refused by name;
never a substitute device; values out of range refused, not capped."""

from __future__ import annotations

from pathlib import Path

import pytest
from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.home import load_home
from fusehub.reasoner.clauses import MAX_CLAUSES, MAX_REQUEST_CHARS, normalise, split_clauses
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.planner import NullPlanner, PlanRequest
from fusehub.sdk import SkillRegistry
from fusehub.skills import load_skills

HOME = Path(__file__).parent / "fixtures" / "homes" / "clauses_home.yaml"
SKILLS = load_skills(False)


def _graph() -> ContextGraph:
    g = ContextGraph()
    home = load_home(HOME)
    g.load_home(home)
    for d in home.devices:
        if d.initial:
            g.apply_state(d.id, dict(d.initial), None)
    return g


@pytest.fixture(scope="module")
def graph() -> ContextGraph:
    return _graph()


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher(skills=SKILLS)


def calls(plan: Plan) -> list[tuple[str, dict[str, object]]]:
    return [(c.skill, c.args) for c in plan.calls]


# ------------------------------------------------------------------------------------------ normalisation
@pytest.mark.parametrize(("text", "want"), [
    ("Set the heater to 22.", "Set the heater to 22"),
    ("set the heater to 21.5.", "set the heater to 21.5"),
    ("Could you please turn on the TV, thank you!", "turn on the TV"),
    ("hey fusehub, switch off the fan please", "switch off the fan"),
    ("  turn\toff   the light  ", "turn off the light"),
    ("thanks", "thanks"),  # nothing left: small talk answers it
])
def test_politeness_filler_and_final_marks_never_change_a_value(text: str, want: str) -> None:
    assert normalise(text) == want


async def test_a_trailing_full_stop_is_never_part_of_a_number(graph: ContextGraph, matcher: IntentMatcher) -> None:
    r = await route("Set the Air Purifier target humidity to 55.", graph, SKILLS, matcher, NullPlanner())
    assert calls(r.plan) == [("attribute_set", {"device": "purifier", "attribute": "target_humidity", "value": 55.0})]


# ------------------------------------------------------------------------------------------------ splitting
@pytest.mark.parametrize(("text", "want"), [
    ("Switch off the fan and the desk lamp, please.", ["Switch off the fan", "Switch off the desk lamp"]),
    ("set the study to 20 and the nursery to 22", ["set the study to 20", "set the nursery to 22"]),
    ("turn off the lights in the kitchen and the office",
     ["turn off the lights in the kitchen", "turn off the lights in the office"]),
    ("turn the fan and the lamp off", ["turn the fan off", "turn the lamp off"]),
    ("turn on the lamp, close the blinds then lock the door", ["turn on the lamp", "close the blinds",
                                                               "lock the door"]),
    ("turn on the lamp as well as the fan", ["turn on the lamp", "turn on the fan"]),
    ("set a timer for 1 hour and 30 minutes and turn off the tv",
     ["set a timer for 1 hour and 30 minutes", "turn off the tv"]),
    ("set timer for 1 hour, 15 minutes, and 30 seconds", ["set timer for 1 hour, 15 minutes, and 30 seconds"]),
    ("set a timer for 1 and a 1/2 hours", ["set a timer for 1 and a 1/2 hours"]),
    ("tell ann dinner is ready and wash your hands", ["tell ann dinner is ready and wash your hands"]),
    ("please tell ann to feed the cat please", ["tell ann to feed the cat please"]),  # a message keeps its words
    ("关掉风扇和台灯", ["关掉风扇", "关掉台灯"]),
    ("打开客厅的灯\uff0c然后关掉风扇", ["打开客厅的灯", "关掉风扇"]),
])
def test_a_request_is_split_into_clauses_sharing_a_verb(graph: ContextGraph, text: str, want: list[str]) -> None:
    assert split_clauses(text, graph).clauses == want


@pytest.mark.parametrize(("text", "want"), [
    ("table lamp and office lamp off", ["table lamp off", "office lamp off"]),
    ("I want the office lamp and the desk fan off", ["turn off the office lamp", "turn off the desk fan"]),
    ("first power off the office lamp, then pull the blinds down", ["turn off the office lamp", "close the blinds"]),
    ("deactivate each and every light", ["deactivate each and every light"]),
    ("first floor lights off", ["first floor lights off"]),
    ("set the study heater to 21 and after that desk fan off", ["set the study heater to 21", "desk fan off"]),
])
def test_verbless_objects_wishes_and_ordering_words(graph: ContextGraph, text: str, want: list[str]) -> None:
    assert split_clauses(text, graph).clauses == want


def test_names_the_home_has_are_never_cut(graph: ContextGraph) -> None:
    s = split_clauses("turn on the salt and pepper lamp and the lights in the bed and breakfast", graph)
    assert s.clauses == ["turn on the salt and pepper lamp", "turn on the lights in the bed and breakfast"]


def test_an_overlong_request_is_refused_never_cut(graph: ContextGraph) -> None:
    long = "turn on the office lamp " + "very " * (MAX_REQUEST_CHARS // 5)
    s = split_clauses(long, graph)
    assert s.clauses == [] and s.refused is not None and "too long" in s.refused
    many = " and ".join(["turn on the office lamp"] * (MAX_CLAUSES + 1))
    s = split_clauses(many, graph)
    assert s.clauses == [] and s.refused is not None and str(MAX_CLAUSES) in s.refused


# --------------------------------------------------------------------------------------- the union plan
async def test_each_clause_is_done_or_refused_by_name(graph: ContextGraph, matcher: IntentMatcher) -> None:
    r = await route("turn off the office lamp and the garage light", graph, SKILLS, matcher, NullPlanner(),
                    room="office")
    assert r.stage == "clauses" and len(r.parts) == 2
    assert calls(r.plan) == [("light_turn_off", {"device": "office_lamp"})]
    assert r.plan.cannots == ["there is no light in the Garage"]
    assert r.plan.cannot == "there is no light in the Garage"  # compatibility: the one reason


async def test_several_refusals_each_have_their_own_cannot(graph: ContextGraph, matcher: IntentMatcher) -> None:
    r = await route("turn on the speaker in the garage, set the study heater to 30 and turn on the office lamp",
                    graph, SKILLS, matcher, NullPlanner(), room="office")
    assert calls(r.plan) == [("light_turn_on", {"device": "office_lamp"})]
    assert r.plan.cannots == ["there is no speaker in the Garage",
                              "30 degrees is out of range for the Study Heater (16-28)"]
    assert r.plan.cannot is not None and r.plan.cannot.count(".") == 2  # joined, one sentence each


async def test_a_shared_verb_sets_two_rooms(graph: ContextGraph, matcher: IntentMatcher) -> None:
    r = await route("set the study to 20 and the nursery to 22", graph, SKILLS, matcher, NullPlanner())
    assert calls(r.plan) == [("climate_set_temperature", {"room": "study", "temperature": 20.0}),
                             ("climate_set_temperature", {"room": "nursery", "temperature": 22.0})]


# ----------------------------------------------------------------------------------- never substitute
class Substituting:
    """A planner that answers every request with a call on the office lamp (what a model guessing does)."""

    name = "substituting"

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        return Plan(source="planner", calls=[SkillCall(skill="light_turn_on", args={"device": "office_lamp"})])


@pytest.mark.parametrize(("text", "why"), [
    ("turn on the lamp in the garage", "in the Garage"),
    ("turn on the sauna light", "sauna"),
    ("switch on the porch lamp", "porch"),
    ("turn on the guest light in the study", "in the Study"),
])
async def test_a_named_device_or_room_is_never_substituted(
    graph: ContextGraph, matcher: IntentMatcher, text: str, why: str
) -> None:
    r = await route(text, graph, SKILLS, matcher, Substituting(), room="office")
    assert r.plan.calls == [], f"{text!r} acted on {calls(r.plan)}"
    assert r.plan.cannot is not None and why in r.plan.cannot


@pytest.mark.parametrize(("text", "why"), [
    ("dim the lights in the sauna a bit", "no room called 'sauna'"),
    ("turn the fan in the kitchen up a bit", "no fan in the Kitchen"),
])
async def test_a_relative_change_never_lands_elsewhere(
    graph: ContextGraph, matcher: IntentMatcher, text: str, why: str
) -> None:
    r = await route(text, graph, SKILLS, matcher, Substituting(), room="office")
    assert r.plan.calls == [] and r.plan.cannot is not None and why in r.plan.cannot


async def test_the_named_device_itself_is_allowed(graph: ContextGraph, matcher: IntentMatcher) -> None:
    r = await route("light up the office lamp", graph, SKILLS, matcher, Substituting(), room="office")
    assert calls(r.plan) == [("light_turn_on", {"device": "office_lamp"})]


# --------------------------------------------------------------------------- ranges and missing attributes
@pytest.mark.parametrize(("text", "why"), [
    ("set the study heater to 30", "out of range"),
    ("set the office lamp to 150%", "out of range"),
    ("set the air purifier target humidity to 90", "out of range"),
    ("set the air purifier fan speed to turbo", "not an option"),
])
async def test_absolute_values_out_of_range_are_refused_not_capped(
    graph: ContextGraph, matcher: IntentMatcher, text: str, why: str
) -> None:
    r = await route(text, graph, SKILLS, matcher, NullPlanner(), room="office")
    assert r.plan.calls == [] and r.plan.cannot is not None and why in r.plan.cannot


async def test_a_missing_attribute_is_named(graph: ContextGraph, matcher: IntentMatcher) -> None:
    r = await route("make the desk fan 10 percent brighter", graph, SKILLS, matcher, NullPlanner(), room="office")
    assert r.plan.calls == [] and r.plan.cannot == "the Desk Fan has no brightness"


# ------------------------------------------------------------------------------------------------- amounts
@pytest.mark.parametrize(("text", "want"), [
    ("turn the study heater up by 2 degrees", ("climate_set_temperature", {"device": "study_heater", "change": 2.0})),
    ("turn the study heater down half a degree",
     ("climate_set_temperature", {"device": "study_heater", "change": -0.5})),
    ("make the office lamp 10 percent brighter", ("light_set_brightness", {"device": "office_lamp", "change": 10})),
    ("make the office lamp 15% dimmer", ("light_set_brightness", {"device": "office_lamp", "change": -15})),
    ("dim the office lamp a bit", ("light_set_brightness", {"device": "office_lamp", "change": -20})),
    ("make the office lamp a little brighter", ("light_set_brightness", {"device": "office_lamp", "change": 20})),
    ("turn the kitchen speaker up by five", ("media_set_volume", {"device": "kitchen_speaker", "change": 5})),
    ("turn the kitchen speaker down a bit", ("media_set_volume", {"device": "kitchen_speaker", "change": -10})),
    ("raise the nursery heater by one and a half degrees",
     ("climate_set_temperature", {"device": "nursery_heater", "change": 1.5})),
    ("make it warmer in the study", ("climate_set_temperature", {"room": "study", "change": 1.0})),
    ("set the office lamp to max", ("light_set_brightness", {"device": "office_lamp", "brightness": 100})),
    ("set the office lamp to the lowest", ("light_set_brightness", {"device": "office_lamp", "brightness": 1})),
    ("set the office lamp to halfway", ("light_set_brightness", {"device": "office_lamp", "brightness": 50})),
    ("air purifier fan speed up one",
     ("attribute_set", {"device": "purifier", "attribute": "fan_speed", "value": "medium"})),
    ("turn the air purifier fan speed up two",
     ("attribute_set", {"device": "purifier", "attribute": "fan_speed", "value": "high"})),
    ("turn the air purifier target humidity down by 10",
     ("attribute_set", {"device": "purifier", "attribute": "target_humidity", "change": -10.0})),
])
async def test_amounts_are_read_exactly(
    graph: ContextGraph, matcher: IntentMatcher, text: str, want: tuple[str, dict[str, object]]
) -> None:
    r = await route(text, graph, SKILLS, matcher, NullPlanner(), room="office")
    assert calls(r.plan) == [want], r.plan


async def test_two_competing_readings_are_asked_naming_both(graph: ContextGraph, matcher: IntentMatcher) -> None:
    g = _graph()
    g.load_home(load_home(HOME).model_copy(update={"devices": [
        *load_home(HOME).devices,
        load_home(HOME).devices[0].model_copy(update={"id": "study_lamp", "name": "Study Lamp", "room": "study"}),
    ]}))
    r = await route("set the study to 20", g, SKILLS, matcher, NullPlanner())
    assert r.plan.calls == [] and r.plan.speech is not None
    assert "temperature" in r.plan.speech and "lights" in r.plan.speech


# ------------------------------------------------------------------------------------ the spoken reply
async def test_the_reply_says_what_was_done_and_what_was_not(tmp_path: Path) -> None:
    from fusehub.app import build_hub
    from fusehub.clock import RealClock
    from fusehub.config import HubConfig, ReasonerConfig
    from fusehub.events import Origin
    from fusehub.journal import Journal

    from tests.conftest import DEMO_HOME

    cfg = HubConfig(home=str(DEMO_HOME), data_dir=str(tmp_path), reasoner=ReasonerConfig(mode="intents"))
    hub = build_hub(cfg, clock=RealClock(), home=load_home(DEMO_HOME), journal=Journal(":memory:"))
    out = await hub.say("turn off the kitchen light and the garage fan", person="anna", room="kitchen",
                        origin=Origin.cli)
    assert [c.skill for c in out.plan.calls] == ["light_turn_off"] and out.verdicts == ["allowed"]
    # (no broker and no discovery here, so the command itself is not sent; the reply is what is tested)
    assert out.speech is not None
    assert out.speech.startswith("Turned off the Kitchen light. There is no fan in the Garage")
    assert out.to_json()["cannots"] == ["there is no fan in the Garage"]
    hub.journal.close()


class RoomWide:
    """A planner that answers with a room-wide switch call in the room named (what the model did for a speaker)."""

    name = "room-wide"

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        return Plan(source="planner", calls=[SkillCall(skill="switch_turn_off", args={"room": "office"})])


async def test_a_room_wide_call_for_a_kind_the_room_lacks_is_a_substitute(
    graph: ContextGraph, matcher: IntentMatcher
) -> None:
    r = await route("turn the speaker in the office off", graph, SKILLS, matcher, RoomWide(), room="kitchen")
    assert r.plan.calls == [] and r.plan.cannot is not None and "speaker" in r.plan.cannot


def test_a_room_wide_call_for_a_kind_the_room_has_stands(graph: ContextGraph) -> None:
    from fusehub.reasoner.guard import guarded
    from fusehub.reasoner.pipeline import Routed

    plan = Plan(source="planner", calls=[SkillCall(skill="switch_turn_off", args={"room": "office"})])
    assert guarded("switch the fans in the office off", Routed(plan, "planner"), graph, SKILLS, "kitchen") is plan


async def test_a_vacuum_cleaning_the_named_room_is_no_substitute() -> None:
    from tests.conftest import DEMO_HOME

    g = ContextGraph()
    g.load_home(load_home(DEMO_HOME))
    r = await route("clean the kitchen", g, SKILLS, IntentMatcher(skills=SKILLS), NullPlanner(), room="kitchen")
    assert [c.skill for c in r.plan.calls] == ["vacuum_clean_rooms"] and r.plan.cannots == []
