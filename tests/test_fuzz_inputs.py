"""Property tests on the other input paths: home, rules, scenario and config YAML, utterance text into the
local reasoners, and CLI arguments. Bad input is a clear ConfigError or a usage error, never a crash."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import yaml
from fusehub.app import build_hub
from fusehub.cli import app
from fusehub.clock import RealClock
from fusehub.config import HubConfig, load_config
from fusehub.errors import ConfigError
from fusehub.events import Actor, Context, Origin
from fusehub.home import load_home, parse_home
from fusehub.journal import Journal
from fusehub.reasoner.rules import parse_rules
from fusehub.simulations.scenario import parse_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import DEMO_HOME, DEMO_RULES
from tests.fuzz_inputs import HOSTILE_TEXT, json_values

DEMO_TEXT = DEMO_HOME.read_text()
RULES_TEXT = DEMO_RULES.read_text()


def mutate_yaml(text: str, cut: int, insert: str) -> str:
    cut %= max(1, len(text))
    return text[:cut] + insert + text[cut + len(insert):]


yaml_docs = st.one_of(
    st.text(max_size=300),
    json_values.map(lambda v: yaml.safe_dump(v)),
    st.builds(mutate_yaml, st.just(DEMO_TEXT), st.integers(0, 20000), st.text(max_size=20)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=yaml_docs)
def test_home_yaml_never_crashes(doc: str) -> None:
    try:
        parse_home(doc, "fuzz.yaml")
    except ConfigError as e:
        assert "fuzz.yaml" in str(e)


@settings(max_examples=150, deadline=None)
@given(doc=st.one_of(yaml_docs, st.builds(mutate_yaml, st.just(RULES_TEXT), st.integers(0, 5000),
                                            st.text(max_size=20))))
def test_rules_and_scenarios_never_crash(doc: str) -> None:
    for parse in (parse_rules, parse_scenario):
        try:
            parse(doc, "fuzz.yaml")
        except ConfigError as e:
            assert "fuzz.yaml" in str(e)


@settings(max_examples=100, deadline=None)
@given(doc=yaml_docs)
def test_config_never_crashes(doc: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "config.yaml"
        p.write_text(doc)
        try:
            load_config(p)
        except ConfigError as e:
            assert "config.yaml" in str(e)


HUB = build_hub(HubConfig(home=str(DEMO_HOME)), clock=RealClock(), home=load_home(DEMO_HOME),
                journal=Journal(":memory:"))
utterances = st.one_of(st.text(max_size=200), HOSTILE_TEXT,
                       st.lists(st.sampled_from(["turn", "on", "off", "the", "kitchen", "light", "unlock", "door",
                                                 "set", "to", "%", "99999999999", "-5", "humidifier", "mode",
                                                 "timer", "for", "minutes", "garage", "lock"]),
                                max_size=12).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(text=utterances, room=st.sampled_from([None, "kitchen", "hallway"]))
def test_any_utterance_gives_a_valid_plan(text: str, room: str | None) -> None:
    ctx = Context(actor=Actor.unknown(), origin=Origin.voice, room=room)
    plan = asyncio.run(HUB.plan_for(text, ctx))
    for call in plan.calls:
        HUB.skills.get(call.skill).validate_args(call.args)  # raises if the plan were not valid
    assert plan.calls or plan.cannot or plan.speech is not None or plan.calls == []


cli_args = st.lists(st.one_of(
    st.sampled_from(["plan", "sim", "run", "skills", "list", "context", "show", "why", "say", "log", "confirm",
                     "--home", str(DEMO_HOME), "--say", "--json", "--state", "--person", "--room", "--mode",
                     "--config", "/nonexistent", "--limit", "-1", "--why", "anna", "x"]),
    st.text(max_size=15),
), max_size=7)


@settings(max_examples=120, deadline=None)
@given(args=cli_args)
def test_cli_never_shows_a_traceback(args: list[str]) -> None:
    if "run" in args and "--config" not in args:
        return  # `fusehub run` without a config starts the demo: not a parsing question
    if "say" in args or "why" in args or ("show" in args and "--home" not in args):
        args = [*args, "--timeout", "0.2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1, 2)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
