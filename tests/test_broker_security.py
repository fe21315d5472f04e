"""Broker security: the hub talks to a mosquitto with TLS (a CA made at test time), username/password and a
per-user ACL. The hub and a device work end to end; anonymous clients, wrong passwords, plain TCP and
clients that do not trust the CA are refused; a client without write rights cannot make the hub act, nor
command a device directly."""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiomqtt
import paho.mqtt.client as paho
import pytest
from fusehub.app import Hub, build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig, MqttSettings, Requester, RequestsConfig, TlsSettings
from fusehub.events import Origin
from fusehub.home import load_home
from fusehub.journal import Journal
from fusehub.mqtt import MqttLink
from fusehub.simulations.broker import Mosquitto, TlsFiles, make_test_certs
from fusehub.simulations.world import World
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

START = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
HUB_ID = "securehub"

HOME = """
name: Secure home
timezone: Europe/Amsterdam
location: {id: home, name: Home, latitude: 52.3731, longitude: 4.8922, radius_m: 80}
rooms:
  - {id: kitchen, name: Kitchen}
people:
  - {id: anna, name: Anna, role: owner}
devices:
  - {id: kitchen_light, name: Kitchen light, kind: light, room: kitchen, ecosystem: homeassistant,
     initial: {on: false, brightness: 0}}
"""

PASSWORDS = {"fusehub": "hub-secret", "lamp": "lamp-secret", "controller": "ctl-secret", "intruder": "guess"}

# Lines before the first `user` would apply to anonymous clients: there are none (and anonymous is off).
ACL = f"""
user fusehub
topic readwrite #

# the (virtual) kitchen light: its own topics, its discovery config, its link's status topic
user lamp
topic readwrite sim/kitchen_light/#
topic readwrite homeassistant/device/kitchen_light/config
topic read homeassistant/status
topic readwrite fusehub/lamp/status

# e.g. `fusehub say` on a laptop: a controller in the hub's config (requests.users)
user controller
topic read fusehub/{HUB_ID}/reply/controller/#

# may watch everything, may write only under its own prefix
user intruder
topic read #
topic readwrite guest/#

# each user may ask only under its own name (the hub maps names to people or controllers)
pattern write fusehub/{HUB_ID}/request/%u/+
"""


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_test_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def broker(certs: TlsFiles) -> Iterator[Mosquitto]:
    with Mosquitto(tls=certs, passwords=PASSWORDS, acl=ACL) as m:
        yield m


def settings(broker: Mosquitto, certs: TlsFiles, user: str, password: str, client_id: str) -> MqttSettings:
    return MqttSettings(url=broker.url, username=user, password=password, tls=TlsSettings(ca_certs=certs.ca),
                        protocol="5", client_id=client_id, reconnect_min_s=0.2, reconnect_max_s=1.0)


@dataclass
class Hubbed:
    hub: Hub
    world: World
    hub_link: MqttLink


@contextlib.asynccontextmanager
async def running_hub(broker: Mosquitto, certs: TlsFiles, tmp: Path) -> AsyncIterator[Hubbed]:
    """The hub (user fusehub) and the virtual kitchen light (user lamp), each on its own TLS connection."""
    (tmp / "home.yaml").write_text(HOME)
    home = load_home(tmp / "home.yaml")
    cfg = HubConfig(hub_id=HUB_ID, home=str(tmp / "home.yaml"), data_dir=str(tmp),
                    mqtt=settings(broker, certs, "fusehub", PASSWORDS["fusehub"], "fusehub-secure"),
                    requests=RequestsConfig(users={"controller": Requester(controller=True)}))
    hub = build_hub(cfg, clock=VirtualClock(START), home=home, journal=Journal(":memory:"))
    async with (MqttLink(cfg.mqtt, HUB_ID) as hub_link,
                MqttLink(settings(broker, certs, "lamp", PASSWORDS["lamp"], "lamp-1"), "lamp") as lamp_link):
        assert await hub_link.wait_connected(10), "the hub could not connect with TLS + password"
        assert await lamp_link.wait_connected(10), "the device could not connect with TLS + password"
        world = World(home, hub.adapters, lamp_link, hub.clock)
        await hub.attach(hub_link)

        async def pump(link: MqttLink, handler: Callable[[str, bytes], Awaitable[Any]]) -> None:
            async for m in link.messages():
                await handler(m.topic, m.payload)

        tasks = [asyncio.create_task(pump(hub_link, hub.ingest)), asyncio.create_task(pump(lamp_link, world.handle))]
        await world.start()
        try:
            yield Hubbed(hub, world, hub_link)
        finally:
            await stop(tasks)
            await world.clear_retained()
            hub.journal.close()


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel, and cancel again: on Python 3.11 `asyncio.wait_for` (used under MqttLink.publish) can swallow a
    cancellation that arrives just as what it waits for completes, leaving the task waiting for the next message."""
    while True:
        for t in tasks:
            t.cancel()
        _, pending = await asyncio.wait(tasks, timeout=0.5)
        if not pending:
            return


async def until(cond: Callable[[], bool], timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            return False
        await asyncio.sleep(0.02)
    return True


@dataclass
class PahoClient:
    """A blocking paho client that records CONNACK / PUBACK reason codes and what it receives."""

    connack: Any = None
    pubacks: dict[int, Any] = field(default_factory=dict)
    received: list[tuple[str, bytes]] = field(default_factory=list)
    client: Any = None
    _connected: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def connect(cls, broker: Mosquitto, certs: TlsFiles | None, user: str | None, password: str | None,
                client_id: str, protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5,
                subscribe: tuple[str, ...] = ()) -> PahoClient:
        self = cls()
        c = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
        if certs is not None:
            c.tls_set(ca_certs=certs.ca)
        if user is not None:
            c.username_pw_set(user, password)

        def on_connect(cl: Any, ud: Any, flags: Any, rc: Any, props: Any) -> None:
            self.connack = rc
            if not rc.is_failure:
                for t in subscribe:
                    cl.subscribe(t, qos=1)
            self._connected.set()

        def on_publish(cl: Any, ud: Any, mid: int, rc: Any, props: Any) -> None:
            self.pubacks[mid] = rc

        c.on_connect = on_connect
        c.on_publish = on_publish
        c.on_message = lambda cl, ud, m: self.received.append((m.topic, bytes(m.payload)))
        self.client = c
        c.connect("127.0.0.1", broker.port, keepalive=10)
        c.loop_start()
        self._connected.wait(5)
        return self

    def publish(self, topic: str, payload: str) -> Any:
        info = self.client.publish(topic, payload.encode(), qos=1)
        info.wait_for_publish(5)
        return self.pubacks.get(info.mid)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


async def test_hub_works_and_a_client_without_rights_cannot_command(
    broker: Mosquitto, certs: TlsFiles, tmp_path: Path
) -> None:
    assert broker.url.startswith("mqtts://")
    async with running_hub(broker, certs, tmp_path) as h:
        hub, world = h.hub, h.world
        # the device's discovery and state arrived over TLS
        assert await until(lambda: hub.graph.device_id_for_key("homeassistant:kitchen_light") is not None)
        assert await until(lambda: hub.graph.device("kitchen_light").state.get("on") is False)

        # --- an authenticated client without write rights: the broker refuses, the hub never acts
        spy = await asyncio.to_thread(
            PahoClient.connect, broker, certs, "intruder", PASSWORDS["intruder"], "intruder-5",
            subscribe=("fusehub/#", "sim/#"))
        old = await asyncio.to_thread(
            PahoClient.connect, broker, certs, "intruder", PASSWORDS["intruder"], "intruder-311",
            protocol=MQTTProtocolVersion.MQTTv311)
        try:
            assert spy.connack is not None and not spy.connack.is_failure
            assert old.connack is not None and not old.connack.is_failure
            await asyncio.sleep(0.2)  # subscriptions in place
            request = json.dumps({"id": "r1", "verb": "say", "reply_to": f"fusehub/{HUB_ID}/reply/controller/evil",
                                  "body": {"text": "turn on the kitchen light", "person": "anna", "room": "kitchen"}})
            rc = await asyncio.to_thread(spy.publish, f"fusehub/{HUB_ID}/request/controller/say", request)
            assert rc is not None and rc.is_failure and rc.getName() == "Not authorized"  # MQTT 5 PUBACK 0x87
            rc = await asyncio.to_thread(spy.publish, "sim/kitchen_light/set", '{"state": "ON"}')
            assert rc is not None and rc.getName() == "Not authorized"
            # MQTT 3.1.1 has no reason codes: the broker acknowledges and drops
            await asyncio.to_thread(old.publish, f"fusehub/{HUB_ID}/request/controller/say", request)
            await asyncio.to_thread(old.publish, "sim/kitchen_light/set", '{"state": "ON"}')
            ok = await asyncio.to_thread(spy.publish, "guest/hello", "its own prefix is fine")
            assert ok is not None and not ok.is_failure
            await asyncio.sleep(0.5)
            assert world.received == [], "a command reached the device"
            assert world.devices["kitchen_light"].state["on"] is False
            assert hub.journal.recent(("command",), 5) == []
            assert hub.metrics.get("rejected", 0) == 0
            topics = [t for t, _ in spy.received]
            assert not any(t.startswith(f"fusehub/{HUB_ID}/reply/") or t == "sim/kitchen_light/set" for t in topics)
            # on its own request topic the broker lets it through, and the hub refuses it: not a known requester
            rc = await asyncio.to_thread(spy.publish, f"fusehub/{HUB_ID}/request/intruder/say",
                                         request.replace("/reply/controller/evil", "/reply/intruder/evil"))
            assert rc is not None and not rc.is_failure
            assert await until(lambda: hub.metrics.get("rejected.control", 0) == 1)
            assert world.received == [] and hub.journal.recent(("command",), 5) == []

            # --- a client allowed to ask this hub: the same request works end to end
            ctl = await asyncio.to_thread(
                PahoClient.connect, broker, certs, "controller", PASSWORDS["controller"], "controller-1",
                subscribe=(f"fusehub/{HUB_ID}/reply/controller/#",))
            try:
                await asyncio.sleep(0.2)
                good = request.replace("/reply/controller/evil", "/reply/controller/c1").replace('"r1"', '"r2"')
                rc = await asyncio.to_thread(ctl.publish, f"fusehub/{HUB_ID}/request/controller/say", good)
                assert rc is not None and not rc.is_failure
                assert await until(lambda: bool(ctl.received)), "no reply from the hub"
                topic, body = ctl.received[0]
                assert topic == f"fusehub/{HUB_ID}/reply/controller/c1"
                assert json.loads(body)["result"]["verdicts"] == ["allowed"]
                assert await until(lambda: world.devices["kitchen_light"].state["on"] is True)
                assert await until(lambda: hub.graph.device("kitchen_light").state.get("on") is True)  # echo
            finally:
                await asyncio.to_thread(ctl.close)
            # the watcher may read (topic read #): it saw the legitimate command, proving it was listening
            assert await until(lambda: any(t == "sim/kitchen_light/set" for t, _ in spy.received))
        finally:
            await asyncio.to_thread(spy.close)
            await asyncio.to_thread(old.close)

        # and the hub's own API commands the device over the secured link
        out = await hub.say("turn off the kitchen light", person="anna", room="kitchen", origin=Origin.voice)
        assert out.verdicts == ["allowed"]
        assert await until(lambda: world.devices["kitchen_light"].state["on"] is False)
        assert len(world.received) == 2


async def refused(broker: Mosquitto, *, tls: ssl.SSLContext | None, user: str | None = None,
                  password: str | None = None, timeout: float = 3) -> BaseException | None:
    try:
        async with aiomqtt.Client("127.0.0.1", broker.port, username=user, password=password, tls_context=tls,
                                  identifier=f"probe-{user}", protocol=aiomqtt.ProtocolVersion.V5, timeout=timeout):
            return None
    except aiomqtt.MqttError as e:
        return e


async def test_unauthenticated_and_untrusting_clients_are_refused(
    broker: Mosquitto, certs: TlsFiles, tmp_path: Path
) -> None:
    trusted = ssl.create_default_context(cafile=certs.ca)
    assert await refused(broker, tls=trusted, user="fusehub", password=PASSWORDS["fusehub"]) is None  # baseline
    e = await refused(broker, tls=trusted)  # anonymous
    assert isinstance(e, aiomqtt.MqttCodeError) and "authori" in str(e).lower()
    e = await refused(broker, tls=trusted, user="fusehub", password="wrong")
    assert isinstance(e, aiomqtt.MqttCodeError) and "authori" in str(e).lower()
    e = await refused(broker, tls=trusted, user="nobody", password="x")
    assert isinstance(e, aiomqtt.MqttCodeError)
    # plain MQTT to the TLS port: no CONNACK (so no reason code), just a dead connection
    e = await refused(broker, tls=None, user="fusehub", password=PASSWORDS["fusehub"], timeout=1.5)
    assert e is not None and not isinstance(e, aiomqtt.MqttCodeError)
    # TLS without our CA (system trust store only): the broker's certificate does not verify
    e = await refused(broker, tls=ssl.create_default_context(), user="fusehub", password=PASSWORDS["fusehub"])
    assert e is not None and "CERTIFICATE_VERIFY_FAILED" in str(e)
    # and the hub's own link with a wrong password stays disconnected instead of pretending
    link_settings = settings(broker, certs, "fusehub", "wrong", "fusehub-badpw")
    async with MqttLink(link_settings, "badpw") as link:
        assert not await link.wait_connected(1.5)
