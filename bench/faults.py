"""Fault injection with real processes: does the durable outbox deliver every command exactly once?

Processes: a mosquitto broker (persistence on, one fixed port, restarted in place), the hub daemon
(`python -m fusehub.cli run --config cfg.yaml`, its journal in a temp data_dir) and, in this process, the
device side: virtual devices (`simulations.world.World`) on their own persistent MQTT 5 sessions that
apply commands and deduplicate them by the `fusehub-command-id` user property the hub sets. A driver
sends the hub requests (`fusehub/<hub>/request/anonymous/say`, fusehub.protocol's envelope, "set the kitchen
light brightness to 37", each request
a distinct device and value) in bursts, and faults are injected mid-burst:

  a  broker restarts: mosquitto is killed (SIGKILL by default, --broker-signal term for SIGTERM) and
     started again on the same port after a short random outage
  b  hub kill -9: the daemon is SIGKILLed mid-burst and started again with the same journal and client id
  c  partition: one virtual device's link is down for longer than the command TTL: commands it missed
     must arrive once when it is back, unless they expired meanwhile (and then never)
  d  slow consumer: the device side sleeps per message while the hub sends faster than it applies

Ground truth is the hub's journal, read afterwards: every command id in the outbox is a command the hub
issued (it is written there before it is published), with its expiry and state. Per scenario:

  issued            commands the hub issued (outbox)
  delivered once    issued commands whose messages reached a device exactly once
  delivered >1      ... reached a device more than once at the MQTT level (re-sends; the devices drop them)
  applied twice     commands a device applied more than once (must be 0)
  lost              issued, not expired, never delivered (must be 0)
  expired           issued, never delivered, expired first (by the hub's outbox check, or by the broker's
                    MQTT 5 message expiry while the device was unreachable)
  expired executed  commands applied after their expiry (must be 0)
  requests          requests sent; "no command" counts requests the hub never turned into a command, "> 1
                    command" requests handled twice (both must be 0: the hub acknowledges a request only once
                    its command is in the outbox, with the request id in the same transaction, and recognises a
                    redelivered id); "refused by hub" commands the hub journaled but did not issue (send_command
                    failed before the outbox: e.g. no encoder for the address it knows). A request is traced to
                    its commands through the journal (command -> decision -> utterance -> the request id).
  retried           requests the driver sent again, with the same id, because no reply came within
                    --retry-after s: a SIGKILLed broker loses what it acknowledged but had not yet saved (its
                    autosave), so exactly-once needs a requester that retries and a hub that deduplicates
                    (--no-retry shows the figures without)

Run:  .venv/bin/python bench/faults.py [--scenarios abcd] [--broker-restarts 20] [--hub-kills 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fusehub.config import MqttSettings  # noqa: E402
from fusehub.events import Outbound, new_id  # noqa: E402
from fusehub.home import load_home  # noqa: E402
from fusehub.mqtt import MqttLink, status_topic  # noqa: E402
from fusehub.protocol import (  # noqa: E402
    ANONYMOUS,
    ContextBody,
    ContextRequest,
    SayBody,
    SayRequest,
    reply_prefix,
    request_topic,
)
from fusehub.sdk import DEFAULT_COMMAND_TTL_S  # noqa: E402
from fusehub.simulations.broker import Mosquitto, free_port  # noqa: E402

from bench.fault_devices import DeviceSide  # noqa: E402

DEMO_HOME = ROOT / "simulations" / "homes" / "demo.yaml"
# The lights the bursts command, with the words that name them.
LIGHTS = {
    "hall_light": "hallway light",
    "kitchen_light": "kitchen light",
    "bedroom_light": "bedroom light",
    "kids_light": "kids room light",
    "living_light": "living room lamp",
}


@dataclass
class Figures:
    scenario: str
    faults: int = 0
    requests: int = 0
    requests_without_command: int = 0
    requests_with_several_commands: int = 0
    retried: int = 0
    unanswered: int = 0
    commands_failed: int = 0
    issued: int = 0
    delivered_once: int = 0
    delivered_more_than_once: int = 0
    duplicate_messages: int = 0
    applied_twice: int = 0
    lost: int = 0
    expired: int = 0
    expired_by_hub: int = 0
    expired_executed: int = 0
    pending_at_end: int = 0
    wall_s: float = 0.0
    lost_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.lost == 0 and self.applied_twice == 0 and self.expired_executed == 0
                and self.requests_without_command == 0 and self.requests_with_several_commands == 0)


class Rig:
    """One scenario's broker, hub process, device side and request driver."""

    def __init__(self, name: str, workdir: Path, *, ttl_s: float, broker_signal: str, autosave_s: int,
                 partitioned: list[str] | None = None, slow_s: float = 0.0, retry_after_s: float = 0.0) -> None:
        self.name = name
        self.dir = workdir / name
        self.dir.mkdir(parents=True)
        tag = f"{name}{os.getpid()}{random.randrange(10**6)}"
        self.hub_id = f"faults{tag}"
        (self.dir / "mosq").mkdir()
        conf = f"autosave_interval {autosave_s}\n" if autosave_s > 0 else ""
        self.broker = Mosquitto(port=free_port(), persistence_dir=str(self.dir / "mosq"), extra_conf=conf)
        self.broker_signal = broker_signal
        self.data_dir = self.dir / "data"
        self.cfg = self.dir / "config.yaml"
        self.cfg.write_text(
            f"hub_id: {self.hub_id}\nhome: {DEMO_HOME}\nrules: []\ndata_dir: {self.data_dir}\nlog_level: WARNING\n"
            f"mqtt: {{url: '{self.broker.url}', protocol: '5', client_id: {self.hub_id}-hub, "
            "reconnect_min_s: 0.1, reconnect_max_s: 0.5}\n"
            "policy: {merge_window_s: 0, rate_limit_count: 1000000, rate_limit_window_s: 1}\n"
            "requests: {anonymous: {controller: true}}\n"  # the test broker has no users
            f"command_ttl_s: {ttl_s}\n"
        )
        self.hub: subprocess.Popen[bytes] | None = None
        self.hub_starts = 0
        home = load_home(DEMO_HOME)
        part = set(partitioned or [])
        self.sides = [DeviceSide(home.model_copy(update={"devices": [d for d in home.devices if d.id not in part]}),
                                 self.broker.url, f"{self.hub_id}-world", slow_s=slow_s)]
        if part:
            self.sides.append(DeviceSide(home.model_copy(update={"devices": [d for d in home.devices if d.id in part]}),
                                         self.broker.url, f"{self.hub_id}-part", slow_s=slow_s))
        self.driver = MqttLink(MqttSettings(url=self.broker.url, protocol="5", client_id=f"{self.hub_id}-driver",
                                            reconnect_min_s=0.1, reconnect_max_s=0.5), f"{self.hub_id}-driver")
        self._online = 0
        self._online_changed = asyncio.Event()
        self._reply = reply_prefix(self.hub_id, ANONYMOUS) + "faults"
        self._replied = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.requests: dict[str, Outbound] = {}
        """Request id -> the message carrying it (sent again, unchanged, when no reply came)."""
        self.answered: set[str] = set()
        self._sent_at: dict[str, float] = {}
        self.retry_after_s = retry_after_s
        self.retried = 0
        self._values: list[tuple[str, int]] = []

    # ------------------------------------------------------------------ processes
    async def start(self) -> None:
        await asyncio.to_thread(self.broker.start)
        await self.driver.__aenter__()
        await self.driver.wait_connected(15)
        await self.driver.subscribe(status_topic(self.hub_id))
        await self.driver.subscribe(self._reply)
        await self.driver.subscribe(self._reply + "/#")
        self._tasks.append(asyncio.create_task(self._watch_status()))
        for s in self.sides:
            await s.start()
        await self.start_hub()
        await self.ready()

    async def ready(self, timeout: float = 30.0) -> None:
        """Wait until the hub answers a request: it is subscribed (its session exists, so requests sent while
        it is down from now on wait for it) and has read the devices' retained discovery before that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._replied.clear()
            body = ContextRequest(id=f"ready-{new_id()[:12]}", reply_to=self._reply, body=ContextBody())
            await self.driver.publish(Outbound(topic=request_topic(self.hub_id, ANONYMOUS, "context"),
                                               payload=body.model_dump_json()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._replied.wait(), 1.0)
                return
        raise RuntimeError("the hub never answered")

    async def _watch_status(self) -> None:
        async for m in self.driver.messages():
            if m.topic == self._reply:
                self._replied.set()
            elif m.topic.startswith(self._reply + "/"):
                self.answered.add(m.topic.rsplit("/", 1)[1])
            if m.topic == status_topic(self.hub_id) and m.payload == b"online" and not m.retain:
                self._online += 1
                self._online_changed.set()

    async def start_hub(self, wait: bool = True) -> None:
        before = self._online
        log = open(self.dir / "hub.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.hub = subprocess.Popen([sys.executable, "-m", "fusehub.cli", "run", "--config", str(self.cfg)],
                                    stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        self.hub_starts += 1
        if wait:
            await self.wait_hub_online(before)

    async def wait_hub_online(self, before: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self._online <= before:
            if self.hub is not None and self.hub.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.hub.returncode}; see {self.dir / 'hub.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError("the hub did not come online")
            self._online_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._online_changed.wait(), 0.5)

    async def kill_hub(self) -> None:
        assert self.hub is not None
        self.hub.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.hub.wait)

    async def restart_broker(self, down_s: float) -> None:
        if self.broker_signal == "kill":
            await asyncio.to_thread(self.broker.kill)
        else:
            await asyncio.to_thread(self.broker.stop)
            if not (self.dir / "mosq" / "mosquitto.db").is_file():  # a broker without persistence loses its queue
                raise RuntimeError(f"mosquitto wrote no persistence database in {self.dir / 'mosq'}")
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.broker.start)

    async def stop(self) -> None:
        if self.hub is not None and self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(asyncio.to_thread(self.hub.wait), 30)
            except TimeoutError:
                self.hub.kill()
                self.hub.wait()
        for s in self.sides:
            await s.close()
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.driver.__aexit__(None, None, None)
        await asyncio.to_thread(self.broker.stop)

    # ------------------------------------------------------------------ load
    def _next_value(self, device: str | None) -> tuple[str, int]:
        """A device and brightness, each pair once per round of 500 (the pool refills: any number of requests)."""
        for _ in range(2):
            if device is None and self._values:
                return self._values.pop()
            for i in range(len(self._values) - 1, -1, -1):
                if self._values[i][0] == device:
                    return self._values.pop(i)
            self._values = [(dev, b) for b in range(1, 101) for dev in LIGHTS]
            random.shuffle(self._values)
        raise RuntimeError(f"no value for {device!r}")

    async def request(self, device: str | None = None) -> None:
        """One request the hub turns into one command (traced back by its id, see `made`)."""
        dev, value = self._next_value(device)
        rid = f"req-{len(self.requests)}-{dev}-{value}"
        req = SayRequest(id=rid, reply_to=f"{self._reply}/{rid}",
                         body=SayBody(text=f"set the {LIGHTS[dev]} brightness to {value}", person="anna"))
        msg = Outbound(topic=request_topic(self.hub_id, ANONYMOUS, "say"), payload=req.model_dump_json(), qos=1)
        self.requests[rid] = msg
        await self._send(rid, msg)

    async def _send(self, rid: str, msg: Outbound) -> None:
        self._sent_at[rid] = time.monotonic()
        while not await self.driver.publish(msg, timeout=2.0):
            await asyncio.sleep(0.05)  # the broker is down: the requester tries again

    async def retry_unanswered(self, timeout: float) -> None:
        """Send again, with the same id, each request that got no reply within `retry_after_s`, until every request
        is answered or `timeout` passes (what a requester does; the hub's dedup makes it safe)."""
        if self.retry_after_s <= 0:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = [r for r in self.requests if r not in self.answered]
            if not waiting:
                return
            now = time.monotonic()
            for rid in waiting:
                if now - self._sent_at[rid] >= self.retry_after_s:
                    self.retried += 1
                    await self._send(rid, self.requests[rid])
            await asyncio.sleep(0.5)

    async def burst(self, n: int, gap_s: float, device: str | None = None) -> None:
        for _ in range(n):
            await self.request(device)
            await asyncio.sleep(gap_s)

    # ------------------------------------------------------------------ ground truth
    def outbox(self) -> dict[str, dict[str, Any]]:
        path = self.data_dir / "journal.sqlite"
        if not path.exists():
            return {}
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = db.execute("SELECT command_id, seq, device, state, expires_at, created FROM outbox").fetchall()
            cmds = db.execute("SELECT body FROM events WHERE kind='command'").fetchall()
            # command -> its decision -> the utterance -> the request id the say request carried
            chain = db.execute(
                "SELECT c.id, u.parent_id FROM events c JOIN events d ON d.id = c.parent_id"
                " JOIN events u ON u.id = d.parent_id WHERE c.kind='command' AND d.kind='decision'"
                " AND u.kind='utterance'").fetchall()
        finally:
            db.close()
        out: dict[str, dict[str, Any]] = {}
        for cid, _seq, dev, state, exp, created in rows:
            o = out.setdefault(cid, {"device": dev, "messages": 0, "states": set(),
                                     "expires_at": datetime.fromisoformat(exp) if exp else None,
                                     "created": datetime.fromisoformat(created)})
            o["messages"] += 1
            o["states"].add(state)
        self._command_params = [json.loads(b) for (b,) in cmds]
        self._request_of = {cid: rid for cid, rid in chain if rid is not None}
        return out

    async def settle(self, timeout: float) -> dict[str, dict[str, Any]]:
        """Wait until every issued command was delivered or expired and nothing moved for a while."""
        deadline = time.monotonic() + timeout
        last: tuple[int, int] | None = None
        quiet_since = time.monotonic()
        while True:
            await asyncio.sleep(0.5)
            ob = self.outbox()
            now = datetime.now(UTC)
            seen = Counter[str]()
            for s in self.sides:
                if s.world is not None:
                    seen.update(s.world.deliveries)
            waiting = [c for c, o in ob.items() if c not in seen and "expired" not in o["states"]
                       and (o["expires_at"] is None or o["expires_at"] > now)]
            mark = (len(ob), sum(seen.values()))
            if mark != last:
                last, quiet_since = mark, time.monotonic()
            idle = all(s.idle() for s in self.sides)
            if not waiting and idle and time.monotonic() - quiet_since > 2.0:
                return ob
            if time.monotonic() > deadline:
                return ob

    def figures(self, fig: Figures, ob: dict[str, dict[str, Any]]) -> Figures:
        deliveries: Counter[str] = Counter()
        applied: Counter[str] = Counter()
        applied_at: dict[str, datetime] = {}
        down: dict[str, list[tuple[datetime, datetime | None]]] = {}
        for s in self.sides:
            assert s.world is not None
            deliveries.update(s.world.deliveries)
            fig.duplicate_messages += s.world.duplicates
            for r in s.world.received:
                if r.command_id is not None:
                    applied[r.command_id] += 1
                    applied_at.setdefault(r.command_id, r.time)
            for dev in s.world.devices:
                down[dev] = s.down_intervals
        now = datetime.now(UTC)
        fig.requests = len(self.requests)
        fig.retried = self.retried
        fig.unanswered = sum(1 for r in self.requests if r not in self.answered)
        made = Counter(self._request_of.values())
        fig.requests_without_command = sum(1 for r in self.requests if made[r] == 0)
        fig.requests_with_several_commands = sum(1 for r in self.requests if made[r] > 1)
        for rid in [q for q in self.requests if made[q] != 1][:10]:
            fig.notes.append(f"request {rid}: {made[rid]} commands")
        fig.issued = len(ob)
        fig.commands_failed = sum(1 for c in self._command_params if c.get("id") not in ob)
        for cid, o in ob.items():
            n, exp = deliveries[cid], o["expires_at"]
            if applied[cid] > 1:
                fig.applied_twice += 1
            if n:
                if n > o["messages"]:
                    fig.delivered_more_than_once += 1
                else:
                    fig.delivered_once += 1
                if exp is not None and applied_at.get(cid, exp) > exp:
                    fig.expired_executed += 1
                continue
            if "expired" in o["states"]:
                fig.expired += 1
                fig.expired_by_hub += 1
            elif exp is not None and _unreachable_until_expiry(o["created"], exp, down.get(o["device"], [])):
                fig.expired += 1  # the broker's MQTT 5 message expiry dropped it while the device was away
            elif exp is not None and exp <= now:
                fig.lost += 1
                fig.lost_ids.append(cid)
                fig.notes.append(f"{cid} for {o['device']} never delivered and expired at the end of the run")
            else:
                fig.lost += 1
                fig.lost_ids.append(cid)
            if "pending" in o["states"]:
                fig.pending_at_end += 1
        return fig


def _unreachable_until_expiry(created: datetime, exp: datetime,
                              intervals: list[tuple[datetime, datetime | None]]) -> bool:
    """The device's link was down from before the command until (about) its expiry. MQTT 5 expiry is whole
    seconds, rounded down from the hub's TTL, so the broker may drop a command up to 1 s before it."""
    return any(start <= created + _s(0.5) and (end is None or end >= exp - _s(1.0)) for start, end in intervals)


def _s(x: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=x)


# ====================================================================== scenarios
async def broker_restarts(rig: Rig, n: int, burst: int, gap: float) -> Figures:
    fig = Figures("a: broker restarts (" + ("SIGKILL" if rig.broker_signal == "kill" else "SIGTERM") + ")")
    for _ in range(n):
        task = asyncio.create_task(rig.burst(burst, gap))
        await asyncio.sleep(random.uniform(0.05, burst * gap))
        await rig.restart_broker(random.uniform(0.1, 1.0))
        await task
        fig.faults += 1
    return fig


async def hub_kills(rig: Rig, n: int, burst: int, gap: float) -> Figures:
    fig = Figures("b: hub kill -9")
    for _ in range(n):
        await rig.ready(60)  # the previous incarnation is up and has worked off what queued for it
        task = asyncio.create_task(rig.burst(burst, gap))
        await asyncio.sleep(random.uniform(0.05, burst * gap))
        await rig.kill_hub()
        await asyncio.sleep(random.uniform(0.0, 0.5))
        await rig.start_hub(wait=False)
        await task
        fig.faults += 1
    await rig.ready(60)
    return fig


async def partitions(rig: Rig, n: int, down_s: float, gap: float) -> Figures:
    fig = Figures(f"c: partition ({down_s:g}s down)")
    part = rig.sides[1]
    for _ in range(n):
        await part.partition()
        t_end = time.monotonic() + down_s
        while time.monotonic() < t_end:
            await rig.request("kitchen_light")  # the partitioned device
            await rig.request()  # and the others
            await asyncio.sleep(gap)
        await part.heal()
        await rig.burst(4, gap, "kitchen_light")
        fig.faults += 1
    return fig


async def slow_consumer(rig: Rig, n: int, gap: float, restarts: int) -> Figures:
    fig = Figures(f"d: slow consumer ({rig.sides[0].slow_s * 1000:g} ms/message)")
    task = asyncio.create_task(rig.burst(n, gap))
    for _ in range(restarts):
        await asyncio.sleep(random.uniform(0.2, n * gap / max(1, restarts)))
        await rig.restart_broker(random.uniform(0.1, 1.0))
        fig.faults += 1
    await task
    return fig


async def run(args: argparse.Namespace) -> list[Figures]:
    random.seed(args.seed)
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="fusehub-faults-") as tmp:
        work = Path(args.workdir or tmp)
        retry = 0.0 if args.no_retry else args.retry_after
        for sc in args.scenarios:
            t0 = time.monotonic()
            if sc == "a":
                rig = Rig("a", work, ttl_s=args.ttl, broker_signal=args.broker_signal, autosave_s=args.autosave,
                          retry_after_s=retry)
            elif sc == "b":
                rig = Rig("b", work, ttl_s=args.ttl, broker_signal=args.broker_signal, autosave_s=args.autosave,
                          retry_after_s=retry)
            elif sc == "c":
                rig = Rig("c", work, ttl_s=args.partition_ttl, broker_signal=args.broker_signal,
                          autosave_s=args.autosave, partitioned=["kitchen_light"], retry_after_s=retry)
            elif sc == "d":
                rig = Rig("d", work, ttl_s=args.ttl, broker_signal=args.broker_signal, autosave_s=args.autosave,
                          slow_s=args.slow_ms / 1000, retry_after_s=retry)
            else:
                raise SystemExit(f"unknown scenario {sc!r}")
            await rig.start()
            try:
                if sc == "a":
                    fig = await broker_restarts(rig, args.broker_restarts, args.burst, args.gap)
                elif sc == "b":
                    fig = await hub_kills(rig, args.hub_kills, args.burst, args.gap)
                elif sc == "c":
                    fig = await partitions(rig, args.partitions, args.partition_s, 0.25)
                else:
                    fig = await slow_consumer(rig, args.slow_commands, args.gap / 2, args.slow_restarts)
                await rig.retry_unanswered(args.settle)
                ob = await rig.settle(args.settle)
                rig.figures(fig, ob)
            finally:
                await rig.stop()
            fig.wall_s = round(time.monotonic() - t0, 1)
            results.append(fig)
            if not args.json:
                _print(fig)
    return results


COLUMNS = [("requests", "requests"), ("retried", "sent again (no reply)"), ("unanswered", "never answered"),
           ("requests_without_command", "no command"),
           ("requests_with_several_commands", "> 1 command"),
           ("commands_failed", "commands refused by hub"), ("issued", "issued"),
           ("delivered_once", "delivered once"), ("delivered_more_than_once", "delivered >1 (MQTT)"),
           ("duplicate_messages", "duplicate msgs dropped"), ("applied_twice", "applied twice"), ("lost", "lost"),
           ("expired", "expired"), ("expired_by_hub", "  of which by the hub"),
           ("expired_executed", "expired executed"), ("pending_at_end", "outbox pending at end")]


def _print(f: Figures) -> None:
    print(f"\n{f.scenario}: {f.faults} faults, {f.wall_s:g} s  [{'PASS' if f.ok else 'FAIL'}]")
    for key, label in COLUMNS:
        print(f"  {label:<24}{getattr(f, key)}")
    for note in f.notes[:10]:
        print(f"  note: {note}")
    if f.lost_ids:
        print(f"  lost ids: {', '.join(f.lost_ids[:10])}")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default="abcd", help="which of a b c d to run (default abcd)")
    p.add_argument("--broker-restarts", type=int, default=20)
    p.add_argument("--broker-signal", choices=["kill", "term"], default="kill",
                   help="how mosquitto is stopped in scenario a (and d): SIGKILL or SIGTERM")
    p.add_argument("--autosave", type=int, default=1,
                   help="mosquitto autosave_interval in seconds (0: mosquitto's default of 30 min)")
    p.add_argument("--hub-kills", type=int, default=10)
    p.add_argument("--burst", type=int, default=10, help="requests per burst")
    p.add_argument("--gap", type=float, default=0.04, help="seconds between requests in a burst")
    p.add_argument("--ttl", type=float, default=DEFAULT_COMMAND_TTL_S, help="command TTL (command_ttl_s) in a, b and d")
    p.add_argument("--partitions", type=int, default=3)
    p.add_argument("--partition-s", type=float, default=6.0, help="how long the device is cut off")
    p.add_argument("--partition-ttl", type=float, default=3.0, help="command TTL in scenario c")
    p.add_argument("--slow-ms", type=float, default=40.0, help="device-side delay per message in d")
    p.add_argument("--slow-commands", type=int, default=150)
    p.add_argument("--slow-restarts", type=int, default=1, help="broker restarts during d")
    p.add_argument("--settle", type=float, default=60.0, help="max seconds to wait for deliveries at the end")
    p.add_argument("--retry-after", type=float, default=5.0,
                   help="the driver sends a request again (same id) when no reply came within this many seconds")
    p.add_argument("--no-retry", action="store_true", help="never send a request again")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", default=None, help="keep the journals, configs and hub logs here")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps([asdict(f) | {"ok": f.ok} for f in results], indent=2, default=str))
    return 0 if all(f.ok for f in results) else 1


if __name__ == "__main__":
    sys.exit(main())
