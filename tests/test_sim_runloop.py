"""The simulator drives the daemon's own run loop (fusehub.app.RunLoop): as virtual time passes, scenarios run
the same housekeeping a running hub does, reconnect handling included."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import paho.mqtt.client as paho
from fusehub.home import Home
from fusehub.simulations.broker import Mosquitto, free_port
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_RULES

START = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _retained(port: int, topic: str, wait_s: float = 1.5) -> list[bytes]:
    got: list[bytes] = []
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="retained-probe")
    c.on_message = lambda _c, _u, m: got.append(m.payload) if m.retain else None
    c.connect("127.0.0.1", port)
    c.subscribe(topic, qos=1)
    c.loop_start()
    try:
        import time

        time.sleep(wait_s)
    finally:
        c.loop_stop()
        c.disconnect()
    return got


async def test_after_a_broker_restart_the_run_loop_announces_the_hub_again(demo_home: Home) -> None:
    """A broker without persistence forgets the hub's retained Home Assistant discovery when it restarts; the run
    loop notices the reconnect and announces again. Nothing in the scenario calls the hub to do it."""
    port = free_port()
    broker = Mosquitto(port=port).start()
    try:
        async with SimSession(demo_home, [str(DEMO_RULES)], START, broker.url, "5") as sim:
            topic = f"homeassistant/device/{sim.config.hub_id}/config"
            assert await asyncio.to_thread(_retained, port, topic), "the hub announces itself on attach"
            sim._hub_link.settings = sim._hub_link.settings.model_copy(update={"reconnect_max_s": 0.5})
            sim._world_link.settings = sim._world_link.settings.model_copy(update={"reconnect_max_s": 0.5})
            connects = sim._hub_link.connects
            broker.kill()
            broker = Mosquitto(port=port).start()
            assert await sim._hub_link.wait_connected(15)
            for _ in range(100):
                if sim._hub_link.connects > connects:
                    break
                await asyncio.sleep(0.05)
            assert sim._hub_link.connects > connects
            assert await asyncio.to_thread(_retained, port, topic) == [], "a restarted broker forgot it"
            assert await sim._hub_link.wait_connected(15)  # resubscribed
            await sim.advance_to(sim.clock.now() + timedelta(seconds=1))
            await sim.settle()
            assert await asyncio.to_thread(_retained, port, topic), "the run loop announced the hub again"
            assert sim.hub.metrics["mqtt.connects"] == sim._hub_link.connects
    finally:
        broker.stop()
