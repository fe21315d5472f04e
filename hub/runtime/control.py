"""The control server: requests on `fusehub/<hub_id>/request/<verb>` (the CLI's say, context, why, confirm),
answered on the `reply_to` topic the request names under `fusehub/<hub_id>/reply/`.

Start-up barrier: requests queued in the hub's MQTT session arrive right after it connects, before the devices'
retained discovery its subscriptions bring. The hub therefore holds requests until a message it sends itself on
`fusehub/<hub_id>/barrier`, after subscribing, comes back (or `max_wait_s` passes), then handles them in order.
A request that carries an `id` is acted on once, however often the broker delivers it: the hub acknowledges a
request to the broker only once its outcome is durable (its command in the outbox, written in one transaction with
the request's id, or its reply recorded), and a redelivered id is recognised from the journal, even after a
`kill -9`, and answered with the reply it got the first time.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from fusehub.clock import Clock
from fusehub.events import Outbound, new_id
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Transport

__all__ = ["MAX_WAITING", "Ack", "ControlServer", "Handler", "RequestLog"]

log = logging.getLogger("fusehub")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""A verb's handler: the request object in, the reply body out."""

Ack = Callable[[], object]
"""Acknowledges one request to the broker (:meth:`fusehub.mqtt.MqttLink.ack`): called once its outcome is durable."""


class RequestLog(Protocol):
    """The durable request-id dedup (:class:`fusehub.journal.Journal` implements it)."""

    def request_scope(self, request_id: str, time: datetime) -> AbstractContextManager[None]: ...

    def request_seen(self, request_id: str) -> bool: ...

    def request_reply(self, request_id: str) -> dict[str, Any] | None: ...

    def request_done(self, request_id: str, time: datetime, reply: dict[str, Any]) -> None: ...


MAX_WAITING = 10_000
"""Requests held for the barrier at most; more are rejected (counted)."""

_SEEN_MAX = 4096


class ControlServer:
    """Dispatches request verbs to handlers, behind the start-up barrier, once per request id."""

    def __init__(self, hub_id: str, handlers: dict[str, Handler], *, clock: Clock, health: Health,
                 requests: RequestLog | None = None) -> None:
        self.prefix = f"fusehub/{hub_id}/request/"
        self.reply_prefix = f"fusehub/{hub_id}/reply/"
        self.barrier_topic = f"fusehub/{hub_id}/barrier"
        self._handlers = handlers
        self._clock = clock
        self._health = health
        self._metrics = health.metrics
        self.transport: Transport | None = None
        self._seen: dict[str, None] = {}
        self._barrier: str | None = None
        self._barrier_sent = 0.0
        self._deferred: deque[tuple[str, bytes, Ack | None]] = deque()
        self._requests = requests

    def handles(self, topic: str) -> bool:
        return topic == self.barrier_topic or topic.startswith(self.prefix)

    async def start(self, transport: Transport) -> None:
        """Subscribe to the request topics (before the device topics: see the module docstring)."""
        self.transport = transport
        await transport.subscribe(self.prefix + "+")

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

    async def ingest(self, topic: str, payload: bytes, ack: Ack | None = None) -> None:
        """A message on the barrier or a request topic. `ack` (when the transport left it to us) is called once the
        request's outcome is durable: after it is handled, not when it is taken or held for the barrier."""
        if topic == self.barrier_topic:
            if self._barrier is not None and payload.decode("utf-8", "replace") == self._barrier:
                await self._pass_barrier()
            else:  # an earlier incarnation's, still queued in the session, or someone else's
                self._metrics["control.stale_barrier"] += 1
            if ack is not None:
                ack()
            return
        verb = topic.rsplit("/", 1)[1]
        await self.barrier_check()
        if self._barrier is None:
            await self._handle(verb, payload, ack)
        elif len(self._deferred) >= MAX_WAITING:
            self._health.reject("control", "too many requests waiting for the hub to start", "")
            if ack is not None:
                ack()
        else:
            self._deferred.append((verb, payload, ack))
            self._metrics["control.deferred"] += 1

    async def barrier_check(self, max_wait_s: float = 5.0) -> None:
        """Stop holding requests when the barrier is `max_wait_s` overdue (a broker that lost it)."""
        if self._barrier is not None and self._clock.monotonic() - self._barrier_sent > max_wait_s:
            await self._pass_barrier(f"it did not come back in {max_wait_s:g} s")

    async def _pass_barrier(self, why: str = "") -> None:
        """Handle the requests that waited for the retained discovery, in the order they came."""
        if why:
            log.warning("handling %d waiting requests without the barrier: %s", len(self._deferred), why)
        self._barrier = None
        while self._deferred:
            verb, payload, ack = self._deferred.popleft()
            await self._handle(verb, payload, ack)

    async def _handle(self, verb: str, payload: bytes, ack: Ack | None = None) -> None:
        try:
            await self._handle_once(verb, payload)
        finally:  # handled (or refused, or failed): its outcome is durable, the broker may forget it
            if ack is not None:
                ack()

    async def _handle_once(self, verb: str, payload: bytes) -> None:
        try:
            req = json.loads(payload.decode("utf-8")) if payload else {}
            if not isinstance(req, dict):
                raise ValueError("request must be a JSON object")
        except (UnicodeDecodeError, ValueError) as e:
            self._health.reject("control", f"bad {verb} request: {e}", "")
            return
        reply_to = req.get("reply_to")
        # A request may carry an id: one the broker re-delivers after a restart is acted on once.
        rid = req.get("id")
        rid = rid if isinstance(rid, str) and rid else None
        if rid is not None and self.seen(rid):
            self._metrics["control.duplicates"] += 1
            again = self._requests.request_reply(rid) if self._requests is not None else None
            await self._reply(reply_to, again if again is not None else {"duplicate": rid})
            return
        handler = self._handlers.get(verb)
        if rid is not None:  # before the first await: a copy arriving while this one is handled is a duplicate
            self._remember(rid)
        with self._scope(rid):
            body = await handler(req) if handler is not None else {"error": f"unknown request {verb!r}"}
        if rid is not None and self._requests is not None:
            self._requests.request_done(rid, self._clock.now(), body)
        await self._reply(reply_to, body)

    # ---------------------------------------------------------------- exactly once
    def seen(self, rid: str) -> bool:
        """Was request `rid` handled already (by this process, or durably by an earlier one)?"""
        return rid in self._seen or (self._requests is not None and self._requests.request_seen(rid))

    def _scope(self, rid: str | None) -> AbstractContextManager[None]:
        if rid is None or self._requests is None:
            return contextlib.nullcontext()
        return self._requests.request_scope(rid, self._clock.now())

    def _remember(self, rid: str) -> None:
        self._seen[rid] = None
        if len(self._seen) > _SEEN_MAX:
            self._seen.pop(next(iter(self._seen)))

    async def _reply(self, reply_to: object, body: dict[str, Any]) -> None:
        if isinstance(reply_to, str) and reply_to.startswith(self.reply_prefix) and self.transport:
            await self.transport.publish(Outbound(topic=reply_to, payload=json.dumps(body, default=str), qos=1))
