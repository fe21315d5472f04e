"""References resolved from the home model (hub/reasoner/references.py) through the one routing function the hub
and the evaluations use, and through the planner's grounding: relations, owners, "here", floors, empty rooms;
and what cannot be resolved is said, never widened."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fusehub.context.graph import ContextGraph
from fusehub.context.view import build_view
from fusehub.events import Actor, Plan, SkillCall
from fusehub.home import Home
from fusehub.household import RELATION_WORDS
from fusehub.model.datagen import home_for
from fusehub.reasoner.grounding import grounding_for
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.llm import LlmPlanner
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.planner import PlanRequest
from fusehub.reasoner.references import resolve_references
from fusehub.sdk import SkillRegistry
from fusehub.skills import load_skills
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_references import Recording

SKILLS = load_skills(False)
MATCHER = IntentMatcher("en", SKILLS)
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def demo(demo_home: Home) -> ContextGraph:
    g = ContextGraph()
    g.load_home(demo_home)
    g.set_person_location("mia", "home", "kids_room", 0.9, NOW)
    g.set_person_location("anna", "home", "kitchen", 0.9, NOW)
    g.set_person_location("sam", "home", "living_room", 0.9, NOW)
    return g


async def _route(g: ContextGraph, text: str, actor: str | None = None, room: str | None = None
                 ) -> tuple[list[tuple[str, dict[str, object]]], str | None, list[str | None]]:
    rec = Recording()
    routed = await route(text, g, SKILLS, MATCHER, rec, actor=Actor.person(actor) if actor else None, room=room,
                         now=NOW)
    return [(c.skill, dict(c.args)) for c in routed.plan.calls], routed.plan.cannot, rec.asked


@pytest.mark.parametrize(("text", "actor", "room"), [
    ("turn off the lights in my room", "ben", "bedroom"),
    ("turn off the lights in my room", "anna", "bedroom"),
    ("turn off the lights in my daughter's room", "anna", "kids_room"),
    ("turn off the lights in my daughter's room", "ben", "kids_room"),
    ("turn off the lights in Ben's room", None, "bedroom"),
    ("turn off the lights in Mia's mum's room", None, "bedroom"),
    ("switch on the light in my mum's room", "mia", "bedroom"),
    ("turn off the lights in the kids' rooms", "ben", "kids_room"),
    ("turn off the lights in my kids' rooms", "anna", "kids_room"),
    ("turn off the lights where Mia is", None, "kids_room"),
])
async def test_owned_rooms_and_relations_name_one_room(demo: ContextGraph, text: str, actor: str | None,
                                                        room: str) -> None:
    calls, cannot, asked = await _route(demo, text, actor)
    assert calls == [("light_turn_off" if "off" in text else "light_turn_on", {"room": room})], (calls, cannot)
    assert asked == []


@pytest.mark.parametrize(("text", "actor", "person"), [
    ("tell granddad dinner is ready", "mia", "Sam"),
    ("tell granddad dinner is ready", None, "Sam"),  # the one grandfather in the home
    ("tell my husband dinner is ready", "anna", "Ben"),
    ("tell my wife dinner is ready", "ben", "Anna"),
    ("ask Mia's dad to come down", None, "Ben"),
    ("tell the kids dinner is ready", "anna", "Mia"),
    ("tell my granddaughter dinner is ready", "sam", "Mia"),  # declared as Sam grandparent of Mia: both ways
    ("tell everyone upstairs dinner is ready", None, "Mia"),
])
async def test_relations_name_the_person(demo: ContextGraph, text: str, actor: str | None, person: str) -> None:
    r = resolve_references(text, demo, actor=actor)
    assert r.cannot is None and person in r.text.split(), r
    assert not any(w in r.text.split() for w in ("granddad", "husband", "wife", "dad", "kids", "granddaughter"))


async def test_my_parents_is_one_request_per_parent(demo: ContextGraph) -> None:
    r = resolve_references("tell my parents the film starts", demo, actor="mia")
    assert r.texts == ("tell Anna the film starts", "tell Ben the film starts") and r.people == ("anna", "ben")


async def test_the_empty_rooms_are_the_rooms_nobody_is_in(demo: ContextGraph) -> None:
    calls, cannot, _ = await _route(demo, "turn off the lights in the empty rooms")
    # Anna (kitchen), Mia (kids room) and Sam (living room) are in: not their rooms; the bathroom has no light
    assert calls == [("light_turn_off", {"room": r}) for r in ("hallway", "bedroom", "garden")] and cannot is None
    for p in ("anna", "mia", "sam"):
        demo.set_person_location(p, "away", None, 0.9, NOW)
    calls, _, _ = await _route(demo, "turn off the lights in the empty rooms")
    assert {c[1]["room"] for c in calls} == {"hallway", "living_room", "kitchen", "bedroom", "kids_room", "garden"}


async def test_in_here_is_the_speakers_room_and_refused_without_one(demo: ContextGraph) -> None:
    calls, _, _ = await _route(demo, "turn off the lights in here", room="kitchen")
    assert calls == [("light_turn_off", {"room": "kitchen"})]
    calls, cannot, asked = await _route(demo, "turn off the lights in here")
    assert calls == [] and cannot == "I don't know which room you're in" and asked == []


async def test_all_the_lights_include_the_outdoor_areas(demo: ContextGraph) -> None:
    calls, _, _ = await _route(demo, "turn off all the lights")
    assert calls == [("light_turn_off", {"everywhere": True})]
    kinds = {d.id for d in demo.devices(kind="light")}
    assert "garden_light" in kinds and demo.is_outdoor("garden")


@pytest.mark.parametrize(("text", "actor", "why"), [
    ("turn off the lights in my room", None, "I don't know who is speaking, so I don't know which room is yours"),
    ("turn off the lights in my room", "sam", "I don't know which room is yours"),
    ("turn off the lights in Sam's room", None, "I don't know which room is Sam's"),
    ("turn off the lights in granddad's room", "mia", "I don't know which room is Sam's"),
    ("turn off the lights in Zed's room", "anna", "I don't know anyone called Zed in this home"),
    ("turn off the lights in my cousin's room", "anna", "I don't know who your cousin is"),
    ("turn on the lights in my son's room", "anna", "I don't know who your son is"),
    ("tell my daughter dinner is ready", None, "I don't know who is speaking, so I can't tell who your daughter is"),
    ("tell my sister dinner is ready", "mia", "I don't know who your sister is"),
    ("tell my grandson dinner is ready", "sam", "I don't know who your grandson is"),  # Mia is a granddaughter
    ("turn off the lights where Ben is", None, "I don't know where Ben is right now"),
])
async def test_what_cannot_be_resolved_is_said_and_nothing_acts(demo: ContextGraph, text: str, actor: str | None,
                                                                 why: str) -> None:
    calls, cannot, asked = await _route(demo, text, actor)
    assert calls == [] and cannot == why and asked == []


async def test_ownership_survives_the_owner_walking_into_their_room(demo: ContextGraph) -> None:
    demo.set_person_location("ben", "home", "bedroom", 0.9, NOW)  # a located_in edge to the room Ben owns
    assert demo.rooms_owned_by("ben") == ["bedroom"]
    calls, _, _ = await _route(demo, "turn off the lights in my room", "ben")
    assert calls == [("light_turn_off", {"room": "bedroom"})]


def test_names_of_rooms_and_devices_are_not_read_as_relations(demo: ContextGraph) -> None:
    for text in ("turn on the kids room light", "turn off the lights in the kids room", "turn on the lights in "
                 "mia's room", "turn on the kids light"):
        r = resolve_references(text, demo, actor="anna")
        assert r.cannot is None and r.text == text


def test_a_home_without_floors_has_no_upstairs(demo: ContextGraph) -> None:
    home = ContextGraph()
    from fusehub.home import parse_home
    home.load_home(parse_home("rooms: [{id: den, name: Den}]\npeople: [{id: a, name: Al, role: owner}]\n"))
    assert resolve_references("turn off the lights upstairs", home).cannot == "There is no upstairs in this home"
    # a message's own words are not a place to act on
    assert resolve_references("tell Al to come downstairs", home).cannot is None


def test_the_planners_grounding_uses_the_same_resolver(demo: ContextGraph) -> None:
    text = "turn off the lights in my daughter's room"
    view = build_view(demo, text, speaker="anna")
    g = grounding_for(view, demo, text=text, room=None, speaker="anna")
    assert "kids_room" in g.allowed["room"]
    text = "turn off the lights in my room"
    g = grounding_for(build_view(demo, text, speaker="ben"), demo, text=text, room="kitchen", speaker="ben")
    assert g.allowed["room"] == frozenset({"bedroom", "kitchen"})
    g = grounding_for(build_view(demo, text), demo, text=text, room=None)  # who is "my"? nobody: no room
    assert g.allowed["room"] == frozenset()


@pytest.mark.parametrize(("text", "actor", "want"), [
    ("text my mum that grandma is on the phone", "mia", "text Anna that grandma is on the phone"),
    ("tell granddad that mum is home", "mia", "tell Sam that mum is home"),
    ("tell Ben that my daughter is home", "anna", "tell Ben that my daughter is home"),
])
def test_a_message_names_its_recipient_and_keeps_its_own_words(demo: ContextGraph, text: str, actor: str,
                                                                 want: str) -> None:
    r = resolve_references(text, demo, actor=actor)
    assert r.cannot is None and r.text == want


# ------------------------------------------------------------------------------------------ property, generated homes

OWN_TEMPLATES = ("turn off the lights in {w}", "switch on the light in {w}", "dim the lights in {w}",
                 "turn the lights off in {w}")


@pytest.fixture(scope="module")
def llm(planner_model: Path) -> LlmPlanner:
    return LlmPlanner.load(planner_model, SKILLS)


@pytest.mark.timeout(600)
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(home=st.integers(0, 400), template=st.sampled_from(OWN_TEMPLATES), form=st.sampled_from(["my", "name", "rel"]),
       pick=st.integers(0, 50), minute=st.integers(0, 1439))
async def test_a_relation_or_ownership_reference_never_acts_outside_the_room_it_names(
    llm: LlmPlanner, home: int, template: str, form: str, pick: int, minute: int
) -> None:
    """Over generated held-out homes, with the real planner behind the templates: "my room", "<name>'s room" and
    "my <relative>'s room" act only in the room the home model says (or nowhere, with the reason said, when it
    names no room), never in the whole home; and the same request gives the same plan at two minutes."""
    g = ContextGraph()
    g.load_home(home_for(f"heldout-{home}"))
    people = g.people()
    rooms = g.rooms()
    speaker = people[pick % len(people)]
    speaker_room = rooms[pick % len(rooms)].id
    g.set_person_location(speaker.id, "home", speaker_room, 0.95, NOW)
    if form == "my":
        whose, owner = "my room", speaker.id
    elif form == "name":
        other = people[(pick + 1) % len(people)]
        whose, owner = f"{other.name}'s room", other.id
    else:
        rels = [(w, q) for w, rw in RELATION_WORDS.items() if not rw.plural and " " not in w
                for q in g.relatives(speaker.id, rw.relation, rw.gender)
                if len(g.relatives(speaker.id, rw.relation, rw.gender)) == 1]
        if not rels:
            return
        word, owner = rels[pick % len(rels)]
        whose = f"my {word}'s room"
    owned = g.rooms_owned_by(owner)
    text = template.format(w=whose)
    plans = []
    for at in (NOW.replace(hour=minute // 60, minute=minute % 60), NOW.replace(hour=(minute // 60 + 7) % 24)):
        routed = await route(text, g, SKILLS, MATCHER, llm, room=speaker_room, actor=Actor.person(speaker.id),
                             now=at)
        plans.append(routed.plan)
    assert plans[0] == plans[1]
    plan = plans[0]
    if len(owned) != 1:  # no room of theirs, or several ("Which of your rooms do you mean: ...?")
        assert plan.calls == [] and plan.cannot, (text, plan)
        return
    for call in plan.calls:
        assert not call.args.get("everywhere") and "floor" not in call.args, (text, call)
        if "room" in call.args:
            assert call.args["room"] == owned[0], (text, call)
        if "device" in call.args:
            assert g.room_of(str(call.args["device"])) == owned[0], (text, call)


def test_my_room_among_several_is_asked_and_my_bedroom_is_the_bedroom(demo_home: Home) -> None:
    rooms = [r.model_copy(update={"owners": ["ben"]}) if r.id in ("bedroom", "garage") else r
             for r in demo_home.rooms]
    g = ContextGraph()
    g.load_home(demo_home.model_copy(update={"rooms": rooms}))
    r = resolve_references("turn off the lights in my room", g, actor="ben")
    assert r.cannot == "Which of your rooms do you mean: the Garage or the Bedroom?"
    assert resolve_references("turn off the lights in Ben's room", g).cannot.startswith("Which of Ben's rooms")
    assert resolve_references("turn off the lights in my bedroom", g, actor="ben").rooms == ("bedroom",)


@pytest.mark.parametrize(("text", "calls", "cannot"), [
    ("set the living room lamp to purple", [],
     "The Living room lamp cannot be set to purple; it offers red, blue, green, white and warm white"),
    ("set the living room lamp to red", [("light_set_color", {"device": "living_light", "color": "red"})], None),
])
async def test_a_value_a_device_does_not_offer_is_refused_in_the_plan(
        demo: ContextGraph, text: str, calls: list[tuple[str, dict[str, object]]], cannot: str | None) -> None:
    got, why, _ = await _route(demo, text, "anna", "kitchen")
    assert (got, why) == (calls, cannot)


async def test_the_refusal_keeps_the_calls_that_fit(demo: ContextGraph) -> None:
    from fusehub.reasoner.options import keep_options

    plan = Plan(calls=[SkillCall(skill="light_turn_on", args={"room": "kitchen"}),
                       SkillCall(skill="car_precondition", args={"car": "anna_car", "temperature": 30})])
    kept = keep_options(plan, demo, "kitchen")
    assert kept.calls == plan.calls[:1] and kept.cannot == "Anna's car goes from 16 to 26 degrees, not 30"


class Proposing:
    """A planner that proposes one fixed plan (the seam the model crosses)."""

    name = "proposing"

    def __init__(self, proposed: Plan) -> None:
        self.proposed = proposed

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        return self.proposed


@pytest.mark.parametrize(("mode", "cannot"), [
    ("cool", "The Thermostat cannot be set to cool; it offers off, heat and auto"), ("heat", None)])
async def test_a_mode_the_planner_proposes_is_kept_to_the_devices_options(demo: ContextGraph, mode: str,
                                                                          cannot: str | None) -> None:
    proposed = Plan(source="planner", calls=[SkillCall(skill="climate_set_mode",
                                                       args={"device": "thermostat", "mode": mode})])
    routed = await route("make the thermostat do its thing", demo, SKILLS, MATCHER, Proposing(proposed),
                         actor=Actor.person("anna"), room="kitchen", now=NOW)
    assert routed.plan.cannot == cannot and len(routed.plan.calls) == (0 if cannot else 1)
