"""The `fusehub` command: plan JSON contract, skills list, context show, clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fusehub.cli import app
from typer.testing import CliRunner

from tests.conftest import DEMO_HOME

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.output


def test_plan_prints_the_public_json_contract() -> None:
    code, out = invoke("plan", "--home", str(DEMO_HOME), "--say", "turn on the kitchen light", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert set(data) == {"text", "source", "confidence", "calls", "cannot", "cannots", "speech"}
    assert data["source"] == "intent"
    assert data["calls"] == [{"skill": "light_turn_on", "args": {"device": "kitchen_light"},
                              "permission": "control", "policy": "allowed"}]


def test_plan_applies_the_actor_and_state(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"people": {"anna": {"location": "home", "room": "hallway"}},
                                 "devices": {"front_door_lock": {"locked": True}}}))
    code, out = invoke("plan", "--home", str(DEMO_HOME), "--state", str(state), "--person", "sam", "--room",
                       "hallway", "--say", "unlock the front door", "--json")
    assert code == 0, out
    call = json.loads(out)["calls"][0]
    assert call["skill"] == "lock_unlock" and call["permission"] == "secure"
    assert call["policy"].startswith("rejected") and "guest" in call["policy"]


def test_plan_of_something_unknown_says_cannot() -> None:
    code, out = invoke("plan", "--home", str(DEMO_HOME), "--say", "launch the rocket to mars", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["calls"] == [] and data["cannot"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plan", "--home", "/nonexistent.yaml", "--say", "x"], "does not exist"),
        (["plan", "--home", str(DEMO_HOME), "--say", "x", "--mode", "magic"], "--mode"),
        (["plan", "--home", str(DEMO_HOME), "--say", "x", "--person", "mallory"], "unknown person"),
        (["sim", "run", "/nonexistent/scenario.yaml"], "cannot read scenario"),
        (["context", "show", "--home", "/nonexistent.yaml"], "does not exist"),
        (["log", "--limit", "0"], "limit"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_arguments_give_clear_errors(args: list[str], needle: str) -> None:
    code, out = invoke(*args)
    assert code != 0
    assert needle in out


def test_invalid_home_file_is_explained(tmp_path: Path) -> None:
    bad = tmp_path / "home.yaml"
    bad.write_text("rooms: [{id: kitchen, name: Kitchen}]\ndevices: [{id: x, name: X, ecosystem: homeassistant, "
                   "room: attic}]\n")
    code, out = invoke("context", "show", "--home", str(bad))
    assert code == 2
    assert "unknown room 'attic'" in out


def test_skills_list_json_has_schemas() -> None:
    code, out = invoke("skills", "list", "--json")
    assert code == 0
    skills = {s["name"]: s for s in json.loads(out)}
    assert skills["lock_unlock"]["permission"] == "secure"
    assert skills["light_set_brightness"]["args"]["properties"]["brightness"]["anyOf"][0]["maximum"] == 100


def test_context_show_of_a_home_file() -> None:
    code, out = invoke("context", "show", "--home", str(DEMO_HOME), "--json")
    assert code == 0
    data = json.loads(out)
    devices = {n["id"]: n for n in data["nodes"] if n.get("type") == "device"}
    assert devices["front_door_lock"]["capabilities"] == ["lock"]
    assert devices["anna_phone"]["key"] == "owntracks:anna/pixel"


def test_say_without_a_running_hub_fails_clearly(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("mqtt: {url: 'mqtt://127.0.0.1:1'}\n")
    code, out = invoke("say", "hello", "--config", str(cfg), "--timeout", "1")
    assert code == 2
    assert "cannot connect to the MQTT broker at mqtt://127.0.0.1:1" in " ".join(out.split()), out


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("mqtt: [", "not valid YAML"),
        ("mqtt: {url: 'http://example.com'}", "mqtt.url"),
        ("hub_id: 'bad id!'", "hub_id"),
        ("policy: {rate_limit_count: 0}", "policy.rate_limit_count"),
        ("colour: blue", "colour"),
        ("requests: {users: {lamp: {}}}", "requests.users.lamp"),
        ("requests: {users: {'a/b': {controller: true}}}", "topic level"),
        ("requests: {user: {}}", "requests.user"),
    ],
)
def test_invalid_config_is_explained(tmp_path: Path, text: str, needle: str) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text + "\n")
    code, out = invoke("run", "--config", str(cfg))
    assert code == 2
    assert needle in out and "config.yaml" in out


def test_model_build_help_shows_the_extra_literally() -> None:
    code, out = invoke("model", "build", "--help")
    assert code == 0
    assert "pip install -e '.[build]'" in " ".join(out.split()), out  # rich markup used to eat `[build]`


def _journal_config(tmp_path: Path) -> Path:
    """A config whose home is in New York, and a journal with one command recorded at 12:00 UTC."""
    from datetime import UTC, datetime

    from fusehub.events import Command, Context
    from fusehub.journal import Journal

    home = DEMO_HOME.read_text(encoding="utf-8").replace("timezone: Europe/Amsterdam", "timezone: America/New_York")
    assert "America/New_York" in home
    (tmp_path / "home.yaml").write_text(home)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"home: home.yaml\ndata_dir: {tmp_path}\n")
    j = Journal(tmp_path / "journal.sqlite")
    j.record(Command(time=datetime(2026, 1, 5, 12, 0, tzinfo=UTC), context=Context(), device="kitchen_light",
                     capability="light", action="turn_on"), summary="kitchen_light light.turn_on()", durable=True)
    j.close()
    return cfg


def test_log_rejections_with_none_says_so_and_times_are_in_the_hubs_zone(tmp_path: Path) -> None:
    cfg = _journal_config(tmp_path)
    code, out = invoke("log", "--rejections", "--config", str(cfg))
    assert code == 0 and "no rejected inputs" in out, out
    code, out = invoke("log", "--config", str(cfg))
    assert code == 0, out
    assert "2026-01-05 07:00:00 EST" in out and "kitchen_light" in out, out  # 12:00 UTC in New York
