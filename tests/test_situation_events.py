"""Situations from the fused context, through the whole hub and a real broker: a car's ETA crossing a preference's
threshold (with the outside temperature from the home's outdoor sensor as a condition), the car reaching the
driveway, sunset at the home's location (astral), the outside temperature crossing a value."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml as pyyaml
from fusehub import yamlio as yaml
from fusehub.home import Home, parse_home
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import SimSession

from tests.conftest import DEMO_HOME

TZ = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 23, 17, 0, tzinfo=TZ)
WORK = {"latitude": 52.3391, "longitude": 4.8730}
HOME = {"latitude": 52.3731, "longitude": 4.8922}


def _home(prefs: list[dict[str, Any]], outside: float = 2.0) -> Home:
    data = yaml.safe_load(DEMO_HOME.read_text(encoding="utf-8"))
    data["devices"].append({"id": "outside_temp", "name": "Outside temperature", "kind": "sensor",
                            "ecosystem": "homeassistant", "initial": {"value": outside, "unit": "°C"}})
    data["outdoor_sensor"] = "outside_temp"
    data["preferences"] = prefs
    return parse_home(pyyaml.safe_dump(data, allow_unicode=True), "demo+outside.yaml")


WARM_UP = {"id": "warm_up", "when": {"situation": "arriving", "person": ["anna"], "within_min": 15},
           "if": {"outside_below": 5}, "autonomy": "act",
           "then": [{"skill": "climate_set_temperature", "args": {"device": "thermostat", "temperature": 21}}]}
DRIVEWAY = {"id": "driveway", "when": {"situation": "car_home", "person": ["anna"]}, "autonomy": "act",
            "then": [{"skill": "light_turn_on", "args": {"device": "hall_light"}}]}


def _to(sim: SimSession, device: str) -> list[dict[str, Any]]:
    return [r.changes for r in sim.world.received if r.device == device]


async def _drive_home(sim: SimSession) -> None:
    await sim.world.move("anna", "work", initial=True)
    await sim.world.set_state("anna_car", {**WORK, "speed": 0, "heading": 20})
    await sim.advance_to(START.replace(minute=2))
    await sim.settle()
    await sim.world.set_state("anna_car", {**WORK, "speed": 40, "heading": 20})  # ~8 min out, heading home
    await sim.settle()
    await sim.advance_to(START.replace(minute=3))
    await sim.settle()


async def test_car_eta_under_the_threshold_when_cold_warms_the_house(mosquitto: Mosquitto) -> None:
    async with SimSession(_home([WARM_UP, DRIVEWAY]), [], START, mosquitto.url, "5") as sim:
        await _drive_home(sim)
        assert _to(sim, "thermostat") == [{"target_temperature": 21.0}], sim.timeline[-15:]
        decision = next(d for d in sim.hub.journal.recent(("decision",), 100) if "warm_up" in d["summary"])
        assert "eta_min=" in decision["summary"] and "outside_c=2" in decision["summary"]
        assert not _to(sim, "hall_light")
        await sim.world.set_state("anna_car", {**HOME, "speed": 0})  # in the driveway
        await sim.settle()
        await sim.advance_to(START.replace(minute=4))
        await sim.settle()
        assert _to(sim, "hall_light") == [{"on": True}]
        assert len(_to(sim, "thermostat")) == 1  # the ETA crossing fired once


async def test_car_eta_when_it_is_mild_does_nothing(mosquitto: Mosquitto) -> None:
    async with SimSession(_home([WARM_UP], outside=12.0), [], START, mosquitto.url, "5") as sim:
        await _drive_home(sim)
        assert not _to(sim, "thermostat")
        assert not [d for d in sim.hub.journal.recent(("decision",), 100) if d["body"]["plan"]["source"] ==
                    "situation"]


async def test_sunset_and_frost_come_from_the_fused_context(mosquitto: Mosquitto) -> None:
    prefs = [{"id": "dusk", "when": {"situation": "sunset"}, "autonomy": "act",
              "then": [{"skill": "cover_close", "args": {"device": "living_blinds"}}]},
             {"id": "frost", "when": {"situation": "outside_temperature", "below": 0}, "autonomy": "act",
              "then": [{"notify": "Frost tonight", "to": "owners"}]}]
    before_sunset = START.replace(hour=16, minute=20)  # sunset in Amsterdam on 23 Nov: about 16:36
    async with SimSession(_home(prefs), [], before_sunset, mosquitto.url, "5") as sim:
        await sim.advance_to(before_sunset.replace(minute=30))
        await sim.settle()
        assert not _to(sim, "living_blinds")
        await sim.advance_to(before_sunset.replace(minute=45))
        await sim.settle()
        assert _to(sim, "living_blinds") == [{"position": 0}]
        await sim.world.set_state("outside_temp", {"value": -1.5})
        await sim.settle()
        await sim.advance_to(before_sunset.replace(minute=46))
        await sim.settle()
        notes = [r for r in sim.world.received if r.device == "anna_phone"]
        assert len(notes) == 1 and "Frost tonight" in notes[0].payload
