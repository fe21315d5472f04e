"""Score the raw local intent matcher on the Home Assistant intents peer suite (a figure, not a test).

    .venv/bin/python -m bench.intents_peer [--suite /work/shared/peer-suites/ha-intents-en] [-v]

Loads the suite's fixture home into a ContextGraph (HA domains mapped to fusehub kinds), runs
`IntentMatcher.recognize` (hassil over every English intent, slot lists from the graph) on each
sentence with its satellite area, and prints the fraction whose intent, and intent + every
expected slot, match. Also reports how many of the sentences with a mapped intent get a plan
from `IntentMatcher.match`. Nothing here is tuned to the suite: it only measures.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from fusehub.context.graph import ContextGraph
from fusehub.home import Home, slug
from fusehub.reasoner.intents import HANDLERS, IntentMatcher

DEFAULT_SUITE = Path("/work/shared/peer-suites/ha-intents-en")

_BINARY_KIND = {
    "door": "contact",
    "window": "contact",
    "opening": "contact",
    "garage_door": "contact",
    "motion": "motion",
    "occupancy": "occupancy",
    "presence": "occupancy",
}


def _device(e: dict[str, Any]) -> dict[str, Any]:
    domain = e["domain"]
    attrs = e.get("attributes") or {}
    kind, caps = domain, None
    if domain == "light":
        kind = "light"
    elif domain == "switch":
        kind = "switch"
    elif domain == "fan":
        kind, caps = "fan", ["on_off"]
    elif domain == "cover":
        kind = "garage" if attrs.get("device_class") == "garage" else "cover"
    elif domain in ("lock", "climate", "vacuum", "media_player", "sensor"):
        kind = domain
    elif domain == "binary_sensor":
        kind = _BINARY_KIND.get(str(attrs.get("device_class")), "generic")
    else:  # script, todo, weather, valve, ...: no fusehub kind
        kind = "generic"
    out: dict[str, Any] = {
        "id": slug(e["id"]),
        "name": e["name"],
        "kind": kind,
        "ecosystem": "homeassistant",
        "room": e.get("area"),
        "aliases": list(e.get("aliases") or []),
    }
    if caps is not None:
        out["capabilities"] = caps
    return out


def load_fixture_home(path: Path, local: dict[str, Any] | None = None) -> ContextGraph:
    """The suite's fixture home, plus a record's `local_fixtures` (its own areas and entities) if given."""
    fx = json.loads(path.read_text(encoding="utf-8"))
    if local:
        names = {a["name"] for a in fx["areas"]}
        fx["areas"] += [
            {"id": slug(a["name"]) + "_local", "name": a["name"]}
            for a in local.get("areas", [])
            if a["name"] not in names
        ]
        fx["entities"] += [
            {**e, "id": f"{e['domain']}.{slug(e['name'])}_local"} for e in local.get("entities", [])
        ]
    data = {
        "name": "HA intents fixtures",
        "floors": [{"id": f["id"], "name": f["name"]} for f in fx["floors"]],
        "rooms": [{"id": a["id"], "name": a["name"], "floor": a.get("floor")} for a in fx["areas"]],
        "people": [
            {"id": slug(e["id"]), "name": e["name"], "role": "adult"}
            for e in fx["entities"]
            if e["domain"] == "person"
        ],
        "devices": [_device(e) for e in fx["entities"] if e["domain"] not in ("person", "scene")],
        "scenes": [
            {"id": slug(e["id"]), "name": e["name"], "states": {}}
            for e in fx["entities"]
            if e["domain"] == "scene"
        ],
    }
    g = ContextGraph()
    g.load_home(Home.model_validate(data))
    return g


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list):
        return any(_same(x, actual) for x in expected)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected == actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    return str(expected).strip().casefold() == str(actual).strip().casefold()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    matcher = IntentMatcher("en")
    t_init = time.perf_counter() - t0
    fixtures = args.suite / "ha_fixtures_en.json"
    graphs: dict[str, ContextGraph] = {"": load_fixture_home(fixtures)}
    records = [
        json.loads(line) for line in (args.suite / "ha_intents_en.jsonl").read_text().splitlines() if line
    ]

    exact = intent_ok = unmatched = mapped_total = mapped_planned = 0
    times: list[float] = []
    misses: collections.Counter[str] = collections.Counter()
    for rec in records:
        room = (rec.get("context") or {}).get("area")
        local = {k: v for k, v in (rec.get("local_fixtures") or {}).items() if k in ("areas", "entities")}
        key = json.dumps(local, sort_keys=True) if local else ""
        if key not in graphs:
            graphs[key] = load_fixture_home(fixtures, local)
        graph = graphs[key]
        t = time.perf_counter()
        got = matcher.recognize(rec["sentence"], graph, room=room)
        times.append((time.perf_counter() - t) * 1000)
        if got is None:
            unmatched += 1
            misses[rec["intent"]] += 1
            if args.verbose:
                print(f"NONE  {rec['sentence']!r} expected {rec['intent']} {rec['slots']}")
        else:
            intent, slots = got
            if intent == rec["intent"]:
                intent_ok += 1
                if all(k in slots and _same(v, slots[k]) for k, v in rec["slots"].items()):
                    exact += 1
                else:
                    misses[rec["intent"]] += 1
                    if args.verbose:
                        print(f"SLOTS {rec['sentence']!r} expected {rec['slots']} got {slots}")
            else:
                misses[rec["intent"]] += 1
                if args.verbose:
                    print(f"WRONG {rec['sentence']!r} expected {rec['intent']} got {intent} {slots}")
        if rec["intent"] in HANDLERS:
            mapped_total += 1
            m = matcher.match(rec["sentence"], graph, room=room)
            if m is not None and m.intent == rec["intent"] and m.plan.calls:
                mapped_planned += 1

    n = len(records)
    print(f"ha-intents-en: {n} sentences; matcher init {t_init * 1000:.0f} ms")
    print(
        f"  raw hassil (recognize): exact {exact / n:.1%}, intent {intent_ok / n:.1%}, unmatched {unmatched}"
    )
    print(
        f"  per sentence: median {statistics.median(times):.1f} ms, p95 {sorted(times)[int(0.95 * n)]:.1f} ms"
    )
    print(
        f"  sentences whose expected intent is mapped: {mapped_planned}/{mapped_total} get that intent"
        " and skill calls from match()"
    )
    print("  misses by intent:", ", ".join(f"{k} {v}" for k, v in misses.most_common(12)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
