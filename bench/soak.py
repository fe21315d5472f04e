"""Soak: a simulated home at a high, paced event rate for a set duration, with the hub in its own process.

Processes: mosquitto; the hub (built as `fusehub run` builds it: build_hub + MqttLink + run_forever, plus a
one-line stats file every second); the device side here (simulations.world.World: virtual devices that
announce themselves through their ecosystems' discovery and apply the commands they receive); and a publisher
process that paces a mixed real-format stream at QoS 1: device state from nine ecosystems, motion sensors
(Zigbee2MQTT and Home Assistant) whose rules turn on a paired light (Zigbee2MQTT, Tasmota, Home Assistant,
Shelly), and an occasional spoken request through a Hermes satellite. The publisher also subscribes to the
paired lights' command topics and records event -> command latency: each pair has its own motion sensor,
rule and light, a trigger's ordinal is its sequence number, and the n-th command on a light answers the n-th
trigger of its sensor (a command arriving with no trigger outstanding is counted as extra; a trigger with no
command after 5 s as missing).

Every --interval seconds it prints: events/s published and ingested by the hub, the hub's queue, hub RSS
(VmRSS of the hub process), journal size on disk and rows, graph size, errors. At the end: events/s held,
p50/p99 event -> command latency, RSS after warm-up and at the end (growth %), journal rows, errors.

Run: .venv/bin/python bench/soak.py [--duration 120] [--rate 1000] [--interval 10] [--warmup 20]
     [--journal-max-events 200000] (3600 s for the hour soak)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import json
import logging
import multiprocessing
import os
import random
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fusehub.home import Home
from ingest_mix import ROOMS, make_home, next_state  # bench/ingest_mix.py, beside this file

PAIR_LIGHT_ECOS = ["zigbee2mqtt", "tasmota", "homeassistant", "shelly"]
PAIR_MOTION_ECOS = ["zigbee2mqtt", "homeassistant"]
UTTERANCES = ["turn on lamp {i}", "turn off lamp {i}", "what is the temperature in the {room}",
              "turn off the lights in the {room}"]


def soak_home(per: int, pairs: int) -> Home:
    h = make_home(per).model_dump(mode="json")
    devs = h["devices"]
    for i in range(pairs):
        room = ROOMS[i % len(ROOMS)]
        meco, leco = PAIR_MOTION_ECOS[i % 2], PAIR_LIGHT_ECOS[i % 4]
        mids = {"friendly_name": f"{room}/motion_{i}"} if meco == "zigbee2mqtt" else {}
        lids = {"zigbee2mqtt": {"friendly_name": f"{room}/pair_light_{i}"}, "tasmota": {"topic": f"pair_light_{i}"},
                "shelly": {"prefix": f"shellyplus1pm-c0ffee{i:06d}"}, "homeassistant": {}}[leco]
        devs.append({"id": f"motion_{i}", "name": f"motion sensor {i}", "kind": "motion", "room": room,
                     "ecosystem": meco, "ids": mids, "initial": {"motion": False}})
        devs.append({"id": f"pair_light_{i}", "name": f"pair light {i}", "kind": "light", "room": room,
                     "ecosystem": leco, "ids": lids, "initial": {"on": False}})
    for room in ROOMS:
        devs.append({"id": f"{room}_speaker", "name": f"{room} speaker", "kind": "speaker", "room": room,
                     "ecosystem": "hermes", "capabilities": ["tts"], "ids": {"site": room}})
    h["people"] = [{"id": "anna", "name": "Anna", "role": "owner", "voice_id": "anna"},
                   {"id": "ben", "name": "Ben", "role": "adult", "voice_id": "ben"}]
    return Home.model_validate(h)


def soak_rules(pairs: int) -> str:
    lines = ["rules:"]
    for i in range(pairs):
        lines.append(f"  - {{id: soak_motion_{i}, trigger: {{state: motion, entity: motion_{i}, to: true}}, "
                     f"actions: [{{skill: light_turn_on, args: {{device: pair_light_{i}}}}}]}}")
    return "\n".join(lines) + "\n"


# ====================================================================== the hub process
def hub_process(cfg_json: str, home_json: str, stats_path: str, max_events: int) -> None:
    """The hub as `fusehub run --config` runs it, plus a stats file rewritten every second."""
    asyncio.run(_hub_main(cfg_json, home_json, stats_path, max_events))


async def _hub_main(cfg_json: str, home_json: str, stats_path: str, max_events: int) -> None:
    import gc

    from fusehub.app import build_hub, run_forever
    from fusehub.clock import RealClock
    from fusehub.config import HubConfig
    from fusehub.journal import Journal
    from fusehub.mqtt import MqttLink

    cfg = HubConfig.model_validate_json(cfg_json)
    logging.basicConfig(level=logging.WARNING, filename=str(Path(cfg.data_dir) / "hub.log"),
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    hub = build_hub(cfg, clock=RealClock(), home=Home.model_validate_json(home_json),
                    journal=Journal(cfg.journal_path(), max_events=max_events))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async with MqttLink(cfg.mqtt, cfg.hub_id) as link:
        runner = asyncio.create_task(run_forever(hub, link, stop))
        await link.wait_connected(10)
        n = 0
        objects = len(gc.get_objects())
        while not stop.is_set():
            if n % 10 == 0:
                objects = len(gc.get_objects())
            stats = {"metrics": dict(hub.metrics), "queue": link.pending(), "devices": len(hub.graph.device_ids()),
                     "nodes": hub.graph.node_count(), "edges": hub.graph.edge_count(), "objects": objects,
                     "jobs": len(hub.scheduler._jobs), "scheduler_failures": hub.scheduler.failures,
                     "pending_confirmations": len(hub.executor.pending), "connected": link.connected}
            tmp = stats_path + ".tmp"
            Path(tmp).write_text(json.dumps(stats))
            os.replace(tmp, stats_path)
            n += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
        await runner
    hub.journal.close()


# ====================================================================== the publisher process
def publisher_process(port: int, rate: float, duration: float, background: list[tuple[str, str]],
                      pairs: list[dict[str, Any]], utterances: list[tuple[str, str]], utter_every: float,
                      out_dir: str) -> None:
    """Pace `rate` messages/s at QoS 1 for `duration` s; record trigger -> command latency per pair."""
    import paho.mqtt.client as paho

    lock = threading.Lock()
    outstanding: list[deque[float]] = [deque() for _ in pairs]
    by_topic: dict[str, int] = {}
    for i, p in enumerate(pairs):
        for t in p["command_topics"]:
            by_topic[t] = i
    c = Counter[str]()
    t0 = time.monotonic()
    lat_file = open(Path(out_dir) / "latency.txt", "a", buffering=1)  # noqa: SIM115 - closed at the end

    def on_msg(cl: object, u: object, m: paho.MQTTMessage) -> None:
        now = time.monotonic()
        i = by_topic.get(m.topic)
        if i is None:
            return
        with lock:
            q = outstanding[i]
            if not q:
                c["extra"] += 1  # a second message of the same command, or an answer to a missing trigger
                return
            t = q.popleft()
        c["commands"] += 1
        lat_file.write(f"{t - t0:.3f} {(now - t) * 1000:.3f}\n")

    sub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="soak-devices")
    sub.on_message = on_msg
    sub.connect("127.0.0.1", port)
    sub.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for t in by_topic:
        sub.subscribe(t, qos=1)
    sub.loop_start()
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="soak-publisher")
    pub.max_inflight_messages_set(1000)
    pub.max_queued_messages_set(0)
    pub.connect("127.0.0.1", port)
    pub.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pub.loop_start()
    time.sleep(0.5)
    t0 = time.monotonic()
    period = 1.0  # each pair: motion on at k*period (+ its phase), off half a period later
    heap: list[tuple[float, int, bool]] = []
    for i in range(len(pairs)):
        heapq.heappush(heap, (t0 + 0.1 + i * period / len(pairs), i, True))
    next_utter = t0 + utter_every
    sent = bi = ui = 0
    last_progress = 0.0
    progress = Path(out_dir) / "publisher.json"

    def send(topic: str, payload: str) -> None:
        nonlocal sent
        info = pub.publish(topic, payload, qos=1)
        sent += 1
        if info.rc != paho.MQTT_ERR_SUCCESS:
            c["publish_errors"] += 1

    while True:
        now = time.monotonic()
        if now - t0 >= duration:
            break
        while heap and heap[0][0] <= now:
            _, i, on = heapq.heappop(heap)
            p = pairs[i]
            if on:
                with lock:
                    q = outstanding[i]
                    while q and now - q[0] > 5.0:
                        q.popleft()
                        c["missing"] += 1
                    q.append(time.monotonic())
                c["triggers"] += 1
                for t, pl in p["on"]:
                    send(t, pl)
                heapq.heappush(heap, (now + period / 2, i, False))
            else:
                for t, pl in p["off"]:
                    send(t, pl)
                heapq.heappush(heap, (now + period / 2, i, True))
        if utterances and now >= next_utter:
            t, pl = utterances[ui % len(utterances)]
            ui += 1
            send(t, pl)
            c["utterances"] += 1
            next_utter += utter_every
        due = int((now - t0) * rate)
        while sent < due:
            t, pl = background[bi % len(background)]
            bi += 1
            send(t, pl)
        if now - last_progress >= 1.0:
            last_progress = now
            with lock:
                snap = dict(c)
            Path(progress).write_text(json.dumps({"sent": sent, "t": now - t0, **snap}))
        time.sleep(0.002)
    elapsed = time.monotonic() - t0
    time.sleep(5.0)  # the last commands
    with lock:
        snap = dict(c)
        snap["missing"] = snap.get("missing", 0) + sum(len(q) for q in outstanding)
    Path(progress).write_text(json.dumps({"sent": sent, "t": elapsed, "done": True, **snap}))
    pub.loop_stop()
    sub.loop_stop()
    pub.disconnect()
    sub.disconnect()
    lat_file.close()


# ====================================================================== the soak
def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def idle_s() -> float:
    """Idle CPU seconds of the whole machine (all CPUs)."""
    f = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return (int(f[4]) + int(f[5])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


def read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def journal_rows(path: Path) -> dict[str, int]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return {t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
                    for t in ("events", "rejections", "outbox")}
        finally:
            db.close()
    except sqlite3.Error:
        return {}


def disk_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.exists()) / 2**20


def errors_of(m: dict[str, int], pubstat: dict[str, Any], hub: dict[str, Any]) -> dict[str, int]:
    errs = {k: v for k, v in m.items() if (k.startswith("rejected") or k in ("commands.failed", "commands.expired"))
            and v}
    for k in ("publish_errors", "missing"):
        if pubstat.get(k):
            errs[f"publisher.{k}"] = int(pubstat[k])
    if hub.get("scheduler_failures"):
        errs["scheduler.failures"] = int(hub["scheduler_failures"])
    return errs


async def soak(duration: float, rate: float, interval: float, warmup: float, per: int, npairs: int,
               utter_every: float, max_events: int, seed: int) -> None:
    from fusehub.adapters.hermes import speak
    from fusehub.app import load_adapters
    from fusehub.clock import RealClock
    from fusehub.config import HubConfig, MqttSettings
    from fusehub.mqtt import MqttLink
    from fusehub.policy import PolicyConfig
    from fusehub.simulations.broker import Mosquitto
    from fusehub.simulations.world import World

    home = soak_home(per, npairs)
    adapters = load_adapters()
    r = random.Random(seed)
    bg_devs = [d for d in home.devices if not d.id.startswith(("motion_", "pair_light_")) and d.kind != "speaker"]
    background: list[tuple[str, str]] = []
    for k in range(20_000):
        d = r.choice(bg_devs)
        sim = adapters[d.ecosystem].sim
        assert sim is not None
        background += [(m.topic, m.payload) for m in sim.publish_state(d, next_state(d, k, r))]
    pairs = []
    for i in range(npairs):
        m = next(d for d in home.devices if d.id == f"motion_{i}")
        li = next(d for d in home.devices if d.id == f"pair_light_{i}")
        msim, lsim = adapters[m.ecosystem].sim, adapters[li.ecosystem].sim
        assert msim is not None and lsim is not None
        pairs.append({"on": [(x.topic, x.payload) for x in msim.publish_state(m, {"motion": True})],
                      "off": [(x.topic, x.payload) for x in msim.publish_state(m, {"motion": False})],
                      "command_topics": lsim.command_topics(li)})
    utterances = []
    for k in range(40):
        room = ROOMS[k % len(ROOMS)]
        text = UTTERANCES[k % len(UTTERANCES)].format(i=k % per, room=room.replace("_", " "))
        utterances += [(x.topic, x.payload) for x in speak(room, text, speaker="anna" if k % 3 else "ben")]
    ctx = multiprocessing.get_context("spawn")

    with Mosquitto() as broker, tempfile.TemporaryDirectory(prefix="fusehub-soak-") as tmp:
        rules = Path(tmp) / "rules.yaml"
        rules.write_text(soak_rules(npairs))
        cfg = HubConfig(hub_id="soak", home="(soak)", rules=[str(rules)], data_dir=tmp, log_level="WARNING",
                        mqtt=MqttSettings(url=broker.url, client_id="soak-hub"),
                        policy=PolicyConfig(merge_window_s=0, rate_limit_count=1_000_000))
        jpath = Path(cfg.journal_path())
        stats_path = Path(tmp) / "hub-stats.json"
        hubp = ctx.Process(target=hub_process, args=(cfg.model_dump_json(), home.model_dump_json(), str(stats_path),
                                                      max_events), name="soak-hub")
        hubp.start()
        assert hubp.pid is not None
        for _ in range(600):
            if read_json(stats_path).get("connected"):
                break
            await asyncio.sleep(0.1)
        else:
            raise SystemExit("the hub did not connect")
        async with MqttLink(MqttSettings(url=broker.url, client_id="soak-world"), "soak-world") as wlink:
            await wlink.wait_connected(10)
            world = World(home, adapters, wlink, RealClock())
            await world.start()

            async def pump() -> None:
                async for msg in wlink.messages():
                    await world.handle(msg.topic, msg.payload)
                    if len(world.received) > 1000:
                        world.received.clear()

            pumper = asyncio.create_task(pump())
            await asyncio.sleep(2.0)
            hs = read_json(stats_path)
            print(f"home: {len(home.devices)} devices ({len(bg_devs)} background in 9 ecosystems, "
                  f"{npairs} motion->light pairs, {len(ROOMS)} hermes satellites); graph: {hs.get('devices')} devices; "
                  f"hub pid {hubp.pid}; "
                  f"target {rate:,.0f} events/s for {duration:.0f} s (warm-up {warmup:.0f} s); "
                  f"journal max_events {max_events:,}; {os.cpu_count()} CPUs")
            pubp = ctx.Process(target=publisher_process, name="soak-publisher",
                               args=(broker.port, rate, duration, background, pairs, utterances, utter_every, tmp))
            pubp.start()
            t0 = time.monotonic()
            last_t, last_sent, last_msgs = t0, 0, int(hs.get("metrics", {}).get("messages", 0))
            last_cpu, last_idle = cpu_s(hubp.pid), idle_s()
            base_msgs = last_msgs
            lat_path = Path(tmp) / "latency.txt"
            lat_all: list[float] = []
            lat_off = 0
            rss_start: int | None = None
            rss_cap: int | None = None
            cap_el = 0.0
            rss_samples: list[tuple[float, int]] = []
            rates_pub: list[float] = []
            rates_hub: list[float] = []
            max_queue = 0
            while pubp.is_alive():
                await asyncio.sleep(interval)
                now = time.monotonic()
                ps, hs = read_json(Path(tmp) / "publisher.json"), read_json(stats_path)
                m = hs.get("metrics", {})
                sent, msgs = int(ps.get("sent", 0)), int(m.get("messages", 0))
                with contextlib.suppress(OSError):
                    with open(lat_path) as f:
                        f.seek(lat_off)
                        chunk = f.read()
                        cut = chunk.rfind("\n") + 1
                        lat_off += cut
                    new = [float(x) for x in chunk[:cut].split()[1::2]]
                    lat_all += new
                rss = rss_kib(hubp.pid)
                el = now - t0
                if rss_start is None and el >= warmup:
                    rss_start = rss
                if el >= warmup:
                    rss_samples.append((el, rss))
                dt = now - last_t
                pr, hr = (sent - last_sent) / dt, (msgs - last_msgs) / dt
                cpu, idle = cpu_s(hubp.pid), idle_s()
                hub_cpu, idle_pct = (cpu - last_cpu) / dt * 100, (idle - last_idle) / dt / (os.cpu_count() or 1) * 100
                last_cpu, last_idle = cpu, idle
                if el >= warmup and el <= duration + 0.5:
                    rates_pub.append(pr)
                    rates_hub.append(hr)
                    max_queue = max(max_queue, int(hs.get("queue", 0)))
                jr = journal_rows(jpath)
                if rss_cap is None and jr.get("events", 0) >= max_events:
                    rss_cap, cap_el = rss, el  # the journal is full and pruning from here: steady state
                errs = errors_of(m, ps, hs)
                lat_s = (f"p50 {statistics.median(new):.1f} p99 {percentile(new, 99):.1f} ms (n={len(new)})"
                         if new else "no commands")
                print(f"[{el:6.0f}s] pub {pr:6,.0f}/s hub {hr:6,.0f}/s queue {hs.get('queue', 0):5} "
                      f"hub CPU {hub_cpu:3.0f}% idle {idle_pct:3.0f}% | "
                      f"ev->cmd {lat_s} | hub RSS {rss / 1024:6.1f} MiB objs {hs.get('objects', 0):,} | "
                      f"journal {disk_mib(jpath):5.1f} MiB ev {jr.get('events', 0):,} rej {jr.get('rejections', 0):,} "
                      f"outbox {jr.get('outbox', 0):,} | graph {hs.get('nodes', 0)} nodes {hs.get('edges', 0)} edges "
                      f"jobs {hs.get('jobs', 0)} | errors {sum(errs.values())}", flush=True)
                last_t, last_sent, last_msgs = now, sent, msgs
            pubp.join()
            # let the hub drain what is queued, then take the final figures
            for _ in range(100):
                hs = read_json(stats_path)
                if hs.get("queue", 0) == 0:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)
            ps, hs = read_json(Path(tmp) / "publisher.json"), read_json(stats_path)
            with contextlib.suppress(OSError), open(lat_path) as f:
                f.seek(lat_off)
                lat_all += [float(x) for x in f.read().split()[1::2]]
            rss_end = rss_kib(hubp.pid)
            pumper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pumper
        m = hs.get("metrics", {})
        jr = journal_rows(jpath)
        jdisk = disk_mib(jpath)
        hubp.terminate()
        hubp.join(30)
        log_lines = (Path(tmp) / "hub.log").read_text().splitlines() if (Path(tmp) / "hub.log").exists() else []
        sent = int(ps.get("sent", 0))
        msgs = int(m.get("messages", 0)) - base_msgs
        pub_el = float(ps.get("t", duration))
        errs = errors_of(m, ps, hs)
        print("\n==== soak result")
        print(f"{pub_el:.0f} s at a target of {rate:,.0f} events/s: published {sent:,} ({sent / pub_el:,.0f}/s); "
              f"the hub ingested {msgs:,} messages (with the devices' state echoes of its commands)")
        if rates_pub:
            print(f"events/s held after warm-up (per {interval:g} s interval): published mean "
                  f"{statistics.mean(rates_pub):,.0f} min {min(rates_pub):,.0f}; hub ingest mean "
                  f"{statistics.mean(rates_hub):,.0f} min {min(rates_hub):,.0f} max {max(rates_hub):,.0f}; "
                  f"hub queue max {max_queue}")
        print(f"hub: {m.get('observations', 0):,} observations, {m.get('commands', 0):,} commands "
              f"({m.get('commands.sent', 0):,} sent), final queue {hs.get('queue', 0)}")
        if lat_all:
            print(f"event -> command (motion published -> light command at the device): n={len(lat_all):,} "
                  f"p50={statistics.median(lat_all):.1f} ms p99={percentile(lat_all, 99):.1f} ms "
                  f"max={max(lat_all):.1f} ms; triggers {ps.get('triggers', 0):,}, missing {ps.get('missing', 0)}, "
                  f"extra {ps.get('extra', 0)}")
        else:
            print("event -> command: no commands arrived")
        if rss_start:
            growth = (rss_end - rss_start) / rss_start * 100
            peak = max(x for _, x in rss_samples) if rss_samples else rss_end
            print(f"hub RSS: {rss_start / 1024:.1f} MiB after warm-up, {rss_end / 1024:.1f} MiB at the end, "
                  f"peak {peak / 1024:.1f} MiB: growth {growth:+.1f}% ({'within' if growth < 5 else 'OVER'} 5%)")
            if rss_cap:
                g2 = (rss_end - rss_cap) / rss_cap * 100
                print(f"hub RSS from the journal reaching its cap ({cap_el:.0f} s; bounded structures full, pruning) "
                      f"to the end: {rss_cap / 1024:.1f} -> {rss_end / 1024:.1f} MiB: {g2:+.1f}% "
                      f"({'within' if g2 < 5 else 'OVER'} 5%)")
        print(f"journal: {jdisk:.1f} MiB on disk; rows: events {jr.get('events', 0):,} (max {max_events:,}), "
              f"rejections {jr.get('rejections', 0):,}, outbox {jr.get('outbox', 0):,}")
        print(f"graph: {hs.get('nodes', 0)} nodes, {hs.get('edges', 0)} edges; scheduler jobs {hs.get('jobs', 0)}; "
              f"python objects {hs.get('objects', 0):,}")
        warn = [ln for ln in log_lines if " WARNING " in ln or " ERROR " in ln]
        print(f"errors: {sum(errs.values())} {errs or ''}; hub log: {len(warn)} warning/error lines")
        for ln in warn[:5]:
            print(f"  {ln[:200]}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=120, help="seconds (3600 for the hour soak)")
    ap.add_argument("--rate", type=float, default=1000, help="target events/s")
    ap.add_argument("--interval", type=float, default=10, help="seconds between progress lines")
    ap.add_argument("--warmup", type=float, default=None, help="seconds before the start RSS (default: 20, "
                    "or a sixth of a short run)")
    ap.add_argument("--per-ecosystem", type=int, default=6, help="background devices per ecosystem")
    ap.add_argument("--pairs", type=int, default=20, help="motion -> light rule pairs (each fires once a second)")
    ap.add_argument("--utter-every", type=float, default=2.0, help="seconds between spoken requests")
    ap.add_argument("--journal-max-events", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    warm = a.warmup if a.warmup is not None else min(20.0, a.duration / 6)
    asyncio.run(soak(a.duration, a.rate, a.interval, warm, a.per_ecosystem, a.pairs, a.utter_every,
                     a.journal_max_events, a.seed))
