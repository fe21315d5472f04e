"""CLI output that reads well piped and in a terminal: plain help without `<bool>` placeholders, full ids and
tab-separated rows when piped, the home file's initial states, correct usage lines."""

from __future__ import annotations

import json
from typing import Any

import typer
from fusehub.cli import app
from fusehub.home import load_home
from typer.testing import CliRunner

from tests.conftest import DEMO_HOME

runner = CliRunner()


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = [prefix]
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):  # a group (typer vendors its own click)
            found += _commands(cmd, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def test_no_help_shows_a_value_placeholder_for_a_flag() -> None:
    root = typer.main.get_command(app)
    commands = _commands(root)
    assert ("skills", "list") in commands and ("model", "check") in commands
    for path in commands:
        r = runner.invoke(app, [*path, "--help"], prog_name="fusehub")
        assert r.exit_code == 0, (path, r.output)
        assert "<bool>" not in r.output, (path, r.output)
        assert f"Usage: fusehub {' '.join(path)}".rstrip() in r.output


def test_piped_context_show_prints_full_ids_and_the_initial_states() -> None:
    r = runner.invoke(app, ["context", "show", "--home", str(DEMO_HOME)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split("\t") == ["device", "name", "kind", "room", "capabilities", "state", "available"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    home = load_home(DEMO_HOME)
    for d in home.devices:
        assert d.id in rows, f"{d.id} missing or cut"  # e.g. front_door_lock, not front_do…
    assert rows["front_door_lock"][5] == "locked=true"
    assert rows["kitchen_light"][5] == "on=false, brightness=0"
    assert rows["front_door_lock"][6] == "?"  # a home file says nothing of availability
    assert "…" not in r.output


def test_context_show_home_json_carries_the_initial_states() -> None:
    r = runner.invoke(app, ["context", "show", "--home", str(DEMO_HOME), "--json"])
    assert r.exit_code == 0
    nodes = {n["id"]: n for n in json.loads(r.output)["nodes"] if n.get("type") == "device"}
    assert nodes["front_door_lock"]["state"] == {"locked": True}


def test_piped_skills_list_is_one_full_row_per_skill() -> None:
    r = runner.invoke(app, ["skills", "list"])
    assert r.exit_code == 0
    names = [line.split("\t")[0] for line in r.output.splitlines()[1:]]
    data = json.loads(runner.invoke(app, ["skills", "list", "--json"]).output)
    assert names == [s["name"] for s in data]


def test_model_train_help_names_the_real_command() -> None:
    r = runner.invoke(app, ["model", "train", "--help-train"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("usage: fusehub model train ")
