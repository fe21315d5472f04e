"""Comfort statements act on the speaker's room with the conventions' defaults (hub/reasoner/comfort.py), through
the one routing function: nothing is guessed without a room, a room without such a device is said, and a request
that only starts like a statement goes on to the other stages."""

from __future__ import annotations

import pytest
from fusehub.context.graph import ContextGraph
from fusehub.events import Plan
from fusehub.home import load_home
from fusehub.reasoner.comfort import BRIGHTNESS_STEP, DEGREE_STEP, REMARK_REPLY, UNKNOWN_ROOM, comfort
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.planner import NullPlanner
from fusehub.skills import load_skills

from tests.conftest import DEMO_HOME

SKILLS = load_skills(False)


def _demo() -> ContextGraph:
    g = ContextGraph()
    g.load_home(load_home(DEMO_HOME))
    return g


@pytest.mark.parametrize("text,skill,change", [
    ("I'm freezing", "climate_set_temperature", DEGREE_STEP),
    ("it's a bit chilly in here", "climate_set_temperature", DEGREE_STEP),
    ("We're so cold!", "climate_set_temperature", DEGREE_STEP),
    ("it is way too hot", "climate_set_temperature", -DEGREE_STEP),
    ("It's too dark in here.", "light_set_brightness", BRIGHTNESS_STEP),
    ("it's getting dark", "light_set_brightness", BRIGHTNESS_STEP),
    ("it's too bright", "light_set_brightness", -BRIGHTNESS_STEP),
])
def test_a_comfort_statement_acts_on_the_speakers_room(text: str, skill: str, change: float) -> None:
    plan = comfort(text, _demo(), "living_room")
    assert plan is not None and plan.cannot is None
    assert [(c.skill, c.args) for c in plan.calls] == [(skill, {"room": "living_room", "change": change})]


@pytest.mark.parametrize("text,skill,change", [
    ("brr, it's freezing in here", "climate_set_temperature", DEGREE_STEP),
    ("ugh I'm really really cold", "climate_set_temperature", DEGREE_STEP),
    ("my feet are freezing", "climate_set_temperature", DEGREE_STEP),
    ("it's not warm enough in here", "climate_set_temperature", DEGREE_STEP),
    ("way too hot right now", "climate_set_temperature", -DEGREE_STEP),
    ("I can't see a thing in here", "light_set_brightness", BRIGHTNESS_STEP),
    ("there's not enough light", "light_set_brightness", BRIGHTNESS_STEP),
    ("the lights are way too bright", "light_set_brightness", -BRIGHTNESS_STEP),
])
def test_statements_are_read_in_parts(text: str, skill: str, change: float) -> None:
    plan = comfort(text, _demo(), "living_room")
    assert plan is not None and plan.cannot is None
    assert [(c.skill, c.args) for c in plan.calls] == [(skill, {"room": "living_room", "change": change})]


@pytest.mark.parametrize("text,room,skill,change", [
    ("the living room is way too warm", "living_room", "climate_set_temperature", -DEGREE_STEP),
    ("it's freezing in the living room", "living_room", "climate_set_temperature", DEGREE_STEP),
    ("the kitchen is dark", "kitchen", "light_set_brightness", BRIGHTNESS_STEP),
    ("it's getting a bit dim in the garden", "garden", "light_set_brightness", BRIGHTNESS_STEP),
])
def test_a_named_room_is_the_one_acted_on_wherever_the_speaker_is(text: str, room: str, skill: str,
                                                                   change: float) -> None:
    for speaker_room in ("bedroom", None):
        plan = comfort(text, _demo(), speaker_room)
        assert plan is not None and plan.cannot is None, text
        assert [(c.skill, c.args) for c in plan.calls] == [(skill, {"room": room, "change": change})]


@pytest.mark.parametrize("text", [
    "I'm cold, turn on the kitchen light", "turn the heating up", "is it cold outside", "the soup is too hot",
    "I'm not hot, I'm fine", "", "cold", "x" * 3000, "it's not cold", "the coffee is cold in the kitchen",
    "it's cold in the sauna",
])
def test_anything_else_is_not_a_comfort_statement(text: str) -> None:
    assert comfort(text, _demo(), "living_room") is None


def test_without_a_room_it_asks_which_never_guesses() -> None:
    for room in (None, "no_such_room"):
        plan = comfort("I'm freezing", _demo(), room)
        assert plan is not None and plan.calls == [] and plan.cannot == UNKNOWN_ROOM


def test_a_room_without_such_a_device_is_said() -> None:
    g = _demo()
    bare = next(r for r in g.rooms() if not g.devices(room=r.id, capability="temperature_setpoint"))
    plan = comfort("I'm freezing", g, bare.id)
    assert plan is not None and plan.calls == [] and plan.cannot == f"There's no thermostat in the {bare.name}"


async def test_the_pipeline_answers_comfort_before_the_planner() -> None:
    g = _demo()
    routed = await route("it's too dark in here", g, SKILLS, IntentMatcher("en", SKILLS), NullPlanner(),
                         room="kitchen")
    assert routed.stage == "comfort"
    assert routed.plan == Plan(source="intent", confidence=1.0, calls=routed.plan.calls)
    assert routed.plan.calls[0].args == {"room": "kitchen", "change": BRIGHTNESS_STEP}


@pytest.mark.parametrize("text,calls", [
    # the request is acted on; the statement beside it is its reason, not a second request
    ("I'm cold, turn on the kitchen light", [("light_turn_on", {"device": "kitchen_light"})]),
    ("thanks, turn off the light", [("light_turn_off", {"room": "living_room"})]),
    # an interjection beside a statement adds nothing
    ("brr, it's freezing in here", [("climate_set_temperature", {"room": "living_room", "change": DEGREE_STEP})]),
    # one feeling said twice is one adjustment, two feelings are two
    ("it's freezing, my hands are numb",
     [("climate_set_temperature", {"room": "living_room", "change": DEGREE_STEP})]),
    ("I'm cold, it's dark in here", [("climate_set_temperature", {"room": "living_room", "change": DEGREE_STEP}),
                                     ("light_set_brightness", {"room": "living_room", "change": BRIGHTNESS_STEP})]),
])
async def test_a_statement_beside_a_request_does_not_act(text: str, calls: list[tuple[str, dict[str, object]]]
                                                          ) -> None:
    routed = await route(text, _demo(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="living_room")
    assert [(c.skill, c.args) for c in routed.plan.calls] == calls
    assert routed.plan.cannot is None


async def test_a_statement_the_templates_read_as_a_device_name_is_still_a_statement() -> None:
    # the matcher's tentative "no device called 'lights are glaring'" gives way to the statement
    routed = await route("the lights are glaring", _demo(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(),
                         room="kitchen")
    assert routed.stage == "comfort"
    assert [(c.skill, c.args) for c in routed.plan.calls] == [
        ("light_set_brightness", {"room": "kitchen", "change": -BRIGHTNESS_STEP})]


_UP, _DOWN = DEGREE_STEP, -DEGREE_STEP
_LIGHTER, _DIMMER = BRIGHTNESS_STEP, -BRIGHTNESS_STEP


@pytest.mark.parametrize("text,skill,change", [
    # a thesaurus per feeling: British and American words, similes, idioms, the body
    ("it's nippy in here", "climate_set_temperature", _UP),
    ("it's brass monkeys in here", "climate_set_temperature", _UP),
    ("I'm chilled to the bone", "climate_set_temperature", _UP),
    ("it's like an igloo in here", "climate_set_temperature", _UP),
    ("my fingers are numb", "climate_set_temperature", _UP),
    ("I've been shivering", "climate_set_temperature", _UP),
    ("it isn't warm enough", "climate_set_temperature", _UP),
    ("it's not very warm in here", "climate_set_temperature", _UP),
    ("the heating is too low", "climate_set_temperature", _UP),
    ("I'm sweating buckets", "climate_set_temperature", _DOWN),
    ("it's like a furnace in here", "climate_set_temperature", _DOWN),
    ("it's unbearably muggy tonight", "climate_set_temperature", _DOWN),
    ("is it just me or is it sweltering in here", "climate_set_temperature", _DOWN),
    ("the temperature is way too high", "climate_set_temperature", _DOWN),
    ("I can hardly see anything", "light_set_brightness", _LIGHTER),
    ("I can't see my hand in front of my face", "light_set_brightness", _LIGHTER),
    ("there isn't enough light", "light_set_brightness", _LIGHTER),
    ("it's a bit dim in here", "light_set_brightness", _LIGHTER),
    ("it's like a cave in here", "light_set_brightness", _LIGHTER),
    ("the lights are too low", "light_set_brightness", _LIGHTER),
    ("there's far too much light", "light_set_brightness", _DIMMER),
    ("the lights are too harsh", "light_set_brightness", _DIMMER),
    ("the light is hurting my eyes", "light_set_brightness", _DIMMER),
    ("it's like a stadium in here", "light_set_brightness", _DIMMER),
    ("it's too light in here", "light_set_brightness", _DIMMER),
])
async def test_a_broad_lexicon_of_feelings_acts_on_the_speakers_room(text: str, skill: str, change: float) -> None:
    routed = await route(text, _demo(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="living_room")
    assert routed.stage == "comfort"
    assert [(c.skill, c.args) for c in routed.plan.calls] == [(skill, {"room": "living_room", "change": change})]


async def test_a_dim_room_is_made_brighter_not_dimmer() -> None:
    # "dim" here is how the room is, not a verb: the statement is read before amounts ("dim the lights")
    g, matcher = _demo(), IntentMatcher("en", SKILLS)
    felt = await route("it's too dim in the lounge", g, SKILLS, matcher, NullPlanner(), room="kitchen")
    assert [(c.skill, c.args) for c in felt.plan.calls] == [
        ("light_set_brightness", {"room": "living_room", "change": BRIGHTNESS_STEP})]
    asked = await route("dim the lights", g, SKILLS, matcher, NullPlanner(), room="living_room")
    assert asked.stage != "comfort" and all(c.args.get("change", 0) <= 0 for c in asked.plan.calls)


@pytest.mark.parametrize("text", ["the coffee is cold", "it's cold outside", "turn the heating up",
                                  "make it warmer in the kitchen", "is it too bright"])
async def test_what_is_no_comfort_statement_is_left_to_the_other_stages(text: str) -> None:
    routed = await route(text, _demo(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="living_room")
    assert routed.stage != "comfort"


async def test_a_new_word_without_a_known_room_asks_and_a_room_without_the_device_is_said() -> None:
    g = _demo()
    asked = await route("it's baltic", g, SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room=None)
    assert asked.plan.calls == [] and asked.plan.cannot == UNKNOWN_ROOM
    said = await route("the kitchen's like a sauna", g, SKILLS, IntentMatcher("en", SKILLS), NullPlanner(),
                       room="living_room")
    assert said.plan.calls == [] and said.plan.cannot == "There's no thermostat in the Kitchen"


FAMILY_HOME = DEMO_HOME.parent / "family.yaml"


def _family() -> ContextGraph:
    g = ContextGraph()
    g.load_home(load_home(FAMILY_HOME))
    return g


_FELT: dict[str, tuple[str, float]] = {"cold": ("climate_set_temperature", DEGREE_STEP),
                                       "hot": ("climate_set_temperature", -DEGREE_STEP),
                                       "dark": ("light_set_brightness", BRIGHTNESS_STEP),
                                       "bright": ("light_set_brightness", -BRIGHTNESS_STEP)}


@pytest.mark.parametrize("text,feeling", [
    # rhetorical questions state the feeling
    ("is it cold in here or is it just me", "cold"),
    ("is it me or is it warm in here", "hot"),
    ("why is it so dark in here", "dark"),
    ("how come it's so bright", "bright"),
    ("isn't it a bit chilly", "cold"),
    ("don't you think it's stuffy in here", "hot"),
    # a reason or a consequence after the statement
    ("it's cold in here so I'm wearing two jumpers", "cold"),
    ("I'm cold because the heating's off", "cold"),
    ("it's so cold I can't feel my toes", "cold"),
    ("it's far too hot to sleep", "hot"),
    ("it's sweltering so I opened the window", "hot"),
    ("it's so dark I can't read", "dark"),
    ("I'm hot and sweaty", "hot"),
    ("I'm frozen, absolutely frozen", "cold"),
    # comparisons, the heating as felt, the body's signs, the sun
    ("it's colder than a fridge in here", "cold"),
    ("it's warmer than I'd like", "hot"),
    ("the radiators are stone cold", "cold"),
    ("the heating isn't on", "cold"),
    ("the heating's up too high", "hot"),
    ("the temperature has dropped in here", "cold"),
    ("there's a draught in here", "cold"),
    ("I've got goosebumps", "cold"),
    ("my teeth are chattering", "cold"),
    ("I need to cool down", "hot"),
    ("it's a bit on the chilly side", "cold"),
    ("I'm squinting to read this", "dark"),
    ("the light's too low", "dark"),
    ("the lights aren't bright enough", "dark"),
    ("the sun's in my eyes", "bright"),
    ("the light's too bright", "bright"),
    ("it's hardly warm in here", "cold"),
])
async def test_statements_with_questions_reasons_and_signs_act_on_the_speakers_room(text: str, feeling: str) -> None:
    skill, change = _FELT[feeling]
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="study")
    assert [(c.skill, c.args) for c in routed.plan.calls] == [(skill, {"room": "study", "change": change})]
    assert routed.plan.cannot is None and not routed.plan.cannots


@pytest.mark.parametrize("text,feeling", [
    ("it's freezing in here, can barely feel my fingers", "cold"),
    ("it's baking, I can't think", "hot"),
    ("I'm chilled to the bone, it's miserable", "cold"),
    ("it's way too bright, my eyes hurt", "bright"),
])
async def test_an_aside_beside_a_statement_is_colour_not_a_refusal(text: str, feeling: str) -> None:
    skill, change = _FELT[feeling]
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="master_bedroom")
    assert [(c.skill, c.args) for c in routed.plan.calls] == [(skill, {"room": "master_bedroom", "change": change})]
    assert routed.plan.cannot is None and not routed.plan.cannots


async def test_a_reason_that_asks_for_something_is_a_request_not_a_statement() -> None:
    # "so turn on ..." asks: the statement does not act in its place
    routed = await route("it's dark so turn on the lamp", _family(), SKILLS, IntentMatcher("en", SKILLS),
                         NullPlanner(), room="study")
    assert all(c.skill != "light_set_brightness" or c.args.get("change") != BRIGHTNESS_STEP
               for c in routed.plan.calls)


@pytest.mark.parametrize("text", ["why is the soup so hot", "is it cold outside", "the tea is too hot",
                                  "it's freezing outside so wrap up", "it was cold in january",
                                  "the beer is nice and cold", "the bath is too hot"])
async def test_questions_and_things_that_are_no_room_do_not_act(text: str) -> None:
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="study")
    assert routed.stage != "comfort" and not any(c.skill in ("climate_set_temperature", "light_set_brightness")
                                                 for c in routed.plan.calls)


async def test_the_kitchen_without_a_thermostat_is_said_even_in_a_question() -> None:
    routed = await route("why is it so cold in the kitchen", _family(), SKILLS, IntentMatcher("en", SKILLS),
                         NullPlanner(), room="study")
    assert routed.plan.calls == [] and routed.plan.cannot == "There's no thermostat in the Kitchen"


@pytest.mark.parametrize("text,feeling,room", [
    ("the heating's on but it's still cold", "cold", "study"),
    ("the cold is killing me", "cold", "study"),
    ("I can't stand this heat", "hot", "study"),
    ("there's cold air coming in", "cold", "study"),
    ("the heating doesn't seem to be on", "cold", "study"),
    ("it's been freezing all morning", "cold", "study"),
    ("it's a bit gloomy for reading", "dark", "study"),
    ("the lights in the nursery are too bright", "bright", "nursery"),
    ("the study lights are blinding", "bright", "study"),
    ("the bedroom is freezing", "cold", "master_bedroom"),  # the family home's one bedroom by that word
    ("I'm freezing, can you do something about it", "cold", "study"),
])
async def test_more_ways_of_saying_it_act_on_the_room_meant(text: str, feeling: str, room: str) -> None:
    skill, change = _FELT[feeling]
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="study")
    assert [(c.skill, c.args) for c in routed.plan.calls] == [(skill, {"room": room, "change": change})]
    assert routed.plan.cannot is None and not routed.plan.cannots


async def test_what_an_aside_asks_for_is_still_answered() -> None:
    # the family home has no sauna: the refusal is said beside the statement's adjustment, not dropped as colour
    routed = await route("I'm freezing, turn on the sauna heater", _family(), SKILLS, IntentMatcher("en", SKILLS),
                         NullPlanner(), room="study")
    assert routed.plan.cannot or routed.plan.cannots


@pytest.mark.parametrize("text", ["it's cold but don't touch the heating", "I'm cold but leave the heating alone"])
async def test_a_statement_with_a_request_not_to_act_does_not_act(text: str) -> None:
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="study")
    assert not any(c.skill == "climate_set_temperature" and c.args.get("change") == DEGREE_STEP
                   for c in routed.plan.calls)


async def test_two_feelings_are_two_adjustments_in_the_one_place() -> None:
    g, matcher = _family(), IntentMatcher("en", SKILLS)
    both = await route("it's cold and dark in here", g, SKILLS, matcher, NullPlanner(), room="study")
    assert sorted((c.skill, c.args["change"]) for c in both.plan.calls) == [
        ("climate_set_temperature", DEGREE_STEP), ("light_set_brightness", BRIGHTNESS_STEP)]
    assert all(c.args["room"] == "study" for c in both.plan.calls)
    one = await route("it's hot and stuffy in here", g, SKILLS, matcher, NullPlanner(), room="study")
    assert [(c.skill, c.args) for c in one.plan.calls] == [
        ("climate_set_temperature", {"room": "study", "change": -DEGREE_STEP})]


@pytest.mark.parametrize("text,feeling", [
    ("it's not warm at all", "cold"),
    ("it's far from warm in here", "cold"),
    ("it's not exactly toasty", "cold"),
    ("it's not very cool in here", "hot"),
    ("the radiators aren't even warm", "cold"),
    ("the heating must have gone off", "cold"),
    ("the heating's not doing its job", "cold"),
    ("the light level is too low", "dark"),
    ("the lights are barely on", "dark"),
    ("I need a torch in here", "dark"),
    ("the sunlight is blinding", "bright"),
    ("it's too sunny in here", "bright"),
    ("the sun's glaring on my screen", "bright"),
    ("I can't see my screen for the glare", "bright"),  # the glare, not the dark
    ("I'm going to freeze to death", "cold"),
    ("I've turned into a popsicle", "cold"),
    ("you could fry an egg in here", "hot"),
])
async def test_negations_the_heating_the_sun_and_exaggerations(text: str, feeling: str) -> None:
    skill, change = _FELT[feeling]
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="bathroom")
    assert [(c.skill, c.args) for c in routed.plan.calls] == [(skill, {"room": "bathroom", "change": change})]


@pytest.mark.parametrize("text", ["it's sunny today", "the sun is shining", "the lights are on", "it's not cold",
                                  "I'm not hot at all", "the heating bill is high"])
async def test_weather_and_states_are_not_complaints(text: str) -> None:
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="bathroom")
    assert routed.stage != "comfort"


@pytest.mark.parametrize("text", ["the soup is too hot", "my tea's gone cold", "it's cold outside",
                                  "it's freezing out there", "it's going to be hot tomorrow", "the beer's warm"])
async def test_a_remark_about_no_room_gets_a_reply_and_no_action(text: str) -> None:
    routed = await route(text, _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(), room="study")
    assert routed.plan.calls == [] and routed.plan.speech == REMARK_REPLY
    assert routed.plan.cannot is None and not routed.plan.cannots


async def test_a_device_of_the_home_said_too_warm_is_no_remark() -> None:
    # the family home's kettle is a device: "the kettle is too hot" is for the other stages, not a shrug
    routed = await route("the kettle is too hot", _family(), SKILLS, IntentMatcher("en", SKILLS), NullPlanner(),
                         room="kitchen")
    assert routed.plan.speech != REMARK_REPLY
