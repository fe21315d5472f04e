"""Errors a person can act on: a YAML syntax error names the file and the line, a validation error names the key
and its line, and a `fusehub plan --state` file is checked like a home file's `initial:` states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fusehub.cli import app
from fusehub.config import load_config
from fusehub.errors import ConfigError
from fusehub.home import load_home, parse_home
from fusehub.reasoner.rules import parse_rules
from typer.testing import CliRunner

from tests.conftest import DEMO_HOME

runner = CliRunner()

BROKEN = "rooms:\n  - id: kitchen\n    name: Kitchen\n  - id: hall\n    name: [Hall\ndevices: []\n"


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    home = tmp_path / "home.yaml"
    home.write_text(BROKEN)
    with pytest.raises(ConfigError) as e:
        load_home(home)
    assert str(e.value).startswith(f"{home}:6:")
    assert "<unicode string>" not in str(e.value)


def test_a_config_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("hub_id: home\nmqtt:\n  url: mqtt://localhost:1883\n  username: [x\n")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert str(e.value).startswith(f"{cfg}:5:") and "<unicode string>" not in str(e.value)


def test_a_rules_syntax_error_names_the_source_and_line() -> None:
    with pytest.raises(ConfigError) as e:
        parse_rules("rules:\n  - id: a\n    when: {event: [x\n", "rules.yaml")
    assert str(e.value).startswith("rules.yaml:4:")


def test_a_bad_key_is_named_with_its_line(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("hub_id: home\nmqtt:\n  url: mqtt://localhost:1883\n  keepalive: 1\n")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert "mqtt.keepalive (line 4)" in str(e.value)


def test_a_home_initial_state_is_checked_against_the_capabilities() -> None:
    text = ("rooms: [{id: kitchen, name: Kitchen}]\ndevices:\n  - {id: l, name: L, kind: light, room: kitchen, "
            "ecosystem: homeassistant, initial: {\"on\": maybe, brightness: 150, extra: 1}}\n")
    with pytest.raises(ConfigError) as e:
        parse_home(text, "home.yaml")
    msg = str(e.value)
    assert "initial.on: 'maybe' is not true or false" in msg and "brightness: 150 is out of range" in msg
    assert "extra" not in msg  # attributes no capability fixes pass (devices report extras)


def test_a_declared_attribute_is_checked_in_initial_state() -> None:
    text = ("rooms: [{id: kitchen, name: Kitchen}]\ndevices:\n  - {id: h, name: H, kind: generic, room: kitchen, "
            "ecosystem: homeassistant, attributes: {mode: {type: enum, options: [low, high]}}, "
            "initial: {mode: turbo}}\n")
    with pytest.raises(ConfigError, match=r"initial.mode: 'turbo' is not one of"):
        parse_home(text, "home.yaml")


@pytest.mark.parametrize(
    ("state", "needles"),
    [
        ({"devices": {"kitchen_light": {"on": "maybe"}}}, ["devices.kitchen_light.on: 'maybe' is not true or false"]),
        ({"devices": {"kitchen_light": {"brightness": 150}}}, ["devices.kitchen_light.brightness: 150 is out of"]),
        ({"devices": {"ghost": {"on": True}}}, ["devices.ghost: unknown device"]),
        ({"people": {"anna": {"location": "home", "room": "attic"}}}, ["people.anna.room: unknown room 'attic'"]),
        ({"people": {"mallory": {"location": "home"}}}, ["people.mallory: unknown person"]),
        ({"people": {"anna": {"location": "home", "confidence": 3}}}, ["people.anna.confidence"]),
        ({"pople": {}}, ["pople: Extra inputs are not permitted"]),
        ([1, 2], ["invalid state file"]),
    ],
)
def test_plan_state_file_is_validated_like_a_home_file(tmp_path: Path, state: object, needles: list[str]) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    r = runner.invoke(app, ["plan", "--home", str(DEMO_HOME), "--state", str(path), "--say", "lights on", "--json"])
    assert r.exit_code == 2, r.output
    assert str(path) in r.output
    for n in needles:
        assert n in r.output


def test_a_state_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{devices: ")
    r = runner.invoke(app, ["plan", "--home", str(DEMO_HOME), "--state", str(path), "--say", "lights on"])
    assert r.exit_code == 2 and f"{path}: not valid JSON" in r.output
