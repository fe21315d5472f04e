"""hub.mqtt against a real mosquitto: status topic, reconnect and resubscribe, QoS 1 commands."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import aiomqtt
from fusehub.config import MqttSettings
from fusehub.events import Outbound, new_id
from fusehub.mqtt import Message, MqttLink, status_topic
from fusehub.simulations.broker import Mosquitto, free_port


def settings(url: str, **kw: object) -> MqttSettings:
    return MqttSettings(url=url, client_id=f"t-{new_id()}", reconnect_min_s=0.1, reconnect_max_s=0.5, **kw)  # type: ignore[arg-type]


async def next_message(link: MqttLink, topic: str, timeout: float = 5) -> Message:
    async def wait() -> Message:
        async for m in link.messages():
            if m.topic == topic:
                return m
        raise AssertionError("unreachable")

    return await asyncio.wait_for(wait(), timeout)


async def payloads(link: MqttLink, prefix: str, n: int, timeout: float) -> set[str]:
    """The payloads of messages on topics under `prefix`, until `n` distinct ones came or `timeout` passed."""
    got: set[str] = set()

    async def drain() -> None:
        async for m in link.messages():
            if m.topic.startswith(prefix):
                got.add(m.payload.decode())
            if len(got) == n:
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(drain(), timeout)
    return got


async def test_publish_subscribe_and_retained_status(mosquitto: Mosquitto) -> None:
    hub_id = f"h{new_id()[:6]}"
    async with MqttLink(settings(mosquitto.url), hub_id) as hub, MqttLink(settings(mosquitto.url), "obs") as obs:
        assert await hub.wait_connected(5) and await obs.wait_connected(5)
        await obs.subscribe(status_topic(hub_id))
        m = await next_message(obs, status_topic(hub_id))
        assert m.payload == b"online" and m.retain
        await obs.subscribe("t/cmd/#")
        assert await hub.publish(Outbound(topic="t/cmd/x", payload="ON"), expiry_s=30)
        got = await next_message(obs, "t/cmd/x")
        assert got.payload == b"ON" and not got.retain
    async with MqttLink(settings(mosquitto.url), "late") as late:
        await late.subscribe(status_topic(hub_id))
        m = await next_message(late, status_topic(hub_id))
        assert m.payload == b"offline"  # clean shutdown leaves a retained offline


async def test_mqtt_311_works_too(mosquitto: Mosquitto) -> None:
    async with MqttLink(settings(mosquitto.url, protocol="3.1.1"), "v311") as a:
        await a.subscribe("v311/echo")
        assert await a.publish(Outbound(topic="v311/echo", payload="hi"))
        assert (await next_message(a, "v311/echo")).payload == b"hi"


async def test_reconnects_and_resubscribes_after_a_broker_restart() -> None:
    port = free_port()
    broker = Mosquitto(port=port).start()
    try:
        async with MqttLink(settings(broker.url), "r1") as sub, MqttLink(settings(broker.url), "r2") as pub:
            await sub.subscribe("re/topic")
            assert await sub.wait_connected(5)
            await pub.publish(Outbound(topic="re/topic", payload="before"))
            assert (await next_message(sub, "re/topic")).payload == b"before"
            broker.kill()
            await asyncio.sleep(0.3)
            assert not sub.connected
            broker = Mosquitto(port=port).start()
            assert await sub.wait_connected(10) and await pub.wait_connected(10)
            assert sub.connects >= 2
            assert await pub.publish(Outbound(topic="re/topic", payload="after"))
            assert (await next_message(sub, "re/topic")).payload == b"after"
    finally:
        broker.stop()


async def test_publish_without_a_broker_fails_cleanly() -> None:
    async with MqttLink(settings(f"mqtt://127.0.0.1:{free_port()}"), "nobroker") as link:
        assert await link.publish(Outbound(topic="x", payload="y"), timeout=0.5) is False
        assert link.publish_failures == 1


async def test_messages_acknowledged_before_a_disconnect_are_not_dropped(tmp_path: object) -> None:
    """aiomqtt acknowledges a QoS 1 message as soon as it queues it, so once the broker has the PUBACK the link's
    copy is the only one: with the consumer not reading and the broker gone, every queued message must still
    come out of the link (at least once means the drop may not take them)."""
    port = free_port()
    broker = Mosquitto(port=port).start()
    n = 60
    try:
        async with MqttLink(settings(broker.url, protocol="5"), "slow") as sub, \
                MqttLink(settings(broker.url, protocol="5"), "p") as pub:
            await sub.subscribe("ack/#")
            assert await sub.wait_connected(5)
            for i in range(n):
                assert await pub.publish(Outbound(topic=f"ack/{i}", payload=str(i), qos=1))
            await asyncio.sleep(0.5)  # all delivered and acknowledged, none consumed yet
            assert sub.pending() == n
            broker.kill()  # the broker's copy is gone with it (no persistence): only the link has them now
            assert await payloads(sub, "ack/", n, 10) == {str(i) for i in range(n)}
    finally:
        broker.stop()


async def test_a_persistent_broker_keeps_queued_messages_across_a_restart(tmp_path: Path) -> None:
    """The fault benches restart mosquitto with persistence on; started by root it used to drop to the `mosquitto`
    user, could not write the persistence dir and silently ran without it (queued QoS 1 messages then died with
    each restart). The database must be written, and a session's queued messages must come back."""
    port, store = free_port(), tmp_path / "mosq"
    store.mkdir()
    broker = Mosquitto(port=port, persistence_dir=str(store)).start()
    sub_settings = settings(broker.url, protocol="5")
    try:
        async with MqttLink(sub_settings, "away") as sub:
            await sub.subscribe("keep/#")
            assert await sub.wait_connected(5)
            await asyncio.sleep(0.2)  # the SUBSCRIBE is through before the session goes offline
        async with MqttLink(settings(broker.url, protocol="5"), "p") as pub:
            for i in range(5):
                assert await pub.publish(Outbound(topic=f"keep/{i}", payload=str(i), qos=1))
        broker.stop()  # SIGTERM: mosquitto writes its database on the way out
        assert (store / "mosquitto.db").is_file()
        broker = Mosquitto(port=port, persistence_dir=str(store)).start()
        async with MqttLink(sub_settings, "away") as sub:
            got = await payloads(sub, "keep/", 5, 10)
        assert got == {str(i) for i in range(5)}
    finally:
        broker.stop()


async def test_a_drop_while_resubscribing_loses_nothing_the_session_delivered() -> None:
    """On reconnect the broker sends what the session queued right after CONNACK, while the link is still
    announcing itself and resubscribing; a drop there (here: the SUBSCRIBE fails as on a dead connection) ends the
    client before anything iterated its messages. They are acknowledged already, so they must be in the link."""
    port = free_port()
    broker = Mosquitto(port=port).start()
    sub_settings = settings(broker.url, protocol="5")
    n = 30
    try:
        async with MqttLink(sub_settings, "away") as sub:
            await sub.subscribe("queued/#")
            assert await sub.wait_connected(5)
            await asyncio.sleep(0.2)
        async with MqttLink(settings(broker.url, protocol="5"), "p") as pub:
            for i in range(n):
                assert await pub.publish(Outbound(topic=f"queued/{i}", payload=str(i), qos=1))
        link = MqttLink(sub_settings, "away")
        link._subs["queued/#"] = 1  # known from before, so the link resubscribes after connecting
        make = link._make_client
        failed: list[int] = []

        def flaky_client() -> aiomqtt.Client:
            client = make()
            real_subscribe = client.subscribe

            async def subscribe(*a: Any, **kw: Any) -> Any:
                if not failed:
                    failed.append(1)
                    await asyncio.sleep(0.5)  # the session's queued messages arrive (and are acknowledged) meanwhile
                    raise aiomqtt.MqttError("connection lost while resubscribing")
                return await real_subscribe(*a, **kw)

            client.subscribe = subscribe  # type: ignore[method-assign]
            return client

        link._make_client = flaky_client  # type: ignore[method-assign]
        async with link:
            for _ in range(200):  # the first connection fails while resubscribing, the second one holds
                if link.connects >= 2 and link.connected:
                    break
                await asyncio.sleep(0.05)
            assert failed and link.connects >= 2 and link.connected
            got = await payloads(link, "queued/", n, 5)
        assert got == {str(i) for i in range(n)}
    finally:
        broker.stop()


async def test_an_overfull_inbox_is_counted_not_silent(mosquitto: Mosquitto) -> None:
    async with MqttLink(settings(mosquitto.url, protocol="5"), "tiny", queue_size=5) as sub, \
            MqttLink(settings(mosquitto.url, protocol="5"), "p") as pub:
        await sub.subscribe("full/#")
        assert await sub.wait_connected(5)
        for i in range(8):
            assert await pub.publish(Outbound(topic=f"full/{i}", payload=str(i), qos=1))
        for _ in range(50):
            if sub.pending() + sub.dropped == 8:
                break
            await asyncio.sleep(0.05)
        assert (sub.pending(), sub.dropped) == (5, 3)
        assert [(await next_message(sub, f"full/{i}")).payload for i in range(5)] == [str(i).encode() for i in range(5)]
