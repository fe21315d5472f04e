"""The multi-clause data (hub/model/datagen/multiclause.py): 2-6 clauses over homes of up to 60 devices, held-out
homes and phrasings disjoint from training, substitution requests naming only what the home lacks; and, through the
real pipeline, a planner that guesses a same-kind device elsewhere never gets a call through."""

from __future__ import annotations

import re

from fusehub.model.datagen.multiclause import as_examples, build_home, cases, substitution_cases
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.pipeline import route
from fusehub.skills import load_skills

from bench.eval_clauses import Substitute, reason_kind

SKILLS = load_skills(False)


def test_cases_have_two_to_six_clauses_over_homes_of_at_most_sixty_devices() -> None:
    cs = cases(60, "heldout", 3)
    assert all(2 <= len(c.clauses) <= 6 for c in cs)
    sizes = {len(build_home(c.home_id).home.devices) for c in cs}
    assert max(sizes) <= 60 and min(sizes) >= 5
    kinds = {cl.kind for c in cs for cl in c.clauses}
    assert kinds == {"valid", "relative", "missing_device", "missing_attribute", "out_of_range"}
    assert all(bool(cl.calls) == (cl.kind in ("valid", "relative")) for c in cs for cl in c.clauses)


def test_the_same_seed_gives_the_same_cases() -> None:
    assert [c.to_json() for c in cases(10, "train", 5)] == [c.to_json() for c in cases(10, "train", 5)]


def _words(texts: list[str]) -> set[str]:
    return {w for t in texts for w in re.findall(r"[a-z]+", t.lower())}


def test_held_out_rooms_and_device_names_are_never_in_training() -> None:
    train = [build_home(c.home_id) for c in cases(40, "train", 1)]
    held = [build_home(c.home_id) for c in cases(40, "heldout", 1)]
    train_rooms = {r.name for h in train for r in h.home.rooms}
    held_rooms = {r.name for h in held for r in h.home.rooms}
    assert not train_rooms & held_rooms
    train_names = {d.name.lower() for h in train for d in h.home.devices}
    assert not train_names & {d.name.lower() for h in held for d in h.home.devices}


def test_as_examples_carry_the_union_and_the_refusals() -> None:
    cs = cases(20, "heldout", 2)
    for c, ex in zip(cs, as_examples(cs), strict=True):
        assert ex.category == "clauses" and ex.text == c.text
        assert list(ex.calls) == [x for cl in c.clauses for x in cl.calls]
        assert (ex.cannot is None) == all(cl.calls for cl in c.clauses)


async def test_no_substitute_gets_through_even_from_a_guessing_planner() -> None:
    matcher = IntentMatcher("en", SKILLS)
    planner = Substitute()
    for c in substitution_cases(60, "heldout", 4):
        h = build_home(c.home_id)
        r = await route(c.text, h.graph, SKILLS, matcher, planner, room=c.room)
        assert r.plan.calls == [], (c.text, r.plan.calls)
        assert len(r.plan.cannots) == len(c.clauses)
        assert all(reason_kind(w) == "missing_device" for w in r.plan.cannots), r.plan.cannots
