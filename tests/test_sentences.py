"""fusehub's own sentence templates (hub/reasoner/sentences.py), end to end through the matcher.

Devices come in the way a real home announces them: Home Assistant MQTT discovery configs (a phone
app's binary sensors, a Zigbee2MQTT water-leak sensor in its abbreviated format) routed through the
Home Assistant adapter into the graph of tests/fixtures/homes/intents_home.yaml.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fusehub.context.graph import ContextGraph
from fusehub.events import DeviceSpec, Discovered
from fusehub.reasoner.intents import HANDLERS, IntentMatcher
from fusehub.reasoner.sentences import SENSED_CLASSES, extra_intents, merge, sensed_class

from tests.test_adapter_homeassistant import route
from tests.test_intents import _graph

# A phone app announcing two binary sensors under the same name (as the HA companion-style MQTT apps do).
PHONE_CHARGING = (
    "homeassistant/binary_sensor/pixel7/charging/config",
    {"name": "Phone", "unique_id": "pixel7_charging", "device_class": "battery_charging",
     "state_topic": "pixel7/charging", "payload_on": "ON", "payload_off": "OFF"},
)
PHONE_BATTERY = (
    "homeassistant/binary_sensor/pixel7/battery_low/config",
    {"name": "Phone", "unique_id": "pixel7_battery_low", "device_class": "battery",
     "state_topic": "pixel7/battery_low", "payload_on": "ON", "payload_off": "OFF"},
)
# Zigbee2MQTT's own discovery message for an Aqara water-leak sensor (abbreviated keys, JSON booleans).
Z2M_LEAK = (
    "homeassistant/binary_sensor/0x00158d00045c1a2b/water_leak/config",
    {"dev": {"ids": ["zigbee2mqtt_0x00158d00045c1a2b"], "name": "Sink leak", "sa": "Kitchen",
             "mf": "Aqara", "mdl": "Water leak sensor"},
     "dev_cla": "moisture", "name": None, "pl_off": False, "pl_on": True, "stat_t": "zigbee2mqtt/Sink leak",
     "uniq_id": "0x00158d00045c1a2b_water_leak_zigbee2mqtt", "val_tpl": "{{ value_json.water_leak }}"},
)


def _discover(graph: ContextGraph, topic: str, config: dict[str, Any]) -> str:
    items = route(topic, json.dumps(config).encode())
    specs = [i.spec for i in items if isinstance(i, Discovered)]
    if len(specs) != 1:
        raise AssertionError(f"expected one discovery from {topic}, got {items}")
    return graph.upsert_device(specs[0])


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher()


@pytest.fixture
def home() -> tuple[ContextGraph, dict[str, str]]:
    g = _graph()
    ids = {
        "charging": _discover(g, *PHONE_CHARGING),
        "battery": _discover(g, *PHONE_BATTERY),
        "leak": _discover(g, *Z2M_LEAK),
    }
    return g, ids


def _plan(matcher: IntentMatcher, graph: ContextGraph, text: str, room: str | None = None) -> Any:
    m = matcher.match(text, graph, room)
    if m is None:
        raise AssertionError(f"{text!r} was not matched")
    return m


def _calls(m: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(c.skill, c.args) for c in m.plan.calls]


def test_discovery_records_the_class(home: tuple[ContextGraph, dict[str, str]]) -> None:
    g, ids = home
    assert sensed_class(g.device(ids["charging"])) == "battery_charging"
    assert sensed_class(g.device(ids["battery"])) == "battery"
    assert sensed_class(g.device(ids["leak"])) == "moisture"
    assert g.room_of(ids["leak"]) == "kitchen"
    # a temperature sensor has a numeric value and no binary class; a lock is not a binary sensor
    assert sensed_class(g.device("kitchen_temp")) is None
    assert sensed_class(g.device("front_door")) is None


def test_a_shared_name_is_told_apart_by_what_is_asked(
    matcher: IntentMatcher, home: tuple[ContextGraph, dict[str, str]]
) -> None:
    g, ids = home
    charging = _plan(matcher, g, "is the phone charging?")
    assert charging.intent == "HassGetState" and charging.plan.cannot is None
    assert [c.args["device"] for c in charging.plan.calls] == [ids["charging"]]
    low = _plan(matcher, g, "is the phone battery low")
    assert [c.args["device"] for c in low.plan.calls] == [ids["battery"]]
    assert low.slots.get("state") == "on"  # 'low' is the battery class's 'on'


def test_group_questions_by_class(matcher: IntentMatcher, home: tuple[ContextGraph, dict[str, str]]) -> None:
    g, ids = home
    m = _plan(matcher, g, "are any batteries low")
    assert m.slots.get("device_class") == "battery"
    assert [c.args["device"] for c in m.plan.calls] == [ids["battery"]]
    for text in ("is there a leak in the kitchen", "is the floor wet", "are any water sensors wet"):
        m = _plan(matcher, g, text)
        assert m.slots.get("device_class") == "moisture", text
        assert [c.args["device"] for c in m.plan.calls] == [ids["leak"]], text
    # a room without one: an answer, not a guess
    m = _plan(matcher, g, "is there a leak in the bedroom")
    assert m.plan.calls == [] and m.plan.cannot and "bedroom" in m.plan.cannot.lower()


def test_a_class_the_home_lacks_is_a_final_cannot(
    matcher: IntentMatcher, home: tuple[ContextGraph, dict[str, str]]
) -> None:
    g, _ = home
    m = _plan(matcher, g, "are any devices plugged in")
    assert m.plan.calls == [] and m.plan.cannot and "plug sensor" in m.plan.cannot
    assert m.plan.confidence == 1.0


def test_a_declared_sensor_senses_what_its_name_says(matcher: IntentMatcher) -> None:
    g = _graph()
    dev = g.upsert_device(
        DeviceSpec(key="decl:utility_leak", name="Utility Leak Sensor", kind="sensor", room="garage"),
        node_id="utility_leak", declared=True,
    )
    assert sensed_class(g.device(dev)) == "moisture"
    m = _plan(matcher, g, "is there a leak in the garage")
    assert [c.args["device"] for c in m.plan.calls] == ["utility_leak"]


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("turn off all the fans", [("switch_turn_off", {"device": "bedroom_fan"})]),
        ("switch the fans off everywhere", [("switch_turn_off", {"device": "bedroom_fan"})]),
        ("turn on the lights in the whole house", [("light_turn_on", {"everywhere": True})]),
        ("activate the lights in our home", [("light_turn_on", {"everywhere": True})]),
        ("turn every switch off", [("switch_turn_off", {"device": "coffee_maker"})]),
        ("turn the lights in first floor off", [("light_turn_off", {"floor": "upper"})]),
        ("turn the light on the ground floor on", [("light_turn_on", {"floor": "ground"})]),
    ],
)
def test_everywhere(
    matcher: IntentMatcher, home: tuple[ContextGraph, dict[str, str]], text: str,
    calls: list[tuple[str, dict[str, Any]]],
) -> None:
    g, _ = home
    m = _plan(matcher, g, text)
    assert m.plan.cannot is None, m.plan.cannot
    assert _calls(m) == calls


def test_fillers_change_nothing(matcher: IntentMatcher, home: tuple[ContextGraph, dict[str, str]]) -> None:
    g, _ = home
    plain = _plan(matcher, g, "which doors are locked")
    for text in ("which doors are locked right now", "which doors are currently locked"):
        m = _plan(matcher, g, text)
        assert (m.intent, m.slots, _calls(m)) == (plain.intent, plain.slots, _calls(plain)), text


def test_additions_only_add() -> None:
    extra = extra_intents("en")
    assert extra_intents("de") == {}
    base = {"lists": {"x": {"values": ["a"]}}, "intents": {"HassTurnOn": {"data": [{"sentences": ["a"]}]}}}
    merged = merge(base, extra)
    assert merged["intents"]["HassTurnOn"]["data"][0] == {"sentences": ["a"]}
    assert len(merged["intents"]["HassTurnOn"]["data"]) == 1 + len(extra["intents"]["HassTurnOn"]["data"])
    with pytest.raises(ValueError, match="redefine lists"):
        merge(base, {"lists": {"x": {"values": ["b"]}}})
    # every intent fusehub adds sentences for is one the matcher handles
    assert set(extra["intents"]) <= set(HANDLERS)
    assert len({c.device_class for c in SENSED_CLASSES}) == len(SENSED_CLASSES)
