"""The control server: the hub's side of the request/reply protocol (:mod:`fusehub.protocol`).

Requests arrive on `fusehub/<hub_id>/request/<user>/<verb>`; the broker's ACL lets each user publish only under its
own name, so `<user>` is who asks. :class:`Identities` maps it to a person or a trusted controller (the config's
`requests:`); anyone else is refused with `not_authorized`. Replies go to the MQTT 5 response topic (with the
request's correlation data) or the envelope's `reply_to` (MQTT 3.1.1), and only under that user's own reply prefix.

Start-up barrier: requests queued in the hub's MQTT session arrive right after it connects, before the devices'
retained discovery its subscriptions bring. The hub therefore holds requests until a message it sends itself on
`fusehub/<hub_id>/barrier`, after subscribing, comes back (or `max_wait_s` passes), then handles them in order.
A request is acted on once per user and request id, however often the broker delivers it: the hub acknowledges a
request to the broker only once its outcome is durable (its command in the outbox, written in one transaction with
the request's id, or its reply recorded), and a redelivered id is recognised from the journal, even after a
`kill -9`, and answered with the reply it got the first time.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fusehub.clock import Clock
from fusehub.config import RequestsConfig
from fusehub.events import Outbound, new_id
from fusehub.protocol import (
    ANONYMOUS,
    BadRequest,
    Busy,
    HubFailed,
    NotAuthorized,
    Reply,
    RequestError,
    parse_request,
    peek_envelope,
    reply_prefix,
)
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Transport
from pydantic import BaseModel

__all__ = ["MAX_WAITING", "Ack", "Caller", "ControlServer", "Handler", "Identities", "RequestLog"]

log = logging.getLogger("fusehub")

MAX_WAITING = 10_000
"""Requests held for the barrier at most; more are refused with `busy` (counted)."""

_SEEN_MAX = 4096

Ack = Callable[[], object]
"""Acknowledges one request to the broker (:meth:`fusehub.mqtt.MqttLink.ack`): called once its outcome is durable."""


class RequestLog(Protocol):
    """The durable request-id dedup (:class:`fusehub.journal.Journal` implements it)."""

    def request_scope(self, request_id: str, time: datetime) -> AbstractContextManager[None]: ...

    def request_seen(self, request_id: str) -> bool: ...

    def request_reply(self, request_id: str) -> dict[str, Any] | None: ...

    def request_done(self, request_id: str, time: datetime, reply: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request comes from, as the broker authenticated it."""

    user: str
    """The broker username (or `anonymous`)."""
    person: str | None = None
    """The person this connection is, when it is one."""
    controller: bool = False
    """A trusted controller: may speak for anyone."""

    def speaks_for(self, named: str | None) -> str | None:
        """The person a request is attributed to: a person's connection is that person (and may name only
        itself); a controller speaks for whoever the request names (or for no one)."""
        if self.controller:
            return named
        if named is not None and named != self.person:
            raise NotAuthorized(f"broker user {self.user!r} is {self.person!r} and may not speak for {named!r}")
        return self.person


class Identities:
    """Broker users -> callers, from the config's `requests:` section."""

    def __init__(self, config: RequestsConfig, *, hub_user: str | None, embedded: bool) -> None:
        self._users = {name: Caller(name, r.person, r.controller) for name, r in config.users.items()}
        if hub_user is not None:  # the hub's own credentials already command every device
            self._users[hub_user] = Caller(hub_user, controller=True)
        anon = config.anonymous
        if anon is not None:
            self._users[ANONYMOUS] = Caller(ANONYMOUS, anon.person, anon.controller)
        elif embedded:
            self._users[ANONYMOUS] = Caller(ANONYMOUS, controller=True)

    def people(self) -> set[str]:
        return {c.person for c in self._users.values() if c.person is not None}

    def caller(self, user: str) -> Caller:
        found = self._users.get(user)
        if found is None:
            raise NotAuthorized(f"broker user {user[:60]!r} is not allowed to ask this hub (see `requests.users` "
                                "in the hub's config)")
        return found


Handler = Callable[[Any, Caller], Awaitable[BaseModel]]
"""A verb's handler: the typed request and its caller in, the verb's result model out; raises
:class:`fusehub.protocol.RequestError` for an error reply."""


@dataclass(frozen=True, slots=True)
class _Incoming:
    user: str
    verb: str
    payload: bytes
    response_topic: str | None
    correlation: bytes | None
    ack: Ack | None = None


class ControlServer:
    """Dispatches request verbs to handlers, behind the start-up barrier, once per request id."""

    def __init__(self, hub_id: str, handlers: dict[str, Handler], *, identities: Identities, clock: Clock,
                 health: Health, requests: RequestLog | None = None) -> None:
        self.hub_id = hub_id
        self.prefix = f"fusehub/{hub_id}/request/"
        self.barrier_topic = f"fusehub/{hub_id}/barrier"
        self._handlers = handlers
        self.identities = identities
        self._clock = clock
        self._health = health
        self._metrics = health.metrics
        self.transport: Transport | None = None
        self._seen: dict[str, None] = {}
        self._barrier: str | None = None
        self._barrier_sent = 0.0
        self._deferred: deque[_Incoming] = deque()
        self._requests = requests
        self.backlog: Callable[[], int] = lambda: 0
        """Messages received but not yet handed to the hub (the run loop sets it to the link's inbox size)."""

    def handles(self, topic: str) -> bool:
        return topic == self.barrier_topic or topic.startswith(self.prefix)

    async def start(self, transport: Transport) -> None:
        """Subscribe to the request topics (before the device topics: see the module docstring)."""
        self.transport = transport
        await transport.subscribe(self.prefix + "+/+")

    async def send_barrier(self) -> None:
        """Last step of attaching: a message to ourselves. The broker sends a subscription's retained messages
        when it takes the SUBSCRIBE, so when this comes back the devices' retained discovery is in."""
        if self.transport is None:
            return
        await self.transport.subscribe(self.barrier_topic)
        self._barrier, self._barrier_sent = new_id(), self._clock.monotonic()
        if not await self.transport.publish(Outbound(topic=self.barrier_topic, payload=self._barrier, qos=1),
                                            timeout=2):
            await self._pass_barrier("the broker took no barrier message")

    async def ingest(self, topic: str, payload: bytes, *, response_topic: str | None = None,
                     correlation: bytes | None = None, ack: Ack | None = None) -> None:
        """A message on the barrier or a request topic (with its MQTT 5 response topic and correlation data).
        `ack` (when the transport left it to us) is called once the request's outcome is durable: after it is
        handled, not when it is taken or held for the barrier."""
        if topic == self.barrier_topic:
            if self._barrier is not None and payload.decode("utf-8", "replace") == self._barrier:
                await self._pass_barrier()
            else:  # an earlier incarnation's, still queued in the session, or someone else's
                self._metrics["control.stale_barrier"] += 1
            if ack is not None:
                ack()
            return
        levels = topic[len(self.prefix):].split("/")
        if len(levels) != 2 or not all(levels):
            self._health.reject("control", f"not a request topic: {topic[:200]!r}", "")
            if ack is not None:
                ack()
            return
        msg = _Incoming(levels[0], levels[1], payload, response_topic, correlation, ack)
        await self.barrier_check()
        if self._barrier is None:
            await self._handle(msg)
        elif len(self._deferred) >= MAX_WAITING:
            self._health.reject("control", "too many requests waiting for the hub to start", "")
            await self._reply(msg, self._reply_topic(msg, None), Reply(id=None, error=Busy(
                f"the hub is starting and holds {MAX_WAITING} requests already; ask again").body()))
            if ack is not None:
                ack()
        else:
            self._deferred.append(msg)
            self._metrics["control.deferred"] += 1

    async def barrier_check(self, max_wait_s: float = 5.0) -> None:
        """Stop holding requests when the barrier is `max_wait_s` overdue (a broker that lost it). Not while
        messages still wait in the link's inbox (`backlog`): a hub that is behind (a slow start, a loaded box) has
        the barrier queued behind the devices' discovery, and handling requests before that discovery is read
        would refuse their commands."""
        if self._barrier is None or self._clock.monotonic() - self._barrier_sent <= max_wait_s:
            return
        if self.backlog() > 0:
            self._metrics["control.barrier_behind"] += 1
            return
        await self._pass_barrier(f"it did not come back in {max_wait_s:g} s")

    async def _pass_barrier(self, why: str = "") -> None:
        """Handle the requests that waited for the retained discovery, in the order they came."""
        if why:
            log.warning("handling %d waiting requests without the barrier: %s", len(self._deferred), why)
        self._barrier = None
        while self._deferred:
            await self._handle(self._deferred.popleft())

    def _reply_topic(self, msg: _Incoming, reply_to: str | None) -> str | None:
        """Where the reply goes: the MQTT 5 response topic, else the envelope's; only under the user's own reply
        prefix (a reply elsewhere could feed another user's client)."""
        topic = msg.response_topic or reply_to
        if topic is None:
            return None
        if not topic.startswith(reply_prefix(self.hub_id, msg.user)) or set(topic) & {"+", "#", "\x00"}:
            self._health.reject("control", f"reply topic {topic[:120]!r} is not under "
                                f"{reply_prefix(self.hub_id, msg.user)!r}: no reply sent", "")
            return None
        return topic

    async def _handle(self, msg: _Incoming) -> None:
        try:
            await self._handle_once(msg)
        finally:  # handled (or refused, or failed): its outcome is durable, the broker may forget it
            if msg.ack is not None:
                msg.ack()

    async def _handle_once(self, msg: _Incoming) -> None:
        try:
            req = parse_request(msg.verb, msg.payload)
        except BadRequest as e:
            self._health.reject("control", f"bad request from {msg.user[:60]!r}: {e.message}", "")
            rid, reply_to = peek_envelope(msg.payload)
            await self._reply(msg, self._reply_topic(msg, reply_to), Reply(id=rid, error=e.body()))
            return
        reply_topic = self._reply_topic(msg, req.reply_to)
        key = f"{msg.user}/{req.id}"
        if self.seen(key):  # one the broker re-delivers (after a restart, even a kill -9) is acted on once
            self._metrics["control.duplicates"] += 1
            again = self._requests.request_reply(key) if self._requests is not None else None
            if again is not None:
                await self._reply(msg, reply_topic, Reply.model_validate(again))
            return
        self._remember(key)  # before the first await: a copy arriving while this one is handled is a duplicate
        try:
            caller = self.identities.caller(msg.user)
            with self._scope(key):
                result = await self._handlers[req.verb](req, caller)
            reply = Reply(id=req.id, result=result.model_dump(mode="json"))
            self._metrics[f"control.{req.verb}"] += 1
        except RequestError as e:
            if isinstance(e, NotAuthorized):
                self._health.reject("control", f"{req.verb} from {msg.user[:60]!r}: {e.message}", "")
            reply = Reply(id=req.id, error=e.body())
        except Exception as e:  # the hub keeps running whatever a request does
            log.exception("request %s %s from %s failed", req.verb, req.id, msg.user)
            reply = Reply(id=req.id, error=HubFailed(f"{type(e).__name__}: {e}").body())
        if self._requests is not None:
            self._requests.request_done(key, self._clock.now(), reply.model_dump(mode="json"))
        await self._reply(msg, reply_topic, reply)

    # ---------------------------------------------------------------- exactly once
    def seen(self, key: str) -> bool:
        """Was request `key` (user/id) handled already, by this process or durably by an earlier one?"""
        return key in self._seen or (self._requests is not None and self._requests.request_seen(key))

    def _scope(self, key: str) -> AbstractContextManager[None]:
        """Commands the handler writes to the outbox are written in one transaction with the request's id."""
        if self._requests is None:
            return contextlib.nullcontext()
        return self._requests.request_scope(key, self._clock.now())

    def _remember(self, key: str) -> None:
        self._seen[key] = None
        if len(self._seen) > _SEEN_MAX:
            self._seen.pop(next(iter(self._seen)))

    async def _reply(self, msg: _Incoming, topic: str | None, reply: Reply) -> None:
        if topic is None or self.transport is None:
            return
        await self.transport.publish(Outbound(topic=topic, payload=reply.model_dump_json(), qos=1,
                                              correlation_data=msg.correlation))
