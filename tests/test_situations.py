"""Proactive situations: a fused arrival (through the real broker) asks the planner; the household's autonomy
decides whether the plan runs or goes to the owners' phones as a suggestion to confirm.

The planner here records what it is asked and proposes a fixed plan: this is the Planner seam, which the
real model also crosses (tests/test_llm_planner.py drives the real model through the same hub)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fusehub.config import ReasonerConfig, SituationConfig
from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.home import Home
from fusehub.reasoner.planner import PlanRequest
from fusehub.sdk import SkillRegistry
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_RULES

START = datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


class RecordingPlanner:
    name = "recording"

    def __init__(self) -> None:
        self.requests: list[PlanRequest] = []

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        self.requests.append(request)
        return Plan(source="planner", confidence=0.9, calls=[
            SkillCall(skill="switch_turn_on", args={"device": "coffee_plug"}),
            SkillCall(skill="lock_unlock", args={"device": "front_door_lock"}),
        ])


async def _arrive(sim: SimSession) -> None:
    await sim.world.move("anna", "work", initial=True)
    await sim.advance_to(START.replace(minute=5))
    await sim.world.move("anna", "home")
    await sim.settle()
    await sim.advance_to(START.replace(minute=8))
    await sim.settle()



def _reasoner(autonomy: str) -> ReasonerConfig:
    return ReasonerConfig(autonomy=autonomy, situations=[  # type: ignore[arg-type]
        SituationConfig(id="arrival", on="arrived")])


async def test_suggest_sends_the_plan_to_the_owners_phone(demo_home: Home, mosquitto: Mosquitto) -> None:
    planner = RecordingPlanner()
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5", planner=planner,
                          reasoner=_reasoner("suggest")) as sim:
        await _arrive(sim)
        asked = [r for r in planner.requests if r.situation]
        assert asked and asked[0].situation is not None and asked[0].text is None
        assert asked[0].situation.startswith("anna arriving home in 1 min"), asked[0].situation
        assert asked[0].situation.endswith(", dark")  # 17:05 in November
        # nothing ran: the owner's phone got the suggestions
        assert not [r for r in sim.world.received if r.device in ("coffee_plug", "front_door_lock")]
        notes = [r for r in sim.world.received if r.device == "anna_phone"]
        assert notes and "fusehub suggests" in notes[0].payload
        pending = [k for k, p in sim.hub.executor.pending.items() if p.call.skill == "switch_turn_on"]
        assert len(pending) == 1
        out = await sim.hub.confirm(pending[0], "anna")
        await sim.settle()
        assert out is not None and out.commands
        assert [r.device for r in sim.world.received if r.device == "coffee_plug"] == ["coffee_plug"]


async def test_act_runs_control_but_secure_still_waits(demo_home: Home, mosquitto: Mosquitto) -> None:
    planner = RecordingPlanner()
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5", planner=planner,
                          reasoner=_reasoner("act")) as sim:
        await _arrive(sim)
        assert [r for r in planner.requests if r.situation]
        assert [r.device for r in sim.world.received if r.device == "coffee_plug"]
        assert not [r for r in sim.world.received if r.device == "front_door_lock"]  # the model cannot unlock
        decisions = [d for d in sim.hub.journal.recent(("decision",), 1000)
                     if d["body"]["plan"]["source"] == "situation"]
        assert decisions and any(v.startswith("confirm") or v.startswith("rejected")
                                 for d in decisions for v in d["body"]["verdicts"])


async def test_off_asks_nothing(demo_home: Home, mosquitto: Mosquitto) -> None:
    planner = RecordingPlanner()
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5", planner=planner,
                          reasoner=_reasoner("off")) as sim:
        await _arrive(sim)
        assert not [r for r in planner.requests if r.situation]
