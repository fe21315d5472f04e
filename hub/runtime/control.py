"""The control server: requests on `fusehub/<hub_id>/request/<verb>` (the CLI's say, context, why, confirm),
answered on the `reply_to` topic the request names under `fusehub/<hub_id>/reply/`.

Start-up barrier: requests queued in the hub's MQTT session arrive right after it connects, before the devices'
retained discovery its subscriptions bring. The hub therefore holds requests until a message it sends itself on
`fusehub/<hub_id>/barrier`, after subscribing, comes back (or `max_wait_s` passes), then handles them in order.
A request that carries an `id` is acted on once, however often the broker delivers it.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from fusehub.clock import Clock
from fusehub.events import Outbound, new_id
from fusehub.runtime.health import Health
from fusehub.runtime.outcome import Transport

__all__ = ["MAX_WAITING", "ControlServer", "Handler"]

log = logging.getLogger("fusehub")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""A verb's handler: the request object in, the reply body out."""

MAX_WAITING = 10_000
"""Requests held for the barrier at most; more are rejected (counted)."""

_SEEN_MAX = 4096


class ControlServer:
    """Dispatches request verbs to handlers, behind the start-up barrier, once per request id."""

    def __init__(self, hub_id: str, handlers: dict[str, Handler], *, clock: Clock, health: Health) -> None:
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
        self._deferred: deque[tuple[str, bytes]] = deque()

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

    async def ingest(self, topic: str, payload: bytes) -> None:
        """A message on the barrier or a request topic."""
        if topic == self.barrier_topic:
            if self._barrier is not None and payload.decode("utf-8", "replace") == self._barrier:
                await self._pass_barrier()
            else:  # an earlier incarnation's, still queued in the session, or someone else's
                self._metrics["control.stale_barrier"] += 1
            return
        verb = topic.rsplit("/", 1)[1]
        await self.barrier_check()
        if self._barrier is None:
            await self._handle(verb, payload)
        elif len(self._deferred) >= MAX_WAITING:
            self._health.reject("control", "too many requests waiting for the hub to start", "")
        else:
            self._deferred.append((verb, payload))
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
            verb, payload = self._deferred.popleft()
            await self._handle(verb, payload)

    async def _handle(self, verb: str, payload: bytes) -> None:
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
        if isinstance(rid, str) and rid:
            if rid in self._seen:
                self._metrics["control.duplicates"] += 1
                return
            self._seen[rid] = None
            if len(self._seen) > _SEEN_MAX:
                self._seen.pop(next(iter(self._seen)))
        handler = self._handlers.get(verb)
        body = await handler(req) if handler is not None else {"error": f"unknown request {verb!r}"}
        if isinstance(reply_to, str) and reply_to.startswith(self.reply_prefix) and self.transport:
            await self.transport.publish(Outbound(topic=reply_to, payload=json.dumps(body, default=str), qos=1))
