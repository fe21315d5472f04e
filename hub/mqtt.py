"""The only module that touches the MQTT client (aiomqtt on paho-mqtt), and the embedded broker.

`MqttLink` is one client as an async context manager: it keeps the connection up in a background
task (reconnect with exponential backoff, resubscribe, a retained online/offline status topic with a
last will), hands received messages out as an async iterator, and publishes `Outbound` messages.
Routing is left to the application.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiomqtt
from fusehub.config import MqttSettings
from fusehub.events import Outbound
from fusehub.tasks import cancel_and_wait
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

__all__ = ["COMMAND_ID_PROPERTY", "EmbeddedBroker", "Message", "MqttLink", "RequestClient", "broker_url",
           "status_topic"]

log = logging.getLogger(__name__)


def broker_url(settings: MqttSettings) -> str:
    """The broker a client connects to, as a URL a person recognises (the embedded broker's too)."""
    host, port, tls = settings.host_port()
    return f"{'mqtts' if tls else 'mqtt'}://{host}:{port}"


def status_topic(hub_id: str) -> str:
    return f"fusehub/{hub_id}/status"


COMMAND_ID_PROPERTY = "fusehub-command-id"


@dataclass(frozen=True, slots=True)
class Message:
    """One received message. With MQTT 5, `user_properties` are the PUBLISH's user properties and
    `command_id` is the `fusehub-command-id` one (what a device deduplicates on)."""

    topic: str
    payload: bytes
    retain: bool = False
    user_properties: tuple[tuple[str, str], ...] = ()
    command_id: str | None = None
    response_topic: str | None = None
    """MQTT 5: where the publisher wants the reply (a request's response-topic property)."""
    correlation_data: bytes | None = None
    """MQTT 5: what the reply must carry back (a request's correlation-data property)."""
    qos: int = 0
    mid: int = 0
    """The packet id on the connection it came in on (with `session`, what :meth:`MqttLink.ack` acknowledges)."""
    session: int = 0
    """Which of the link's connections delivered it (a packet id means nothing on another connection)."""
    ack_pending: bool = False
    """Not yet acknowledged to the broker: its topic is one the link was told to acknowledge only after handling
    (:meth:`MqttLink.ack_after_handling`); call :meth:`MqttLink.ack` once its outcome is durable."""


def _user_properties(props: Any) -> tuple[tuple[str, str], ...]:
    pairs = getattr(props, "UserProperty", None) if props is not None else None
    if not pairs:
        return ()
    return tuple((str(k), str(v)) for k, v in pairs)


def _reply_properties(props: Any) -> tuple[str | None, bytes | None]:
    """A PUBLISH's MQTT 5 response topic and correlation data, when it has them."""
    if props is None:
        return None, None
    topic = getattr(props, "ResponseTopic", None)
    data = getattr(props, "CorrelationData", None)
    return (topic if isinstance(topic, str) else None), (bytes(data) if isinstance(data, bytes | bytearray) else None)


def _tls_context(s: MqttSettings) -> ssl.SSLContext:
    """The TLS context for the configured broker: its CA, a client certificate for mutual TLS, and (testing only)
    no hostname check."""
    ctx = ssl.create_default_context(cafile=s.tls.ca_certs if s.tls else None)
    if s.tls and s.tls.certfile:
        ctx.load_cert_chain(s.tls.certfile, s.tls.keyfile)
    if s.tls and s.tls.insecure:
        ctx.check_hostname = False
    return ctx


class MqttLink:
    """A resilient MQTT client. Use as `async with MqttLink(settings, hub_id) as link:`."""

    def __init__(self, settings: MqttSettings, hub_id: str, *, queue_size: int = 100_000) -> None:
        self.settings = settings
        self.hub_id = hub_id
        self._subs: dict[str, int] = {}
        self._incoming: asyncio.Queue[Message] = asyncio.Queue(maxsize=queue_size)
        self.dropped = 0
        """Messages refused because `queue_size` were already waiting for the consumer (logged, counted): the bound
        keeps a hub far behind (100,000 messages is seconds of a flood) from growing without limit on a small box."""
        self._client: aiomqtt.Client | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.connects = 0
        self.published = 0
        self.publish_failures = 0
        self._late_ack_prefixes: tuple[str, ...] = ()
        self._paho: Any = None
        self._session = 0

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> MqttLink:
        self._task = asyncio.create_task(self._run(), name="mqtt-link")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping = True
        client = self._client
        if client is not None and self._connected.is_set():
            with contextlib.suppress(Exception):
                await client.publish(status_topic(self.hub_id), b"offline", qos=1, retain=True, timeout=2)
        if self._task is not None:
            await cancel_and_wait([self._task])  # one cancel may be swallowed (see hub.tasks)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self, timeout: float | None = None) -> bool:
        if self._connected.is_set():
            return True  # the common case, without wait_for (whose cancel handling races on 3.11)
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def _accept(self, m: aiomqtt.Message) -> None:
        """Take one message from the client as it arrives. It is already acknowledged to the broker, so from here
        the link's inbox holds the only copy: nothing may wait in aiomqtt's own queue, which is dropped with the
        connection (a drop while the link resubscribes used to lose what the session had queued)."""
        payload = m.payload if isinstance(m.payload, bytes) else str(m.payload or "").encode()
        user = _user_properties(m.properties)
        cid = next((v for k, v in user if k == COMMAND_ID_PROPERTY), None)
        response_topic, correlation = _reply_properties(m.properties)
        late = m.qos > 0 and m.topic.value.startswith(self._late_ack_prefixes) if self._late_ack_prefixes else False
        if not late:
            self._ack_now(m.mid, m.qos)
        try:
            self._incoming.put_nowait(Message(m.topic.value, payload, bool(m.retain), user, cid, response_topic,
                                              correlation, m.qos, m.mid, self._session, late))
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("mqtt inbox full (%d waiting): dropped %d messages so far, newest on %s",
                          self._incoming.qsize(), self.dropped, m.topic.value)

    def _inbox_type(self) -> type[asyncio.Queue[aiomqtt.Message]]:
        link = self

        class _Inbox(asyncio.Queue[aiomqtt.Message]):
            """The queue aiomqtt delivers into: hands each message to the link at once and keeps none."""

            def put_nowait(self, item: aiomqtt.Message) -> None:
                link._accept(item)

        return _Inbox

    def _make_client(self) -> aiomqtt.Client:
        s = self.settings
        host, port, use_tls = s.host_port()
        v5 = s.protocol == "5"
        will = aiomqtt.Will(status_topic(self.hub_id), b"offline", qos=1, retain=True)
        kwargs: dict[str, Any] = {"tls_context": _tls_context(s)} if use_tls else {}
        if v5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = 3600
            kwargs["properties"] = props
            kwargs["clean_start"] = False
        else:
            kwargs["clean_session"] = False
        client = aiomqtt.Client(
            host,
            port,
            username=s.username,
            password=s.resolved_password(),
            identifier=s.client_id or f"fusehub-{self.hub_id}",
            protocol=aiomqtt.ProtocolVersion.V5 if v5 else aiomqtt.ProtocolVersion.V311,
            will=will,
            keepalive=s.keepalive,
            timeout=10,
            max_queued_incoming_messages=0,
            queue_type=self._inbox_type(),
            # Small command packets must not wait for Nagle + delayed ACK (~40 ms per hop).
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            **kwargs,
        )
        self._manual_acks(client)
        return client

    async def _run(self) -> None:
        delay = self.settings.reconnect_min_s
        while not self._stopping:
            try:
                async with self._make_client() as client:
                    self._client = client
                    self.connects += 1
                    await client.publish(status_topic(self.hub_id), b"online", qos=1, retain=True)
                    for pattern, qos in list(self._subs.items()):
                        await client.subscribe(pattern, qos=qos)
                    self._connected.set()
                    delay = self.settings.reconnect_min_s
                    log.info("mqtt connected to %s:%s", *self.settings.host_port()[:2])
                    async for _ in client.messages:  # never yields (`_accept` took them all): ends on a drop
                        pass
            except aiomqtt.MqttError as e:
                if self._stopping:
                    break
                if self.connects == 0:
                    log.warning("cannot connect to the MQTT broker at %s (%s); retrying in %.1fs",
                                broker_url(self.settings), e, delay)
                else:
                    log.warning("mqtt connection to %s lost (%s); reconnecting in %.1fs",
                                broker_url(self.settings), e, delay)
            finally:
                self._connected.clear()
                self._client = None
            if self._stopping:
                break
            await asyncio.sleep(delay)
            delay = min(self.settings.reconnect_max_s, delay * 2)

    # ------------------------------------------------------------------ API
    async def subscribe(self, pattern: str, qos: int = 1) -> None:
        """Subscribe now (if connected) and after every reconnect."""
        if pattern in self._subs:
            return
        self._subs[pattern] = qos
        client = self._client
        if client is not None and self._connected.is_set():
            try:
                await client.subscribe(pattern, qos=qos)
            except aiomqtt.MqttError as e:
                log.warning("subscribe %s failed (%s); will retry on reconnect", pattern, e)

    async def publish(
        self, msg: Outbound, *, expiry_s: float | None = None, timeout: float = 10.0, command_id: str | None = None
    ) -> bool:
        """Publish one message; waits up to `timeout` for a connection. False if it could not be sent.
        With MQTT 5, `expiry_s` becomes the message expiry and `command_id` a user property
        (`fusehub-command-id`) a device can deduplicate on."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or not await self.wait_connected(remaining):
                self.publish_failures += 1
                return False
            client = self._client
            if client is None:
                continue
            props = None
            if self.settings.protocol == "5" and (expiry_s is not None or command_id is not None
                                                  or msg.correlation_data is not None):
                props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
                if msg.correlation_data is not None:
                    props.CorrelationData = msg.correlation_data
                if expiry_s is not None:
                    props.MessageExpiryInterval = max(1, int(expiry_s))
                if command_id is not None:
                    props.UserProperty = [(COMMAND_ID_PROPERTY, command_id)]
            try:
                await client.publish(
                    msg.topic, msg.payload.encode(), qos=msg.qos, retain=msg.retain, properties=props,
                    timeout=max(0.1, remaining),
                )
                self.published += 1
                return True
            except aiomqtt.MqttError as e:
                log.warning("publish to %s failed: %s", msg.topic, e)
                await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ acknowledgements
    def ack_after_handling(self, prefix: str) -> None:
        """Acknowledge QoS 1/2 messages on topics starting with `prefix` only when :meth:`ack` is called (once
        their outcome is durable), not on receipt. Until then the broker keeps them in the session and delivers
        them again (DUP) on the next connection, so a hub killed mid-request gets the request back. Call it before
        the link connects: a message taken before is acknowledged at once."""
        self._late_ack_prefixes = (*self._late_ack_prefixes, prefix)

    def ack(self, message: Message) -> bool:
        """Acknowledge a message that waited for its handling. False when its connection is gone (the broker
        then delivers it again: the receiver's dedup must recognise it) or it needed no acknowledgement."""
        if not message.ack_pending or message.session != self._session or self._paho is None:
            return False
        return self._ack_now(message.mid, message.qos)

    def _manual_acks(self, client: aiomqtt.Client) -> None:
        """paho acknowledges each message as its callback returns; aiomqtt 2.5 has no option for anything else,
        so the link reaches the paho client it wraps and acknowledges itself (at once, in `_accept`, but for the
        topics registered with :meth:`ack_after_handling`)."""
        paho = client._client  # aiomqtt exposes no manual-ack option
        paho.manual_ack_set(True)
        self._paho = paho
        self._session += 1

    def _ack_now(self, mid: int, qos: int) -> bool:
        if qos == 0 or self._paho is None:
            return qos == 0
        rc = self._paho.ack(mid, qos)
        return bool(rc == 0)

    async def messages(self) -> AsyncIterator[Message]:
        while True:
            yield await self._incoming.get()

    def pending(self) -> int:
        return self._incoming.qsize()


class EmbeddedBroker:
    """An in-process MQTT 3.1.1 broker (amqtt), used whenever no broker URL is configured."""

    def __init__(self, bind: str = "127.0.0.1:1883") -> None:
        self.bind = bind
        self._broker: Any = None

    async def __aenter__(self) -> EmbeddedBroker:
        from amqtt.broker import Broker

        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        cfg = {
            "listeners": {"default": {"type": "tcp", "bind": self.bind}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._broker = Broker(cfg)
        await self._broker.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._broker is not None:
            with contextlib.suppress(Exception):
                await self._broker.shutdown()


class RequestClient:
    """A short-lived client for request/reply (the CLI): a clean session that ends with the connection (MQTT 5
    session expiry 0, 3.1.1 clean session), no last will, no status topic, nothing retained, so a call leaves
    nothing on the broker. Use as `async with RequestClient(settings, client_id) as c: await c.request(...)`.
    A broker it cannot reach raises :class:`fusehub.errors.BrokerUnreachable` naming the broker's URL."""

    def __init__(self, settings: MqttSettings, client_id: str, *, connect_timeout: float = 10.0) -> None:
        self.settings = settings
        self.client_id = client_id
        self.connect_timeout = connect_timeout
        self._client: aiomqtt.Client | None = None

    async def __aenter__(self) -> RequestClient:
        from fusehub.errors import BrokerUnreachable

        s = self.settings
        host, port, use_tls = s.host_port()
        v5 = s.protocol == "5"
        kwargs: dict[str, Any] = {"tls_context": _tls_context(s)} if use_tls else {}
        if v5:
            kwargs["clean_start"] = True  # and no session-expiry property: the session ends with the connection
        else:
            kwargs["clean_session"] = True
        client = aiomqtt.Client(
            host, port, username=s.username, password=s.resolved_password(), identifier=self.client_id,
            protocol=aiomqtt.ProtocolVersion.V5 if v5 else aiomqtt.ProtocolVersion.V311,
            keepalive=s.keepalive, timeout=self.connect_timeout,
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)], **kwargs,
        )
        try:
            await client.__aenter__()
        except (aiomqtt.MqttError, OSError) as e:
            raise BrokerUnreachable(f"cannot connect to the MQTT broker at {broker_url(s)}: {e}") from None
        self._client = client
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, OSError):
                await client.__aexit__(exc_type, exc, tb)

    async def request(self, topic: str, payload: bytes, reply_topic: str, correlation: bytes) -> bytes:
        """Subscribe to `reply_topic`, publish the request (QoS 1; with MQTT 5 the response topic and correlation
        data as properties), and return the first reply's payload. Wrap in a timeout."""
        client = self._client
        if client is None:
            raise RuntimeError("RequestClient used outside `async with`")
        await client.subscribe(reply_topic, qos=1)
        props = None
        if self.settings.protocol == "5":
            props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            props.ResponseTopic = reply_topic
            props.CorrelationData = correlation
        await client.publish(topic, payload, qos=1, properties=props)
        async for m in client.messages:
            if m.topic.value != reply_topic:
                continue
            data = getattr(m.properties, "CorrelationData", None) if m.properties is not None else None
            if data is not None and bytes(data) != correlation:
                continue
            return m.payload if isinstance(m.payload, bytes) else str(m.payload or "").encode()
        raise ConnectionError(f"the connection to {broker_url(self.settings)} closed before the reply came")
