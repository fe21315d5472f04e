"""Commands are journaled before they are published: a broker outage or a hub restart delays them, never
loses them, and a command that expired meanwhile is dropped, not executed late."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fusehub.app import build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig, MqttSettings, Requester, RequestsConfig
from fusehub.events import Actor, Command, CommandResult, Context, Discovered, Origin, Outbound, new_id
from fusehub.home import Home
from fusehub.journal import Journal
from fusehub.mqtt import MqttLink
from fusehub.simulations.broker import Mosquitto, free_port
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_HOME, DEMO_RULES

START = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


async def test_broker_outage_delays_but_does_not_lose_or_replay_stale_commands(demo_home: Home) -> None:
    port = free_port()
    broker = Mosquitto(port=port).start()
    try:
        async with SimSession(demo_home, [str(DEMO_RULES)], START, broker.url, "5") as sim:
            sim._hub_link.settings = sim._hub_link.settings.model_copy(update={"reconnect_max_s": 0.5})
            sim._world_link.settings = sim._world_link.settings.model_copy(update={"reconnect_max_s": 0.5})
            results: list[CommandResult] = []
            sim.hub.bus.subscribe("results", CommandResult, results.append)
            broker.kill()
            await asyncio.sleep(0.3)
            out = await sim.hub.say("turn on the kitchen light", person="anna", room="kitchen")
            assert out.verdicts == ["allowed"]
            ctx = Context(actor=Actor.person("anna"), origin=Origin.voice)
            stale = Command(time=sim.clock.now(), context=ctx, device="back_door_lock", capability="lock",
                            action="unlock", expires_at=sim.clock.now() + timedelta(seconds=30))
            assert await sim.hub.send_command(stale) is None
            assert [r.status for r in results] == ["queued", "queued"]
            sim.clock.advance(60)  # the outage lasts a minute: the unlock is stale now
            broker = Mosquitto(port=port).start()
            assert await sim._hub_link.wait_connected(15) and await sim._world_link.wait_connected(15)
            await asyncio.sleep(0.3)
            await sim.hub.drain_outbox()
            await sim.settle()
            light = [r for r in sim.world.received if r.device == "kitchen_light"]
            assert len(light) == 1 and light[0].state["on"] is True
            assert [r for r in sim.world.received if r.device == "back_door_lock"] == []
            assert {r.status for r in results if r.command_id == stale.id} == {"queued", "expired"}
            assert await sim.hub.drain_outbox() == 0  # nothing left: no second delivery
            await sim.settle()
            assert len([r for r in sim.world.received if r.device == "kitchen_light"]) == 1
    finally:
        broker.stop()


async def test_a_restarted_hub_sends_what_its_predecessor_could_not(
    demo_home: Home, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    clock = VirtualClock(START)
    cfg = HubConfig(hub_id=f"r{new_id()[:6]}", home=str(DEMO_HOME), data_dir=str(tmp_path),
                    mqtt=MqttSettings(url=mosquitto.url, client_id=f"r-{new_id()}"))
    first = build_hub(cfg, clock=clock, home=demo_home, journal=Journal(path), with_intents=False)
    _spec(first)
    ctx = Context(actor=Actor.system(), origin=Origin.rule)
    keep = Command(time=clock.now(), context=ctx, device="coffee_plug", capability="on_off", action="turn_on",
                   expires_at=clock.now() + timedelta(minutes=2))
    drop = Command(time=clock.now(), context=ctx, device="coffee_plug", capability="on_off", action="turn_off",
                   expires_at=clock.now() + timedelta(seconds=5))
    assert await first.send_command(keep) is None  # no transport: queued in the journal
    assert await first.send_command(drop) is None
    first.journal.close()  # the hub dies here

    clock.advance(30)
    second = build_hub(cfg, clock=clock, home=demo_home, journal=Journal(path), with_intents=False)
    topic = _spec(second).address["topics"]["command"]
    async with MqttLink(MqttSettings(url=mosquitto.url, client_id=f"obs-{new_id()}"), "obs") as obs, \
            MqttLink(cfg.mqtt, cfg.hub_id) as link:
        await obs.wait_connected(5)
        await obs.subscribe(topic)
        await link.wait_connected(5)
        await second.attach(link)  # drains the outbox
        got = []

        async def collect() -> None:
            async for m in obs.messages():
                got.append(m.payload)

        task = asyncio.create_task(collect())
        await asyncio.sleep(0.5)
        task.cancel()
    assert len(got) == 1, got
    assert b"ON" in got[0].upper()
    assert second.journal.outbox_pending() == []
    second.journal.close()


def _spec(hub: object) -> object:
    """The coffee plug as Home Assistant discovery would describe it (so it has a command topic)."""
    from fusehub.adapters.homeassistant import SPEC, sim_announce
    from fusehub.home import load_home

    decl = next(d for d in load_home(DEMO_HOME).devices if d.id == "coffee_plug")
    [msg] = sim_announce(decl)
    (item,) = [i for r in SPEC.routes if r.pattern.startswith("homeassistant/device")
               for i in r.parse(msg.topic, msg.payload.encode())]
    hub.graph.upsert_device(item.spec, node_id="coffee_plug")  # type: ignore[attr-defined]
    return item.spec


async def test_requests_queued_for_a_starting_hub_wait_for_the_devices_discovery(
    demo_home: Home, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """A request sent while the hub was down waits in its session and arrives right after CONNACK, before the
    SUBSCRIBEs that bring the devices' retained discovery: handled then, the hub does not yet know the coffee
    machine's command topic and refuses it. Requests wait for the barrier message the hub sends itself after
    subscribing, so the command goes out."""
    from fusehub.adapters.homeassistant import SPEC, sim_announce
    from fusehub.app import run_forever
    from fusehub.home import load_home
    from fusehub.reasoner.planner import NullPlanner

    hub_id = f"s{new_id()[:6]}"
    cfg = HubConfig(hub_id=hub_id, home=str(DEMO_HOME), data_dir=str(tmp_path),
                    mqtt=MqttSettings(url=mosquitto.url, protocol="5", client_id=f"s-{new_id()}"),
                    requests=RequestsConfig(anonymous=Requester(controller=True)))  # a broker without users
    decl = next(d for d in load_home(DEMO_HOME).devices if d.id == "coffee_plug")
    [announce] = sim_announce(decl)
    (item,) = [i for r in SPEC.routes if r.pattern.startswith("homeassistant/device")
               for i in r.parse(announce.topic, announce.payload.encode())]
    if not isinstance(item, Discovered):
        raise AssertionError(f"not a discovery: {item!r}")
    command_topic = item.spec.address["topics"]["command"]
    async with MqttLink(MqttSettings(url=mosquitto.url, client_id=f"dev-{new_id()}"), "dev") as dev:
        assert await dev.wait_connected(5)
        await dev.subscribe(command_topic)
        assert await dev.publish(announce)  # retained, as the plug left it
        async with MqttLink(cfg.mqtt, hub_id) as before:  # the hub ran before: its session keeps its subscriptions
            await before.subscribe(f"fusehub/{hub_id}/request/+/+")
            assert await before.wait_connected(5)
            await asyncio.sleep(0.2)
        body = json.dumps({"id": "q1", "verb": "say", "body": {"text": "turn on the coffee machine"}})
        assert await dev.publish(Outbound(topic=f"fusehub/{hub_id}/request/anonymous/say", payload=body, qos=1))

        hub = build_hub(cfg, clock=VirtualClock(START), home=demo_home, journal=Journal(tmp_path / "j.sqlite"),
                        planner=NullPlanner())
        assert "topics" not in (hub.graph.device("coffee_plug").address or {})  # known only as declared
        stop = asyncio.Event()
        async with MqttLink(cfg.mqtt, hub_id) as link:
            assert await link.wait_connected(5)
            task = asyncio.create_task(run_forever(hub, link, stop))

            async def command() -> bytes:
                async for m in dev.messages():
                    if m.topic == command_topic:
                        return m.payload
                raise AssertionError("unreachable")

            try:
                payload = await asyncio.wait_for(command(), 10)
            finally:
                stop.set()
                await task
        hub.journal.close()
    assert b"ON" in payload.upper()
    assert hub.metrics["control.deferred"] == 1


class _SilentBroker:
    """A transport that takes every publish and delivers nothing back (the barrier must come from ingest)."""

    def __init__(self) -> None:
        self.sent: list[Outbound] = []

    async def publish(self, msg: Outbound, **_: object) -> bool:
        self.sent.append(msg)
        return True

    async def subscribe(self, pattern: str, qos: int = 1) -> None:
        return None


async def test_garbage_on_the_barrier_topic_is_counted_and_releases_nothing(demo_home: Home, tmp_path: Path) -> None:
    from fusehub.reasoner.planner import NullPlanner

    cfg = HubConfig(hub_id="gb", home=str(DEMO_HOME), data_dir=str(tmp_path))
    hub = build_hub(cfg, clock=VirtualClock(START), home=demo_home, journal=Journal(tmp_path / "j.sqlite"),
                    planner=NullPlanner())
    transport = _SilentBroker()
    await hub.attach(transport)
    [barrier] = [m for m in transport.sent if m.topic == "fusehub/gb/barrier"]
    reply = "fusehub/gb/reply/anonymous/t"  # no broker URL: the embedded broker, where anonymous is a controller
    body = json.dumps({"id": "s1", "verb": "say", "reply_to": reply, "body": {"text": "turn on the coffee machine"}})
    await hub.ingest("fusehub/gb/request/anonymous/say", body.encode())
    for junk in (b"", b"\xff\xfe", b"x" * 10_000, b"not-the-nonce", barrier.payload.encode() + b" "):
        await hub.ingest("fusehub/gb/barrier", junk)
    assert hub.metrics["control.stale_barrier"] == 5
    assert hub.metrics["control.deferred"] == 1 and not [m for m in transport.sent if m.topic == reply]
    for i in range(10_000):
        await hub.ingest("fusehub/gb/request/anonymous/context", b'{"id": "c%d", "verb": "context"}' % i)
    assert hub.metrics["rejected.control"] == 1  # the 10,001st waiting request
    await hub.ingest("fusehub/gb/barrier", barrier.payload.encode())  # releases all, the say request first
    assert [m for m in transport.sent if m.topic == reply]
    hub.journal.close()


async def test_the_barrier_is_not_overdue_while_the_hub_is_still_reading_its_inbox(demo_home: Home,
                                                                                   tmp_path: Path) -> None:
    """A hub that is behind (slow start, loaded box) has its barrier queued behind the devices' discovery: past the
    5 s the held requests still wait while messages remain unread, and are handled once the inbox is drained."""
    from fusehub.reasoner.planner import NullPlanner

    clock = VirtualClock(START)
    cfg = HubConfig(hub_id="bb", home=str(DEMO_HOME), data_dir=str(tmp_path))
    hub = build_hub(cfg, clock=clock, home=demo_home, journal=Journal(tmp_path / "j.sqlite"), planner=NullPlanner())
    transport = _SilentBroker()
    backlog = [40]
    hub.control.backlog = lambda: backlog[0]
    await hub.attach(transport)
    reply = "fusehub/bb/reply/anonymous/t"
    body = json.dumps({"id": "s1", "verb": "say", "reply_to": reply, "body": {"text": "turn on the coffee machine"}})
    await hub.ingest("fusehub/bb/request/anonymous/say", body.encode())
    clock.advance(6)  # the barrier is overdue by the clock ...
    await hub.tick()
    assert hub.metrics["control.barrier_behind"] == 1  # ... but 40 messages are still unread: keep holding
    assert not [m for m in transport.sent if m.topic == reply]
    backlog[0] = 0  # read them all, and the barrier never came: fall back
    await hub.tick()
    assert [m for m in transport.sent if m.topic == reply]
    hub.journal.close()
