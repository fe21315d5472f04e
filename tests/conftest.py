"""Shared fixtures: a real mosquitto broker on a free loopback port, the demo home."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fusehub.context.graph import ContextGraph
from fusehub.events import Plan
from fusehub.home import Home, load_home
from fusehub.reasoner.planner import PlanRequest
from fusehub.sdk import SkillRegistry
from fusehub.simulations.broker import Mosquitto

ROOT = Path(__file__).resolve().parent.parent
DEMO_HOME = ROOT / "simulations" / "homes" / "demo.yaml"
DEMO_RULES = ROOT / "simulations" / "rules" / "demo.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def mosquitto() -> Iterator[Mosquitto]:
    """One real mosquitto for the session (tests use unique client ids and topics)."""
    with Mosquitto() as m:
        yield m


@pytest.fixture
def demo_home() -> Home:
    return load_home(DEMO_HOME)


def _real_model_dir() -> Path | None:
    try:
        from fusehub.reasoner.model_store import default_model_dir

        return default_model_dir()
    except Exception:
        return None


REAL_MODEL_DIR = _real_model_dir()
"""The planner model `scripts/setup.sh` built for the shipped adapter (computed before tests isolate the cache)."""


# Hubs built in tests get no planner model unless a test passes one: their behaviour must not depend on what
# is in the user's cache. Set at import, before any fixture of any scope builds a hub; tests of the planner use
# the `planner_model` fixture (REAL_MODEL_DIR was computed above, before this).
os.environ["FUSEHUB_MODEL_CACHE"] = tempfile.mkdtemp(prefix="fusehub-no-model-")
# Parsed sentence templates are cached per test session, not in the user's cache.
os.environ["FUSEHUB_TEMPLATE_CACHE"] = tempfile.mkdtemp(prefix="fusehub-templates-")


@pytest.fixture(scope="session")
def planner_model() -> Path:
    """The real built model. Missing means the set-up step did not build it: that is a failure, not a skip."""
    if REAL_MODEL_DIR is None or not (REAL_MODEL_DIR / "genai_config.json").exists():
        pytest.fail(f"planner model not built ({REAL_MODEL_DIR}): run scripts/setup.sh or `fusehub model build`")
    return REAL_MODEL_DIR


class Recording:
    """A planner that records what it was asked and answers with a fixed plan (by default a refusal: it plans
    nothing). The Planner seam the model also crosses."""

    name = "recording"

    def __init__(self, plan: Plan | None = None) -> None:
        self.answer = plan if plan is not None else Plan(source="planner", cannot="nothing")
        self.asked: list[str | None] = []

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        self.asked.append(request.text)
        return self.answer
