"""Comfort statements and not-a-request utterances written blind: a set written by someone who never read the
runtime's word lists, the generator or its held-out phrasings (bench/data/comfort_talk_blind.yaml), run through
the hub's pipeline on the family home. Never used by the runtime or for training.

    .venv/bin/python bench/eval_talk_blind.py [--set bench/data/comfort_talk_blind.yaml] [--planner none|llm]
                                               [--model-dir DIR] [--show 20]

A comfort statement is right when the plan is exactly the conventions' default (rule 11) for the speaker's room
(or the room it names): ``climate_set_temperature room=R change=+-1`` for cold/hot, ``light_set_brightness room=R
change=+-20`` for dark/bright, and nothing else. A not-a-request utterance is right when the plan has no call and
no refusal. The speaker stands in each room of the home that has both a thermostat and dimmable lights, in turn; a
``{room}`` utterance names another such room.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.events import Actor
from fusehub.home import load_home
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.pipeline import route
from fusehub.reasoner.planner import NullPlanner

ROOT = Path(__file__).resolve().parent.parent
_WANT = {"cold": ("climate_set_temperature", 1.0), "hot": ("climate_set_temperature", -1.0),
         "dark": ("light_set_brightness", 20), "bright": ("light_set_brightness", -20)}


def cases(data: dict[str, Any], rooms: list[tuple[str, str]]) -> list[tuple[str, str, str, str | None, str | None]]:
    """(category, kind, text, speaker's room, target room or None for no call), rooms taken in turn."""
    out: list[tuple[str, str, str, str | None, str | None]] = []
    i = 0
    for kind, texts in data["comfort"].items():
        for t in texts:
            here, _ = rooms[i % len(rooms)]
            i += 1
            if kind.endswith("_room"):
                there_id, there_name = rooms[(i + 1) % len(rooms)]
                out.append(("comfort", kind[:-5], t.replace("{room}", there_name.lower()), here, there_id))
            else:
                out.append(("comfort", kind, t, here, here))
    for t in data["not_request"]:
        here, _ = rooms[i % len(rooms)]
        i += 1
        out.append(("not_request", "none", t, here, None))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT / "bench" / "data" / "comfort_talk_blind.yaml")
    ap.add_argument("--home", type=Path, default=ROOT / "simulations" / "homes" / "family.yaml")
    ap.add_argument("--planner", choices=("none", "llm"), default="none")
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args()
    skills = load_skills(False)
    matcher = IntentMatcher("en", skills)
    planner: Any = NullPlanner()
    if a.planner == "llm":
        from fusehub.reasoner.llm import LlmPlanner
        from fusehub.reasoner.model_store import default_model_dir

        planner = LlmPlanner.load(a.model_dir or default_model_dir(), skills)
    home = load_home(a.home)
    graph = ContextGraph()
    graph.load_home(home)
    rooms = [(r.id, r.name) for r in graph.rooms()
             if graph.devices(room=r.id, capability="temperature_setpoint")
             and graph.devices(room=r.id, capability="brightness")]
    speaker = home.people[0].id
    data = yaml.safe_load(a.set.read_text())
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    shown = 0
    for cat, kind, text, here, there in cases(data, rooms):
        r = asyncio.run(route(text, graph, skills, matcher, planner, room=here, actor=Actor.person(speaker)))
        got = sorted((c.skill, tuple(sorted(c.args.items()))) for c in r.plan.calls)
        refused = bool(r.plan.cannot or r.plan.cannots)
        if there is None:
            ok = not got and not refused
        else:
            skill, change = _WANT[kind]
            ok = not refused and got == [(skill, tuple(sorted({"room": there, "change": change}.items())))]
        total[cat] += 1
        right[cat] += ok
        stages[r.stage] += 1
        if not ok and shown < a.show:
            shown += 1
            print(f"  MISS [{cat}/{kind}] {text!r} (room {here}, stage {r.stage}): got {got} "
                  f"cannot={r.plan.cannot!r}")
    print(f"blind comfort / not-a-request set ({a.set.name}) on {a.home.name}, planner {a.planner}, "
          f"speaker rooms {[r for r, _ in rooms]}")
    for cat in sorted(total):
        print(f"  {cat:<12} {right[cat] / total[cat]:6.1%}  ({right[cat]}/{total[cat]})")
    print(f"stages: {dict(stages)}")


if __name__ == "__main__":
    main()
