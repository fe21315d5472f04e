"""The planner on the project's own held-out set: generated homes, names and phrasing templates that training
never saw (fusehub.model.datagen, split "heldout").

    .venv/bin/python bench/eval_heldout.py [--n 400] [--seed 11] [--model-dir DIR] [--json OUT] [--show 10]
    .venv/bin/python bench/eval_heldout.py --path pipeline [--planner none|llm] [--category relations ...]
    .venv/bin/python bench/eval_heldout.py --path pipeline --planner none --category clauses   (multi-clause)

Each example's user turn (the view and the request, built exactly as the runtime builds them) is decoded by
the hub's LlmPlanner (grammar-constrained, prefix-cached) against the example's home graph, parsed and
validated. Exact match = the same set of calls (order-free) as the target; for targets that are "cannot",
any cannot answer counts (the named reason is free text); a "none" target (not a request: "thanks", "hello",
an empty request) wants no call and no refusal. Prints accuracy per category, the cannot rate on
requests for missing devices or attributes, the invalid-output rate and latency percentiles, and what the
hub's clarify gate would do with these plans at a few thresholds (acting on right and wrong plans, asking
instead of acting on right and wrong ones).

``--path pipeline`` measures what the hub answers instead of the model alone: each request goes through
:func:`fusehub.reasoner.pipeline.route` (references, declared attributes, the local intent matcher, comfort, small
talk, then the planner: ``--planner llm`` the shipped model, ``none`` no model) and the plan through the hub's
:class:`~fusehub.policy.Policy` for the example's speaker (a rejected call becomes a refusal). Planner plans
under the clarify gate (``CLARIFY_BELOW``) are counted as asking back: the clarify rate, never exact.
The target goes through the same policy (the
data's targets are what a request means; who may do it is policy's): a plan is exact when the calls policy lets
through are the target's (order-free) and it refuses exactly when the judged target refuses. Situation
examples (no text) are left out and counted apart: since preferences (issue 27) the hub never asks the planner
about a situation; it evaluates the household's preferences (conventions rule 15), which
``bench/eval_situations.py`` measures. ``--path planner`` still scores the model on them.

A second, looser figure, "same effect": both plans are run through the real skills against the example's
home and compared by what they would do, the device commands (device, capability, action, parameters) and,
for questions, the spoken answer. `cover_open room=bedroom` and `cover_open device=bedroom_shutters` are the
same effect when the shutters are the bedroom's only cover; a call no skill can run (an error, a timer with
no timer service here) is compared by its text, as in exact match. Exact match stays the headline figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.context.view import build_view
from fusehub.errors import SkillError
from fusehub.events import Context
from fusehub.model.datagen import Example, generate, home_for, multiclause
from fusehub.reasoner.calls import Call, CallSyntaxError, parse_plan
from fusehub.reasoner.grounding import Grounding, grounding_for
from fusehub.reasoner.llm import LlmPlanner
from fusehub.reasoner.model_store import default_model_dir
from fusehub.sdk import SkillContext, SkillRegistry

_NOW = datetime(2026, 1, 16, 18, 0, tzinfo=UTC)
_SPEAKER = re.compile(r"^speaker \S+ (\S+)$", re.M)
_PERSON = re.compile(r'^person (\S+) "[^"\n]*" (.+)$', re.M)


def _call_key(c: Call) -> str:
    return json.dumps([c.skill, c.args], sort_keys=True)


def _key(calls: tuple[Call, ...] | list[Call]) -> frozenset[str]:
    return frozenset(_call_key(c) for c in calls)


def _effect(calls: tuple[Call, ...] | list[Call], graph: ContextGraph, skills: SkillRegistry,
            room: str | None) -> frozenset[str]:
    """What a plan would do in this home: its device commands and spoken answers, as comparable strings."""
    out: set[str] = set()
    for c in calls:
        ctx = SkillContext(graph=graph, now=_NOW, context=Context(room=room))
        try:
            res = skills.execute(c.skill, ctx, dict(c.args))
        except (SkillError, ValueError):  # pydantic's ValidationError is a ValueError
            res = None
        if res is None or not (res.commands or res.speech):
            out.add("call " + _call_key(c))
            continue
        out.update("cmd " + json.dumps([m.device, m.capability, m.action, m.params], sort_keys=True)
                   for m in res.commands)
        if res.speech and not res.commands:
            out.add("say " + res.speech)
    return frozenset(out)


def _grounding(ex: Example, graph: ContextGraph, free: frozenset[str]) -> Grounding:
    """The grounding `LlmPlanner.plan_sync` gives this request: the example's view devices, the rooms and floors
    its words name, the speaker's room (read back from the view's speaker line)."""
    who, room = _speaker(ex)
    place_people(ex, graph)
    view = dataclasses.replace(build_view(graph, ex.text, situation=ex.situation), device_ids=list(ex.devices))
    return grounding_for(view, graph, text=ex.text, room=room, free=free, speaker=who)


def place_people(ex: Example, graph: ContextGraph) -> None:
    """The example's people were placed at random when it was made: place them in `graph` as its view shows."""
    for pid, where in _PERSON.findall(ex.user):
        place, _, in_room = where.partition(" ")
        graph.set_person_location(pid, None if place == "unknown" else place, in_room or None, 1.0, _NOW)


def graph_for(ex: Example, graphs: dict[str, ContextGraph]) -> ContextGraph:
    """The example's home graph, built once per home (multi-clause examples have their own homes and states)."""
    g = graphs.get(ex.home_id)
    if g is None and ex.category == multiclause.CATEGORY:
        g = graphs[ex.home_id] = multiclause.build_home(ex.home_id).graph
    if g is None:
        g = graphs[ex.home_id] = ContextGraph()
        g.load_home(home_for(ex.home_id))
    return g


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


_GATES = (0.0, 0.1, 0.25, 0.4, 0.5)


def evaluate(planner: LlmPlanner, examples: list[Example], show: int = 0) -> dict[str, Any]:
    graphs: dict[str, ContextGraph] = {}
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    same: Counter[str] = Counter()
    lat: list[float] = []
    invalid = 0
    cannot_n = cannot_ok = false_cannot = 0
    shown = 0
    gated: list[tuple[float, bool]] = []  # (confidence, right) of each plan with calls: what the clarify gate sees
    for ex in examples:
        g = graph_for(ex, graphs)
        t = time.perf_counter()
        text = planner.generate(ex.user, g, _grounding(ex, g, planner.free_text) if planner.ground else None)
        try:
            got = parse_plan(text, planner.skills)
        except CallSyntaxError:
            invalid += 1
            got = None
        lat.append(time.perf_counter() - t)
        total[ex.category] += 1
        if ex.cannot is not None:
            cannot_n += 1
            ok = got is not None and got.cannot is not None
            cannot_ok += ok
        else:
            ok = got is not None and got.cannot is None and _key(got.calls) == _key(ex.calls)
            false_cannot += got is not None and got.cannot is not None
        right[ex.category] += ok
        if got is not None and got.cannot is None:
            gated.append((planner.last.confidence, ok))
        if ex.cannot is not None or ok:
            same[ex.category] += ok
        elif got is not None and got.cannot is None:
            m = _SPEAKER.search(ex.user)
            room = m.group(1) if m else None
            same[ex.category] += _effect(got.calls, g, planner.skills, room) == _effect(ex.calls, g, planner.skills,
                                                                                         room)
        if not ok and shown < show:
            shown += 1
            req = ex.user.split("\n")[-3] if ex.user.count("\n") > 2 else ex.user
            print(f"  MISS [{ex.category}] {req[:90]!r}\n       want {ex.target!r}\n       got  {text!r}")
    n = sum(total.values())
    return {
        "n": n, "exact": sum(right.values()) / n if n else 0.0, "same_effect": sum(same.values()) / n if n else 0.0,
        "per_category": {c: {"n": total[c], "exact": right[c] / total[c], "same_effect": same[c] / total[c]}
                         for c in sorted(total)},
        "cannot_rate_on_missing": cannot_ok / cannot_n if cannot_n else None, "cannot_n": cannot_n,
        "false_cannot": false_cannot, "invalid": invalid, "invalid_rate": invalid / n if n else 0.0,
        "latency_ms": {"p50": 1000 * _pct(lat, 0.5), "p95": 1000 * _pct(lat, 0.95),
                       "mean": 1000 * statistics.fmean(lat) if lat else 0.0},
        "homes": len(graphs),
        "gate": [{"below": t, "act_right": sum(1 for c, k in gated if c >= t and k),
                  "act_wrong": sum(1 for c, k in gated if c >= t and not k),
                  "ask_right": sum(1 for c, k in gated if c < t and k),
                  "ask_wrong": sum(1 for c, k in gated if c < t and not k)} for t in _GATES],
    }


def _speaker(ex: Example) -> tuple[str | None, str | None]:
    """The example's speaker (person id or None) and room, read back from the view's speaker line."""
    m = re.search(r"^speaker (\S+) (\S+)$", ex.user, re.M)
    if m is None:
        return None, None
    who, room = m.group(1), m.group(2)
    return (None if who == "unknown" else who), (None if room == "unknown" else room)


def evaluate_pipeline(planner: Any, examples: list[Example], skills: SkillRegistry, show: int = 0) -> dict[str, Any]:
    """What the hub would answer: route() then policy, per example (see the module docstring)."""
    import asyncio

    from fusehub.events import Actor, Origin, Plan, SkillCall
    from fusehub.policy import Policy, Ruling
    from fusehub.reasoner.intents import IntentMatcher
    from fusehub.reasoner.pipeline import route
    from fusehub.reasoner.planner import CLARIFY_BELOW

    matcher = IntentMatcher("en", skills)
    policy = Policy()
    graphs: dict[str, ContextGraph] = {}
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    lat: list[float] = []
    shown = 0

    async def one(ex: Example, g: ContextGraph) -> tuple[list[Call], bool, str, bool]:
        who, room = _speaker(ex)
        actor = Actor.person(who) if who else Actor.unknown()
        if ex.text is None:
            raise ValueError("situation examples are not requests: leave them out (see the module docstring)")
        routed = await route(ex.text, g, skills, matcher, planner, room=room, actor=actor, now=_NOW)
        plan, stage = routed.plan, routed.stage
        ask = stage == "planner" and bool(plan.calls) and plan.confidence < CLARIFY_BELOW
        ctx = Context(actor=actor, origin=Origin.voice, room=room)
        calls, refused = judged(plan, ctx, g)
        want = Plan(calls=[SkillCall(skill=c.skill, args=dict(c.args)) for c in ex.calls], source="intent")
        want_calls, want_refused = judged(want, ctx, g)
        ok = (not ask and refused == (want_refused or ex.cannot is not None)
              and _key(calls) == _key(want_calls))
        return calls, ok, stage, ask

    def judged(plan: Plan, ctx: Context, g: ContextGraph) -> tuple[list[Call], bool]:
        """The calls policy lets through (allowed, or waiting for a confirmation) and whether any part is refused."""
        calls: list[Call] = []
        refused = bool(plan.cannot) or bool(getattr(plan, "cannots", None))
        for v in policy.check_plan(plan, ctx, skills, g, _NOW):
            if v.verdict.outcome == Ruling.rejected:
                refused = True
            else:
                calls.append(Call(v.call.skill, dict(v.call.args)))
        return calls, refused

    for ex in examples:
        g = graph_for(ex, graphs)
        place_people(ex, g)
        t = time.perf_counter()
        calls, ok, stage, ask = asyncio.run(one(ex, g))
        lat.append(time.perf_counter() - t)
        total[ex.category] += 1
        stages[stage] += 1
        asked[ex.category] += ask
        right[ex.category] += ok
        if not ok and shown < show:
            shown += 1
            print(f"  MISS [{ex.category}] {(ex.text or ex.situation or '')[:90]!r} ({stage}{', asks' if ask else ''})"
                  f"\n       want {ex.target!r}\n       got  {[f'{c.skill} {c.args}' for c in calls]}"
                  f"{'' if ok else ' (or refused)'}")
    n = sum(total.values())
    return {
        "n": n, "exact": sum(right.values()) / n if n else 0.0, "clarify_rate": sum(asked.values()) / n if n else 0.0,
        "per_category": {c: {"n": total[c], "exact": right[c] / total[c], "asks": asked[c]} for c in sorted(total)},
        "stages": dict(stages), "homes": len(graphs),
        "latency_ms": {"p50": 1000 * _pct(lat, 0.5), "p95": 1000 * _pct(lat, 0.95)},
    }


def _main_pipeline(a: argparse.Namespace, examples: list[Example]) -> None:
    from fusehub.reasoner.planner import NullPlanner

    situations = [e for e in examples if e.text is None]
    examples = [e for e in examples if e.text is not None]
    skills = load_skills(False)
    planner: Any = NullPlanner()
    if a.planner == "llm":
        planner = LlmPlanner.load(a.model_dir or default_model_dir(), skills)
    print(f"held-out through the pipeline: {len(examples)} requests, planner {a.planner}")
    if situations:
        print(f"  ({len(situations)} situation examples left out: the hub never asks the planner about a situation,"
              " it evaluates the household's preferences (conventions rule 15), measured by"
              " bench/eval_situations.py)")
    r = evaluate_pipeline(planner, examples, skills, a.show)
    print(f"exact (calls and refusal after policy): {r['exact']:.1%} of {r['n']} ({r['homes']} homes); "
          f"clarify rate {r['clarify_rate']:.1%}")
    print(f"  {'category':<14} {'exact':>6}  asks")
    for c, v in r["per_category"].items():
        print(f"  {c:<14} {v['exact']:6.1%}  {v['asks']:4d}  (n={v['n']})")
    print(f"stages: {r['stages']}")
    lm = r["latency_ms"]
    print(f"latency per request (whole pipeline): p50 {lm['p50']:.0f} ms, p95 {lm['p95']:.0f} ms")
    if a.json:
        a.json.write_text(json.dumps(r, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--show", type=int, default=10)
    ap.add_argument("--no-ground", action="store_true", help="decode without grounding (the grammar alone)")
    ap.add_argument("--path", choices=("planner", "pipeline"), default="planner",
                    help="planner: the model alone (default); pipeline: what the hub answers (route + policy)")
    ap.add_argument("--planner", choices=("none", "llm"), default="llm", help="with --path pipeline")
    ap.add_argument("--category", action="append", default=None, help="keep only these categories (repeatable)")
    a = ap.parse_args()
    if a.path == "pipeline":
        examples = generate(a.n, "heldout", a.seed)
        if a.category:
            examples = [e for e in examples if e.category in a.category]
        if a.category and multiclause.CATEGORY in a.category:  # issue 26's held-out category
            examples += multiclause.as_examples(multiclause.cases(a.n, "heldout", a.seed))
        _main_pipeline(a, examples)
        return
    model_dir = a.model_dir or default_model_dir()
    planner = LlmPlanner.load(model_dir, load_skills(False), ground=not a.no_ground)
    examples = generate(a.n, "heldout", a.seed)
    if a.category:
        examples = [e for e in examples if e.category in a.category]
    print(f"held-out: {len(examples)} examples, model {model_dir}, grounding {'off' if a.no_ground else 'on'}")
    r = evaluate(planner, examples, a.show)
    print(f"exact match (set of calls): {r['exact']:.1%} of {r['n']} ({r['homes']} homes); "
          f"same effect: {r['same_effect']:.1%}")
    print(f"  {'category':<12} {'exact':>6}  {'effect':>6}")
    for c, v in r["per_category"].items():
        print(f"  {c:<12} {v['exact']:6.1%}  {v['same_effect']:6.1%}  (n={v['n']})")
    rate = r["cannot_rate_on_missing"]
    print(f"cannot on missing devices/attributes: {'-' if rate is None else f'{rate:.1%}'} (n={r['cannot_n']}); "
          f"cannot where a call was expected: {r['false_cannot']}")
    print(f"invalid outputs: {r['invalid']} ({r['invalid_rate']:.2%})")
    print("clarify gate (the hub asks instead of acting below the planner's confidence; default 0.25), on the "
          "plans with calls:")
    print(f"  {'below':>5}  {'acts right':>10}  {'acts wrong':>10}  {'asks, was right':>15}  {'asks, was wrong':>15}")
    for row in r["gate"]:
        print(f"  {row['below']:5.2f}  {row['act_right']:10d}  {row['act_wrong']:10d}  {row['ask_right']:15d}  "
              f"{row['ask_wrong']:15d}")
    lm = r["latency_ms"]
    print(f"latency per example (decode only, view given): p50 {lm['p50']:.0f} ms, p95 {lm['p95']:.0f} ms")
    if a.json:
        a.json.write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
