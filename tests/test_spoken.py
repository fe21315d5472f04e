"""Spoken numbers (`hub.reasoner.spoken`): how long a timer request's words say it lasts, and which levels a
request's words say (brightness, volume, position)."""

from __future__ import annotations

import pytest
from fusehub.model import datagen
from fusehub.reasoner.grounding import LEVEL_KEYS
from fusehub.reasoner.spoken import spoken_durations, spoken_levels
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(("text", "seconds"), [
    ("set a timer for 10 minutes", {600}),
    ("remind me in a minute", {60}),
    ("an hour", {3600}),
    ("two hours", {7200}),
    ("twenty five minute timer", {1500}),
    ("set a twenty-five minute timer", {1500}),
    ("start an 11 minute timer", {660}),
    ("countdown 45 seconds", {45}),
    ("3 mins", {180}),
    ("1.5 hours", {5400}),
    ("half a minute", {30}),
    ("half an hour for the pasta", {1800}),
    ("a half hour", {1800}),
    ("1/2 an hour", {1800}),
    ("a quarter of an hour", {900}),
    ("4 and a half minutes", {270}),
    ("2 and a 1/2 hours", {9000}),
    ("an hour and a half", {5400}),
    ("1 hour and 20 minutes", {4800}),
    ("2 hours, 5 minutes and 10 seconds", {7510}),
    ("a 3 minute 15 second timer", {195}),
    ("an hour and 30 seconds", {3630}),
    ("a 5 minute timer and a 10 minute timer", {300, 600}),
    ("10 minutes and 2 hours", {600, 7200}),  # units that rise start a new duration
])
def test_spoken_durations(text: str, seconds: set[int]) -> None:
    assert spoken_durations(text) == seconds


@pytest.mark.parametrize("text", [
    "set a timer", "cancel the pasta timer", "turn on the lights", "a couple of minutes", "", "minutes",
    "set the heating to 21", "half the lights",
])
def test_no_duration_is_no_narrowing(text: str) -> None:
    assert spoken_durations(text) == frozenset()


def test_every_generated_timer_lasts_what_its_words_say() -> None:
    """The training and held-out timers (extras included) all pass: grounding never rules out a label."""
    exs = [e for split, seed, x in (("train", 5, 0.5), ("heldout", 11, 0.0))
           for e in datagen.generate(1500, split, seed, weights={c: 0.0 for c in datagen.CATEGORIES} | {"timer": 1.0},
                                     extras=x)]
    started = [(e.text, c.args["seconds"]) for e in exs for c in e.calls if c.skill == "timer_start"]
    assert len(started) > 1000
    assert [(t, s) for t, s in started if t is None or s not in spoken_durations(t)] == []


@given(st.text(max_size=80))
def test_any_text_gives_whole_positive_seconds(text: str) -> None:
    assert all(isinstance(s, int) and s > 0 for s in spoken_durations(text))


@pytest.mark.parametrize(("text", "levels"), [
    ("set the kitchen lights to 40 percent", {40}),
    ("set the kitchen lights to 40%", {40}),
    ("volume to forty five", {45}),
    ("brightness at twenty", {20}),
    ("turn the volume up to the max", {100}),
    ("lights to full brightness", {100}),
    ("make the bedroom lamp as bright as it goes", {100}),
    ("lowest volume please", {1}),
    ("dim the lights to the minimum", {1}),
    ("open the blinds halfway", {50}),
    ("blinds half way", {50}),
    ("dim the lights all the way", {1, 100}),  # either end: the direction is the skill's, not the number's
    ("bedroom to 30 and kitchen to 70", {30, 70}),
    ("set the overhead light to one hundred percent", {100}),  # was 1: "one" then an unread "hundred"
])
def test_spoken_levels(text: str, levels: set[int]) -> None:
    assert spoken_levels(text) == levels


@pytest.mark.parametrize("text", [
    "dim the lights a bit", "turn up the volume", "open the blinds", "turn on a light", "", "an hour",
])
def test_no_level_is_no_narrowing(text: str) -> None:
    assert spoken_levels(text) == frozenset()


def test_every_generated_level_is_one_its_words_say() -> None:
    """Every absolute brightness, volume and position in the training and held-out labels (all categories,
    extras included) is one its request's words say, or the request says none: grounding never rules out a
    label."""
    exs = [e for split, seed, x in (("train", 5, 0.5), ("heldout", 11, 0.0))
           for e in datagen.generate(3000, split, seed, extras=x)]
    set_ = [(e.text, c.args[k]) for e in exs if e.text for c in e.calls for k in LEVEL_KEYS if k in c.args]
    assert len(set_) > 150
    said = [(t, v) for t, v in set_ if spoken_levels(t)]
    assert len(said) > 100  # the rule is exercised, not vacuous
    assert [(t, v) for t, v in said if v not in spoken_levels(t)] == []


@given(st.text(max_size=80))
def test_any_text_gives_levels_as_whole_numbers(text: str) -> None:
    assert all(isinstance(v, int) and v >= 0 for v in spoken_levels(text))
