"""`fusehub plan` loads the planner model only when a request reaches the planner (local intents answer most
requests in a fraction of the ~1.7 s model load)."""

from __future__ import annotations

from pathlib import Path

from fusehub.app import LazyPlanner, build_hub
from fusehub.clock import RealClock
from fusehub.config import HubConfig, ReasonerConfig
from fusehub.events import Actor, Context, Origin
from fusehub.home import load_home
from fusehub.journal import Journal

from tests.conftest import DEMO_HOME


async def test_the_model_loads_on_the_first_request_that_needs_it(planner_model: Path) -> None:
    cfg = HubConfig(home=str(DEMO_HOME), reasoner=ReasonerConfig(model_dir=str(planner_model)))
    hub = build_hub(cfg, clock=RealClock(), home=load_home(DEMO_HOME), journal=Journal(":memory:"), lazy=True)
    assert isinstance(hub.planner, LazyPlanner) and not hub.planner.loaded
    ctx = Context(actor=Actor.unknown(), origin=Origin.voice)
    plan = await hub.plan_for("turn on the kitchen light", ctx)
    assert plan.source == "intent" and not hub.planner.loaded
    plan = await hub.plan_for("make it cozy in the living room", ctx)
    assert plan.source == "planner" and hub.planner.loaded and hub.planner.name == "llm"
    hub.journal.close()


def test_the_daemon_still_loads_eagerly(planner_model: Path) -> None:
    cfg = HubConfig(home=str(DEMO_HOME), reasoner=ReasonerConfig(model_dir=str(planner_model)))
    hub = build_hub(cfg, clock=RealClock(), home=load_home(DEMO_HOME), journal=Journal(":memory:"))
    assert not isinstance(hub.planner, LazyPlanner) and hub.planner.name == "llm"
    hub.journal.close()
