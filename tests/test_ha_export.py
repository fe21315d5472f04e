"""A Home Assistant-style consumer sees the hub's own entities: device-level discovery with valid configs,
retained states that follow the hub's beliefs, and configs re-sent when Home Assistant comes online."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from fusehub.adapters.homeassistant import expand
from fusehub.config import MqttSettings
from fusehub.events import Outbound, new_id
from fusehub.home import Home
from fusehub.mqtt import Message, MqttLink
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_RULES

START = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
DISCOVERY = ["homeassistant/+/+/config", "homeassistant/+/+/+/config", "homeassistant/device/+/config"]


async def collect(link: MqttLink, seconds: float) -> dict[str, Message]:
    got: dict[str, Message] = {}

    async def run() -> None:
        async for m in link.messages():
            got[m.topic] = m

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(run(), seconds)
    return got


def valid_component(c: dict[str, object]) -> None:
    assert isinstance(c.get("platform"), str) and c["platform"] in (
        "sensor", "binary_sensor", "device_tracker")
    assert isinstance(c.get("unique_id"), str) and c["unique_id"]
    assert isinstance(c.get("state_topic"), str) and "+" not in str(c["state_topic"])


async def test_home_assistant_sees_the_hubs_beliefs(demo_home: Home, mosquitto: Mosquitto) -> None:
    async with SimSession(demo_home, [str(DEMO_RULES)], START, mosquitto.url, "5") as sim:
        hub_id = sim.config.hub_id
        await sim.world.move("anna", "work", initial=True)
        await sim.settle()
        await sim.world.move("anna", "home", "hallway")
        await sim.world.say("is the front door locked", "anna", "hallway")  # her voice places her in the hallway
        await sim.settle()
        ha = MqttLink(MqttSettings(url=mosquitto.url, client_id=f"ha-{new_id()}"), f"ha{new_id()[:6]}")
        async with ha:
            await ha.wait_connected(5)
            for t in DISCOVERY:
                await ha.subscribe(t)
            await ha.subscribe(f"fusehub/{hub_id}/#")
            got = await collect(ha, 1.5)
            cfg_topic = f"homeassistant/device/{hub_id}/config"
            assert cfg_topic in got and got[cfg_topic].retain
            cfg = expand(json.loads(got[cfg_topic].payload))
            assert cfg["device"]["identifiers"] == [hub_id]
            assert cfg["origin"]["name"] == "fusehub"
            assert cfg["availability_topic"] == f"fusehub/{hub_id}/status"
            comps = cfg["components"]
            for c in comps.values():
                valid_component(expand(c))
            tracker = expand(comps["person_anna"])
            assert got[tracker["state_topic"]].payload == b"home"
            room_sensor = expand(comps["person_anna_room"])
            assert got[room_sensor["state_topic"]].payload == b"Hallway"
            occupied = expand(comps["room_hallway_occupied"])
            assert got[occupied["state_topic"]].payload == b"ON"
            assert got[f"fusehub/{hub_id}/status"].payload == b"online"
            # the hub does not mistake its own exported entities for devices
            assert sim.hub.graph.device_id_for_key(f"homeassistant:{hub_id}_person_anna") is None

            # Home Assistant restarts and says so: the hub announces itself again
            await ha.subscribe("homeassistant/device/+/config")
            before = sim.hub.metrics["rejected"]
            await ha.publish(Outbound(topic="homeassistant/status", payload="online", qos=0))
            again = await collect(ha, 1.0)
            assert cfg_topic in again
            assert sim.hub.metrics["rejected"] == before
