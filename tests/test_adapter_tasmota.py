"""Tasmota adapter: native discovery, POWER/RESULT/STATE/SENSOR/LWT, POWER commands, simulated relay."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fusehub.adapters.tasmota import SPEC
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, DeviceSpec, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl
from paho.mqtt.client import topic_matches_sub

from tests import adapter_cases
from tests.adapter_cases import fixture_payload

FIX = adapter_cases.FIXTURES / "tasmota"
assert SPEC.parse_device is not None and SPEC.sim is not None
SIM = SPEC.sim


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


def load(name: str) -> dict[str, Any]:
    return adapter_cases.load(FIX / f"{name}.json")


def discovered(name: str) -> dict[str, DeviceSpec]:
    case = load(name)
    return {o.spec.key: o.spec for o in route(case["topic"], fixture_payload(case)) if isinstance(o, Discovered)}


def dispatch(topic: str, payload: bytes, specs: dict[str, DeviceSpec]) -> list[Parsed]:
    return adapter_cases.dispatch(SPEC, topic, payload, specs.values())


CASES = sorted(FIX.glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path: Path) -> None:
    case = adapter_cases.load(path)
    if "device" in case:
        source, key = case["device"]
        spec = discovered(source)[key]
        assert case["topic"] in spec.address["subscribe"]
        out = dispatch(case["topic"], fixture_payload(case), {key: spec})
    else:
        out = route(case["topic"], fixture_payload(case))
    adapter_cases.check(out, case["expect"], partial_spec=True)  # a discovered spec: the named fields


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert {"discovery_basic", "discovery_dual", "power_on", "result_power_off", "tele_state",
            "tele_sensor_energy", "lwt_offline"} <= names
    assert sum(n.startswith("bad_") for n in names) >= 10


def test_multi_relay_shared_topics_reach_each_relay() -> None:
    specs = discovered("discovery_dual")
    out = dispatch("sonoff_dual/st/RESULT", b'{"POWER1":"ON","POWER2":"OFF"}', specs)
    assert sorted((o.device, o.attributes["on"]) for o in out if isinstance(o, Observation)) == [
        ("tasmota:sonoff_dual:1", True), ("tasmota:sonoff_dual:2", False)]
    assert dispatch("sonoff_dual/tl/LWT", b"Offline", specs) == [
        Availability(device="tasmota:sonoff_dual:1", online=False),
        Availability(device="tasmota:sonoff_dual:2", online=False)]


# --------------------------------------------------------------------------------------------- encoders


def cmd(capability: str, action: str, **params: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="d", capability=capability, action=action,
                   params=params)


def encode(address: dict[str, Any], capability: str, action: str, **params: Any) -> list[tuple[str, str]]:
    msgs = SPEC.encoders[capability](cmd(capability, action, **params), address)
    assert all(m.qos == 1 and not m.retain for m in msgs)
    return [(m.topic, m.payload) for m in msgs]


BASIC = discovered("discovery_basic")["tasmota:tasmota_ABC123"].address
DUAL2 = discovered("discovery_dual")["tasmota:sonoff_dual:2"].address
DIMMER = discovered("discovery_dimmer")["tasmota:tasmota_4D5E6F"].address


@pytest.mark.parametrize(
    ("address", "cap", "action", "params", "expect"),
    [
        (BASIC, "on_off", "turn_on", {}, [("cmnd/tasmota_ABC123/POWER", "ON")]),
        (BASIC, "on_off", "turn_off", {}, [("cmnd/tasmota_ABC123/POWER", "OFF")]),
        (BASIC, "on_off", "toggle", {}, [("cmnd/tasmota_ABC123/POWER", "TOGGLE")]),
        (DUAL2, "on_off", "turn_on", {}, [("sonoff_dual/cmd/POWER2", "ON")]),
        (DIMMER, "brightness", "set_brightness", {"brightness": 35}, [("cmnd/tasmota_4D5E6F/Dimmer", "35")]),
        ({"key": "tasmota:tasmota_123456"}, "on_off", "turn_on", {}, [("cmnd/tasmota_123456/POWER", "ON")]),
        ({"key": "tasmota:tasmota_123456:3"}, "on_off", "turn_off", {}, [("cmnd/tasmota_123456/POWER3", "OFF")]),
    ],
)
def test_encode(address: dict[str, Any], cap: str, action: str, params: dict[str, Any],
                expect: list[tuple[str, str]]) -> None:
    assert encode(address, cap, action, **params) == expect


@pytest.mark.parametrize(
    ("address", "cap", "action", "params", "needle"),
    [
        (BASIC, "on_off", "blink", {}, "no action"),
        (DIMMER, "brightness", "set_brightness", {"brightness": 150}, "0-100"),
        ({"key": "shelly:x"}, "on_off", "turn_on", {}, "not a Tasmota device key"),
        ({"key": "tasmota:a/#"}, "on_off", "turn_on", {}, "not a Tasmota device key"),
    ],
)
def test_encode_errors(address: dict[str, Any], cap: str, action: str, params: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        encode(address, cap, action, **params)


# --------------------------------------------------------------------------------------------- simulator


def decl(**kw: Any) -> DeviceDecl:
    base: dict[str, Any] = {"id": "kettle", "name": "Kettle", "kind": "plug", "ecosystem": "tasmota"}
    return DeviceDecl(**{**base, **kw})


def sim_discover(d: DeviceDecl) -> dict[str, DeviceSpec]:
    specs: dict[str, DeviceSpec] = {}
    avail: list[Parsed] = []
    for m in SIM.announce(d):
        for item in dispatch(m.topic, m.payload.encode(), specs):
            if isinstance(item, Discovered):
                specs[item.spec.key] = item.spec
            else:
                avail.append(item)
    return specs


@pytest.mark.parametrize(
    ("d", "commands", "expect"),
    [
        (decl(), [("on_off", "turn_on", {})], {"on": True}),
        (decl(ids={"topic": "tasmota_0A0B0C"}), [("on_off", "turn_on", {}), ("on_off", "toggle", {})], {"on": False}),
        (decl(id="porch", name="Porch", kind="switch", ids={"topic": "dual", "relay": "2"}),
         [("on_off", "turn_on", {})], {"on": True}),
        (decl(id="desk", name="Desk lamp", kind="light"), [("brightness", "set_brightness", {"brightness": 60})],
         {"on": True, "brightness": 60}),
    ],
)
def test_sim_round_trip(d: DeviceDecl, commands: list[Any], expect: dict[str, Any]) -> None:
    specs = sim_discover(d)
    key = SPEC.key_for(d.id, d.ids)
    spec = specs[key]
    assert spec.name == d.name and spec.kind == d.kind
    assert set(d.effective_capabilities()) <= set(spec.capabilities)
    state: dict[str, Any] = {}
    for cap, action, params in commands:
        [msg] = SPEC.encoders[cap](cmd(cap, action, **params), {"key": key, **spec.address})
        assert any(topic_matches_sub(t, msg.topic) for t in SIM.command_topics(d))
        new = SIM.apply(d, msg.topic, msg.payload.encode(), state)
        assert new is not None
        state = new
    attrs: dict[str, Any] = {}
    for m in SIM.publish_state(d, state):
        for item in dispatch(m.topic, m.payload.encode(), {key: spec}):
            assert isinstance(item, Observation) and item.device == key
            attrs.update(item.attributes)
    assert attrs == expect


def test_sim_energy_lwt_and_bad_commands() -> None:
    d = decl()
    specs = sim_discover(d)
    key = SPEC.key_for(d.id, d.ids)
    msgs = SIM.publish_state(d, {"on": True, "power": 1800, "voltage": 229})
    attrs: dict[str, Any] = {}
    for m in msgs:
        for item in dispatch(m.topic, m.payload.encode(), specs):
            assert isinstance(item, Observation)
            attrs.update(item.attributes)
    assert attrs == {"on": True, "power": 1800, "voltage": 229}
    announce_avail = [i for m in SIM.announce(d) for i in dispatch(m.topic, m.payload.encode(), specs)
                      if isinstance(i, Availability)]
    assert announce_avail == [Availability(device=key, online=True)]
    [off] = SIM.offline(d)
    assert dispatch(off.topic, off.payload.encode(), specs) == [Availability(device=key, online=False)]
    topic = SIM.command_topics(d)[0]
    assert SIM.apply(d, topic, b"\xff", {}) is None
    assert SIM.apply(d, topic, b"EXPLODE", {}) is None
    assert SIM.apply(d, "cmnd/other/POWER", b"ON", {}) is None


# --------------------------------------------------------------------------------------------- non-finite numbers


@pytest.mark.parametrize(
    ("topic", "payload", "needle"),
    [
        # JSON 1e999 parses to inf: only the finite-number check stops it (a relay type, a Dimmer level).
        ("tasmota/discovery/A4CF12ABC128/config", b'{"t":"tasmota_Y","rl":[1,1e999]}', "rl (relays)"),
        ("tasmota/discovery/A4CF12ABC128/config", b'{"t":"tasmota_Y","rl":[1,-1e999]}', "rl (relays)"),
        ("tasmota/discovery/A4CF12ABC128/config", b'{"t":"tasmota_Y","rl":[1,NaN]}', "NaN is not valid JSON"),
        ("tasmota/discovery/A4CF12ABC128/config", b'{"t":"tasmota_Y","rl":[Infinity]}',
         "Infinity is not valid JSON"),
        ("stat/tasmota_4D5E6F/RESULT", b'{"Dimmer":1e999}', "Dimmer must be 0-100"),
        ("stat/tasmota_4D5E6F/RESULT", b'{"Dimmer":NaN}', "NaN is not valid JSON"),
    ],
)
def test_non_finite_numbers_are_one_clear_rejection(topic: str, payload: bytes, needle: str) -> None:
    out = dispatch(topic, payload, discovered("discovery_dimmer"))
    assert len(out) == 1 and isinstance(out[0], Rejected), out
    assert out[0].reason.startswith("tasmota: ") and needle in out[0].reason


def test_non_finite_sensor_values_are_not_reported() -> None:
    body = b'{"AM2301":{"Temperature":1e999,"Humidity":45.2},"ENERGY":{"Power":-1e999,"Voltage":230}}'
    [obs] = dispatch("tele/tasmota_ABC123/SENSOR", body, discovered("discovery_basic"))
    assert isinstance(obs, Observation) and obs.attributes == {"humidity": 45.2, "voltage": 230}
