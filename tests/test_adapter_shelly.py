"""Shelly Gen2 adapter: online, status and notifications, JSON-RPC commands and replies, simulated relay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.shelly import REPLY_TOPIC, SPEC, is_shelly_id, rpc_id
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl
from paho.mqtt.client import topic_matches_sub

from tests import adapter_cases

FIX = adapter_cases.FIXTURES / "shelly"
assert SPEC.sim is not None
SIM = SPEC.sim
PREFIX = "shellyplus1pm-a8032ab12345"


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("shelly")
test_fixture = adapter_cases.fixture_test(SPEC, "shelly", partial_spec=True)


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"online_true", "online_false_will", "status_switch", "notify_status", "notify_full_status",
            "notify_event_push", "rpc_reply_result", "rpc_reply_error"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 10


@pytest.mark.parametrize(
    ("prefix", "ok"),
    [("shellyplus1pm-a8032ab12345", True), ("ShellyPro4PM-A8032AB12345", True), ("shelly1pmmini-348518e0e804", True),
     ("shellyplusi4-d4d4da", True), ("shelly", False), ("zigbee2mqtt", False), ("shellyplus1pm-xyz", False),
     ("shellyplus1pm-a8032ab12345-2", False)],
)
def test_shelly_id(prefix: str, ok: bool) -> None:
    assert is_shelly_id(prefix) is ok


def test_online_marks_every_component() -> None:
    # "shelly:<prefix>:*" is a bridge-style key: the hub applies it to every key starting "shelly:<prefix>:".
    [a] = route(f"{PREFIX}/online", b"false")
    assert a == Availability(device=f"shelly:{PREFIX}:*", online=False)


def test_huge_and_deep_payloads_rejected() -> None:
    for payload, needle in [(b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
                            (b'{"x":"' + b"y" * (300 * 1024) + b'"}', "too large")]:
        [r] = route(f"{PREFIX}/events/rpc", payload)
        assert isinstance(r, Rejected) and needle in r.reason and len(r.reason) < 400


# --------------------------------------------------------------------------------------------- encoders


def cmd(action: str, command_id: str = "0123456789abcdef") -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), id=command_id, device="relay", capability="on_off",
                   action=action)


@pytest.mark.parametrize(
    ("action", "address", "method", "params"),
    [
        ("turn_on", {"prefix": PREFIX, "switch": 0}, "Switch.Set", {"id": 0, "on": True}),
        ("turn_off", {"prefix": PREFIX, "switch": 0}, "Switch.Set", {"id": 0, "on": False}),
        ("toggle", {"prefix": PREFIX, "switch": 0}, "Switch.Toggle", {"id": 0}),
        ("turn_on", {"key": "shelly:shellypro4pm-a8032ab10000:switch:3"}, "Switch.Set", {"id": 3, "on": True}),
    ],
)
def test_encode(action: str, address: dict[str, Any], method: str, params: dict[str, Any]) -> None:
    [msg] = SPEC.encoders["on_off"](cmd(action), address)
    prefix = address.get("prefix") or address["key"].split(":")[1]
    assert msg.topic == f"{prefix}/rpc" and msg.qos == 1 and not msg.retain
    body = json.loads(msg.payload)
    assert body == {"id": rpc_id("0123456789abcdef", params["id"]), "src": "fusehub/shelly", "method": method,
                    "params": params}
    assert body["id"] % 16 == params["id"] and body["id"] < 2**53


def test_rpc_ids_differ_per_command_and_reply_finds_the_switch() -> None:
    a, b = rpc_id("0123456789abcdef", 1), rpc_id("fedcba9876543210", 1)
    assert a != b
    reply = {"id": a, "src": "shellyplus2pm-c049ef8a1b2c", "dst": "fusehub/shelly", "result": {"was_on": True}}
    [obs] = route(REPLY_TOPIC, json.dumps(reply).encode())
    assert isinstance(obs, Observation)
    assert obs.device == "shelly:shellyplus2pm-c049ef8a1b2c:switch:1"
    assert obs.data == {"rpc_id": a, "result": {"was_on": True}}


@pytest.mark.parametrize(
    ("action", "address", "needle"),
    [
        ("blink", {"prefix": PREFIX, "switch": 0}, "no action"),
        ("turn_on", {"key": "shelly:notashelly:switch:0"}, "not a Shelly switch"),
        ("turn_on", {"key": f"shelly:{PREFIX}:input:0"}, "not a Shelly switch"),
        ("turn_on", {"prefix": "evil/#", "switch": 0, "key": "x"}, "not a Shelly switch"),
    ],
)
def test_encode_errors(action: str, address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders["on_off"](cmd(action), address)


# --------------------------------------------------------------------------------------------- simulator

DECL = DeviceDecl(id="kettle", name="Kettle", kind="switch", ecosystem="shelly",
                  ids={"prefix": PREFIX}, initial={"on": False, "power": 0})


def parse_all(msgs: list[Any]) -> list[Parsed]:
    return [i for m in msgs for i in route(m.topic, m.payload.encode())]


def test_sim_announce_discovers_the_switch() -> None:
    out = parse_all(SIM.announce(DECL))
    key = SPEC.key_for(DECL.id, DECL.ids)
    assert key == f"shelly:{PREFIX}:switch:0"
    assert out[0] == Availability(device=f"shelly:{PREFIX}:*", online=True)
    disc = [o.spec for o in out if isinstance(o, Discovered)]
    assert [(s.key, s.kind, s.capabilities) for s in disc] == [(key, "switch", ["on_off"])]
    assert Observation(device=key, attributes={"on": False, "power": 0}) in out


@pytest.mark.parametrize(
    ("start", "action", "on", "was_on"),
    [(False, "turn_on", True, False), (True, "turn_off", False, True), (True, "toggle", False, True)],
)
def test_sim_round_trip(start: bool, action: str, on: bool, was_on: bool) -> None:
    key = SPEC.key_for(DECL.id, DECL.ids)
    command = cmd(action)
    [msg] = SPEC.encoders["on_off"](command, {"key": key})
    assert msg.topic in SIM.command_topics(DECL)
    state = SIM.apply(DECL, msg.topic, msg.payload.encode(), {"on": start, "power": 5.5})
    assert state is not None and state["on"] is on
    msgs = SIM.publish_state(DECL, state)
    assert [m.topic for m in msgs] == [f"{PREFIX}/events/rpc", f"{PREFIX}/status/switch:0", REPLY_TOPIC]
    out = parse_all(msgs)
    obs = [o for o in out if isinstance(o, Observation)]
    assert all(o.device == key for o in obs)
    assert [o.attributes for o in obs if o.attributes] == [{"on": on, "power": 5.5}] * 2
    [reply] = [o for o in obs if o.event == "rpc_result"]
    assert reply.data == {"rpc_id": rpc_id(command.id, 0), "result": {"was_on": was_on}}


def test_sim_offline_and_bad_commands() -> None:
    assert parse_all(SIM.offline(DECL)) == [Availability(device=f"shelly:{PREFIX}:*", online=False)]
    topic = SIM.command_topics(DECL)[0]
    assert SIM.apply(DECL, topic, b"\xff", {}) is None
    assert SIM.apply(DECL, topic, b'{"id":1,"src":"x","method":"Shelly.Reboot","params":{"id":0}}', {}) is None
    assert SIM.apply(DECL, topic, b'{"id":1,"src":"x","method":"Switch.Set","params":{"id":1,"on":true}}', {}) is None
    assert SIM.apply(DECL, "shellyplus1pm-000000000000/rpc", b"{}", {}) is None
    derived = SPEC.key_for("garage_relay", {})
    assert derived.startswith("shelly:shellyplus1pm-") and derived.endswith(":switch:0")
    relay = DeviceDecl(id="garage_relay", name="G", ecosystem="shelly")
    assert topic_matches_sub("+/rpc", SIM.command_topics(relay)[0])
