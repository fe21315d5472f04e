"""The data for questions over what the graph knows and for messages (hub/model/datagen/facts_qa.py and the
message category): held-out phrasings never in training, targets that follow the conventions, and the hub's own
pipeline (no model) answering the held-out examples exactly."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.events import Actor
from fusehub.model.datagen import CATEGORIES, Example, generate, home_for, templates
from fusehub.model.datagen.facts_qa import PHRASINGS
from fusehub.model.datagen.homes import WHEN
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.planner import NullPlanner

SKILLS = load_skills(False)
MINE = ("person_location", "attribute_question", "message")
_PERSON = re.compile(r'^person (\S+) "[^"\n]*" (.+)$', re.M)
_NAMED = re.compile(r'^person \S+ "([^"\n]*)" (.+)$', re.M)
_SPEAKER = re.compile(r"^speaker (\S+) (\S+)$", re.M)


def test_the_categories_are_registered_and_the_held_out_phrasings_are_never_trained() -> None:
    assert {"person_location", "attribute_question"} <= set(CATEGORIES)
    trained = {t for ts in templates("train").values() for _, t in ts}
    for kind, by_split in PHRASINGS.items():
        assert by_split["heldout"] and by_split["train"], kind
        assert not set(by_split["heldout"]) & set(by_split["train"]), kind
        assert not set(by_split["heldout"]) & trained, kind


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return generate(90, "heldout", 5, weights={c: (30.0 if c in MINE else 0.0) for c in CATEGORIES})


def test_targets_follow_the_conventions(heldout: list[Example]) -> None:
    cats = Counter(e.category for e in heldout)
    assert all(cats[c] >= 20 for c in MINE), cats
    for e in heldout:
        skills = [c.skill for c in e.calls]
        if e.category == "person_location":
            assert skills == ["where_is"]
        elif e.category == "attribute_question":
            assert skills == ["attribute_get"]
        elif e.text is not None:
            # a message for a named person: their speaker when home in a room with one, else their phone
            named = [(n, where) for n, where in _NAMED.findall(e.user) if re.search(rf"\b{n}\b", e.text)]
            if len(named) != 1 or skills not in (["speaker_announce"], ["phone_notify"]):
                continue
            if skills == ["speaker_announce"]:
                assert named[0][1] == f"home {e.calls[0].args['room']}", (e.text, named[0][1])
            else:  # the phone: asked for outright, or the person is not home in a room with a speaker
                place, _, room = named[0][1].partition(" ")
                speakers = [d for d in home_for(e.home_id).devices
                            if d.room == room and "tts" in d.effective_capabilities()]
                assert re.search(r"(?i)\b(text|notify|sms|notification)\b", e.text) or place != "home" \
                    or not room or not speakers, (e.text, named[0][1])


async def test_the_pipeline_answers_the_held_out_questions_and_messages(heldout: list[Example]) -> None:
    matcher = IntentMatcher("en", SKILLS)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for e in heldout:
        if e.category not in MINE or e.text is None:
            continue
        g = ContextGraph()
        g.load_home(home_for(e.home_id))
        for pid, where in _PERSON.findall(e.user):
            place, _, room = where.partition(" ")
            g.set_person_location(pid, None if place == "unknown" else place, room or None, 1.0, WHEN)
        sp = _SPEAKER.search(e.user)
        who, room = (sp.group(1), sp.group(2)) if sp else ("unknown", "unknown")
        actor = Actor.person(who) if who != "unknown" else Actor.unknown()
        routed = await route(e.text, g, SKILLS, matcher, NullPlanner(), room=None if room == "unknown" else room,
                             actor=actor)
        got = sorted((c.skill, sorted(c.args.items())) for c in routed.plan.calls)
        want = sorted((c.skill, sorted(SKILLS.get(c.skill).validate_args(c.args).model_dump(
            exclude_defaults=True).items())) for c in e.calls)
        total[e.category] += 1
        if got == want:
            right[e.category] += 1
        else:
            misses.append((e.text, e.target, routed.stage, got))
    for c in MINE:
        assert right[c] / total[c] >= 0.9, (c, right[c], total[c], misses[:5])
