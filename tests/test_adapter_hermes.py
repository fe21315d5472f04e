"""Hermes (Rhasspy 2.5) adapter: fixture-driven parsing, the tts encoder, and the simulated satellite."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.hermes import SAY_TOPIC, SPEC, TEXT_CAPTURED, speak
from fusehub.errors import AdapterError
from fusehub.events import Command, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl

from tests import adapter_cases

FIXTURES = adapter_cases.FIXTURES / "hermes"
HOSTILE = adapter_cases.HOSTILE


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("hermes")
test_fixture = adapter_cases.fixture_test(SPEC, "hermes")


def test_fixture_set_covers_the_formats() -> None:
    topics = {json.loads(p.read_text())["topic"] for p in CASES}
    wanted = {TEXT_CAPTURED, "hermes/intent/LightOn", "hermes/nlu/intentNotRecognized"}
    wanted.add("hermes/tts/sayFinished")
    assert wanted <= topics
    assert sum(p.stem.startswith("bad_") for p in CASES) >= 8


def test_one_utterance_per_session() -> None:
    """Rhasspy sends textCaptured, then intent (or intentNotRecognized) in one session: one utterance."""
    cases = [json.loads((FIXTURES / f"{n}.json").read_text()) for n in ("text_captured", "intent_in_session")]
    session = [(c["topic"], json.dumps(c["payload"]).encode()) for c in cases]
    out = [item for t, b in session for item in route(t, b)]
    utterances = [o for o in out if isinstance(o, Observation) and o.event == "utterance"]
    assert len(utterances) == 1
    assert utterances[0].data["text"] == "turn on the kitchen light"
    assert utterances[0].data["speaker"] == "anna"


def test_discovery_spec() -> None:
    out = route(TEXT_CAPTURED, b'{"text":"hello","siteId":"office","sessionId":"s"}')
    disc = out[0]
    assert isinstance(disc, Discovered)
    assert disc.spec.key == "hermes:office" and disc.spec.kind == "speaker" and disc.spec.room == "office"
    assert disc.spec.capabilities == ["tts"] and disc.spec.address == {"site": "office"}
    assert disc.spec.name == "office satellite"


@pytest.mark.parametrize(
    ("topic", "payload", "needle"),
    [
        (TEXT_CAPTURED, b'\xc3\x28{"text":"hi"}', "not valid UTF-8"),
        (TEXT_CAPTURED, b"", "empty"),
        (TEXT_CAPTURED, b'{"text":"hi","siteId":"kitchen"', "not valid JSON"),
        (TEXT_CAPTURED, b'{"text":"' + b"x" * (1024 * 1024) + b'","siteId":"kitchen"}', "too large"),
        (TEXT_CAPTURED, json.dumps({"text": "x" * 1001, "siteId": "kitchen"}).encode(), "longer than 1000"),
        (TEXT_CAPTURED, b'{"text":"hi","siteId":""}', "siteId"),
        (TEXT_CAPTURED, b'{"text":"hi","siteId":17}', "siteId: Input should be a valid string"),
        ("hermes/intent/LightOn", b'{"input":"","siteId":"kitchen"}', "intent input is empty"),
        ("hermes/intent/Go", b'{"input":"hi","siteId":"kitchen","intent":{"intentName":3}}', "intentName"),
        ("hermes/nlu/intentNotRecognized", b"null", "a JSON object is expected"),
    ],
)
def test_malformed_is_rejected_never_raised(topic: str, payload: bytes, needle: str) -> None:
    out = route(topic, payload)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert needle in out[0].reason
    assert out[0].reason.startswith("hermes: ")
    assert len(out[0].reason) < 400


def test_hostile_text_is_data() -> None:
    out = route(TEXT_CAPTURED, json.dumps({"text": HOSTILE, "siteId": "hallway", "sessionId": "s"}).encode())
    obs = out[-1]
    assert isinstance(obs, Observation)
    assert obs.event == "utterance" and obs.data["text"] == HOSTILE and obs.attributes == {}


def test_speaker_hint_must_be_short_and_printable() -> None:
    body = {"text": "hi", "siteId": "kitchen", "sessionId": "s", "wakewordId": "a\nb"}
    obs = route(TEXT_CAPTURED, json.dumps(body).encode())[-1]
    assert isinstance(obs, Observation) and obs.data["speaker"] is None
    body["wakewordId"] = "x" * 65
    obs = route(TEXT_CAPTURED, json.dumps(body).encode())[-1]
    assert isinstance(obs, Observation) and obs.data["speaker"] is None


# ------------------------------------------------------------------------------------------ encoder


def announce(message: str, action: str = "announce") -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), id="req-7", device="kitchen_speaker",
                   capability="tts", action=action, params={"message": message})


@pytest.mark.parametrize(
    ("address", "site"),
    [({"site": "kitchen"}, "kitchen"), ({"key": "hermes:living_room"}, "living_room")],
)
def test_encode_tts(address: dict[str, Any], site: str) -> None:
    [msg] = SPEC.encoders["tts"](announce("Dinner is ready"), address)
    assert msg.topic == "hermes/tts/say" and (msg.qos, msg.retain) == (1, False)
    assert json.loads(msg.payload) == {"text": "Dinner is ready", "siteId": site, "id": "req-7", "lang": "en"}


@pytest.mark.parametrize(
    ("command", "address", "needle"),
    [
        (announce(""), {"site": "kitchen"}, "non-empty"),
        (announce("x" * 1001), {"site": "kitchen"}, "longer than"),
        (announce("hi"), {}, "no valid site"),
        (announce("hi"), {"site": "kitchen/#"}, "no valid site"),
        (announce("hi", action="play"), {"site": "kitchen"}, "cannot do"),
    ],
)
def test_encode_errors(command: Command, address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders["tts"](command, address)


def test_declared_key() -> None:
    assert SPEC.key_for("kitchen_speaker", {"site": "kitchen"}) == "hermes:kitchen"
    assert SPEC.key_for("kitchen_speaker", {}) == "hermes:kitchen_speaker"


# ---------------------------------------------------------------------------------- simulated satellite

KITCHEN = DeviceDecl(id="kitchen_speaker", name="Kitchen speaker", kind="speaker", room="kitchen",
                     ecosystem="hermes", capabilities=["tts"], ids={"site": "kitchen"})
assert SPEC.sim is not None
SIM = SPEC.sim


@pytest.mark.parametrize(("text", "speaker"), [("turn on the kitchen light", "anna"), (HOSTILE, None)])
def test_speak_round_trip(text: str, speaker: str | None) -> None:
    msgs = speak("kitchen", text, speaker)
    assert [(m.topic, m.retain) for m in msgs] == [(TEXT_CAPTURED, False)]
    body = json.loads(msgs[0].payload)
    assert body["likelihood"] == 1.0 and body["sessionId"]
    out = [item for m in msgs for item in route(m.topic, m.payload.encode())]
    [obs] = [o for o in out if isinstance(o, Observation)]
    assert obs.device == SPEC.key_for(KITCHEN.id, KITCHEN.ids) == "hermes:kitchen"
    assert obs.event == "utterance"
    assert obs.data["text"] == text and obs.data["speaker"] == speaker and obs.data["site"] == "kitchen"


def test_speak_session_is_fresh_unless_given() -> None:
    a, b = speak("kitchen", "hi")[0], speak("kitchen", "hi")[0]
    assert json.loads(a.payload)["sessionId"] != json.loads(b.payload)["sessionId"]
    assert json.loads(speak("kitchen", "hi", session="s-1")[0].payload)["sessionId"] == "s-1"


def test_tts_round_trip_to_sim() -> None:
    assert SIM.command_topics(KITCHEN) == [SAY_TOPIC]
    [msg] = SPEC.encoders["tts"](announce("Dinner is ready"), {"site": "kitchen"})
    state = SIM.apply(KITCHEN, msg.topic, msg.payload.encode(), {})
    assert state == {"last_said": "Dinner is ready", "said_count": 1}
    [msg2] = SPEC.encoders["tts"](announce("Timer done"), {"site": "kitchen"})
    assert SIM.apply(KITCHEN, msg2.topic, msg2.payload.encode(), state) == {
        "last_said": "Timer done", "said_count": 2,
    }


def test_sim_ignores_other_sites_and_garbage() -> None:
    [other] = SPEC.encoders["tts"](announce("Hello bedroom"), {"site": "bedroom"})
    assert SIM.apply(KITCHEN, other.topic, other.payload.encode(), {}) is None
    assert SIM.apply(KITCHEN, SAY_TOPIC, b"\xff\xfe", {}) is None
    assert SIM.apply(KITCHEN, SAY_TOPIC, b'{"siteId":"kitchen"}', {}) is None
    assert SIM.apply(KITCHEN, "hermes/tts/sayFinished", b'{"text":"x","siteId":"kitchen"}', {}) is None
    bare = DeviceDecl(id="office", name="Office speaker", kind="speaker", ecosystem="hermes")
    [office] = SPEC.encoders["tts"](announce("Hi office"), {"site": "office"})
    after = SIM.apply(bare, office.topic, office.payload.encode(), {})
    assert after == {"last_said": "Hi office", "said_count": 1}


def test_sim_publishes_nothing_by_itself() -> None:
    assert SIM.announce(KITCHEN) == [] and SIM.publish_state(KITCHEN, {"last_said": "x"}) == []
    assert SIM.offline(KITCHEN) == []
