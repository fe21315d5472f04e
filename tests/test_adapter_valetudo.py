"""Valetudo adapter: Homie $state discovery, status/battery/segments, operation and segment commands, simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.adapters.valetudo import SPEC
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl
from paho.mqtt.client import topic_matches_sub

from tests import adapter_cases

FIX = adapter_cases.FIXTURES / "valetudo"
assert SPEC.sim is not None
SIM = SPEC.sim


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


CASES = adapter_cases.cases("valetudo")
test_fixture = adapter_cases.fixture_test(SPEC, "valetudo")


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"state_ready", "state_lost", "status_cleaning", "battery_level", "segments"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 8


def test_no_route_for_set_topics_or_hass_state() -> None:
    # Commands (…/set) and the HA-discovery state (5 levels) are not this adapter's business.
    for topic in ("valetudo/R/BasicControlCapability/operation/set", "valetudo/R/hass/R_vacuum/state"):
        assert adapter_cases.dispatch(SPEC, topic, b"x") == []


def test_big_payloads_rejected() -> None:
    [r] = route("valetudo/R/MapData/segments", b'{"1":"' + b"x" * (300 * 1024) + b'"}')
    assert isinstance(r, Rejected) and "too large" in r.reason


# --------------------------------------------------------------------------------------------- encoders


def cmd(action: str, **params: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="robot", capability="vacuum", action=action,
                   params=params)


OP = "valetudo/FrugalLameLion/BasicControlCapability/operation/set"


@pytest.mark.parametrize(
    ("action", "params", "address", "expect"),
    [
        ("start", {}, {"id": "FrugalLameLion"}, [(OP, "START")]),
        ("stop", {}, {"id": "FrugalLameLion"}, [(OP, "STOP")]),
        ("pause", {}, {"id": "FrugalLameLion"}, [(OP, "PAUSE")]),
        ("dock", {}, {"key": "valetudo:FrugalLameLion"}, [(OP, "HOME")]),
        ("clean_rooms", {"segments": ["20", 18]}, {"key": "valetudo:FrugalLameLion", "id": "FrugalLameLion"},
         [("valetudo/FrugalLameLion/MapSegmentationCapability/clean/set",
           '{"segment_ids":["20","18"],"iterations":1,"customOrder":true}')]),
    ],
)
def test_encode(action: str, params: dict[str, Any], address: dict[str, Any], expect: list[tuple[str, str]]) -> None:
    msgs = SPEC.encoders["vacuum"](cmd(action, **params), address)
    assert all(m.qos == 1 and not m.retain for m in msgs)
    assert [(m.topic, m.payload) for m in msgs] == expect


@pytest.mark.parametrize(
    ("action", "params", "address", "needle"),
    [
        ("clean_rooms", {"segments": []}, {"id": "R"}, "non-empty list"),
        ("clean_rooms", {"segments": [True]}, {"id": "R"}, "non-empty list"),
        ("clean_rooms", {}, {"id": "R"}, "non-empty list"),
        ("locate", {}, {"id": "R"}, "no action"),
        ("start", {}, {"key": "homeassistant:x"}, "not a Valetudo robot"),
        ("start", {}, {"id": "a/#"}, "not a Valetudo robot"),
    ],
)
def test_encode_errors(action: str, params: dict[str, Any], address: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        SPEC.encoders["vacuum"](cmd(action, **params), address)


# --------------------------------------------------------------------------------------------- simulator

DECL = DeviceDecl(id="robot", name="Robbie", kind="vacuum", room="hallway", ecosystem="valetudo",
                  initial={"status": "docked", "battery": 100, "segments": {"16": "Hallway", "20": "Kitchen"}})


def parse_all(msgs: list[Any]) -> list[Parsed]:
    """Parse what the hub subscribes to ($homie and $nodes have no route: the hub never receives them)."""
    return [i for m in msgs if any(topic_matches_sub(r.pattern, m.topic) for r in SPEC.routes)
            for i in route(m.topic, m.payload.encode())]


def test_sim_announce_discovers_the_robot() -> None:
    out = parse_all(SIM.announce(DECL))
    key = SPEC.key_for(DECL.id, DECL.ids)
    assert key == "valetudo:robot"
    disc = [o.spec for o in out if isinstance(o, Discovered)]
    assert {(s.key, s.kind) for s in disc} == {(key, "vacuum")}
    assert disc[0].name == "Robbie" and disc[-1].capabilities == ["vacuum"]
    assert Availability(device=key, online=True) in out
    assert Observation(device=key, attributes={"segments": {"16": "Hallway", "20": "Kitchen"}}) in out
    assert all(m.retain for m in SIM.announce(DECL))


@pytest.mark.parametrize(
    ("action", "params", "status", "cleaned"),
    [("start", {}, "cleaning", None), ("stop", {}, "idle", None), ("pause", {}, "paused", None),
     ("dock", {}, "docked", None), ("clean_rooms", {"segments": ["20", "16"]}, "cleaning", ["20", "16"])],
)
def test_sim_round_trip(action: str, params: dict[str, Any], status: str, cleaned: list[str] | None) -> None:
    key = SPEC.key_for(DECL.id, DECL.ids)
    [msg] = SPEC.encoders["vacuum"](cmd(action, **params), {"key": key})
    assert msg.topic in SIM.command_topics(DECL)
    state = SIM.apply(DECL, msg.topic, msg.payload.encode(), {**DECL.initial, "battery": 87})
    assert state is not None and state.get("cleaned_segments") == cleaned
    attrs: dict[str, Any] = {}
    for o in parse_all(SIM.publish_state(DECL, state)):
        assert isinstance(o, Observation) and o.device == key
        attrs.update(o.attributes)
    assert attrs == {"status": status, "battery": 87, "segments": {"16": "Hallway", "20": "Kitchen"}}


def test_sim_offline_and_bad_commands() -> None:
    assert parse_all(SIM.offline(DECL)) == [Availability(device="valetudo:robot", online=False)]
    op, clean = SIM.command_topics(DECL)
    assert SIM.apply(DECL, op, b"SELF_DESTRUCT", {}) is None
    assert SIM.apply(DECL, op, b"\xff", {}) is None
    assert SIM.apply(DECL, clean, b'{"segment_ids": 5}', {}) is None
    assert SIM.apply(DECL, "valetudo/other/BasicControlCapability/operation/set", b"START", {}) is None
    assert SPEC.key_for("robot", {"id": "FrugalLameLion"}) == "valetudo:FrugalLameLion"
