"""One settings object: every key is read by something, unknown keys are rejected naming the key and the file,
and the configured command TTL reaches every command the hub makes, the ones it makes itself included."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fusehub.app import build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig, load_config
from fusehub.errors import ConfigError
from fusehub.events import Actor, Command, Context, Origin, Plan, SkillCall
from fusehub.home import Home
from fusehub.journal import Journal
from fusehub.reasoner.planner import NullPlanner

START = datetime(2026, 11, 23, 19, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.mark.parametrize("text,key", [
    ("policy: {merge_window: 2}\n", "merge_window"),  # a typo of merge_window_s
    ("reasoner: {confidence_threshold: 0.5}\n", "confidence_threshold"),  # read by nothing: removed
    ("mqtt: {host: broker.lan}\n", "host"),
    ("command_ttl: 30\n", "command_ttl"),
])
def test_unknown_keys_are_rejected_naming_the_key_and_the_file(tmp_path: Path, text: str, key: str) -> None:
    cfg = tmp_path / "hub.yaml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key) as e:
        load_config(cfg)
    assert str(cfg) in str(e.value)


async def test_every_command_the_hub_makes_carries_the_configured_ttl(demo_home: Home, tmp_path: Path) -> None:
    """Skill calls, owners' confirmation notes, spoken answers and timer announcements alike."""
    clock = VirtualClock(START)
    hub = build_hub(HubConfig(data_dir=str(tmp_path), command_ttl_s=7), clock=clock, home=demo_home,
                    journal=Journal(":memory:"), planner=NullPlanner(), with_intents=False)
    seen: list[Command] = []
    hub.bus.subscribe("test", Command, lambda c: seen.append(c))
    anna = Context(actor=Actor.person("anna"), origin=Origin.cli, room="kitchen")
    await hub.execute(Plan(calls=[SkillCall(skill="light_turn_on", args={"device": "kitchen_light"})],
                           source="cli"), anna, cause="test")
    await hub.executor.ask_owners("p1", SkillCall(skill="lock_unlock", args={"device": "front_door_lock"}), anna)
    speaker = next(d.id for d in hub.graph.devices(capability="tts"))
    await hub.executor.speak(speaker, "hello", anna)
    hub.timers.start_timer("tea", 60, anna, None)
    clock.advance(61)
    await hub.scheduler.run_due()
    kinds = {(c.capability, c.action) for c in seen}
    assert {"notify", "tts"} <= {cap for cap, _ in kinds} and len(kinds) >= 3, kinds
    assert sum(1 for c in seen if c.params.get("message") == "The tea timer is done") >= 1
    for c in seen:
        assert c.expires_at is not None and c.expires_at - c.time == timedelta(seconds=7), c

