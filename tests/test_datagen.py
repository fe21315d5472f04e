"""The planner's synthetic data: targets round-trip, name only ids the prompt shows, and the held-out split
shares no people, device names, held-out rooms or phrasing templates with training."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.home import Home
from fusehub.model import datagen
from fusehub.model.datagen import (
    CATEGORIES,
    Example,
    comfort_talk,
    facts_qa,
    generate,
    home_for,
    household,
    read_jsonl,
    templates,
    write_jsonl,
)
from fusehub.reasoner.calls import NOTHING, ParsedPlan, grammar_for, parse_plan
from fusehub.reasoner.prompt import split_user
from fusehub.sdk import SkillRegistry

N = 300


@pytest.fixture(scope="module")
def skills() -> SkillRegistry:
    return load_skills(False)


@pytest.fixture(scope="module")
def train() -> list[Example]:
    return generate(N, "train", 11)


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return generate(N, "heldout", 11)


def _prompt_ids(user: str) -> dict[str, set[str]]:
    """The ids the user turn shows: rooms, floors, scenes, people and view devices."""
    ids: dict[str, set[str]] = {"room": set(), "floor": set(), "scene": set(), "person": set(), "device": set()}
    for line in user.split("\n"):
        head, _, rest = line.partition(" ")
        if head in ("rooms", "floors", "scenes"):
            ids[head[:-1]].update(rest.split())
        elif head == "person":
            ids["person"].add(rest.split()[0])
        elif head == "dev":
            ids["device"].add(rest.split()[0])
    return ids


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_targets_round_trip_and_use_only_prompt_ids(
    split: str, skills: SkillRegistry, train: list[Example], heldout: list[Example]
) -> None:
    examples = train if split == "train" else heldout
    assert len(examples) == N
    for ex in examples:
        parsed = parse_plan(ex.target, skills)
        assert parsed == ParsedPlan(ex.calls, ex.cannot), ex.target
        # calls, a refusal, or "none" (not a request: no call and no refusal)
        assert (ex.cannot is None) == bool(ex.calls) or (ex.target == NOTHING and ex.category == "not_request")
        assert len(ex.calls) <= 3
        assert ex.user.startswith("<|im_start|>user\n") and ex.user.endswith("<|im_start|>assistant\n")
        trigger = f"say {ex.text}" if ex.text is not None else f"situation {ex.situation}"
        assert trigger in ex.user
        ids = _prompt_ids(ex.user)
        assert ids["device"] == set(ex.devices)
        for call in ex.calls:
            for key, value in call.args.items():
                if key in ("device", "car"):
                    assert value in ids["device"], (ex.user, ex.target)
                elif key in ("room", "floor", "scene", "person"):
                    assert value in ids[key], (ex.user, ex.target)
                elif key == "rooms":
                    assert set(value) <= ids["room"], (ex.user, ex.target)
        if ex.cannot is not None:
            assert re.fullmatch(r"[a-z0-9 '\-]{1,48}", ex.cannot)
        home, rest = split_user(ex.user)
        assert home.count("\n") >= 2 and rest  # the cached home part: header, rooms, people


def _lark_to_re(body: str) -> re.Pattern[str]:
    """One rule of `grammar_for`'s output (literals, /regex/, groups, |, ?, *) as a Python regex."""
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            j = i + 1
            while body[j] != '"':
                j += 2 if body[j] == "\\" else 1
            out.append(re.escape(json.loads(body[i : j + 1])))
            i = j + 1
        elif ch == "/":
            j = body.index("/", i + 1)
            out.append("(?:" + body[i + 1 : j] + ")")
            i = j + 1
        elif ch == "(":
            out.append("(?:")
            i += 1
        elif ch in ")|?*":
            out.append(ch)
            i += 1
        else:
            raise ValueError(f"unexpected grammar text {body[i:i + 20]!r}")
    return re.compile("".join(out))


def _grammar_misses(examples: list[Example], skills: SkillRegistry) -> list[str]:
    """Target lines the decoding grammar of the example's home cannot produce (that device ids are in the view
    is checked above)."""
    by_rule = {f"s{i}": info.name for i, info in enumerate(skills)}
    misses = []
    per_home: dict[str, dict[str, re.Pattern[str]]] = {}
    for ex in examples:
        if ex.home_id not in per_home:
            graph = ContextGraph()
            graph.load_home(home_for(ex.home_id))
            rules = per_home[ex.home_id] = {}
            for line in grammar_for(skills, graph).splitlines():
                name, _, body = line.partition(": ")
                if name in by_rule or name in ("cannot", "nothing"):
                    rules[by_rule.get(name, name)] = _lark_to_re(body)
        rules = per_home[ex.home_id]
        for line in ex.target.split("\n"):
            rule = rules.get("cannot" if line.startswith("cannot ") else "nothing" if line == NOTHING
                             else line.split()[0])
            if rule is None or not rule.fullmatch(line):
                misses.append(line)
    return misses


# render_call writes a one-word string bare (`name=pasta`, `value=eco`) but the grammar wants it quoted


def test_targets_are_what_the_decoding_grammar_allows(
    skills: SkillRegistry, train: list[Example], heldout: list[Example]
) -> None:
    sample = train[:200] + heldout[:200]
    misses = _grammar_misses(sample, skills)
    assert not misses, misses[:10]


def test_heldout_homes_and_phrasings_are_disjoint_from_training(
    train: list[Example], heldout: list[Example]
) -> None:
    def homes(examples: list[Example]) -> list[Home]:
        return [home_for(h) for h in sorted({e.home_id for e in examples})]

    tr_homes, he_homes = homes(train), homes(heldout)
    tr_people = {p.name for h in tr_homes for p in h.people}
    he_people = {p.name for h in he_homes for p in h.people}
    assert tr_people and he_people and not tr_people & he_people

    def device_names(hs: list[Home]) -> set[str]:
        return {d.name for h in hs for d in h.devices}

    assert not device_names(tr_homes) & device_names(he_homes)
    tr_rooms = {r.name for h in tr_homes for r in h.rooms}
    for h in he_homes:  # every held-out home has a room no training home has
        assert {r.name for r in h.rooms} - tr_rooms

    tr_t = templates("train")
    he_t = templates("heldout")
    assert set(tr_t) == set(he_t) | set(datagen._TRAIN_ONLY_INTENTS)  # training-only intents: never held out
    for intent in he_t:
        assert tr_t[intent] and he_t[intent], intent
    tr_strings = {t for ts in tr_t.values() for _, t in ts}
    he_strings = {t for ts in he_t.values() for _, t in ts}
    assert not tr_strings & he_strings
    tr_keys = {k for e in train for k in e.template.split("+")}
    he_keys = {k for e in heldout for k in e.template.split("+")}
    assert tr_keys and he_keys and not tr_keys & he_keys
    assert tr_keys <= ({k for ts in tr_t.values() for k, _ in ts} | set(facts_qa.template_keys("train"))
                       | set(household.template_keys("train")) | set(comfort_talk.template_keys("train")))
    # the household, comfort and not-a-request categories' own phrasings are split the same way
    for module in (household, comfort_talk):
        assert not set(module.template_keys("train").values()) & set(module.template_keys("heldout").values())

    def norm(s: str | None) -> str:
        return re.sub(r"[^a-z0-9 ]", "", (s or "").lower()).strip()

    tr_texts = {norm(e.text or e.situation) for e in train}
    shared = [e for e in heldout if norm(e.text or e.situation) in tr_texts]
    assert len(shared) < 0.02 * len(heldout), [e.text for e in shared[:10]]


def test_categories_are_balanced_and_examples_short(train: list[Example]) -> None:
    counts = Counter(e.category for e in train)
    total = sum(CATEGORIES.values())
    for cat, w in CATEGORIES.items():
        assert abs(counts[cat] - N * w / total) <= 1, cat
    assert 0.10 <= counts["cannot"] / N <= 0.14
    avg = sum(len(e.user) for e in train) / len(train) / 3.5
    assert avg < 150
    assert max(len(e.target) for e in train) < 200


def test_generation_is_deterministic_and_jsonl_round_trips(tmp_path: Path) -> None:
    a = generate(40, "train", 3)
    assert a == generate(40, "train", 3)
    assert a != generate(40, "train", 4)
    path = tmp_path / "d.jsonl"
    write_jsonl(path, a)
    assert read_jsonl(path) == a


def test_main_prints_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.jsonl"
    datagen.main(["--n", "30", "--split", "heldout", "--seed", "2", "--out", str(out)])
    text = capsys.readouterr().out
    assert "drop rate" in text and "cannot" in text and "average tokens" in text
    assert len(read_jsonl(out)) == 30


def _has_filler(text: str) -> bool:
    t = text.lower().rstrip(".!?")
    before = datagen._FILLER_BEFORE + datagen._FILLER_BEFORE_ASK
    return t.startswith(tuple(f.lower() for f in before)) or t.endswith(datagen._FILLER_AFTER)


def test_fillers_wrap_training_requests_only(train: list[Example], heldout: list[Example]) -> None:
    said = [e.text for e in train if e.text is not None]
    share = sum(_has_filler(t) for t in said) / len(said)
    # FILLER_P of the requests get one; templates that already begin or end like a filler add a few more
    assert datagen.FILLER_P * 0.6 < share < datagen.FILLER_P + 0.15
    # held out: none of the filler openings that no held-out template has
    added = [e.text for e in heldout if e.text and e.text.lower().startswith(("hey hub, ", "um, ", "alright, "))]
    assert added == []


@dataclass
class _FakeCtx:
    split: str
    rng: random.Random


@pytest.mark.parametrize("category", ["message", "timer"])
def test_no_filler_after_a_text_argument(category: str) -> None:
    c = _FakeCtx("train", random.Random(3))
    outs = [datagen._filler(c, "broadcast dinner is ready", category) for _ in range(300)]  # type: ignore[arg-type]
    assert not [o for o in outs if o.endswith(datagen._FILLER_AFTER)]
    assert any(o != "broadcast dinner is ready" for o in outs)


def test_fillers_go_before_and_after_commands_and_never_in_held_out() -> None:
    c = _FakeCtx("train", random.Random(4))
    outs = [datagen._filler(c, "lock the car", "misc") for _ in range(300)]  # type: ignore[arg-type]
    assert any(o.endswith(datagen._FILLER_AFTER) for o in outs)
    assert any(o.startswith(datagen._FILLER_BEFORE_ASK) for o in outs)
    h = _FakeCtx("heldout", random.Random(4))
    assert {datagen._filler(h, "lock the car", "misc") for _ in range(50)} == {"lock the car"}  # type: ignore[arg-type]


def test_category_weights_shift_the_mix_and_unknown_ones_are_refused() -> None:
    mixed = Counter(e.category for e in generate(200, "train", 5, {"multi": 150}))
    assert mixed["multi"] > 100
    with pytest.raises(ValueError, match="unknown"):
        generate(10, "train", 5, {"teleport": 1})
    with pytest.raises(ValueError):
        generate(10, "train", 5, {k: 0 for k in CATEGORIES})


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_each_device_phrase_names_one_device(split: str) -> None:
    # Two lights both called "Kitchen light strip" in the kitchen made "the kitchen light strip in the kitchen"
    # name either, and the label a coin toss (before the fix: 12% of training homes, 31% of held-out ones).
    for k in range(400):
        h = datagen._build_home(f"{split}-5-{k}")
        named = Counter((d.name.lower(), d.room) for d in h.home.devices)
        assert max(named.values()) == 1, (h.home.name, [n for n, c in named.items() if c > 1])
        said = Counter(h.phrase.values())
        assert max(said.values()) == 1, (h.home.name, [p for p, c in said.items() if c > 1])


def test_extras_add_training_only_requests_and_leave_held_out_alone() -> None:
    """`extras` (run 7): max/min brightness and compound timer durations, in the training split only; the
    held-out set a seed generates does not change, so figures before and after stay comparable."""
    held = [e.to_json() for e in generate(200, "heldout", 11)]
    assert [e.to_json() for e in generate(200, "heldout", 11, extras=0.5)] == held
    assert not set(datagen._TRAIN_ONLY_INTENTS) & set(templates("heldout"))
    assert set(datagen._TRAIN_ONLY_INTENTS) <= set(templates("train"))
    train = generate(600, "train", 5, {"brightness": 30, "timer": 20}, extras=0.5)
    assert train != generate(600, "train", 5, {"brightness": 30, "timer": 20})
    extremes = [e for e in train if "bri_max" in e.template or "bri_min" in e.template]
    assert len(extremes) > 20
    for e in extremes:
        want = 100 if "bri_max" in e.template else 1
        assert [c.args.get("brightness") for c in e.calls] == [want], (e.text, e.target)
    halves = [e for e in train if e.category == "timer" and "and a half minute" in (e.text or "")]
    assert halves
    for e in halves:
        m = int(re.search(r"(\d+) and a half minute", e.text or "").group(1))  # type: ignore[union-attr]
        assert e.calls[0].args["seconds"] == m * 60 + 30, (e.text, e.target)


def test_phrasing_tables_ship_as_package_data_and_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables are read from fusehub/model/data/*.yaml; a malformed table is refused with its name."""
    from fusehub.model.datagen import phrasing

    assert phrasing.load_vocabulary() == phrasing.VOCABULARY
    assert phrasing.load_templates() == phrasing.TEMPLATES
    tables = {"templates": {"on_dev": ["turn on the {d}"]}, "train_only": {"teleport": ["beam me up"]},
              "train_only_intents": {}}
    monkeypatch.setattr(phrasing, "_read", lambda name: tables)
    with pytest.raises(ValueError, match="unknown intents"):
        phrasing.load_templates()
    tables["train_only"] = {"on_dev": "switch on the {d}"}  # a string, not a list
    with pytest.raises(ValueError, match=r"train_only\.on_dev"):
        phrasing.load_templates()
