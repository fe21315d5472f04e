"""Bad planner configuration: clear rejections naming the field; a broken model folder leaves the hub running
with no planner (logged), never a crash."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fusehub.app import build_hub, load_planner, load_skills
from fusehub.clock import RealClock
from fusehub.config import HubConfig, ReasonerConfig, load_config
from fusehub.errors import ConfigError
from fusehub.events import Actor, Context, Origin
from fusehub.home import load_home
from fusehub.journal import Journal
from fusehub.reasoner.planner import NullPlanner

from tests.conftest import DEMO_HOME


@pytest.mark.parametrize("reasoner,field", [
    ("{planner: gpt5}", "planner"),
    ("{autonomy: yolo}", "autonomy"),
    ("{clarify_below: 3}", "clarify_below"),
    ("{situations: [{id: arrival, on: arrived}]}", "`situations` was removed: situations act only through"),
    ("{unlock_everything: true}", "unlock_everything"),
])
def test_bad_reasoner_config_is_rejected_naming_the_field(tmp_path: Path, reasoner: str, field: str) -> None:
    cfg = tmp_path / "hub.yaml"
    cfg.write_text(f"reasoner: {reasoner}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=field):
        load_config(cfg)


def test_broken_model_folder_means_no_planner_and_a_running_hub(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "genai_config.json").write_text("{not json", encoding="utf-8")
    config = HubConfig(data_dir=str(tmp_path), reasoner=ReasonerConfig(planner="llm", model_dir=str(broken)))
    with caplog.at_level(logging.ERROR):
        planner = load_planner(config, load_skills(False))
    assert isinstance(planner, NullPlanner)
    assert any("failed to load" in r.getMessage() for r in caplog.records)


async def test_missing_model_folder_is_logged_and_requests_get_cannot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = HubConfig(data_dir=str(tmp_path),
                       reasoner=ReasonerConfig(planner="llm", model_dir=str(tmp_path / "nowhere")))
    with caplog.at_level(logging.WARNING):
        hub = build_hub(config, clock=RealClock(), home=load_home(DEMO_HOME), journal=Journal(":memory:"))
    assert any("not built" in r.getMessage() for r in caplog.records)
    plan = await hub.plan_for("xyzzy frobnicate the quux",
                              Context(actor=Actor.person("anna"), origin=Origin.voice, room="kitchen"))
    assert plan.cannot and not plan.calls
