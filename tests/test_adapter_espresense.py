"""ESPresense adapter: fixture-driven parsing of distances and node messages, the settings encoder, simulation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.espresense import SPEC
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl

from tests import adapter_cases

FIXTURES = adapter_cases.FIXTURES / "espresense"
HOSTILE = adapter_cases.HOSTILE


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("espresense")
test_fixture = adapter_cases.fixture_test(SPEC, "espresense")


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"device_irk_kitchen", "node_online", "node_offline", "telemetry", "device_hostile_name"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 10


def test_distance_reading() -> None:
    body = b'{"id":"irk:ab","name":"Alice iPhone","rssi@1m":-65,"rssi":-74,"raw":2.31,"distance":2.05,"speed":0.1}'
    disc, obs = route("espresense/devices/irk:ab/kitchen", body)
    assert isinstance(disc, Discovered) and isinstance(obs, Observation)
    assert disc.spec.key == obs.device == "espresense:irk:ab"
    assert (disc.spec.kind, disc.spec.name, disc.spec.capabilities) == ("ble_tag", "Alice iPhone", ["presence"])
    assert obs.event == "ble_distance" and obs.attributes == {}
    assert obs.data == {"room": "kitchen", "distance": 2.05, "rssi": -74, "raw": 2.31, "speed": 0.1}


def test_node_status_is_availability_of_the_node() -> None:
    disc, avail = route("espresense/rooms/office/status", b"offline")
    assert isinstance(disc, Discovered) and disc.spec.room == "office" and disc.spec.kind == "ble_node"
    assert avail == Availability(device="espresense:node:office", online=False)


@pytest.mark.parametrize(
    ("topic", "payload", "needle"),
    [
        ("espresense/devices/irk:ab/kitchen", b"\xff\xfe{}", "not valid UTF-8"),
        ("espresense/devices/irk:ab/kitchen", b"", "empty"),
        ("espresense/devices/irk:ab/kitchen", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("espresense/devices/irk:ab/kitchen", b'{"distance":1,"pad":"' + b"x" * (300 * 1024) + b'"}', "too large"),
        ("espresense/devices/irk:ab/kitchen", b'{"distance":1,"name":"' + b"n" * 200 + b'"}', "name"),
        ("espresense/devices/irk:ab/kitchen", b'{"distance":true}', "distance"),
        ("espresense/devices/irk:ab/kitchen", b'{"distance":1,"rssi":-999}', "rssi"),
        ("espresense/devices/" + "i" * 129 + "/kitchen", b'{"distance":1}', "device id must be"),
        ("espresense/rooms/kitchen/status", b"\x00\x01", "online or offline"),
        ("espresense/rooms/kitchen/telemetry", b"\xc3\x28", "not valid UTF-8"),
        ("espresense/companion/irk:ab", b"", "empty room"),
    ],
)
def test_malformed_is_rejected_never_raised(topic: str, payload: bytes, needle: str) -> None:
    out = route(topic, payload)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert needle in out[0].reason and out[0].reason.startswith("espresense: ")
    assert len(out[0].reason) < 400


def test_hostile_name_stays_data() -> None:
    body = json.dumps({"id": "phone:x", "name": HOSTILE, "distance": 1.0}).encode()
    disc, obs = route("espresense/devices/phone:x/hall", body)
    assert isinstance(disc, Discovered) and disc.spec.name == HOSTILE
    assert isinstance(obs, Observation) and obs.event == "ble_distance" and obs.attributes == {}


def test_control_characters_in_names_are_blanked() -> None:
    body = json.dumps({"id": "phone:x", "name": "Bob\n\x1b[2Jphone", "distance": 1.0}).encode()
    disc, _ = route("espresense/devices/phone:x/hall", body)
    assert isinstance(disc, Discovered) and disc.spec.name == "Bob  [2Jphone"


# ------------------------------------------------------------------------------------------ encoders


def set_attr(attribute: str, value: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="kitchen_node", capability="attributes",
                   action="set_attribute", params={"attribute": attribute, "value": value})


@pytest.mark.parametrize(
    ("command", "address", "expect"),
    [
        (set_attr("max_distance", 10), {"room": "kitchen"}, ("espresense/rooms/kitchen/max_distance/set", "10")),
        (set_attr("max_distance", 7.5), {"room": "kitchen"}, ("espresense/rooms/kitchen/max_distance/set", "7.5")),
        (set_attr("absorption", 3.5), {"key": "espresense:node:hall"}, ("espresense/rooms/hall/absorption/set", "3.5")),
        (set_attr("rx_adj_rssi", -4), {"room": "office"}, ("espresense/rooms/office/rx_adj_rssi/set", "-4")),
    ],
)
def test_encode(command: Command, address: dict[str, Any], expect: tuple[str, str]) -> None:
    [msg] = SPEC.encoders["attributes"](command, address)
    assert (msg.topic, msg.payload, msg.qos, msg.retain) == (*expect, 1, False)


@pytest.mark.parametrize(
    ("command", "address", "needle"),
    [
        (set_attr("max_distance", 500), {"room": "kitchen"}, "outside 0..100"),
        (set_attr("max_distance", "far"), {"room": "kitchen"}, "needs a number"),
        (set_attr("max_distance", True), {"room": "kitchen"}, "needs a number"),
        (set_attr("restart", 1), {"room": "kitchen"}, "no settable attribute"),
        (set_attr("max_distance", 5), {"key": "espresense:irk:ab"}, "not an ESPresense node"),
        (set_attr("max_distance", 5), {"room": "+"}, "wildcard"),
        (set_attr("max_distance", 5).model_copy(update={"action": "reboot"}), {"room": "kitchen"}, "no action"),
    ],
)
def test_encode_errors(command: Command, address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders["attributes"](command, address)


def test_declared_keys() -> None:
    assert SPEC.key_for("alice_tag", {"device_id": "irk:ab"}) == "espresense:irk:ab"
    assert SPEC.key_for("alice_tag", {}) == "espresense:alice_tag"
    assert SPEC.key_for("kitchen_node", {"node": "kitchen"}) == "espresense:node:kitchen"


# ------------------------------------------------------------------------------------------ simulation

assert SPEC.sim is not None
SIM = SPEC.sim
TAG = DeviceDecl(id="alice_tag", name="Alice's keys", kind="ble_tag", ecosystem="espresense",
                 ids={"device_id": "tile:e1f2"}, initial={"room": "kitchen", "distance": 1.5})
NODE = DeviceDecl(id="kitchen_node", name="kitchen node", kind="ble_node", ecosystem="espresense",
                  ids={"node": "kitchen"}, initial={"max_distance": 10, "absorption": 3.5})


def parse_all(msgs: list[Any]) -> list[Parsed]:
    out = [item for m in msgs for item in route(m.topic, m.payload.encode("utf-8"))]
    assert not any(isinstance(o, Rejected) for o in out), out
    return out


@pytest.mark.parametrize(
    "state",
    [{"room": "kitchen", "distance": 1.5}, {"room": "office", "distance": 7, "rssi": -88}],
)
def test_sim_tag_round_trip(state: dict[str, Any]) -> None:
    msgs = SIM.publish_state(TAG, state)
    assert [m.topic for m in msgs] == [f"espresense/devices/tile:e1f2/{state['room']}"]
    disc, obs = parse_all(msgs)
    assert isinstance(disc, Discovered) and disc.spec.name == "Alice's keys"
    assert isinstance(obs, Observation) and obs.device == SPEC.key_for(TAG.id, TAG.ids)
    assert obs.data["room"] == state["room"] and obs.data["distance"] == state["distance"]
    assert obs.data["rssi"] == state.get("rssi", -70)
    assert SIM.publish_state(TAG, {"room": None}) == []
    assert SIM.announce(TAG) == SIM.offline(TAG) == []
    assert SIM.command_topics(TAG) == []


def test_sim_node_round_trip() -> None:
    [online] = SIM.announce(NODE)
    assert parse_all([online])[-1] == Availability(device="espresense:node:kitchen", online=True)
    [offline] = SIM.offline(NODE)
    assert parse_all([offline])[-1] == Availability(device="espresense:node:kitchen", online=False)
    state = dict(NODE.initial)
    [msg] = SPEC.encoders["attributes"](set_attr("max_distance", 6), {"key": SPEC.key_for(NODE.id, NODE.ids)})
    assert msg.topic in SIM.command_topics(NODE)
    new = SIM.apply(NODE, msg.topic, msg.payload.encode(), state)
    assert new == {"max_distance": 6, "absorption": 3.5}
    attrs: dict[str, Any] = {}
    for o in parse_all(SIM.publish_state(NODE, {**new, "motion": True})):
        if isinstance(o, Observation):
            attrs.update(o.attributes)
    assert attrs == {"max_distance": 6, "absorption": 3.5, "motion": True}
    assert SIM.apply(NODE, msg.topic, b"far", state) is None
    assert SIM.apply(NODE, msg.topic, b"\xff", state) is None
    assert SIM.apply(NODE, "espresense/rooms/office/max_distance/set", b"5", state) is None
