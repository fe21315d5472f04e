"""Proactive situations through the whole hub and a real broker: a fused arrival or a device's state is evaluated
against the household's preferences; what applies runs (act) or goes to the owners' phones (suggest); nothing
happens when no preference applies, and the planner is never asked about a situation (no built-in habits).

The planner here only records whether it is asked: it must not be."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fusehub.app import build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig
from fusehub.context.graph import ContextGraph
from fusehub.events import Plan, SkillCall
from fusehub.home import Home, parse_home
from fusehub.journal import Journal
from fusehub.reasoner.planner import PlanRequest
from fusehub.runtime.situations import ADDED_KEY
from fusehub.sdk import SkillRegistry
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_HOME

START = datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # after sunset in Amsterdam


class RecordingPlanner:
    name = "recording"

    def __init__(self) -> None:
        self.requests: list[PlanRequest] = []

    async def plan(self, request: PlanRequest, graph: ContextGraph, skills: SkillRegistry) -> Plan:
        self.requests.append(request)
        return Plan(source="planner", confidence=0.9, calls=[SkillCall(skill="switch_turn_on",
                                                                       args={"device": "coffee_plug"})])


def _home(prefs: str) -> Home:
    return parse_home(DEMO_HOME.read_text(encoding="utf-8") + prefs, "demo+prefs.yaml")


ARRIVAL = """
preferences:
  - id: kitchen_light_when_dark
    when: {situation: arrived, person: [anna]}
    if: {daylight: false}
    then: [{skill: light_turn_on, args: {device: kitchen_light}}]
    autonomy: AUTONOMY
"""


async def _arrive(sim: SimSession, person: str = "anna", minute: int = 5) -> None:
    await sim.world.move(person, "work", initial=True)
    await sim.advance_to(START.replace(minute=minute))
    await sim.world.move(person, "home")
    await sim.settle()
    await sim.advance_to(START.replace(minute=minute + 3))
    await sim.settle()


def _to(sim: SimSession, device: str) -> list[str]:
    return [r.device for r in sim.world.received if r.device == device]


async def test_act_runs_what_the_preference_says_and_log_why_names_it(mosquitto: Mosquitto) -> None:
    planner = RecordingPlanner()
    async with SimSession(_home(ARRIVAL.replace("AUTONOMY", "act")), [], START, mosquitto.url, "5",
                          planner=planner) as sim:
        await _arrive(sim)
        assert _to(sim, "kitchen_light") == ["kitchen_light"]
        assert not planner.requests  # the planner is never asked about a situation
        assert not _to(sim, "coffee_plug") and not _to(sim, "thermostat")  # no habits
        cmds = [c for c in sim.hub.journal.recent(("command",), 1000) if c["body"]["device"] == "kitchen_light"]
        chain = sim.hub.journal.why(cmds[0]["id"])
        decision = next(e for e in chain if e["kind"] == "decision")
        assert "preference kitchen_light_when_dark (arrived, act): person=anna, daylight=false" in \
            decision["summary"]
        assert chain[0]["kind"] == "event" and "arrived" in chain[0]["summary"]


async def test_no_preference_no_action(demo_home: Home, mosquitto: Mosquitto) -> None:
    planner = RecordingPlanner()
    async with SimSession(demo_home, [], START, mosquitto.url, "5", planner=planner) as sim:
        await _arrive(sim)
        assert not planner.requests
        assert [r.device for r in sim.world.received] == []
        assert not [d for d in sim.hub.journal.recent(("decision",), 1000)
                    if d["body"]["plan"]["source"] == "situation"]


async def test_a_condition_that_does_not_hold_means_nothing(mosquitto: Mosquitto) -> None:
    day = START.replace(hour=11)
    async with SimSession(_home(ARRIVAL.replace("AUTONOMY", "act")), [], day, mosquitto.url, "5") as sim:
        await sim.world.move("anna", "work", initial=True)
        await sim.advance_to(day.replace(minute=5))
        await sim.world.move("anna", "home")
        await sim.settle()
        await sim.advance_to(day.replace(minute=8))
        await sim.settle()
        assert sim.hub.graph.person("anna").location == "home"
        assert [r.device for r in sim.world.received] == []


async def test_suggest_asks_the_owners_and_runs_once_confirmed(mosquitto: Mosquitto) -> None:
    async with SimSession(_home(ARRIVAL.replace("AUTONOMY", "suggest")), [], START, mosquitto.url, "5") as sim:
        await _arrive(sim)
        assert not _to(sim, "kitchen_light")
        notes = [r for r in sim.world.received if r.device == "anna_phone"]
        assert notes and "fusehub suggests" in notes[0].payload
        pending = [k for k, p in sim.hub.executor.pending.items() if p.call.skill == "light_turn_on"]
        out = await sim.hub.confirm(pending[0], "anna")
        await sim.settle()
        assert out is not None and out.commands and _to(sim, "kitchen_light") == ["kitchen_light"]


async def test_a_device_crossing_a_value_tells_whoever_is_home(mosquitto: Mosquitto) -> None:
    prefs = """
preferences:
  - id: humidifier_asleep
    when: {situation: sensor, device: humidifier, attribute: mode, equals: sleep}
    then: [{tell: "The humidifier is in sleep mode.", to: home}]
    autonomy: act
"""
    async with SimSession(_home(prefs), [], START, mosquitto.url, "5") as sim:
        await sim.world.move("anna", "home", room="kitchen", initial=True)
        await sim.world.move("ben", "work", initial=True)
        await sim.advance_to(START.replace(minute=2))
        await sim.world.set_state("humidifier", {"mode": "sleep"})
        await sim.settle()
        await sim.advance_to(START.replace(minute=3))
        await sim.settle()
        said = [r for r in sim.world.received if "sleep mode" in r.payload]
        assert said, sim.timeline[-10:]
        assert not [r for r in said if r.device == "ben_phone"]  # Ben is not home


async def test_plain_language_preference_takes_effect_only_once_an_owner_confirms(mosquitto: Mosquitto) -> None:
    async with SimSession(_home(""), [], START, mosquitto.url, "5") as sim:
        await sim.world.move("ben", "work", initial=True)
        out = await sim.hub.say("when ben gets home, turn on the kitchen light", person="anna", room="kitchen")
        assert out.pending_confirmation and out.speech and "Ben arrives home" in out.speech
        assert "confirm" in out.speech and not out.commands
        await sim.settle()
        assert [r.device for r in sim.world.received] == ["anna_phone"]  # the readback to confirm, nothing else
        assert sim.hub.situations.preferences == []
        # Ben comes home before anyone confirmed: nothing happens
        await sim.advance_to(START.replace(minute=5))
        await sim.world.move("ben", "home")
        await sim.settle()
        await sim.advance_to(START.replace(minute=8))
        await sim.settle()
        assert not _to(sim, "kitchen_light")
        # Ben (not an owner) cannot confirm; Anna can
        assert await sim.hub.confirm(out.pending_confirmation, "ben") is None
        out = await sim.hub.say("when ben gets home, turn on the kitchen light", person="anna", room="kitchen")
        assert out.pending_confirmation
        done = await sim.hub.confirm(out.pending_confirmation, "anna")
        assert done is not None and [p.id for p in sim.hub.situations.preferences] == ["said_1"]
        await sim.advance_to(START.replace(minute=12))
        await sim.world.move("ben", "work")
        await sim.settle()
        await sim.advance_to(START.replace(minute=30))
        await sim.world.move("ben", "home")
        await sim.settle()
        await sim.advance_to(START.replace(minute=33))
        await sim.settle()
        assert _to(sim, "kitchen_light") == ["kitchen_light"]
        kept = sim.hub.journal.get(ADDED_KEY)
        assert kept and kept[0]["when"] == {"situation": "arrived", "person": ["ben"]}


async def test_a_sentence_that_cannot_be_compiled_is_said_so_and_changes_nothing(mosquitto: Mosquitto) -> None:
    async with SimSession(_home(""), [], START, mosquitto.url, "5") as sim:
        out = await sim.hub.say("when the sauna is warm, turn on the kitchen light", person="anna")
        assert out.pending_confirmation is None and not out.commands
        assert out.speech and "could not make that a preference" in out.speech
        assert not sim.hub.situations.proposals and sim.hub.situations.preferences == []


def test_confirmed_preferences_survive_a_restart(tmp_path: Path) -> None:
    j = Journal(":memory:")
    j.put(ADDED_KEY, [{"id": "said_1", "when": {"situation": "doorbell"}, "then": [{"announce": "Door"}]}])
    hub = build_hub(HubConfig(home="(test)", data_dir=str(tmp_path)), clock=VirtualClock(START),
                    home=_home(""), journal=j)
    assert [p.id for p in hub.situations.preferences] == ["said_1"]
