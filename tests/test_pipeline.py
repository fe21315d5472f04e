"""Routing an utterance (hub/reasoner/pipeline.py): declared attributes, local intents, then the planner.

The matcher is the real one on a real home; the planner is a recording one (the Planner protocol is the
seam the on-hub model also crosses) and, at the end, the real model. A final `cannot` from the matcher
is the answer: the planner is not asked. A tentative one (an unknown name) goes to the planner, whose
calls win; if it has none, the matcher's reason stands.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.llm import LlmPlanner
from fusehub.reasoner.pipeline import route

from tests.conftest import Recording
from tests.test_intents import _graph

SKILLS = load_skills(False)


CALL = Plan(source="planner", calls=[SkillCall(skill="switch_turn_on", args={"device": "coffee_maker"})])
DECLINE = Plan(source="planner", confidence=0.0, cannot="I did not understand that")


@pytest.fixture(scope="module")
def graph() -> ContextGraph:
    return _graph()


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher(skills=SKILLS)


@pytest.mark.parametrize("text", [
    "turn on the fan in the kitchen",  # no fan there
    "turn on the ceiling light",  # two of them
    "what is the weather like",  # understood, no skill
    "turn on the kitchen light",  # matched and mapped
])
async def test_the_planner_is_not_asked_when_the_matcher_has_the_answer(
    graph: ContextGraph, matcher: IntentMatcher, text: str
) -> None:
    planner = Recording(CALL)
    routed = await route(text, graph, SKILLS, matcher, planner)
    assert planner.asked == []
    assert routed.stage == "intent" and routed.match is not None
    assert routed.plan is routed.match.plan


async def test_a_tentative_cannot_goes_to_the_planner_whose_calls_win(
    graph: ContextGraph, matcher: IntentMatcher
) -> None:
    planner = Recording(CALL)
    routed = await route("switch on the coffee pot", graph, SKILLS, matcher, planner)
    assert planner.asked == ["switch on the coffee pot"]
    assert routed.stage == "planner" and routed.plan is CALL
    assert routed.match is not None and routed.match.plan.cannot  # the matcher's reading is kept


async def test_the_planner_may_not_substitute_another_device_for_a_name_the_home_lacks(
    graph: ContextGraph, matcher: IntentMatcher
) -> None:
    planner = Recording(CALL)  # the coffee maker, for a shed door the home does not have
    routed = await route("unlock the shed door", graph, SKILLS, matcher, planner)
    assert planner.asked == ["unlock the shed door"]
    assert routed.plan.calls == [] and routed.plan.cannots == ["there is no device called 'shed door'"]


async def test_a_tentative_cannot_stands_when_the_planner_has_no_calls(
    graph: ContextGraph, matcher: IntentMatcher
) -> None:
    planner = Recording(DECLINE)
    routed = await route("unlock the shed door", graph, SKILLS, matcher, planner)
    assert planner.asked == ["unlock the shed door"]
    assert routed.stage == "intent" and routed.plan.cannot and "shed door" in routed.plan.cannot


async def test_what_no_template_matches_goes_to_the_planner(graph: ContextGraph, matcher: IntentMatcher) -> None:
    planner = Recording(CALL)
    routed = await route("make me a coffee", graph, SKILLS, matcher, planner)
    assert planner.asked == ["make me a coffee"] and routed.stage == "planner" and routed.match is None


async def test_modes_force_one_path(graph: ContextGraph, matcher: IntentMatcher) -> None:
    planner = Recording(CALL)
    only_intents = await route("make me a coffee", graph, SKILLS, matcher, planner, mode="intents")
    assert planner.asked == [] and only_intents.plan.cannot and not only_intents.plan.calls
    tentative = await route("unlock the shed door", graph, SKILLS, matcher, planner, mode="intents")
    assert planner.asked == [] and tentative.plan.cannot
    only_planner = await route("turn on the coffee maker", graph, SKILLS, matcher, planner, mode="planner")
    assert planner.asked == ["turn on the coffee maker"] and only_planner.plan is CALL


async def test_no_matcher_means_the_planner(graph: ContextGraph) -> None:
    planner = Recording(CALL)
    routed = await route("turn on the kitchen light", graph, SKILLS, None, planner)
    assert routed.stage == "planner" and planner.asked == ["turn on the kitchen light"]


async def test_with_the_real_model(graph: ContextGraph, matcher: IntentMatcher, planner_model: Path) -> None:
    """The model is consulted only for the tentative case, and whatever it answers validates."""
    planner = LlmPlanner.load(planner_model, SKILLS)
    final = await route("turn on the fan in the kitchen", graph, SKILLS, matcher, planner, room="kitchen")
    assert planner.stats.requests == 0
    assert final.plan.cannot is not None and "fan" in final.plan.cannot and not final.plan.calls
    tentative = await route("unlock the shed door", graph, SKILLS, matcher, planner)
    assert planner.stats.requests == 1 and planner.stats.invalid == 0
    for call in tentative.plan.calls:
        SKILLS.get(call.skill).validate_args(call.args)
    assert tentative.plan.calls or tentative.plan.cannot
