"""A home described only by its bridges is discovered completely: every device of ten ecosystems appears
with its room (where the ecosystem or the device's name says it) and capabilities, and `fusehub context
show` of the running hub lists them."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fusehub.cli import app
from fusehub.config import Requester, RequestsConfig
from fusehub.home import load_home
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession
from typer.testing import CliRunner

from tests.conftest import ROOT

HOMES = ROOT / "simulations" / "homes"
CONTROLLER = RequestsConfig(anonymous=Requester(controller=True))
START = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
NO_ROOM_BY_DESIGN = {"owntracks", "teslamate", "shelly"}  # carried/driven, or no name in the protocol


async def test_bridges_only_home_is_discovered_completely(mosquitto: Mosquitto, tmp_path: Path) -> None:
    hub_home = load_home(HOMES / "bridges.yaml")
    world = load_home(HOMES / "bridges_world.yaml")
    assert hub_home.devices == [] and len(hub_home.bridges) >= 6
    # the test broker has no users: the CLI below connects anonymously, as a trusted controller
    async with SimSession(hub_home, [], START, mosquitto.url, "5", world_home=world, requests=CONTROLLER) as sim:
        await sim.world.say("what time is it", "anna", "kitchen")  # a Hermes satellite is heard when used
        await sim.settle()
        graph = sim.hub.graph
        ecosystems = set()
        for decl in world.devices:
            key = sim.hub.adapters[decl.ecosystem].key_for(decl.id, decl.ids)
            dev_id = graph.device_id_for_key(key)
            assert dev_id is not None, f"{decl.id} ({key}) was not discovered"
            dev = graph.device(dev_id)
            assert set(decl.effective_capabilities()) <= set(dev.capabilities), (decl.id, dev.capabilities)
            if decl.ecosystem not in NO_ROOM_BY_DESIGN:
                assert dev.room == decl.room, (decl.id, dev.room)
            assert dev.available is not False
            ecosystems.add(decl.ecosystem)
        assert len(ecosystems) >= 6
        assert sim.hub.metrics["rejected"] == 0

        cfg = tmp_path / "config.yaml"
        cfg.write_text(f"hub_id: {sim.config.hub_id}\nmqtt: {{url: '{mosquitto.url}'}}\n")
        result = await asyncio.to_thread(
            CliRunner().invoke, app, ["context", "show", "--config", str(cfg), "--json", "--timeout", "10"]
        )
        assert result.exit_code == 0, result.output
        shown = {n["key"]: n for n in json.loads(result.output)["nodes"] if n.get("type") == "device"}
        assert len(shown) == len(world.devices)
        assert all(n["capabilities"] for n in shown.values())
