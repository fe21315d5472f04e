"""Shared helpers for the table-driven adapter tests: route a message through a SPEC, compare to a case."""

from __future__ import annotations

import json
from typing import Any

from hub.adapter import AdapterSpec, topic_matches
from hub.events import Parsed


def route(spec: AdapterSpec, topic: str, payload: bytes) -> list[Parsed]:
    """Parse through the one SPEC route whose pattern matches the topic (as the hub's router does)."""
    matching = [r for r in spec.routes if topic_matches(r.pattern, topic)]
    assert len(matching) == 1, f"{topic}: {[r.pattern for r in matching]}"
    return matching[0].parse(topic, payload)


def check(parsed: list[Parsed], expect: list[dict[str, Any]]) -> None:
    """Every expected field of every parsed item matches ('reason_contains' checks a rejection's reason)."""
    assert len(parsed) == len(expect), parsed
    for item, exp in zip(parsed, expect, strict=True):
        got = item.model_dump(mode="json")
        for k, v in exp.items():
            if k == "reason_contains":
                assert v in got["reason"], got["reason"]
            else:
                assert got[k] == v, (k, got[k], v)


def fixture_payload(case: dict[str, Any]) -> bytes:
    """A fixture's payload: `raw` text as is, else `payload` as JSON."""
    if "raw" in case:
        return str(case["raw"]).encode("utf-8")
    return json.dumps(case["payload"]).encode("utf-8")
