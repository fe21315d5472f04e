"""The request/reply protocol between a client (the CLI, a phone app, a controller) and a running hub.

Topics. A client authenticated to the broker as `<user>` publishes a request on
`fusehub/<hub_id>/request/<user>/<verb>` and reads the reply under `fusehub/<hub_id>/reply/<user>/`. The broker's
ACL (`pattern write fusehub/<hub_id>/request/%u/+`, `pattern read fusehub/<hub_id>/reply/%u/#`) lets each user
publish only under its own name, so the topic tells the hub who asks: identity comes from the broker, never from
the payload. A client without a username uses the name :data:`ANONYMOUS`.

Envelope. The payload is a :class:`Request` as JSON: protocol version, request id, verb, and the verb's body
nested under `body` (so a body's fields can never overwrite the envelope's). With MQTT 5 the reply topic and
correlation data travel as the PUBLISH's response-topic and correlation-data properties; with MQTT 3.1.1 the
reply topic is the envelope's `reply_to`. The reply is a :class:`Reply`: the request id, then either `result`
(the verb's result model) or `error` (:class:`ErrorBody`).

Errors (the `code` of an error reply, and the exception a client raises for it)::

    RequestError            base of all: the hub answered, but not with a result
    ├── BadRequest          bad_request     not JSON, not an envelope, unknown verb, body invalid for its verb
    ├── NotAuthorized       not_authorized  the broker user is not mapped to anyone, or may not do this
    ├── NotFound            not_found       no such person, no such (or an expired) pending confirmation
    ├── Busy                busy            the hub is starting and holds too many requests already
    └── HubFailed           internal        the hub failed on the request (it keeps running; see its log)
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from fusehub.errors import FusehubError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "ANONYMOUS",
    "PROTOCOL_VERSION",
    "RESULTS",
    "VERBS",
    "AnyRequest",
    "BadRequest",
    "Busy",
    "ConfirmBody",
    "ConfirmRequest",
    "ContextBody",
    "ContextRequest",
    "ContextResult",
    "ErrorBody",
    "ErrorCode",
    "HubFailed",
    "NotAuthorized",
    "NotFound",
    "OutcomeResult",
    "PlanAsk",
    "PlanBody",
    "PlanResult",
    "Reply",
    "RequestError",
    "SayBody",
    "SayRequest",
    "WhyBody",
    "WhyRequest",
    "WhyResult",
    "error_for",
    "parse_request",
    "peek_envelope",
    "reply_prefix",
    "request_topic",
    "valid_user",
]

PROTOCOL_VERSION: Literal[1] = 1
ANONYMOUS = "anonymous"
"""The name a client without a broker username publishes under (see the README on unauthenticated brokers)."""

VERBS = ("say", "plan", "context", "why", "confirm")

_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
_FORBIDDEN_IN_USER = set("/+#\x00")


def valid_user(user: str) -> bool:
    """Whether a broker username can be a topic level (no `/`, `+`, `#`; mosquitto's `%u` needs the same)."""
    return bool(user) and len(user) <= 128 and not (set(user) & _FORBIDDEN_IN_USER)


def request_topic(hub_id: str, user: str, verb: str) -> str:
    return f"fusehub/{hub_id}/request/{user}/{verb}"


def reply_prefix(hub_id: str, user: str) -> str:
    """Replies to `user` go under this prefix only (the hub ignores a reply topic elsewhere)."""
    return f"fusehub/{hub_id}/reply/{user}/"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------- bodies
class SayBody(_Model):
    text: str = Field(min_length=1, max_length=1000, description="What is said, as to a speaker.")
    person: str | None = Field(default=None, max_length=64, description="Who speaks. Only a trusted controller may "
                               "name someone; a person's own connection speaks for that person.")
    room: str | None = Field(default=None, max_length=64, description="The room the request comes from.")
    origin: Literal["voice", "cli", "phone"] = Field(default="voice", description="Where the request comes from: "
                                                     "voice (a speaker in `room`), phone, or cli.")


class PlanBody(_Model):
    text: str = Field(min_length=1, max_length=1000, description="The request to plan for; nothing is executed.")
    person: str | None = Field(default=None, max_length=64, description="Who asks (as for `say`).")
    room: str | None = Field(default=None, max_length=64, description="The room the request comes from.")
    origin: Literal["voice", "cli"] = Field(default="voice", description="Where the request would come from: voice "
                                            "(a speaker in `room`, as `say`) or cli.")


class ContextBody(_Model):
    pass


class WhyBody(_Model):
    person: str = Field(min_length=1, max_length=64, description="The person whose location is explained.")


class ConfirmBody(_Model):
    pending_id: str = Field(pattern=_ID, description="The id the owners' phones were sent.")
    person: str | None = Field(default=None, max_length=64, description="The owner who confirms. Only a trusted "
                               "controller may name someone; a person's own connection confirms as that person.")


# ---------------------------------------------------------------------------------------------- envelopes
class _Envelope(_Model):
    v: Literal[1] = Field(default=PROTOCOL_VERSION, description="Protocol version.")
    id: str = Field(pattern=_ID, description="Request id: a request the broker delivers twice is acted on once, "
                    "and the reply carries it back.")
    reply_to: str | None = Field(default=None, max_length=256, description="MQTT 3.1.1 only: the reply topic "
                                 "(MQTT 5 clients set the response-topic property instead).")
    verb: str


class SayRequest(_Envelope):
    verb: Literal["say"] = "say"
    body: SayBody


class PlanAsk(_Envelope):
    verb: Literal["plan"] = "plan"
    body: PlanBody


class ContextRequest(_Envelope):
    verb: Literal["context"] = "context"
    body: ContextBody = Field(default_factory=ContextBody)


class WhyRequest(_Envelope):
    verb: Literal["why"] = "why"
    body: WhyBody


class ConfirmRequest(_Envelope):
    verb: Literal["confirm"] = "confirm"
    body: ConfirmBody


AnyRequest = Annotated[SayRequest | PlanAsk | ContextRequest | WhyRequest | ConfirmRequest,
                      Field(discriminator="verb")]
_REQUEST: TypeAdapter[SayRequest | PlanAsk | ContextRequest | WhyRequest | ConfirmRequest] = TypeAdapter(AnyRequest)


def parse_request(verb: str, payload: bytes) -> SayRequest | PlanAsk | ContextRequest | WhyRequest | ConfirmRequest:
    """The envelope on a request topic for `verb`; :class:`BadRequest` (with what is wrong) if it is not one."""
    if verb not in VERBS:
        raise BadRequest(f"unknown verb {verb[:40]!r}; known: {', '.join(VERBS)}")
    try:
        req = _REQUEST.validate_json(payload)
    except ValueError as e:
        raise BadRequest(f"not a {verb} request: {_first_error(e)}") from None
    if req.verb != verb:
        raise BadRequest(f"a {req.verb} request on the {verb} topic")
    return req


def peek_envelope(payload: bytes) -> tuple[str | None, str | None]:
    """The id and `reply_to` of a request that is not a valid envelope, when they can be read: so that even a
    malformed request gets its `bad_request` reply (under MQTT 3.1.1 the reply topic is in the payload)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    rid, reply_to = data.get("id"), data.get("reply_to")
    return (rid[:64] if isinstance(rid, str) else None), (reply_to[:256] if isinstance(reply_to, str) else None)


def _first_error(e: ValueError) -> str:
    errors = getattr(e, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(e)[:200]


# ---------------------------------------------------------------------------------------------- results
class OutcomeResult(_Model):
    """What the hub did about a `say` or a `confirm`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    decision_id: str = Field(description="The journaled decision (`fusehub log --why` starts from it).")
    source: str = Field(description="Who made the plan: intent, planner, attribute, rule, ...")
    calls: list[dict[str, Any]] = Field(description="The skill calls judged, in order.")
    verdicts: list[str] = Field(description="Policy's verdict per call: allowed, rejected: ..., confirm: ...")
    commands: list[dict[str, Any]] = Field(description="The device commands sent (or queued in the outbox).")
    speech: str | None = Field(description="What the hub says back.")
    cannot: str | None = Field(description="Why nothing could be done, if so.")
    cannots: list[str] = Field(default_factory=list, description="One reason per clause that could not be done.")
    pending_confirmation: str | None = Field(description="The id an owner confirms with, when a call waits.")


class PlanResult(_Model):
    """What the hub would do for a request, executing nothing: the `fusehub plan --json` contract (README)."""

    text: str = Field(description="The request.")
    source: str = Field(description="intent (local sentence matching) or planner.")
    confidence: float = Field(description="How sure the stage that made the plan is.")
    calls: list[dict[str, Any]] = Field(description="skill, args, permission and policy (the hub's verdict) per call.")
    cannot: str | None = Field(description="Why something cannot be done, if so (several refused clauses: their "
                               "reasons joined; kept for compatibility).")
    cannots: list[str] = Field(default_factory=list, description="One reason per clause that cannot be done, in "
                               "order; the calls of the other clauses are in `calls`.")
    speech: str | None = Field(description="What the hub would say.")


class ContextResult(_Model):
    """The context graph, as `ContextGraph.to_dict` writes it."""

    model_config = ConfigDict(extra="allow", frozen=True)


class WhyResult(_Model):
    person: str = Field(description="The person explained.")
    lines: list[str] = Field(description="The evidence, one line each.")


RESULTS: dict[str, type[BaseModel]] = {"say": OutcomeResult, "plan": PlanResult, "context": ContextResult,
                                       "why": WhyResult, "confirm": OutcomeResult}


# ---------------------------------------------------------------------------------------------- replies
class ErrorCode(StrEnum):
    bad_request = "bad_request"
    not_authorized = "not_authorized"
    not_found = "not_found"
    busy = "busy"
    internal = "internal"


class ErrorBody(_Model):
    code: ErrorCode = Field(description="Which error (see the module docstring's tree).")
    message: str = Field(max_length=500, description="What is wrong, for a person to act on.")


class Reply(_Model):
    v: Literal[1] = Field(default=PROTOCOL_VERSION, description="Protocol version.")
    id: str | None = Field(description="The request's id (None when the request could not be read).")
    result: dict[str, Any] | None = Field(default=None, description="The verb's result, when it succeeded.")
    error: ErrorBody | None = Field(default=None, description="Why not, when it did not.")


class RequestError(FusehubError):
    """The hub answered a request with an error. `code` is the wire code."""

    code: ClassVar[ErrorCode] = ErrorCode.internal

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message[:500])


class BadRequest(RequestError):
    code = ErrorCode.bad_request


class NotAuthorized(RequestError):
    code = ErrorCode.not_authorized


class NotFound(RequestError):
    code = ErrorCode.not_found


class Busy(RequestError):
    code = ErrorCode.busy


class HubFailed(RequestError):
    code = ErrorCode.internal


_BY_CODE: dict[ErrorCode, type[RequestError]] = {c.code: c for c in (BadRequest, NotAuthorized, NotFound, Busy,
                                                                      HubFailed)}


def error_for(body: ErrorBody) -> RequestError:
    """The exception a client raises for an error reply."""
    return _BY_CODE[body.code](body.message)
