"""Ingest benchmark: N device observations through a real mosquitto into the hub's context graph.

Reports the sustained ingest rate (observations/s into the graph, and that none were lost) and the
p50/p99 latency from a rule's trigger event (published by a device) to the rule's command arriving on
the broker. Run:  .venv/bin/python bench/ingest.py [--messages 20000] [--devices 100] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as paho
from fusehub.app import build_hub, run_forever
from fusehub.clock import RealClock
from fusehub.config import HubConfig, MqttSettings
from fusehub.home import parse_home
from fusehub.journal import Journal
from fusehub.mqtt import MqttLink
from fusehub.policy import PolicyConfig
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.world import World

RULES = """
rules:
  - id: bench_motion_light
    trigger: {state: motion, entity: bench_motion, to: true}
    actions:
      - {skill: light_turn_on, args: {device: bench_light}}
"""


def make_home(devices: int) -> str:
    lines = [
        "name: Bench home", "timezone: UTC", "rooms: [{id: lab, name: Lab}]", "devices:",
        "  - {id: bench_motion, name: Bench motion, kind: motion, room: lab, ecosystem: homeassistant}",
        "  - {id: bench_light, name: Bench light, kind: light, room: lab, ecosystem: homeassistant}",
    ]
    for i in range(devices):
        lines.append(f"  - {{id: s{i}, name: Sensor {i}, kind: sensor, room: lab, ecosystem: homeassistant}}")
    return "\n".join(lines) + "\n"


def flood_process(port: int, payloads: list[tuple[str, str]]) -> None:
    """Publish every payload at QoS 1 as fast as the broker takes them (a separate process)."""
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-flood")
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", port)
    c.loop_start()
    infos = [c.publish(t, p, qos=1) for t, p in payloads]
    for i in infos:
        i.wait_for_publish(60)
    c.loop_stop()
    c.disconnect()


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def main(n_messages: int, n_devices: int, rounds: int) -> None:
    with Mosquitto() as broker, tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(RULES)
        home = parse_home(make_home(n_devices))
        cfg = HubConfig(hub_id="bench", home="(bench)", rules=[str(rules)], data_dir=tmp,
                        mqtt=MqttSettings(url=broker.url, client_id="bench-hub"),
                        policy=PolicyConfig(merge_window_s=0, rate_limit_count=1_000_000))
        hub = build_hub(cfg, clock=RealClock(), home=home, journal=Journal(Path(tmp) / "j.sqlite"),
                        with_intents=False)
        stop = asyncio.Event()
        async with MqttLink(cfg.mqtt, "bench") as link, \
                MqttLink(MqttSettings(url=broker.url, client_id="bench-world"), "bench-world") as wlink:
            runner = asyncio.create_task(run_forever(hub, link, stop))
            await link.wait_connected(10)
            await wlink.wait_connected(10)
            world = World(home, hub.adapters, wlink, RealClock())
            await world.start()
            await asyncio.sleep(1.0)
            sim = hub.adapters["homeassistant"].sim
            assert sim is not None
            topics = []
            for i in range(n_devices):
                msgs = sim.publish_state(world.devices[f"s{i}"].decl, {"value": 0.0, "unit": "W"})
                topics.append(msgs[0].topic)
            discovered = sum(1 for d in hub.graph.devices() if d.address.get("subscribe"))
            print(f"devices discovered through HA discovery: {discovered}/{n_devices + 2}")

            # ---- sustained ingest: a C-speed-ish publisher thread (paho) floods state messages at QoS 1
            before = hub.metrics["observations"]
            pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-pub")
            pub.max_inflight_messages_set(1000)
            pub.connect("127.0.0.1", broker.port)
            pub.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pub.loop_start()
            payloads = [(topics[k % n_devices], json.dumps({"value": float(k), "unit": "W"}))
                        for k in range(n_messages)]
            t0 = time.perf_counter()

            # the flood runs in its own process so it does not compete with the hub for the GIL
            th = multiprocessing.get_context("spawn").Process(target=flood_process, args=(broker.port, payloads))
            th.start()
            t_first = None
            while hub.metrics["observations"] - before < n_messages:
                await asyncio.sleep(0.01)
                if t_first is None and hub.metrics["observations"] > before:
                    t_first = time.perf_counter()
                if time.perf_counter() - t0 > 300:
                    break
            t_end = time.perf_counter()
            elapsed = t_end - (t_first or t0)
            th.join()
            got = hub.metrics["observations"] - before
            print(f"ingest: {got}/{n_messages} observations into the graph in {elapsed:.2f} s "
                  f"(from the first arrival) = {got / elapsed:,.0f} obs/s; lost: {n_messages - got}; "
                  f"rejected: {hub.metrics['rejected']}")

            # ---- trigger -> command latency through the rule
            motion = world.devices["bench_motion"].decl
            arrivals: dict[int, float] = {}
            sent: dict[int, float] = {}
            cmd_topics = sim.command_topics(world.devices["bench_light"].decl)
            got_cmd = threading.Event()

            def on_msg(c: object, u: object, m: paho.MQTTMessage) -> None:
                arrivals[len(arrivals)] = time.perf_counter()
                got_cmd.set()

            sub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="bench-sub")
            sub.on_message = on_msg
            sub.connect("127.0.0.1", broker.port)
            sub.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for t in cmd_topics:
                sub.subscribe(t, qos=1)
            sub.loop_start()
            await asyncio.sleep(0.5)
            on_msgs = sim.publish_state(motion, {"motion": True})
            off_msgs = sim.publish_state(motion, {"motion": False})
            for r in range(rounds):
                for m in off_msgs:
                    pub.publish(m.topic, m.payload, qos=1)
                await asyncio.sleep(0.01)
                got_cmd.clear()
                sent[r] = time.perf_counter()
                for m in on_msgs:
                    pub.publish(m.topic, m.payload, qos=1)
                for _ in range(200):
                    if got_cmd.is_set():
                        break
                    await asyncio.sleep(0.002)
            await asyncio.sleep(0.2)
            lat = [(arrivals[i] - sent[i]) * 1000 for i in range(min(len(arrivals), rounds))]
            if lat:
                print(f"rule trigger -> command on broker: n={len(lat)} p50={statistics.median(lat):.1f} ms "
                      f"p99={percentile(lat, 99):.1f} ms max={max(lat):.1f} ms")
            else:
                print("rule trigger -> command: no commands arrived")
            sub.loop_stop()
            pub.loop_stop()
            stop.set()
            await runner


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--devices", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=200)
    a = ap.parse_args()
    asyncio.run(main(a.messages, a.devices, a.rounds))
