"""OwnTracks adapter: fixture-driven parsing, encoders, and the simulated phone round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.owntracks import SPEC, parse_key, report_location
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl

from tests import adapter_cases

FIXTURES = adapter_cases.FIXTURES / "owntracks"
HOSTILE = adapter_cases.HOSTILE


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("owntracks")
test_fixture = adapter_cases.fixture_test(SPEC, "owntracks")


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"location_android", "location_ios_moving", "transition_leave_android", "lwt", "waypoint"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 10


def test_location_state_values_and_time() -> None:
    payload = (FIXTURES / "location_android.json").read_text()
    out = route("owntracks/anna/pixel", json.dumps(json.loads(payload)["payload"]).encode())
    disc, obs = out
    assert isinstance(disc, Discovered) and isinstance(obs, Observation)
    assert disc.spec.key == obs.device == "owntracks:anna/pixel"
    assert disc.spec.address == {"cmd_topic": "owntracks/anna/pixel/cmd"}
    assert obs.observed_at == datetime(2024, 6, 10, 6, 13, 20, tzinfo=UTC)
    assert obs.attributes["latitude"] == 52.3731 and obs.attributes["regions"] == ["Home"]


def test_lwt_is_offline() -> None:
    assert route("owntracks/ben/iphone", b'{"_type":"lwt","tst":1717990000}') == [
        Availability(device="owntracks:ben/iphone", online=False)
    ]


@pytest.mark.parametrize(
    ("topic", "payload", "needle"),
    [
        ("owntracks/anna/pixel", b"\xff\xfe{\"_type\":\"location\"}", "not valid UTF-8"),
        ("owntracks/anna/pixel", b"", "empty"),
        ("owntracks/anna/pixel", b"{" * 10 + b"}" * 10, "not valid JSON"),
        ("owntracks/anna/pixel", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("owntracks/anna/pixel", b'{"_type":"location","pad":"' + b"x" * (1024 * 1024) + b'"}', "too large"),
        ("owntracks/anna/pixel/event", b"\x00\x01\x02", "not valid JSON"),
        ("owntracks/anna/pixel/waypoints", b"not json", "not valid JSON"),
        ("owntracks/anna/pixel", b'{"_type":"location","lat":1,"lon":1,"tst":1e30}', "tst"),
        (
            "owntracks/anna/pixel",
            b'{"_type":"location","lat":1,"lon":1,"tst":1,"inregions":["' + b"r" * 300 + b'"]}',
            "inregions.0",
        ),
        ("owntracks/" + "u" * 65 + "/pixel", b'{"_type":"lwt","tst":1}', "user and device names"),
    ],
)
def test_malformed_is_rejected_never_raised(topic: str, payload: bytes, needle: str) -> None:
    out = route(topic, payload)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert needle in out[0].reason
    assert out[0].reason.startswith("owntracks: ")
    assert len(out[0].reason) < 400  # bounded, never echoes a megabyte back


def test_hostile_strings_stay_data() -> None:
    body = json.dumps({"_type": "transition", "event": "leave", "desc": HOSTILE, "tst": 1718000000})
    out = route("owntracks/anna/pixel/event", body.encode())
    obs = out[-1]
    assert isinstance(obs, Observation)
    assert obs.event == "region_leave" and obs.data["region"] == HOSTILE


# ------------------------------------------------------------------------------------------ encoders


def notify(message: str, **extra: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="anna_phone", capability="notify",
                   action="notify", params={"message": message, **extra})


def test_encode_notify_to_cmd_topic() -> None:
    [msg] = SPEC.encoders["notify"](notify("Dinner is ready"), {"cmd_topic": "owntracks/anna/pixel/cmd"})
    assert msg.topic == "owntracks/anna/pixel/cmd"
    assert (msg.qos, msg.retain) == (1, False)
    assert json.loads(msg.payload) == {
        "_type": "cmd", "action": "action", "notification": "Dinner is ready", "content": "Dinner is ready",
    }


def test_encode_notify_title_and_html_escaped_content() -> None:
    cmd = notify("<b>Fish</b> & chips", title="Dinner")
    [msg] = SPEC.encoders["notify"](cmd, {"key": "owntracks:ben/iphone"})
    assert msg.topic == "owntracks/ben/iphone/cmd"
    body = json.loads(msg.payload)
    assert body["notification"] == "Dinner: <b>Fish</b> & chips"
    assert body["content"] == "Dinner: &lt;b&gt;Fish&lt;/b&gt; &amp; chips"


@pytest.mark.parametrize(
    ("command", "address", "needle"),
    [
        (notify(""), {"cmd_topic": "owntracks/a/b/cmd"}, "non-empty"),
        (notify("x" * 1001), {"cmd_topic": "owntracks/a/b/cmd"}, "longer than"),
        (notify("hi"), {}, "no cmd_topic"),
        (notify("hi"), {"cmd_topic": "owntracks/+/+/cmd"}, "wildcard"),
        (notify("hi"), {"key": "owntracks:nodevice"}, "not an OwnTracks device key"),
        (notify("hi").model_copy(update={"action": "ring"}), {"cmd_topic": "owntracks/a/b/cmd"}, "cannot do"),
    ],
)
def test_encode_errors(command: Command, address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders["notify"](command, address)


def test_report_location() -> None:
    msg = report_location("owntracks:anna/pixel")
    assert msg.topic == "owntracks/anna/pixel/cmd" and (msg.qos, msg.retain) == (1, False)
    assert json.loads(msg.payload) == {"_type": "cmd", "action": "reportLocation"}
    with pytest.raises(AdapterError):
        report_location("hermes:kitchen")
    assert parse_key("owntracks:anna/pixel") == ("anna", "pixel")


def test_declared_key() -> None:
    assert SPEC.key_for("anna_phone", {"user": "anna", "device": "pixel"}) == "owntracks:anna/pixel"
    assert SPEC.key_for("anna_phone", {"user": "anna"}) == "owntracks:anna_phone"


# ------------------------------------------------------------------------------------------ simulated phone

DECL = DeviceDecl(id="anna_phone", name="Anna's phone", kind="phone", ecosystem="owntracks",
                  ids={"user": "anna", "device": "pixel"},
                  initial={"latitude": 52.3731, "longitude": 4.8922, "accuracy": 10, "battery": 80})
assert SPEC.sim is not None
SIM = SPEC.sim


def parse_all(msgs: list[Any]) -> list[Parsed]:
    return [item for m in msgs for item in route(m.topic, m.payload.encode("utf-8"))]


@pytest.mark.parametrize(
    "state",
    [
        {"latitude": 52.3731, "longitude": 4.8922, "accuracy": 10, "battery": 80},
        {"latitude": -33.8688, "longitude": 151.2093, "accuracy": 4.5, "battery": 3, "velocity": 42,
         "regions": ["Work", HOSTILE]},
        {"latitude": 0.0, "longitude": 0.0},
    ],
)
def test_sim_publish_state_round_trip(state: dict[str, Any]) -> None:
    msgs = SIM.publish_state(DECL, state)
    assert [m.topic for m in msgs] == ["owntracks/anna/pixel"]
    out = parse_all(msgs)
    obs = [o for o in out if isinstance(o, Observation)]
    assert len(obs) == 1 and obs[0].device == SPEC.key_for(DECL.id, DECL.ids)
    assert obs[0].attributes == state
    assert any(isinstance(o, Discovered) for o in out)


def test_sim_transition_comes_first() -> None:
    state = {"latitude": 52.3731, "longitude": 4.8922, "accuracy": 10, "battery": 80,
             "transition": {"event": "enter", "region": "Home"}}
    msgs = SIM.publish_state(DECL, state)
    assert [m.topic for m in msgs] == ["owntracks/anna/pixel/event", "owntracks/anna/pixel"]
    body = json.loads(msgs[0].payload)
    assert body["_type"] == "transition" and body["desc"] == "Home" and "wtst" in body and "tst" in body
    events = [o for o in parse_all(msgs) if isinstance(o, Observation) and o.event]
    assert [(e.event, e.data["region"]) for e in events] == [("region_enter", "Home")]
    leave = SIM.publish_state(DECL, {"transition": {"event": "leave", "region": "Home"}})
    assert [m.topic for m in leave] == ["owntracks/anna/pixel/event"]
    assert [o.event for o in parse_all(leave) if isinstance(o, Observation)] == ["region_leave"]


def test_sim_announce_offline_and_topics() -> None:
    assert [m.topic for m in SIM.announce(DECL)] == ["owntracks/anna/pixel"]
    assert SIM.announce(DECL.model_copy(update={"initial": {}})) == []
    assert SIM.command_topics(DECL) == ["owntracks/anna/pixel/cmd"]
    [lwt] = SIM.offline(DECL)
    offline = Availability(device="owntracks:anna/pixel", online=False)
    assert route(lwt.topic, lwt.payload.encode()) == [offline]
    bare = DeviceDecl(id="ben_phone", name="Ben's phone", kind="phone", ecosystem="owntracks")
    assert SIM.command_topics(bare) == ["owntracks/ben_phone/phone/cmd"]


def test_sim_apply_notify_and_report_location() -> None:
    state = {"latitude": 52.0, "longitude": 4.0}
    cmd = notify("Garage is open", title="Home")
    [msg] = SPEC.encoders["notify"](cmd, {"cmd_topic": "owntracks/anna/pixel/cmd"})
    after = SIM.apply(DECL, msg.topic, msg.payload.encode(), state)
    assert after == {"latitude": 52.0, "longitude": 4.0, "last_notification": "Home: Garage is open"}
    rl = report_location("owntracks:anna/pixel")
    assert SIM.apply(DECL, rl.topic, rl.payload.encode(), state) == state
    assert SIM.apply(DECL, rl.topic, b"\xff garbage", state) is None
    assert SIM.apply(DECL, rl.topic, b'{"_type":"cmd","action":"selfDestruct"}', state) is None
    assert SIM.apply(DECL, "owntracks/ben/iphone/cmd", rl.payload.encode(), state) is None


# ------------------------------------------------------------------------------------------ non-finite numbers


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b'{"_type":"location","lat":52.1,"lon":4.8,"acc":1e999,"tst":1718000000}', "acc: Input should be a finite"),
        (b'{"_type":"location","lat":52.1,"lon":4.8,"vel":-1e999,"tst":1718000000}', "vel: Input should be a finite"),
        (b'{"_type":"location","lat":52.1,"lon":4.8,"batt":NaN,"tst":1718000000}', "NaN is not valid JSON"),
        (b'{"_type":"location","lat":Infinity,"lon":4.8,"tst":1718000000}', "Infinity is not valid JSON"),
    ],
)
def test_non_finite_numbers_are_one_clear_rejection(payload: bytes, needle: str) -> None:
    out = route("owntracks/anna/pixel", payload)
    assert len(out) == 1 and isinstance(out[0], Rejected), out
    assert out[0].reason.startswith("owntracks: ") and needle in out[0].reason


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_sim_publishes_no_non_finite_numbers(bad: float) -> None:
    assert SIM.publish_state(DECL, {"latitude": bad, "longitude": 4.8922}) == []
    [msg] = SIM.publish_state(DECL, {"latitude": 52.3731, "longitude": 4.8922, "accuracy": bad, "battery": bad,
                                     "velocity": bad, "tst": bad})
    body = json.loads(msg.payload)
    assert not {"acc", "batt", "vel"} & body.keys() and body["tst"] == 0
