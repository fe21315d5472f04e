"""Assembly: category quotas, a draw per example (home, state, speaker, category generator), filler and surface
noise, the view and user turn the runtime would build, and the checked target (`generate`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from fusehub.context.view import build_view
from fusehub.model.datagen import comfort_talk, control, facts_qa, household, questions, situated
from fusehub.model.datagen.checks import check_grounded, check_ids, normalized
from fusehub.model.datagen.drafts import Ctx, Draft, Skip
from fusehub.model.datagen.examples import Example, GenStats
from fusehub.model.datagen.homes import WHEN, build_home, randomize
from fusehub.model.datagen.phrasing import VOCABULARY as V
from fusehub.model.datagen.phrasing import Split
from fusehub.reasoner.calls import ParsedPlan, parse_plan, render_plan
from fusehub.reasoner.prompt import user_turn
from fusehub.sdk import SkillRegistry

CATEGORIES: dict[str, float] = {
    "onoff": 13, "brightness": 8, "climate": 8, "cover": 5, "media": 6, "vacuum": 3, "secure": 5, "attribute": 4,
    "multi": 8, "relative": 8, "situation": 6, "query": 8, "timer": 3, "message": 4, "misc": 2, "cannot": 13,
    "sense": 4, "person_location": 3, "attribute_question": 2, "relations": 3, "ownership": 3, "restrictions": 2,
    "comfort": 3, "not_request": 2,
}
"""Categories and their weights (cannot is about 12%)."""

GROUP = 4
"""Examples drawn from one home before a new one is generated (states and people move per example)."""

TIME_LINE_P = 0.2
"""Fraction of examples whose view carries a time line."""

FILLER_P = 0.3
"""Fraction of training requests wrapped in a filler (held-out requests never are)."""

_DRAWS = 300

_STATEMENTS = frozenset({"comfort", "not_request"})
"""Categories whose requests are statements, not commands: a filler never asks for them."""

_GENERATORS: dict[str, Callable[[Ctx], Draft]] = {**control.GENERATORS, **situated.GENERATORS,
                                                   **questions.GENERATORS, **facts_qa.GENERATORS,
                                                   **household.GENERATORS, **comfort_talk.GENERATORS}


def default_skills() -> SkillRegistry:
    """The registry targets are checked against when none is given: the built-in skills (no entry points, so
    installed plugins cannot change the data)."""
    from fusehub.skills import load_skills

    return load_skills(False)


def filler(c: Ctx, text: str, category: str) -> str:
    """Training only: politeness and filler words around a request, so that a word such as "please" carries no
    intent. The first GPU-trained adapter read "please lock Lars's car" (a held-out template) as preconditioning
    the car, because "precondition the car please" was the training template with "please" in it. No filler
    after a message or a timer name: what follows those becomes part of the text argument."""
    if c.split != "train" or c.rng.random() >= FILLER_P or not text.strip():
        return text
    if category in _STATEMENTS:  # "hey, I'm cold", never "could you I'm cold" nor "thanks please"
        return c.rng.choice(V.filler_before) + text
    q = text.split()[0].lower() in V.question_words
    if c.rng.random() < 0.5 and category not in ("message", "timer"):
        return text + c.rng.choice(V.filler_after)
    return c.rng.choice(V.filler_before if q else V.filler_before + V.filler_before_ask) + text


def _surface(c: Ctx, text: str) -> str:
    """Light noise: capitals, a final mark (none on an empty request)."""
    if not text.strip():
        return text
    r = c.rng.random()
    if r < 0.2:
        text = text[0].upper() + text[1:]
    q = text.split()[0].lower() in V.question_words
    r = c.rng.random()
    if r < 0.15:
        text += "?" if q else "."
    elif r < 0.2 and not q:
        text += "!"
    return text


def _quotas(n: int, rng: random.Random, weights: dict[str, float] | None = None) -> list[str]:
    weights = {**CATEGORIES, **(weights or {})}
    unknown = set(weights) - set(CATEGORIES)
    if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"category weights: unknown {sorted(unknown)} or not positive: {weights}")
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    rest = sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)
    for k in rest[: n - sum(counts.values())]:
        counts[k] += 1
    out = [k for k, m in counts.items() for _ in range(m)]
    rng.shuffle(out)
    return out


def generate_with_stats(
    n: int, split: Split, seed: int, weights: dict[str, float] | None = None, extras: float = 0.0, *,
    skills: SkillRegistry | None = None,
) -> tuple[list[Example], GenStats]:
    """`generate`, plus what it cost (view drops per category). `weights` overrides some CATEGORIES weights;
    `skills` (default: `default_skills()`) normalizes, renders and checks every target."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    if skills is None:
        skills = default_skills()
    rng = random.Random(f"{split}:{seed}")
    stats = GenStats()
    out: list[Example] = []
    home_k = 0
    h = build_home(f"{split}-{seed}-{home_k}")
    used = 0
    for cat in _quotas(n, rng, weights):
        for attempt in range(_DRAWS):
            if used >= GROUP or (attempt and attempt % 3 == 0):
                home_k += 1
                h = build_home(f"{split}-{seed}-{home_k}")
                used = 0
            randomize(h, rng)
            c = Ctx(h, rng, split, extras)
            r = rng.random()
            if r < 0.65:
                c.speak_from(rng.choice(list(h.room_name)))
            elif r < 0.8:
                c.speak_from(rng.choice(list(h.room_name)))
                c.speaker = None
            try:
                d = _GENERATORS[cat](c)
            except Skip:
                stats.skipped += 1
                continue
            now = None
            if rng.random() < TIME_LINE_P:
                now = WHEN.replace(hour=rng.randint(0, 23), minute=rng.randrange(0, 60, 5)) + timedelta(
                    days=rng.randint(0, 6))
            text = _surface(c, filler(c, d.text, cat)) if d.text is not None else None
            view = build_view(h.graph, text, speaker=c.speaker, room=c.room, situation=d.situation, now=now)
            if not set(d.need) <= set(view.device_ids):
                stats.dropped[cat] += 1
                stats.dropped_templates.update(k for k in c.keys if not k.startswith(("mj", "pr_loc")))
                continue
            plan = ParsedPlan(normalized(d.calls, skills), d.cannot)
            target = render_plan(plan, skills)
            parsed = parse_plan(target, skills)
            if parsed != plan:
                raise AssertionError(f"target does not round-trip: {target!r} -> {parsed!r}, wanted {plan!r}")
            check_ids(plan.calls, view, h, skills)
            check_grounded(plan.calls, view, h, text, c.room, skills, speaker=c.speaker)
            out.append(Example(
                user=user_turn(view.render(), text, d.situation), target=target, category=cat, home_id=h.id,
                calls=plan.calls, cannot=plan.cannot, template="+".join(c.keys), text=text, situation=d.situation,
                devices=tuple(view.device_ids),
            ))
            stats.accepted[cat] += 1
            used += 1
            break
        else:
            raise RuntimeError(f"could not generate a {cat!r} example in {_DRAWS} draws")
    stats.homes = home_k + 1
    return out, stats


def generate(n: int, split: Split, seed: int, weights: dict[str, float] | None = None,
             extras: float = 0.0, *, skills: SkillRegistry | None = None) -> list[Example]:
    """n examples of a split; the same (n, split, seed, weights, extras) always gives the same examples.
    `extras` only changes the training split (see `Ctx.extras`); `skills` as in `generate_with_stats`."""
    return generate_with_stats(n, split, seed, weights, extras, skills=skills)[0]
