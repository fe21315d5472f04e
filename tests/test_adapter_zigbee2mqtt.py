"""Zigbee2MQTT adapter: bridge/devices discovery, device state and availability, /set commands, simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fusehub.adapters.zigbee2mqtt import SPEC, rgb_to_xy, xy_to_rgb
from fusehub.errors import AdapterError
from fusehub.events import Availability, Command, DeviceSpec, Discovered, Observation, Parsed, Rejected
from fusehub.home import DeviceDecl

from tests import adapter_cases
from tests.adapter_cases import check, fixture_payload

FIX = adapter_cases.FIXTURES / "zigbee2mqtt"
DEVICES = (FIX / "bridge_devices.json").read_bytes()
assert SPEC.parse_device is not None and SPEC.sim is not None
SIM = SPEC.sim


def route(topic: str, payload: bytes) -> list[Parsed]:
    return adapter_cases.route(SPEC, topic, payload)


def discovered() -> dict[str, DeviceSpec]:
    out = route("zigbee2mqtt/bridge/devices", DEVICES)
    assert all(isinstance(o, Discovered) for o in out), out
    return {o.spec.name: o.spec for o in out if isinstance(o, Discovered)}


SPECS = discovered()


def dispatch(topic: str, payload: bytes, specs: dict[str, DeviceSpec] | None = None) -> list[Parsed]:
    """As the hub does: static routes, then the parse_device of every device subscribed to the topic."""
    return adapter_cases.dispatch(SPEC, topic, payload, (specs or SPECS).values())


CASES = sorted(FIX.glob("*.json"))
CASES.remove(FIX / "bridge_devices.json")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path: Path) -> None:
    case = adapter_cases.load(path)
    if "device" in case:
        spec = SPECS[case["device"]]
        assert case["topic"] in spec.address["subscribe"]
        out = dispatch(case["topic"], fixture_payload(case), {spec.key: spec})
    else:
        out = route(case["topic"], fixture_payload(case))
    check(out, case["expect"])


def test_fixture_set_covers_the_formats() -> None:
    names = {p.stem for p in CASES}
    assert sum(n.startswith("state_") for n in names) >= 10
    assert sum(n.startswith("bad_") for n in names) >= 8


# --------------------------------------------------------------------------------------------- discovery

DISCOVERY = [
    # friendly name, key, kind, room, capabilities, declared attributes
    ("living_room/lamp", "zigbee2mqtt:0x0017880104e45517", "light", "living_room",
     ["on_off", "brightness", "color_temp", "color", "attributes"], ["effect", "power_on_behavior"]),
    ("Coffee machine", "zigbee2mqtt:0x000d6ffffea1b2c3", "plug", None, ["on_off", "attributes"],
     ["power_on_behavior"]),
    ("hallway/motion", "zigbee2mqtt:0x00158d0001a2b3c4", "motion", "hallway", ["motion"], []),
    ("Front door", "zigbee2mqtt:0x00158d0004d5e6f7", "contact", None, ["contact"], []),
    ("Bathroom climate", "zigbee2mqtt:0x00158d00045a6b7c", "sensor", None, ["measurement"], []),
    ("Bedroom radiator", "zigbee2mqtt:0x847127fffe0a1b2c", "climate", None,
     ["temperature_setpoint", "hvac_mode", "attributes"], ["child_lock", "window_open_temperature"]),
    ("Front door lock", "zigbee2mqtt:0xec1bbdfffe7a8b9c", "lock", None, ["lock"], []),
    ("Living room blind", "zigbee2mqtt:0x680ae2fffe1a2b3c", "cover", None, ["cover_position"], []),
    ("Kitchen remote", "zigbee2mqtt:0x000b57fffe8f3a2b", "button", None, [], []),
    ("Garden/water sensor", "zigbee2mqtt:0xa4c1380123456789", "generic", "Garden", [], []),
]


@pytest.mark.parametrize(("name", "key", "kind", "room", "caps", "attrs"), DISCOVERY, ids=[d[0] for d in DISCOVERY])
def test_discovery(name: str, key: str, kind: str, room: str | None, caps: list[str], attrs: list[str]) -> None:
    spec = SPECS[name]
    assert (spec.key, spec.kind, spec.room, spec.capabilities) == (key, kind, room, caps)
    assert sorted(spec.attributes) == attrs
    assert spec.address["subscribe"] == [f"zigbee2mqtt/{name}", f"zigbee2mqtt/{name}/availability"]
    assert spec.address["friendly_name"] == name


def test_discovery_skips_coordinator_and_uninterviewed() -> None:
    assert len(SPECS) == len(DISCOVERY)
    assert not any("Coordinator" in n or n.startswith("0xa4c138fe") for n in SPECS)


def test_declared_attribute_ranges() -> None:
    trv = SPECS["Bedroom radiator"]
    assert trv.attributes["window_open_temperature"] == {"type": "number", "min": 5, "max": 25, "step": 1,
                                                          "unit": "°C"}
    assert trv.attributes["child_lock"] == {"type": "bool"}
    assert SPECS["living_room/lamp"].attributes["power_on_behavior"] == {
        "type": "enum", "options": ["off", "on", "toggle", "previous"]}


def test_state_topics_with_slashes_go_to_the_right_device() -> None:
    # 'Garden/water sensor' state must not be read as anything of 'Garden'; availability is exact too.
    out = dispatch("zigbee2mqtt/Garden/water sensor", b'{"water_leak":false}')
    assert out == [Observation(device="zigbee2mqtt:0xa4c1380123456789", attributes={"water_leak": False})]
    out = dispatch("zigbee2mqtt/living_room/lamp/availability", b'{"state":"offline"}')
    assert out == [Availability(device="zigbee2mqtt:0x0017880104e45517", online=False)]
    assert dispatch("zigbee2mqtt/living_room/lamp/set", b'{"state":"ON"}') == []


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"", "empty"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"pad":"' + b"x" * (300 * 1024) + b'"}', "too large"),
        (b'{"temperature": NaN}', "not valid JSON"),
    ],
)
def test_malformed_state_rejected(payload: bytes, needle: str) -> None:
    spec = SPECS["Bathroom climate"]
    [r] = dispatch("zigbee2mqtt/Bathroom climate", payload, {spec.key: spec})
    assert isinstance(r, Rejected) and needle in r.reason and r.reason.startswith("zigbee2mqtt: ")
    assert len(r.reason) < 400


def test_oversized_bridge_devices_rejected_but_big_lists_accepted() -> None:
    entries = json.loads(DEVICES)
    big = json.dumps(entries * 30).encode()  # ~30 x a real bridge: well over the 256 KiB state limit
    assert len(big) > 256 * 1024
    assert sum(isinstance(o, Discovered) for o in route("zigbee2mqtt/bridge/devices", big)) == 10 * 30
    [r] = route("zigbee2mqtt/bridge/devices", b"[" + b" " * (17 * 1024 * 1024) + b"]")
    assert isinstance(r, Rejected) and "too large" in r.reason


def test_colour_conversion() -> None:
    for rgb in ([255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 128, 0], [200, 100, 255]):
        back = xy_to_rgb(*rgb_to_xy(*rgb))
        assert all(abs(a - b) <= 3 for a, b in zip(rgb, back, strict=True)), (rgb, back)


# --------------------------------------------------------------------------------------------- encoders


def cmd(capability: str, action: str, **params: Any) -> Command:
    return Command(time=datetime(2024, 6, 10, tzinfo=UTC), device="d", capability=capability, action=action,
                   params=params)


def encode(name: str, capability: str, action: str, **params: Any) -> list[tuple[str, Any]]:
    spec = SPECS[name]
    msgs = SPEC.encoders[capability](cmd(capability, action, **params), {"key": spec.key, **spec.address})
    assert all(m.qos == 1 and not m.retain for m in msgs)
    return [(m.topic, json.loads(m.payload)) for m in msgs]


ENCODE = [
    ("living_room/lamp", "on_off", "turn_on", {}, {"state": "ON"}),
    ("living_room/lamp", "on_off", "turn_off", {}, {"state": "OFF"}),
    ("living_room/lamp", "on_off", "toggle", {}, {"state": "TOGGLE"}),
    ("living_room/lamp", "brightness", "set_brightness", {"brightness": 50}, {"brightness": 127}),
    ("living_room/lamp", "brightness", "set_brightness", {"brightness": 100}, {"brightness": 254}),
    ("living_room/lamp", "color", "set_color", {"rgb": [255, 64, 0]}, {"color": {"r": 255, "g": 64, "b": 0}}),
    ("living_room/lamp", "color_temp", "set_color_temp", {"kelvin": 2700}, {"color_temp": 370}),
    ("living_room/lamp", "color_temp", "set_color_temp", {"kelvin": 10000}, {"color_temp": 153}),  # clamped
    ("living_room/lamp", "attributes", "set_attribute", {"attribute": "power_on_behavior", "value": "previous"},
     {"power_on_behavior": "previous"}),
    ("Coffee machine", "on_off", "turn_on", {}, {"state": "ON"}),
    ("Front door lock", "lock", "lock", {}, {"state": "LOCK"}),
    ("Front door lock", "lock", "unlock", {}, {"state": "UNLOCK"}),
    ("Living room blind", "cover_position", "open", {}, {"state": "OPEN"}),
    ("Living room blind", "cover_position", "close", {}, {"state": "CLOSE"}),
    ("Living room blind", "cover_position", "stop", {}, {"state": "STOP"}),
    ("Living room blind", "cover_position", "set_position", {"position": 40}, {"position": 40}),
    ("Bedroom radiator", "temperature_setpoint", "set_temperature", {"temperature": 21.5},
     {"current_heating_setpoint": 21.5}),
    ("Bedroom radiator", "hvac_mode", "set_hvac_mode", {"mode": "auto"}, {"system_mode": "auto"}),
    ("Bedroom radiator", "attributes", "set_attribute", {"attribute": "child_lock", "value": True},
     {"child_lock": "LOCK"}),
    ("Bedroom radiator", "attributes", "set_attribute", {"attribute": "window_open_temperature", "value": 7},
     {"window_open_temperature": 7}),
]


@pytest.mark.parametrize(("name", "cap", "action", "params", "body"), ENCODE)
def test_encode(name: str, cap: str, action: str, params: dict[str, Any], body: dict[str, Any]) -> None:
    assert encode(name, cap, action, **params) == [(f"zigbee2mqtt/{name}/set", body)]


@pytest.mark.parametrize(
    ("name", "cap", "action", "params", "needle"),
    [
        ("living_room/lamp", "brightness", "set_brightness", {"brightness": 101}, "outside"),
        ("living_room/lamp", "brightness", "set_brightness", {"brightness": True}, "numeric"),
        ("living_room/lamp", "color", "set_color", {"rgb": [256, 0, 0]}, "three integers"),
        ("living_room/lamp", "on_off", "blink", {}, "no action"),
        ("Bedroom radiator", "temperature_setpoint", "set_temperature", {"temperature": 40}, "outside"),
        ("Bedroom radiator", "hvac_mode", "set_hvac_mode", {"mode": "cool"}, "not one of"),
        ("Bedroom radiator", "attributes", "set_attribute", {"attribute": "window_open_temperature", "value": 30},
         "outside"),
        ("Bedroom radiator", "attributes", "set_attribute", {"attribute": "running_state", "value": "idle"},
         "no settable attribute"),
        ("living_room/lamp", "attributes", "set_attribute", {"attribute": "power_on_behavior", "value": "x"},
         "must be one of"),
    ],
)
def test_encode_errors(name: str, cap: str, action: str, params: dict[str, Any], needle: str) -> None:
    with pytest.raises(AdapterError, match=needle):
        encode(name, cap, action, **params)


def test_encode_needs_a_discovered_friendly_name() -> None:
    with pytest.raises(AdapterError, match="friendly_name"):
        SPEC.encoders["on_off"](cmd("on_off", "turn_on"), {"key": "zigbee2mqtt:0x0017880104e45517"})
    with pytest.raises(AdapterError, match="friendly_name"):
        SPEC.encoders["on_off"](cmd("on_off", "turn_on"), {"friendly_name": "a+b"})


# --------------------------------------------------------------------------------------------- simulator


def decl(**kw: Any) -> DeviceDecl:
    base: dict[str, Any] = {"id": "lamp", "name": "Lamp", "kind": "light", "room": "kitchen",
                            "ecosystem": "zigbee2mqtt"}
    return DeviceDecl(**{**base, **kw})


def sim_discover(d: DeviceDecl) -> dict[str, DeviceSpec]:
    out: dict[str, DeviceSpec] = {}
    avail = []
    for m in SIM.announce(d):
        for item in dispatch(m.topic, m.payload.encode(), out):
            if isinstance(item, Discovered):
                out[item.spec.name] = item.spec
            else:
                avail.append(item)
    assert avail == [Availability(device=SPEC.key_for(d.id, d.ids), online=True)]
    return out


SIM_CASES = [
    (decl(capabilities=["on_off", "brightness", "color", "color_temp"]), "light",
     [("on_off", "turn_on", {}), ("brightness", "set_brightness", {"brightness": 40}),
      ("color", "set_color", {"rgb": [255, 0, 0]})],
     {"on": True, "brightness": 40, "rgb": [255, 0, 0]}),
    (decl(id="kettle", name="Kettle", kind="plug"), "plug", [("on_off", "toggle", {})], {"on": True}),
    (decl(id="door_lock", name="Door lock", kind="lock", ids={"friendly_name": "Front door/lock"}), "lock",
     [("lock", "lock", {})], {"locked": True}),
    (decl(id="blind", name="Blind", kind="cover"), "cover", [("cover_position", "set_position", {"position": 30})],
     {"position": 30}),
    (decl(id="trv", name="TRV", kind="climate", initial={"current_temperature": 18.5}), "climate",
     [("temperature_setpoint", "set_temperature", {"temperature": 22}), ("hvac_mode", "set_hvac_mode",
                                                                        {"mode": "heat"})],
     {"target_temperature": 22, "hvac_mode": "heat", "current_temperature": 18.5}),
    (decl(id="fan_plug", name="Fan", kind="switch", attributes={
        "speed": {"type": "number", "min": 0, "max": 3, "step": 1}, "mode": {"type": "enum", "options": ["a", "b"]}}),
     "switch", [("attributes", "set_attribute", {"attribute": "speed", "value": 2}),
                ("attributes", "set_attribute", {"attribute": "mode", "value": "b"})],
     {"speed": 2, "mode": "b"}),
]


@pytest.mark.parametrize(("d", "kind", "commands", "expect"), SIM_CASES, ids=[c[1] for c in SIM_CASES])
def test_sim_round_trip(d: DeviceDecl, kind: str, commands: list[Any], expect: dict[str, Any]) -> None:
    specs = sim_discover(d)
    [spec] = specs.values()
    assert spec.key == SPEC.key_for(d.id, d.ids) and spec.kind == kind
    assert set(d.effective_capabilities()) <= set(spec.capabilities)
    assert SIM.command_topics(d) == [f"zigbee2mqtt/{spec.address['friendly_name']}/set"]
    state: dict[str, Any] = dict(d.initial)
    for cap, action, params in commands:
        [msg] = SPEC.encoders[cap](cmd(cap, action, **params), {"key": spec.key, **spec.address})
        new = SIM.apply(d, msg.topic, msg.payload.encode(), state)
        assert new is not None, msg
        state = new
    attrs: dict[str, Any] = {}
    for m in SIM.publish_state(d, state):
        for item in dispatch(m.topic, m.payload.encode(), specs):
            assert isinstance(item, Observation), item
            attrs.update(item.attributes)
    assert {k: attrs.get(k) for k in expect} == expect


def test_sim_sensors_and_events() -> None:
    cases: list[tuple[DeviceDecl, dict[str, Any], dict[str, Any]]] = [
        (decl(id="hall_pir", name="PIR", kind="motion"), {"motion": True}, {"motion": True}),
        (decl(id="door", name="Door", kind="contact"), {"contact_open": True}, {"contact_open": True}),
        (decl(id="temp", name="Temp", kind="sensor", initial={"unit": "°C"}), {"value": 19.5},
         {"value": 19.5, "temperature": 19.5}),
        (decl(id="desk", name="Desk", kind="occupancy"), {"occupancy": False}, {"occupancy": False}),
    ]
    for d, state, want in cases:
        specs = sim_discover(d)
        [spec] = specs.values()
        assert spec.kind == d.kind
        [msg] = SIM.publish_state(d, state)
        [obs] = dispatch(msg.topic, msg.payload.encode(), specs)
        assert isinstance(obs, Observation)
        assert {k: obs.attributes[k] for k in want} == want
    remote = decl(id="remote", name="Remote", kind="button")
    specs = sim_discover(remote)
    [msg] = SIM.publish_state(remote, {"action": "single"})
    out = dispatch(msg.topic, msg.payload.encode(), specs)
    assert [(o.event, o.data) for o in out if isinstance(o, Observation)] == [("press", {"action": "single"})]


def test_sim_offline_apply_rejects_and_declared_key() -> None:
    d = decl()
    specs = sim_discover(d)
    [off] = SIM.offline(d)
    assert dispatch(off.topic, off.payload.encode(), specs) == [Availability(device=SPEC.key_for(d.id, d.ids),
                                                                             online=False)]
    topic = SIM.command_topics(d)[0]
    assert SIM.apply(d, topic, b"\xff", {}) is None
    assert SIM.apply(d, topic, b'{"nonsense":1}', {}) is None
    assert SIM.apply(d, "zigbee2mqtt/other/set", b'{"state":"ON"}', {}) is None
    assert SPEC.key_for("x", {"ieee_address": "0x00158D0001A2B3C4"}) == "zigbee2mqtt:0x00158d0001a2b3c4"
    assert SPEC.key_for("x", {}) == SPEC.key_for("x", {}) and SPEC.key_for("x", {}).startswith("zigbee2mqtt:0x")
