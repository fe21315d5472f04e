"""Property tests: no adapter parser raises, whatever arrives; everything returned is a valid Parsed item.
(bench/fuzz.py runs the same at 100,000 inputs per parser.)"""

from __future__ import annotations

from typing import Any

import pytest
from fusehub.app import load_adapters
from fusehub.events import Parsed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from tests.fuzz_inputs import payloads

ADAPTERS = load_adapters()
PARSED: TypeAdapter[list[Parsed]] = TypeAdapter(list[Parsed])
ROUTES = [(name, r.pattern, r.parse) for name, spec in ADAPTERS.items() for r in spec.routes]


def concrete(pattern: str, level: str) -> str:
    parts = [level if p == "+" else p for p in pattern.split("/")]
    if parts and parts[-1] == "#":
        parts[-1] = level
    return "/".join(parts)


levels = st.sampled_from(["kitchen", "1", "anna", "shellyplus1pm-a8032ab12345", "x" * 70, "", "$SYS", "a b"])


@pytest.mark.parametrize(("adapter", "pattern", "parse"), ROUTES, ids=[f"{a}:{p}" for a, p, _ in ROUTES])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level=levels, payload=payloads)
def test_route_parsers_never_raise(adapter: str, pattern: str, parse: Any, level: str, payload: bytes) -> None:
    out = parse(concrete(pattern, level), payload)
    PARSED.validate_python(out)


DEVICE_PARSERS = [(n, s.parse_device) for n, s in ADAPTERS.items() if s.parse_device is not None]


@pytest.mark.parametrize(("adapter", "parse_device"), DEVICE_PARSERS, ids=[n for n, _ in DEVICE_PARSERS])
@settings(max_examples=100, deadline=None)
@given(payload=payloads, topic=st.sampled_from(["sim/x/state", "sim/x/availability", "zigbee2mqtt/lamp",
                                                  "stat/plug/POWER", "home/tv/state", "other"]))
def test_device_parsers_never_raise(adapter: str, parse_device: Any, payload: bytes, topic: str) -> None:
    address = {"subscribe": [topic], "topics": {"state": topic}, "platform": "light", "schema": "json",
               "friendly_name": "lamp", "topic": "plug", "state_topic": topic, "format": "json"}
    out = parse_device(f"{adapter}:x", address, topic, payload)
    PARSED.validate_python(out)
