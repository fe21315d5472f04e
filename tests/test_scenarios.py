"""Every shipped scenario passes end to end: real mosquitto, the real hub on a virtual clock, virtual
devices speaking their ecosystems' MQTT conventions. And a scenario that should fail does."""

from __future__ import annotations

from pathlib import Path

import pytest
from fusehub.simulations.broker import Mosquitto
from fusehub.simulations.runner import run_scenario
from fusehub.simulations.scenario import load_scenario, parse_scenario

from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "simulations" / "scenarios").glob("*.yaml"))


def test_at_least_ten_scenarios_ship() -> None:
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
async def test_shipped_scenario_passes(path: Path, mosquitto: Mosquitto) -> None:
    sc = load_scenario(path)
    res = await run_scenario(sc, broker_url=mosquitto.url)
    report = "\n".join([f"error: {res.error}"] + [f"{'PASS' if c.passed else 'FAIL'} {c.label} ({c.detail})"
                                                  for c in res.checks] + res.timeline)
    assert res.error is None, report
    assert res.checks, "a scenario without expectations proves nothing"
    assert res.passed, report


async def test_a_wrong_expectation_fails(mosquitto: Mosquitto) -> None:
    text = (ROOT / "simulations" / "scenarios" / "arrive_after_dark.yaml").read_text()
    sc = parse_scenario(text, str(ROOT / "simulations" / "scenarios" / "wrong.yaml"))
    sc = sc.model_copy(update={"expect": parse_scenario(text.split("expect:")[0] + """expect:
  - command: {device: garage_door, state: {open_state: open}}
  - never: {device: hall_light}
  - state: {device: hall_light, attribute: "on", equals: true}
    at: "18:25"
""", sc.path or "").expect})
    res = await run_scenario(sc, broker_url=mosquitto.url)
    assert res.error is None
    assert [c.passed for c in res.checks] == [False, False, False]
    assert "no command" in res.checks[0].detail


async def test_a_broken_scenario_is_an_error_not_a_crash(mosquitto: Mosquitto, tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: bad\nhome: nowhere.yaml\nstart: '2026-01-01 10:00'\nexpect: []\n")
    res = await run_scenario(load_scenario(p), broker_url=mosquitto.url)
    assert not res.passed and res.error and "cannot read home file" in res.error


@pytest.mark.parametrize("person,why", [("anna", "no confirmation to answer"), ("mia", "no phone"),
                                        ("zed", "no phone")])
async def test_a_confirm_step_with_nothing_to_confirm_is_an_error_not_a_crash(
    mosquitto: Mosquitto, person: str, why: str
) -> None:
    home = ROOT / "simulations" / "homes" / "demo.yaml"
    sc = parse_scenario(f"name: confirm nothing\nhome: {home}\nstart: '2026-11-23 18:00'\n"
                        f"timeline:\n  - {{at: '18:01', confirm: {{person: {person}}}}}\nexpect: []\n")
    res = await run_scenario(sc, broker_url=mosquitto.url)
    assert not res.passed and res.error and why in res.error, res.error
