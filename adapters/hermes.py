"""Hermes voice satellites (the Snips protocol as Rhasspy 2.5 implements it): utterances in, speech out.

Conventions (rhasspy/rhasspy `docs/reference.md`, rhasspy/rhasspy-hermes `rhasspyhermes/asr.py`,
`nlu.py`, `tts.py`): JSON messages, never retained, QoS 0, no last will; ``siteId`` names the satellite.

- ``hermes/asr/textCaptured``: ``text``, ``likelihood``, ``seconds``, ``siteId``, ``sessionId``,
  ``wakewordId``. This is *the* utterance: it becomes one ``utterance`` observation.
- ``hermes/intent/<name>`` (``input``, ``intent{intentName, confidenceScore}``, ``slots``, ``siteId``,
  ``sessionId``, ``customData``) and ``hermes/nlu/intentNotRecognized`` (``input``, ``siteId``, ...).
  Rhasspy publishes these *after* textCaptured for the same dialogue session, so a message that carries
  a ``sessionId`` is the NLU echo of an utterance already reported and yields nothing. One without a
  ``sessionId`` (an NLU query made directly, no ASR before it) is standalone and becomes the utterance.
  Either way the hub runs its own intent recognition on the text; Rhasspy's intent name is a hint.
- ``hermes/tts/sayFinished``: acknowledged, ignored.
- ``hermes/tts/say``: what the ``tts`` encoder sends (``text``, ``siteId``, ``id``, ``lang``), QoS 1.

The device key is ``hermes:<siteId>``. The speaker hint is the wake word (``wakewordId``; a per-person
wake word names its person) or ``customData``'s ``speaker``. All text is data, never instructions.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

from fusehub.adapter import AdapterSpec, Route, SimDevice
from fusehub.adapters._util import BadInput, Num, command, dumps, load_json, never_raises, short
from fusehub.errors import AdapterError
from fusehub.events import Command, DeviceSpec, Discovered, Observation, Outbound, Parsed
from fusehub.home import DeviceDecl
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PREFIX", "SAY_TOPIC", "SPEC", "TEXT_CAPTURED", "device_key", "speak"]

PREFIX: Final = "hermes"
TEXT_CAPTURED: Final = "hermes/asr/textCaptured"
SAY_TOPIC: Final = "hermes/tts/say"
MAX_TEXT: Final = 1000
"""Longest utterance or announcement accepted, in characters."""
_SITE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MAX_SPEAKER: Final = 64


class _Msg(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class _TextCaptured(_Msg):
    text: str
    likelihood: Num | None = None
    seconds: Num | None = None
    siteId: str = "default"  # rhasspy-hermes' default
    sessionId: str | None = None
    wakewordId: str | None = None


class _IntentName(_Msg):
    intentName: str = Field(max_length=200)
    confidenceScore: Num | None = None


class _NluMessage(_Msg):
    input: str = ""
    intent: _IntentName | None = None
    siteId: str = "default"
    sessionId: str | None = None
    customData: str | dict[str, Any] | None = None


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def device_key(site: str) -> str:
    """'hermes:<siteId>'."""
    return f"{PREFIX}:{site}"


def _check_site(site: str) -> str:
    if not _SITE.match(site):
        raise BadInput(f"siteId {short(site)} must be 1-64 letters, digits, '_' or '-'")
    return site


def _check_text(text: str, what: str) -> str:
    if not text.strip():
        raise BadInput(f"{what} is empty")
    if len(text) > MAX_TEXT:
        raise BadInput(f"{what} is longer than {MAX_TEXT} characters ({len(text)})")
    return text


def _speaker(value: Any) -> str | None:
    """A usable speaker hint (short, printable) or None."""
    if isinstance(value, str) and 0 < len(value) <= _MAX_SPEAKER and value.isprintable() and value.strip():
        return value
    return None


def _custom_speaker(custom: str | dict[str, Any] | None) -> str | None:
    if isinstance(custom, str) and custom.startswith("{") and len(custom) <= 4096:
        try:
            custom = json.loads(custom)
        except ValueError:
            return None
    return _speaker(custom.get("speaker")) if isinstance(custom, dict) else None


def _utterance(
    site: str, text: str, session: str | None, speaker: str | None, intent: str | None
) -> list[Parsed]:
    key = device_key(site)
    data: dict[str, Any] = {"text": text, "site": site, "session": session, "speaker": speaker}
    if intent is not None:
        data["intent"] = intent
    return [
        Discovered(
            spec=DeviceSpec(
                key=key, name=f"{site} satellite", kind="speaker", room=site, capabilities=["tts"],
                address={"site": site}, manufacturer="Rhasspy",
            )
        ),
        Observation(device=key, event="utterance", data=data),
    ]


def _object(payload: bytes) -> dict[str, Any]:
    data = load_json(payload)
    if not isinstance(data, dict):
        raise BadInput(f"a JSON object is expected, got {type(data).__name__}")
    return data


# ---------------------------------------------------------------------------------------------
# Parsers
# ---------------------------------------------------------------------------------------------


def _parse_text_captured(topic: str, payload: bytes) -> list[Parsed]:
    msg = _TextCaptured.model_validate(_object(payload))
    site = _check_site(msg.siteId)
    text = _check_text(msg.text, "captured text")
    return _utterance(site, text, msg.sessionId, _speaker(msg.wakewordId), None)


def _parse_nlu(topic: str, payload: bytes) -> list[Parsed]:
    msg = _NluMessage.model_validate(_object(payload))
    site = _check_site(msg.siteId)
    if msg.sessionId:
        return []  # the NLU echo of a session whose textCaptured already gave the utterance
    text = _check_text(msg.input, "intent input")
    intent = msg.intent.intentName if msg.intent is not None else None
    return _utterance(site, text, None, _custom_speaker(msg.customData), intent)


def _parse_ignored(topic: str, payload: bytes) -> list[Parsed]:
    return []


# ---------------------------------------------------------------------------------------------
# Encoders and the satellite side
# ---------------------------------------------------------------------------------------------


def _address_site(address: Mapping[str, Any]) -> str:
    site = address.get("site")
    if not isinstance(site, str):
        key = address.get("key")
        if isinstance(key, str) and key.startswith(f"{PREFIX}:"):
            site = key[len(PREFIX) + 1 :]
    if not isinstance(site, str) or not _SITE.match(site):
        raise AdapterError(f"Hermes satellite has no valid site in its address: {short(site)}")
    return site


def _encode_tts(cmd: Command, address: Mapping[str, Any]) -> list[Any]:
    if cmd.action != "announce":
        raise AdapterError(f"Hermes tts cannot do {short(cmd.action)}")
    message = cmd.params.get("message")
    if not isinstance(message, str) or not message.strip():
        raise AdapterError("announce needs a non-empty 'message'")
    if len(message) > MAX_TEXT:
        raise AdapterError(f"announcement longer than {MAX_TEXT} characters")
    site = _address_site(address)
    return [command(SAY_TOPIC, {"text": message, "siteId": site, "id": cmd.id, "lang": "en"})]


def speak(site: str, text: str, speaker: str | None = None, session: str | None = None) -> list[Outbound]:
    """What a satellite publishes when someone says `text` at `site` (wake word `speaker`, if given)."""
    msg: dict[str, Any] = {
        "text": text,
        "likelihood": 1.0,
        "seconds": round(0.3 + 0.06 * len(text.split()), 2),
        "siteId": site,
        "sessionId": session or uuid.uuid4().hex,
        "wakewordId": speaker,
        "asrTokens": None,
        "lang": None,
    }
    return [Outbound(topic=TEXT_CAPTURED, payload=dumps(msg), qos=0, retain=False)]


def _sim_site(decl: DeviceDecl) -> str:
    ids: Mapping[str, str] = decl.ids
    return ids.get("site", decl.id)


def _sim_apply(decl: DeviceDecl, topic: str, payload: bytes, state: Mapping[str, Any]) -> dict[str, Any] | None:
    if topic != SAY_TOPIC:
        return None
    try:
        data = load_json(payload)
    except BadInput:
        return None
    if not isinstance(data, dict) or data.get("siteId") != _sim_site(decl):
        return None
    if not isinstance(data.get("text"), str):
        return None
    count = state.get("said_count")
    return {**state, "last_said": data["text"], "said_count": (count if isinstance(count, int) else 0) + 1}


def _declared_key(device_id: str, ids: Mapping[str, str]) -> str:
    return device_key(ids.get("site", device_id))


SPEC: Final = AdapterSpec(
    name="hermes",
    title="Hermes voice satellites (Rhasspy 2.5)",
    routes=(
        Route(TEXT_CAPTURED, never_raises(PREFIX, _parse_text_captured), "captured speech: the utterance"),
        Route("hermes/intent/+", never_raises(PREFIX, _parse_nlu), "recognized intents (standalone only)"),
        Route("hermes/nlu/intentNotRecognized", never_raises(PREFIX, _parse_nlu), "no intent (standalone)"),
        Route("hermes/tts/sayFinished", _parse_ignored, "speech finished (ignored)"),
    ),
    encoders={"tts": _encode_tts},
    declared_key=_declared_key,
    sim=SimDevice(
        announce=lambda decl: [],
        publish_state=lambda decl, state: [],
        command_topics=lambda decl: [SAY_TOPIC],
        apply=_sim_apply,
        offline=lambda decl: [],
    ),
    description="Voice satellites: captured speech becomes utterances; announcements go to hermes/tts/say.",
)
