from __future__ import annotations

import types
from datetime import UTC, datetime
from typing import Any

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.errors import DuplicateRegistration, SkillError, UnknownSkill
from fusehub.events import Actor, Context, Origin
from fusehub.home import Home
from fusehub.sdk import Args, SkillContext, SkillRegistry, SkillResult, skill
from pydantic import BaseModel, Field

T0 = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
REG = load_skills(entry_points_too=False)

REQUIRED = {
    "light_turn_on", "light_turn_off", "light_set_brightness", "light_set_color", "switch_turn_on",
    "switch_turn_off", "climate_set_temperature", "climate_set_mode", "cover_open", "cover_close",
    "cover_set_position", "lock_lock", "lock_unlock", "garage_open", "garage_close", "vacuum_start",
    "vacuum_stop", "vacuum_dock", "vacuum_clean_rooms", "media_play", "media_pause", "media_next",
    "media_set_volume", "speaker_announce", "phone_notify", "car_precondition", "car_lock", "scene_activate",
    "timer_start", "timer_cancel", "query_state", "attribute_set", "attribute_get",
}


@pytest.fixture
def ctx(demo_home: Home) -> SkillContext:
    g = ContextGraph()
    g.load_home(demo_home)
    for d in demo_home.devices:
        if d.initial:
            g.apply_state(d.id, dict(d.initial), T0)
    return SkillContext(graph=g, now=T0, context=Context(actor=Actor.person("anna"), origin=Origin.voice,
                                                         room="kitchen"))


def run(ctx: SkillContext, name: str, **args: object) -> SkillResult:
    return REG.execute(name, ctx, dict(args))


def test_builtin_skills_cover_the_list() -> None:
    assert {s.name for s in REG} >= REQUIRED
    secure = {s.name for s in REG if s.permission == "secure"}
    assert secure == {"lock_lock", "lock_unlock", "garage_open", "garage_close", "car_lock", "car_unlock",
                      "car_precondition"}
    assert {s.name for s in REG if s.protective} == {"lock_lock", "garage_close"}
    for s in REG:
        schema = s.schema()
        assert schema.get("additionalProperties") is False, f"{s.name} args must be closed"


# The built-in skills in registration order, as skills/builtin.py registered them before it split by domain.
BEFORE_THE_SPLIT = [
    "light_turn_on", "light_turn_off", "light_set_brightness", "light_set_color", "switch_turn_on",
    "switch_turn_off", "climate_set_temperature", "climate_set_mode", "cover_open", "cover_close",
    "cover_set_position", "lock_lock", "lock_unlock", "garage_open", "garage_close", "vacuum_start", "vacuum_stop",
    "vacuum_dock", "vacuum_clean_rooms", "media_play", "media_pause", "media_next", "media_set_volume",
    "speaker_announce", "phone_notify", "car_precondition", "car_lock", "car_unlock", "scene_activate",
    "timer_start", "timer_cancel", "timer_status", "query_state", "where_is", "attribute_set", "attribute_get",
]


def test_the_domain_modules_register_the_same_skills_once_each_in_a_stable_order() -> None:
    from fusehub.skills import builtin

    reg = SkillRegistry()
    counts = [reg.add_module(m) for m in builtin.MODULES]
    assert sum(counts) == len(BEFORE_THE_SPLIT) and all(counts)  # no module empty, no skill twice (it raises)
    assert [s.name for s in REG] == sorted(BEFORE_THE_SPLIT)
    assert [s.name for s in load_skills(entry_points_too=False)] == [s.name for s in REG]
    # registration order is the old file's order (the registry lists by name, but its dict keeps this order)
    assert list(reg._skills) == BEFORE_THE_SPLIT
    assert len(set(builtin.MODULES)) == len(builtin.MODULES)
    for m in builtin.MODULES:
        assert m.__file__ is not None
        with open(m.__file__, encoding="utf-8") as f:
            assert sum(1 for _ in f) < 600, m.__name__


def test_timer_default_name_is_the_sdks() -> None:
    from fusehub import sdk
    from fusehub.skills import builtin, timers

    assert builtin.timer_default_name is timers.timer_default_name is sdk.timer_default_name
    assert [sdk.timer_default_name(n) for n in (300, 90, 60)] == ["5 minute", "90 second", "1 minute"]


def cmds(res: SkillResult) -> list[tuple[str, str, dict[str, object]]]:
    return [(c.device, c.action, c.params) for c in res.commands]


def test_room_target_and_the_speakers_room(ctx: SkillContext) -> None:
    assert cmds(run(ctx, "light_turn_on")) == [("kitchen_light", "turn_on", {})]  # room of the satellite
    res = run(ctx, "light_turn_off", floor="ground")
    assert {c.device for c in res.commands} == {"hall_light", "living_light", "kitchen_light"}
    res = run(ctx, "light_turn_on", device="living_light", brightness=30, color="red")
    assert cmds(res) == [("living_light", "turn_on", {}), ("living_light", "set_brightness", {"brightness": 30}),
                         ("living_light", "set_color", {"rgb": [255, 0, 0]})]
    assert all(c.context.parent_id == ctx.context.id for c in res.commands)
    assert all(c.expires_at is not None and c.expires_at > T0 for c in res.commands)


def test_relative_changes_are_clamped_to_the_range(ctx: SkillContext) -> None:
    ctx.graph.apply_state("thermostat", {"target_temperature": 34.0}, T0)
    assert cmds(run(ctx, "climate_set_temperature", device="thermostat", change=3)) == [
        ("thermostat", "set_temperature", {"temperature": 35.0})]
    ctx.graph.apply_state("living_light", {"brightness": 90, "on": True}, T0)
    assert cmds(run(ctx, "light_set_brightness", device="living_light", change=25))[0][2] == {"brightness": 100}


def test_declared_attributes_are_set_within_range(ctx: SkillContext) -> None:
    res = run(ctx, "attribute_set", device="humidifier", attribute="target_humidity", value=55)
    assert cmds(res) == [("humidifier", "set_attribute", {"attribute": "target_humidity", "value": 55.0})]
    with pytest.raises(SkillError, match="30-80"):
        run(ctx, "attribute_set", device="humidifier", attribute="target_humidity", value=95)
    with pytest.raises(SkillError, match="one of normal, eco, boost, sleep"):
        run(ctx, "attribute_set", device="humidifier", attribute="mode", value="turbo")
    with pytest.raises(SkillError, match="no attribute"):
        run(ctx, "attribute_set", device="humidifier", attribute="colour", value=1)
    res = run(ctx, "attribute_set", device="humidifier", attribute="target_humidity", change=50)
    assert res.commands[0].params["value"] == 80  # 45 + 50 clamped to the declared max
    assert "45" in (run(ctx, "attribute_get", device="humidifier", attribute="target_humidity").speech or "")


def test_queries_answer_from_the_graph(ctx: SkillContext) -> None:
    ctx.graph.apply_state("back_door_lock", {"locked": False}, T0)
    assert run(ctx, "query_state", device="back_door_lock").speech == "Back door is unlocked"
    ctx.graph.set_available("kitchen_light", False)
    assert "offline" in (run(ctx, "query_state", device="kitchen_light").speech or "")
    ctx.graph.set_person_location("ben", "home", "bedroom", 0.8, T0)
    assert run(ctx, "where_is", person="ben").speech == "Ben is in the bedroom"


def test_missing_things_are_clear_errors(ctx: SkillContext) -> None:
    with pytest.raises(SkillError, match="no device 'toaster'"):
        run(ctx, "switch_turn_on", device="toaster")
    with pytest.raises(SkillError, match="no room 'attic'"):
        run(ctx, "light_turn_on", room="attic")
    with pytest.raises(SkillError, match="invalid arguments"):
        run(ctx, "light_turn_on", room="kitchen", extra=1)
    with pytest.raises(UnknownSkill):
        REG.get("launch_rocket")
    assert cmds(run(ctx, "car_precondition")) == [("anna_car", "precondition", {"on": True})]  # the asker's car
    with pytest.raises(SkillError, match="no device 'batmobile'"):
        run(ctx, "car_precondition", car="batmobile")


def test_scenes_vacuum_and_notify(ctx: SkillContext) -> None:
    res = run(ctx, "scene_activate", scene="Movie time")
    assert ("living_light", "set_brightness", {"brightness": 20}) in cmds(res)
    assert ("living_blinds", "set_position", {"position": 0}) in cmds(res)
    assert res.speech == "Movie time activated"
    assert cmds(run(ctx, "scene_activate", scene="movie")) == cmds(res)  # by id, as by name
    with pytest.raises(SkillError, match="no scene 'disco'"):
        run(ctx, "scene_activate", scene="disco")
    res = run(ctx, "vacuum_clean_rooms", rooms=["kitchen", "Lounge"])
    assert cmds(res) == [("vacuum", "clean_rooms", {"segments": ["20", "18"], "rooms": ["kitchen", "living_room"]})]
    res = run(ctx, "phone_notify", person="anna", message="Door open")
    assert cmds(res) == [("anna_phone", "notify", {"message": "Door open"})]


class A(Args):
    n: int = Field(description="n")


class Open(BaseModel):
    n: int


def test_registry_rejects_duplicates_and_open_args() -> None:
    @skill("dup_test", "one")
    def one(ctx: SkillContext, args: A) -> SkillResult:
        return SkillResult()

    mod = types.ModuleType("thirdparty")
    one.__module__ = "thirdparty"
    object.__setattr__(one.__fusehub_skill__, "source", "thirdparty")  # type: ignore[attr-defined]
    mod.one = one  # type: ignore[attr-defined]
    reg = SkillRegistry()
    assert reg.add_module(mod) == 1
    with pytest.raises(DuplicateRegistration, match="dup_test"):
        reg.add_module(mod)

    with pytest.raises(TypeError, match="pydantic model"):
        skill("no_annotation", "x")(lambda ctx, args: SkillResult())
    with pytest.raises(TypeError, match="closed"):
        def f(ctx: SkillContext, args: Open) -> SkillResult:
            return SkillResult()
        skill("open_args", "x")(f)
    with pytest.raises(ValueError, match="unknown capability"):
        skill("bad_cap", "x", capabilities=("teleport",))


def test_timer_speech_reads_as_english() -> None:
    """The demo said "Timer 3 minute started": the spoken sentence says the duration; the name stays stable."""
    from fusehub import sdk

    assert [sdk.spoken_duration(n) for n in (180, 60, 90, 3600, 5400, 45)] == [
        "3 minutes", "1 minute", "1 minute 30 seconds", "1 hour", "1 hour 30 minutes", "45 seconds"]
    assert sdk.timer_phrase("3 minute") == "the 3 minute timer"
    assert sdk.timer_phrase("pasta timer", "The") == "The pasta timer"


def test_timer_skills_speak_whole_sentences() -> None:
    from fusehub.skills.timers import TimerArgs, TimerCancelArgs, timer_cancel, timer_start

    class Timers:
        def __init__(self) -> None:
            self.started: list[tuple[str, int]] = []

        def start_timer(self, name: str, seconds: int, ctx: object, room: object) -> None:
            self.started.append((name, seconds))

        def cancel_timer(self, name: str | None) -> list[str]:
            return [n for n, _ in self.started if name in (None, n)]

    from types import SimpleNamespace

    timers = Timers()
    ctx: Any = SimpleNamespace(timers=timers, context=SimpleNamespace(room=None))
    assert timer_start(ctx, TimerArgs(seconds=180)).speech == "Started a timer for 3 minutes"
    assert timer_start(ctx, TimerArgs(seconds=90, name="tea")).speech == "Started the tea timer for 1 minute 30 seconds"
    assert timers.started == [("3 minute", 180), ("tea", 90)]  # the names the intent matcher cancels by
    assert timer_cancel(ctx, TimerCancelArgs()).speech == "Cancelled the 3 minute timer and the tea timer"
