"""Frigate adapter: fixture-driven events and counts, the feature-switch encoder, and the simulated camera."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.frigate import SPEC
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl

from tests import adapter_cases
from tests.adapter_cases import fixture_payload

FIXTURES = adapter_cases.FIXTURES / "frigate"
HOSTILE = adapter_cases.HOSTILE


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("frigate")
test_fixture = adapter_cases.fixture_test(SPEC, "frigate")


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"event_new_person", "event_update_zone", "event_end", "count_person_2", "available_offline"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 10


def test_person_detected() -> None:
    case = json.loads((FIXTURES / "event_new_person.json").read_text(encoding="utf-8"))
    disc, obs = route("frigate/events", fixture_payload(case))
    assert isinstance(disc, Discovered) and isinstance(obs, Observation)
    assert disc.spec.key == obs.device == "frigate:front_door"
    assert disc.spec.room == "front_door" and disc.spec.address == {"camera": "front_door"}
    assert obs.event == "person_detected"
    assert obs.data["label"] == "person" and obs.data["zones"] == ["porch"]
    assert obs.data["score"] == 0.959  # top_score, rounded
    assert obs.observed_at == datetime(2024, 6, 10, 6, 13, 20, 475377, tzinfo=UTC)


def test_zone_counts_look_like_cameras() -> None:
    disc, obs = route("frigate/driveway_zone/person", b"1")
    assert isinstance(disc, Discovered) and disc.spec.key == "frigate:driveway_zone"
    assert isinstance(obs, Observation) and obs.attributes == {"person_count": 1, "occupancy": True}


@pytest.mark.parametrize(
    ("topic", "payload", "needle"),
    [
        ("frigate/events", b"\xff\xfe{}", "not valid UTF-8"),
        ("frigate/events", b"", "empty"),
        ("frigate/events", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("frigate/events", b'{"type":"new","pad":"' + b"x" * (300 * 1024) + b'"}', "too large"),
        ("frigate/events", b'{"type":"new","after":{"id":"a","camera":"c","label":"person","score":NaN}}', "JSON"),
        ("frigate/front_door/person", b"\x80", "not valid UTF-8"),
        ("frigate/front_door/person", b"1.5", "object count"),
        ("frigate/available", b"\x00", "online, offline or stopped"),
    ],
)
def test_malformed_is_rejected_never_raised(topic: str, payload: bytes, needle: str) -> None:
    out = route(topic, payload)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert needle in out[0].reason and out[0].reason.startswith("frigate: ")
    assert len(out[0].reason) < 400


def test_hostile_labels_and_zones_stay_data() -> None:
    after = {"id": "e1", "camera": "garden", "label": "person", "sub_label": HOSTILE, "score": 0.9,
             "current_zones": [HOSTILE], "entered_zones": [HOSTILE], "start_time": 1718000000.0}
    _, obs = route("frigate/events", json.dumps({"type": "new", "after": after}).encode())
    assert isinstance(obs, Observation) and obs.event == "person_detected"
    assert obs.data["sub_label"] == HOSTILE and obs.data["zones"] == [HOSTILE] and obs.attributes == {}


def test_non_camera_topics_are_ignored() -> None:
    assert route("frigate/reviews/x", b"1") == []
    assert route("frigate/stats/x", b"{}") == []
    assert route("frigate/garden/snapshots", b"ON") == []  # feature root, not a count


# ------------------------------------------------------------------------------------------ encoders


def set_attr(attribute: str, value: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="front_camera", capability="attributes",
                   action="set_attribute", params={"attribute": attribute, "value": value})


@pytest.mark.parametrize(
    ("command", "address", "expect"),
    [
        (set_attr("detect", False), {"camera": "front_door"}, ("frigate/front_door/detect/set", "OFF")),
        (set_attr("detect", True), {"camera": "front_door"}, ("frigate/front_door/detect/set", "ON")),
        (set_attr("recordings", True), {"key": "frigate:garden"}, ("frigate/garden/recordings/set", "ON")),
        (set_attr("snapshots", "off"), {"camera": "garden"}, ("frigate/garden/snapshots/set", "OFF")),
    ],
)
def test_encode(command: Command, address: dict[str, Any], expect: tuple[str, str]) -> None:
    [msg] = SPEC.encoders["attributes"](command, address)
    assert (msg.topic, msg.payload, msg.qos, msg.retain) == (*expect, 1, False)


@pytest.mark.parametrize(
    ("command", "address", "needle"),
    [
        (set_attr("detect", 1), {"camera": "garden"}, "true or false"),
        (set_attr("detect", "maybe"), {"camera": "garden"}, "true or false"),
        (set_attr("restart", True), {"camera": "garden"}, "no settable attribute"),
        (set_attr("detect", True), {}, "not a Frigate camera"),
        (set_attr("detect", True), {"camera": "+"}, "not a Frigate camera"),
        (set_attr("detect", True), {"key": "frigate:a/b"}, "not a Frigate camera"),
        (set_attr("detect", True).model_copy(update={"action": "ptz"}), {"camera": "garden"}, "no action"),
    ],
)
def test_encode_errors(command: Command, address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders["attributes"](command, address)


def test_declared_key() -> None:
    assert SPEC.key_for("front_camera", {"camera": "front_door"}) == "frigate:front_door"
    assert SPEC.key_for("garden", {}) == "frigate:garden"


# ------------------------------------------------------------------------------------------ simulated camera

assert SPEC.sim is not None
SIM = SPEC.sim
DECL = DeviceDecl(id="front_camera", name="front door camera", kind="occupancy", ecosystem="frigate",
                  ids={"camera": "front_door"}, initial={"person_count": 0, "detect": True})


def parse_all(msgs: list[Any]) -> list[Parsed]:
    out = [item for m in msgs for item in route(m.topic, m.payload.encode("utf-8"))]
    assert not any(isinstance(o, Rejected) for o in out), out
    return out


def attributes(items: list[Parsed]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for o in items:
        if isinstance(o, Observation):
            assert o.device == SPEC.key_for(DECL.id, DECL.ids)
            attrs.update(o.attributes)
    return attrs


@pytest.mark.parametrize(
    ("state", "expect"),
    [
        ({"person_count": 2, "detect": True}, {"person_count": 2, "occupancy": True, "detect": True}),
        ({"occupancy": False, "motion": True, "recordings": False},
         {"person_count": 0, "occupancy": False, "motion": True, "recordings": False}),
    ],
)
def test_sim_publish_state_round_trip(state: dict[str, Any], expect: dict[str, Any]) -> None:
    assert attributes(parse_all(SIM.publish_state(DECL, state))) == expect


def test_sim_detection_event() -> None:
    state = {"person_count": 1, "detection": {"type": "new", "label": "person", "id": "e9", "zones": ["porch"],
                                              "time": 1718000000}}
    out = parse_all(SIM.publish_state(DECL, state))
    events = [(o.event, o.data["zones"], o.data["event_id"]) for o in out if isinstance(o, Observation) and o.event]
    assert events == [("person_detected", ["porch"], "e9")]
    end = parse_all(SIM.publish_state(DECL, {"detection": {"type": "end", "label": "person", "id": "e9"}}))
    assert [o.event for o in end if isinstance(o, Observation)] == ["object_end"]


def test_sim_commands_announce_offline() -> None:
    assert SIM.command_topics(DECL) == [f"frigate/front_door/{f}/set" for f in ("detect", "recordings", "snapshots")]
    state = dict(DECL.initial)
    [msg] = SPEC.encoders["attributes"](set_attr("detect", False), {"key": SPEC.key_for(DECL.id, DECL.ids)})
    new = SIM.apply(DECL, msg.topic, msg.payload.encode(), state)
    assert new == {"person_count": 0, "detect": False}
    assert attributes(parse_all(SIM.publish_state(DECL, new)))["detect"] is False
    assert SIM.apply(DECL, msg.topic, b"maybe", state) is None
    assert SIM.apply(DECL, "frigate/garden/detect/set", b"ON", state) is None
    announced = parse_all(SIM.announce(DECL))
    assert announced[0] == Availability(device="frigate:*", online=True)
    assert {i.spec.key for i in announced if isinstance(i, Discovered)} == {"frigate:front_door"}  # camera appears
    assert attributes(announced) == {"detect": True, "recordings": True, "snapshots": True}
    assert parse_all(SIM.offline(DECL)) == [Availability(device="frigate:*", online=False)]
