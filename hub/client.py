"""Asking a running hub: one typed request and its reply (:mod:`fusehub.protocol`) on a short-lived connection
that leaves nothing on the broker. The CLI's verbs (`fusehub say`, `confirm`, `context`, `why`) and the simulator's
`confirm` step use it, so a scenario confirms exactly as an owner does."""

from __future__ import annotations

import asyncio
from typing import Any

from fusehub import protocol as p
from fusehub.config import MqttSettings
from fusehub.events import new_id
from fusehub.mqtt import RequestClient
from pydantic import BaseModel

__all__ = ["ask"]

_KINDS: dict[str, type[p.SayRequest | p.PlanAsk | p.ContextRequest | p.WhyRequest | p.ConfirmRequest]] = {
    "say": p.SayRequest, "plan": p.PlanAsk, "context": p.ContextRequest, "why": p.WhyRequest,
    "confirm": p.ConfirmRequest,
}


async def ask(settings: MqttSettings, hub_id: str, verb: str, body: BaseModel, timeout: float) -> dict[str, Any]:
    """Send `verb` with `body` to hub `hub_id` as this connection's broker user and return the verb's result.
    Raises :class:`fusehub.protocol.RequestError` for an error reply, TimeoutError when none comes,
    :class:`fusehub.errors.BrokerUnreachable` when the broker cannot be reached. With MQTT 5 the reply topic and
    correlation data are properties; with 3.1.1 the reply topic is in the envelope."""
    if settings.url is None:  # the embedded broker speaks 3.1.1
        settings = settings.model_copy(update={"protocol": "3.1.1"})
    user = settings.username or p.ANONYMOUS
    if not p.valid_user(user):
        raise p.BadRequest(f"broker user {user!r} cannot be a topic level (no '/', '+' or '#')")
    if verb not in _KINDS:
        raise p.BadRequest(f"unknown verb {verb!r}")
    rid = new_id()
    reply_topic = p.reply_prefix(hub_id, user) + rid
    req = _KINDS[verb].model_validate({"id": rid, "body": body.model_dump(),
                                       "reply_to": reply_topic if settings.protocol != "5" else None})
    async with asyncio.timeout(timeout):
        async with RequestClient(settings, f"fusehub-cli-{rid}", connect_timeout=timeout) as client:
            raw = await client.request(p.request_topic(hub_id, user, verb), req.model_dump_json().encode(),
                                       reply_topic, rid.encode())
    reply = p.Reply.model_validate_json(raw)
    if reply.error is not None:
        raise p.error_for(reply.error)
    if reply.id != rid or reply.result is None:
        raise p.HubFailed(f"the hub's reply is not for this request ({reply.id!r})")
    return reply.result
