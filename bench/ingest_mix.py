"""Mixed-ecosystem ingest benchmark: a stream of real-format messages from nine ecosystems (Home Assistant,
Zigbee2MQTT, Tasmota, Shelly, OwnTracks, ESPresense, Frigate, TeslaMate, Valetudo) through mosquitto into
the hub's graph. Every device is first discovered by its own ecosystem's announcement; the stream is then
flooded at QoS 1 from a separate process.

Prints observations/s through parsing and graph update, and checks none were lost: the same stream is
first run through an offline hub (no MQTT) to count the observations it must produce; that run's rate is
printed too (parse + graph + rules + journal, no broker).
Run: .venv/bin/python bench/ingest_mix.py [--messages 20000] [--per-ecosystem 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from fusehub.app import Hub, build_hub, run_forever
from fusehub.clock import RealClock
from fusehub.config import HubConfig, MqttSettings
from fusehub.home import DeviceDecl, Home
from fusehub.journal import Journal
from fusehub.mqtt import MqttLink
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.world import World
from ingest import flood_process  # bench/ingest.py, beside this file

ROOMS = ["kitchen", "living_room", "hallway", "bedroom", "garage"]


def make_home(per: int) -> Home:
    devs: list[dict[str, object]] = []
    for i in range(per):
        room = ROOMS[i % len(ROOMS)]
        devs += [
            {"id": f"ha_t{i}", "name": f"{room} temperature {i}", "kind": "sensor", "room": room,
             "ecosystem": "homeassistant"},
            {"id": f"z_l{i}", "name": f"Lamp {i}", "kind": "light", "room": room, "ecosystem": "zigbee2mqtt",
             "ids": {"friendly_name": f"{room}/lamp_{i}"}},
            {"id": f"t_p{i}", "name": f"{room} plug {i}", "kind": "plug", "room": room, "ecosystem": "tasmota",
             "ids": {"topic": f"plug_{i}"}},
            {"id": f"s_s{i}", "name": f"Relay {i}", "kind": "switch", "ecosystem": "shelly",
             "ids": {"prefix": f"shellyplus1pm-a8032ab1{i:04d}"}},
            {"id": f"o_p{i}", "name": f"Phone {i}", "kind": "phone", "ecosystem": "owntracks",
             "ids": {"user": f"user{i}", "device": "phone"}},
            {"id": f"e_t{i}", "name": f"Tag {i}", "kind": "ble_tag", "ecosystem": "espresense",
             "ids": {"device_id": f"tag{i}"}},
            {"id": f"f_c{i}", "name": f"cam {i}", "kind": "camera", "room": room, "ecosystem": "frigate",
             "ids": {"camera": f"cam{i}"}},
            {"id": f"c_{i}", "name": f"Car {i}", "kind": "car", "ecosystem": "teslamate",
             "ids": {"car_id": str(i + 1)}},
            {"id": f"v_{i}", "name": f"Robot {i}", "kind": "vacuum", "ecosystem": "valetudo",
             "ids": {"id": f"Robot{i}"}},
        ]
    return Home.model_validate({"name": "Mix", "timezone": "UTC",
                                "location": {"id": "home", "name": "Home", "latitude": 52.0, "longitude": 4.0},
                                "rooms": [{"id": r, "name": r.replace("_", " ").title()} for r in ROOMS],
                                "devices": devs})


def next_state(decl: DeviceDecl, k: int, r: random.Random) -> dict[str, object]:
    eco = decl.ecosystem
    if eco == "homeassistant":
        return {"value": round(15 + r.random() * 10, 2), "unit": "°C"}
    if eco == "zigbee2mqtt":
        return {"on": bool(k % 2), "brightness": r.randrange(1, 100)}
    if eco in ("tasmota", "shelly"):
        return {"on": bool(k % 2)}
    if eco == "owntracks":
        return {"latitude": 52.0 + r.random() / 100, "longitude": 4.0 + r.random() / 100, "accuracy": 10}
    if eco == "espresense":
        return {"room": r.choice(ROOMS), "distance": round(r.random() * 8, 2)}
    if eco == "frigate":
        return {"person_count": r.randrange(0, 3)}
    if eco == "teslamate":
        return {"speed": r.randrange(0, 120)}
    return {"status": r.choice(["cleaning", "docked", "returning"]), "battery": r.randrange(10, 100)}


def stream(home: Home, adapters: dict[str, object], n: int, seed: int) -> list[tuple[str, str]]:
    r = random.Random(seed)
    out: list[tuple[str, str]] = []
    k = 0
    while len(out) < n:
        decl = r.choice(home.devices)
        sim = adapters[decl.ecosystem].sim  # type: ignore[attr-defined]
        for m in sim.publish_state(decl, next_state(decl, k, r)):
            out.append((m.topic, m.payload))
        k += 1
    return out[:n]


async def announce(hub: Hub, home: Home) -> None:
    for decl in home.devices:
        sim = hub.adapters[decl.ecosystem].sim
        if sim is None:
            continue
        for m in sim.announce(decl) + sim.publish_state(decl, next_state(decl, 0, random.Random(0))):
            await hub.ingest(m.topic, m.payload.encode())


async def main(n: int, per: int, seed: int) -> None:
    home = make_home(per)
    with tempfile.TemporaryDirectory() as tmp:
        # offline reference: how many observations must this stream produce?
        ref = build_hub(HubConfig(home="x", data_dir=tmp), clock=RealClock(), home=Home(name="Mix", timezone="UTC",
                        rooms=home.rooms, location=home.location), journal=Journal(":memory:"), with_intents=False)
        await announce(ref, home)
        msgs = stream(home, ref.adapters, n, seed)
        before = ref.metrics["observations"]
        t0 = time.perf_counter()
        for t, p in msgs:
            await ref.ingest(t, p.encode())
        dt = time.perf_counter() - t0
        expected = ref.metrics["observations"] - before
        def eco(topic: str) -> str:
            first = topic.split("/")[0]
            return {"stat": "tasmota", "tele": "tasmota", "sim": "homeassistant"}.get(
                first, "shelly" if first.startswith("shelly") else first)

        per_eco = Counter(eco(t) for t, _ in msgs)
        print(f"stream: {len(msgs)} messages from {len(set(d.ecosystem for d in home.devices))} ecosystems "
              f"({len(home.devices)} devices): {dict(per_eco)}")
        print(f"offline (no broker): {expected} observations, {len(msgs) / dt:,.0f} msgs/s, "
              f"{dt / len(msgs) * 1e6:.0f} us/msg; rejected {ref.metrics['rejected']}")

        with Mosquitto() as broker:
            cfg = HubConfig(hub_id="mix", home="x", data_dir=tmp,
                            mqtt=MqttSettings(url=broker.url, client_id="mix-hub"))
            hub = build_hub(cfg, clock=RealClock(), home=Home(name="Mix", timezone="UTC", rooms=home.rooms,
                            location=home.location), journal=Journal(Path(tmp) / "j.sqlite"), with_intents=False)
            stop = asyncio.Event()
            async with MqttLink(cfg.mqtt, "mix") as link, \
                    MqttLink(MqttSettings(url=broker.url, client_id="mix-world"), "mix-world") as wlink:
                runner = asyncio.create_task(run_forever(hub, link, stop))
                await link.wait_connected(10)
                await wlink.wait_connected(10)
                world = World(home, hub.adapters, wlink, RealClock())
                await world.start()
                for _ in range(200):
                    await asyncio.sleep(0.05)
                    if len(hub.graph.device_ids()) >= len(home.devices):
                        break
                print(f"discovered at start through their own ecosystems: {len(hub.graph.device_ids())}/"
                      f"{len(home.devices)} devices (the rest, which have no discovery message, on first report)")
                await asyncio.sleep(0.5)
                base = hub.metrics["observations"]
                proc = multiprocessing.get_context("spawn").Process(target=flood_process, args=(broker.port, msgs))
                t0 = time.perf_counter()
                proc.start()
                t_first = None
                while hub.metrics["observations"] - base < expected and time.perf_counter() - t0 < 300:
                    await asyncio.sleep(0.01)
                    if t_first is None and hub.metrics["observations"] > base:
                        t_first = time.perf_counter()
                t_end = time.perf_counter()
                proc.join()
                await asyncio.sleep(0.5)
                got = hub.metrics["observations"] - base
                el = t_end - (t_first or t0)
                print(f"live flood through mosquitto (publisher process on the same 2 cores): {got}/{expected} "
                      f"observations in {el:.2f} s = {got / el:,.0f} obs/s; lost: {expected - got}; "
                      f"rejected: {hub.metrics['rejected']}")
                stop.set()
                await runner
            # Backlog: the hub is away (its persistent session keeps QoS 1 messages queued at the broker),
            # the same stream is published, then the hub comes back and drains it: the hub's own ingest rate,
            # without a publisher competing for the CPU.
            proc = multiprocessing.get_context("spawn").Process(target=flood_process, args=(broker.port, msgs))
            proc.start()
            proc.join()
            base = hub.metrics["observations"]
            stop = asyncio.Event()
            async with MqttLink(cfg.mqtt, "mix") as link:
                runner = asyncio.create_task(run_forever(hub, link, stop))
                t0 = time.perf_counter()
                t_first = None
                while hub.metrics["observations"] - base < expected and time.perf_counter() - t0 < 300:
                    await asyncio.sleep(0.005)
                    if t_first is None and hub.metrics["observations"] > base:
                        t_first = time.perf_counter()
                t_end = time.perf_counter()
                await asyncio.sleep(0.5)
                got = hub.metrics["observations"] - base
                el = t_end - (t_first or t0)
                print(f"queued backlog drained by the hub: {got}/{expected} observations in {el:.2f} s = "
                      f"{got / el:,.0f} obs/s; lost: {expected - got}; rejected: {hub.metrics['rejected']}")
                stop.set()
                await runner


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--per-ecosystem", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    asyncio.run(main(a.messages, a.per_ecosystem, a.seed))
