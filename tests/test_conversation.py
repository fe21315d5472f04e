"""Small talk in pieces, messages to people in any of the usual frames, and chained relations, on the demo home
through the one routing function the hub and the evaluations use (hub/reasoner/smalltalk.py, tell.py,
references.py, pipeline.py). A recording planner shows what reached it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, DeviceSpec
from fusehub.home import load_home
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.smalltalk import REPLIES, small_talk, small_talk_kinds, social_kinds
from fusehub.skills import load_skills

from tests.conftest import DEMO_HOME, Recording

SKILLS = load_skills(False)
MATCHER = IntentMatcher("en", SKILLS)
NOW = datetime(2026, 12, 7, 19, 30, tzinfo=UTC)


def _demo() -> ContextGraph:
    g = ContextGraph()
    g.load_home(load_home(DEMO_HOME))
    g.set_person_location("mia", "home", "kitchen", 0.9, NOW)  # a speaker there; Mia has no phone
    g.set_person_location("ben", "away", None, 0.9, NOW)
    return g


@pytest.mark.parametrize("text,kinds", [
    ("hi fusehub, thanks a lot", ["greeting", "thanks"]),
    ("ok great, thank you", ["acknowledgement", "thanks"]),
    ("good job", ["praise"]),
    ("you're the best", ["praise"]),
    ("oh thanks again mate", ["thanks"]),
    ("Hello there! How are you doing?", ["greeting", "how"]),
    ("tell me a joke", ["joke"]),
    ("fusehub", []),
])
def test_small_talk_is_read_in_pieces(text: str, kinds: list[str]) -> None:
    assert small_talk_kinds(text) == kinds
    plan = small_talk(text)
    assert plan is not None and plan.calls == [] and plan.cannot is None and plan.speech
    for k in kinds:
        assert REPLIES[k][0] in plan.speech


@pytest.mark.parametrize("text", [
    "what time is it", "thanks, the weather", "hello, turn on the kitchen light", "thanks, now lights off",
    "hello " * 8, "so", "tell me about the kitchen",
])
def test_a_piece_that_is_not_small_talk_makes_it_none(text: str) -> None:
    assert small_talk_kinds(text) is None and small_talk(text) is None


async def test_small_talk_around_a_request_is_manners_and_the_request_acts() -> None:
    g, rec = _demo(), Recording()
    routed = await route("thanks, turn off the light", g, SKILLS, MATCHER, rec, room="living_room", now=NOW)
    assert [(c.skill, c.args) for c in routed.plan.calls] == [("light_turn_off", {"room": "living_room"})]
    routed = await route("thanks, now turn off the lights", g, SKILLS, MATCHER, rec, room="living_room", now=NOW)
    assert [(c.skill, c.args) for c in routed.plan.calls] == [("light_turn_off", {"room": "living_room"})]
    routed = await route("hey there fusehub", g, SKILLS, MATCHER, rec, room="living_room", now=NOW)
    assert routed.stage == "small talk" and routed.plan.speech == "Hello."
    assert rec.asked == []


@pytest.mark.parametrize("text,person", [
    ("drop Anna a line: the pizza is here", "anna"),
    ("send a note to Anna: the pizza is here", "anna"),
    ("ping Anna that the pizza is here", "anna"),
    ("could you send Anna a quick message saying the pizza is here", "anna"),
    ("shoot a text to Anna: the pizza is here", "anna"),
    ("give Anna a heads up that the pizza is here", "anna"),
    ("write to Anna: the pizza is here", "anna"),
    ("drop Mia's mum a line: the pizza is here", "anna"),      # a relation of a named person
    ("ping Mia's dad's wife that the pizza is here", "anna"),  # relations chained
])
async def test_a_message_to_someone_away_goes_to_their_phone_word_for_word(text: str, person: str) -> None:
    g = _demo()
    g.set_person_location("anna", "away", None, 0.9, NOW)
    routed = await route(text, g, SKILLS, MATCHER, Recording(), room="living_room", actor=Actor.person("ben"),
                         now=NOW)
    assert [(c.skill, c.args) for c in routed.plan.calls] == [
        ("phone_notify", {"person": person, "message": "the pizza is here"})]


async def test_a_message_is_announced_where_the_person_is_and_keeps_its_please() -> None:
    # conventions.md 10; a final "please" is the message's own word ("feed the cat please"), kept as said
    routed = await route("drop Mia a line: feed the cat please", _demo(), SKILLS, MATCHER, Recording(),
                         room="living_room", now=NOW)
    assert [(c.skill, c.args) for c in routed.plan.calls] == [
        ("speaker_announce", {"message": "feed the cat please", "room": "kitchen"})]


@pytest.mark.parametrize("text,calls", [
    ("I'd like the lights on in Anna's daughter's room", [("light_turn_on", {"room": "kids_room"})]),
    ("get the lights off in Ben's wife's daughter's room", [("light_turn_off", {"room": "kids_room"})]),
    ("could the lights in the bedroom go on", [("light_turn_on", {"room": "bedroom"})]),
])
async def test_wishes_with_a_place_and_chained_relations(text: str, calls: list[tuple[str, dict[str, str]]]) -> None:
    routed = await route(text, _demo(), SKILLS, MATCHER, Recording(), room="living_room", now=NOW)
    assert [(c.skill, c.args) for c in routed.plan.calls] == calls


async def test_a_chained_relation_nobody_has_is_said() -> None:
    routed = await route("turn on the lights in Mia's daughter's room", _demo(), SKILLS, MATCHER, Recording(),
                         room="living_room", now=NOW)
    assert routed.plan.calls == [] and routed.plan.cannot and "daughter" in routed.plan.cannot


@pytest.mark.parametrize("text", [
    "cheers love", "ta very much", "much obliged", "smashing", "sweet as", "right, fair enough then",
    "okey doke", "no worries", "you're a diamond", "good on you", "that was really quick, ta",
    "howdy partner", "evening all", "you alright", "laters", "gotta run", "my bad", "what a lovely day",
    "happy new year", "are you there", "lol", "   ",
])
async def test_not_a_request_gets_a_short_reply_and_nothing_is_asked_or_done(text: str) -> None:
    rec = Recording()
    routed = await route(text, _demo(), SKILLS, MATCHER, rec, room="living_room", now=NOW)
    assert routed.stage == "small talk" and routed.plan.calls == [] and routed.plan.cannot is None
    assert routed.plan.speech and rec.asked == []


@pytest.mark.parametrize("text,kinds", [
    ("lovely stuff, cheers mate", ["thanks"]),
    ("that was really quick, you star", ["praise"]),
    ("brilliant, that's exactly right", ["acknowledgement"]),
    ("evening folks", ["greeting"]),
])
def test_social_words_alone_are_small_talk_by_their_kind(text: str, kinds: list[str]) -> None:
    assert social_kinds(text, _demo()) == kinds


@pytest.mark.parametrize("text", [
    "lovely, now lights off", "brilliant, is it on", "thanks for turning on the kitchen light", "perfect mia",
    "great, how warm is it", "hello hello hello hello", "ok ok ok cool",
])
def test_actionable_content_or_a_home_name_is_no_small_talk(text: str) -> None:
    assert social_kinds(text, _demo()) is None


async def test_a_social_word_that_names_something_in_this_home_is_left_to_the_other_stages() -> None:
    g = _demo()
    assert social_kinds("you diamond", g) == ["acknowledgement"]
    g.upsert_device(DeviceSpec(key="generic:diamond", name="Diamond lamp", kind="light", capabilities=["on_off"],
                               room="living_room"))
    assert social_kinds("you diamond", g) is None
    assert small_talk("you diamond", g) is None


@pytest.mark.parametrize("text", ["stop", "stop the music", "cancel the timer", "good morning, open the blinds",
                                  "lovely, now dim the lights", "what's the temperature"])
async def test_requests_are_not_turned_into_small_talk(text: str) -> None:
    routed = await route(text, _demo(), SKILLS, MATCHER, Recording(), room="living_room", now=NOW)
    assert routed.stage != "small talk" and routed.plan.calls
