"""hub.mqtt against a real mosquitto: status topic, reconnect and resubscribe, QoS 1 commands."""

from __future__ import annotations

import asyncio

from hub.config import MqttSettings
from hub.events import Outbound, new_id
from hub.mqtt import Message, MqttLink, status_topic
from simulations.broker import Mosquitto, free_port


def settings(url: str, **kw: object) -> MqttSettings:
    return MqttSettings(url=url, client_id=f"t-{new_id()}", reconnect_min_s=0.1, reconnect_max_s=0.5, **kw)  # type: ignore[arg-type]


async def next_message(link: MqttLink, topic: str, timeout: float = 5) -> Message:
    async def wait() -> Message:
        async for m in link.messages():
            if m.topic == topic:
                return m
        raise AssertionError("unreachable")

    return await asyncio.wait_for(wait(), timeout)


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
    copy is the only one: with a consumer behind (a one-slot inbox) and the broker gone, every queued message must
    still come out of the link (at least once means the drop may not take them)."""
    port = free_port()
    broker = Mosquitto(port=port).start()
    n = 60
    try:
        async with MqttLink(settings(broker.url, protocol="5"), "slow", queue_size=1) as sub, \
                MqttLink(settings(broker.url, protocol="5"), "p") as pub:
            await sub.subscribe("ack/#")
            assert await sub.wait_connected(5)
            for i in range(n):
                assert await pub.publish(Outbound(topic=f"ack/{i}", payload=str(i), qos=1))
            await asyncio.sleep(0.5)  # all delivered and acknowledged; the inbox holds 1, aiomqtt the rest
            broker.kill()  # the broker's copy is gone with it (no persistence): only the link has them now
            got: set[str] = set()

            async def drain() -> None:
                async for m in sub.messages():
                    got.add(m.payload.decode())
                    if len(got) == n:
                        return

            await asyncio.wait_for(drain(), 10)
            assert got == {str(i) for i in range(n)}
    finally:
        broker.stop()
