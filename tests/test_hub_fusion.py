"""Fusion inside the running hub: triggers come from beliefs (no flapping), voice and BLE place people in
rooms, and `fusehub context why` explains the belief."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fusehub.cli import app
from fusehub.config import Requester, RequestsConfig
from fusehub.events import HubEvent
from fusehub.home import Home
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession
from typer.testing import CliRunner

from tests.conftest import DEMO_RULES

CONTROLLER = RequestsConfig(anonymous=Requester(controller=True))
START = datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


async def test_flapping_region_events_give_one_arrival(demo_home: Home, mosquitto: Mosquitto) -> None:
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5") as sim:
        arrivals: list[HubEvent] = []
        sim.hub.bus.subscribe("test-arrivals", HubEvent,
                              lambda e: arrivals.append(e) if e.name in ("arrived", "left") else None)
        await sim.world.move("anna", "work", initial=True)
        await sim.advance_to(START.replace(minute=5))
        phone = sim.world.devices["anna_phone"]
        sim_dev = phone.spec.sim
        assert sim_dev is not None
        home = demo_home.location
        assert home is not None
        # she walks up to the door: the region boundary flaps enter/leave/enter within a minute
        for i, ev in enumerate(["enter", "leave", "enter", "leave", "enter"]):
            state = {"latitude": home.latitude + 0.0006, "longitude": home.longitude, "accuracy": 40,
                     "transition": {"event": ev, "region": "Home"}}
            for m in sim_dev.publish_state(phone.decl, state):
                await sim.world.link.publish(m)
            await sim.settle()
            await sim.advance_to(START.replace(minute=5, second=10 * (i + 1)))
        await sim.advance_to(START.replace(minute=10))
        assert [e.name for e in arrivals] == ["arrived"], [e.name for e in arrivals]
        assert sim.hub.graph.person("anna").location == "home"


async def test_voice_places_a_person_and_why_explains_it(
    demo_home: Home, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    # the test broker has no users: the CLI below connects anonymously, as a trusted controller
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5", requests=CONTROLLER) as sim:
        await sim.world.move("anna", "home", initial=True)
        await sim.advance_to(START.replace(minute=2))
        await sim.world.say("is the back door locked", "anna", "kitchen")
        await sim.settle()
        p = sim.hub.graph.person("anna")
        assert (p.location, p.room) == ("home", "kitchen")
        cfg = tmp_path / "c.yaml"
        cfg.write_text(f"hub_id: {sim.config.hub_id}\nmqtt: {{url: '{mosquitto.url}'}}\n")
        res = await asyncio.to_thread(CliRunner().invoke, app, ["context", "why", "anna", "--config", str(cfg)])
        assert res.exit_code == 0, res.output
        assert "anna: home, in the kitchen" in res.output
        assert "voice" in res.output
        res = await asyncio.to_thread(CliRunner().invoke, app, ["context", "why", "zed", "--config", str(cfg)])
        assert res.exit_code == 1 and "not_found" in res.output and "no person" in res.output  # the hub refused it


async def test_beliefs_and_evidence_are_in_the_graph(demo_home: Home, mosquitto: Mosquitto) -> None:
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5") as sim:
        await sim.world.move("ben", "home", initial=True)
        await sim.advance_to(START.replace(minute=1))
        await sim.world.say("is the back door locked", "ben", "living_room")
        await sim.settle()
        node = sim.hub.graph.to_dict()["nodes"]
        ben = next(n for n in node if n.get("type") == "person" and n["id"] == "ben")
        assert ben["location"] == "home" and ben["room"] == "living_room"
        assert ben["p_home"] > 0.9
        assert ben["evidence"] and ben["evidence"][0].startswith("ben: home, in the living_room")
        assert any("voice" in line for line in sim.hub.fusion.explain("ben"))
