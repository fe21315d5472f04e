"""Policy: who may run what, from where. Authorization comes from the context, never from text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.events import Actor, Command, Context, Origin, SkillCall
from fusehub.home import Home
from fusehub.policy import Policy, PolicyConfig

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SKILLS = load_skills(entry_points_too=False)
CALLS = {
    "read": SkillCall(skill="query_state", args={"device": "front_door_lock"}),
    "control": SkillCall(skill="light_turn_on", args={"room": "kitchen"}),
    "secure": SkillCall(skill="lock_unlock", args={"device": "front_door_lock"}),
}
ACTORS = {
    "owner": Actor.person("anna"),
    "adult": Actor.person("ben"),
    "child": Actor.person("mia"),
    "guest": Actor.person("sam"),
    "unknown": Actor.unknown(),
    "device": Actor.device("hall_motion"),
}

# (actor, origin) -> expected outcome for a secure call, with an owner at home
SECURE = {
    ("owner", Origin.voice): "allowed",
    ("adult", Origin.voice): "allowed",
    ("child", Origin.voice): "rejected",
    ("guest", Origin.voice): "rejected",
    ("unknown", Origin.voice): "rejected",
    ("device", Origin.device): "rejected",
    ("owner", Origin.phone): "allowed",
    ("owner", Origin.planner): "confirm",
    ("owner", Origin.situation): "confirm",
    ("guest", Origin.planner): "rejected",
    ("unknown", Origin.cli): "rejected",
}


@pytest.fixture
def graph(demo_home: Home) -> ContextGraph:
    g = ContextGraph()
    g.load_home(demo_home)
    g.set_person_location("anna", "home", "kitchen", 0.95, T0)
    return g


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("level", ["read", "control"])
def test_read_and_control_are_open_to_everyone_in_the_house(graph: ContextGraph, actor: str, level: str) -> None:
    call = CALLS[level]
    v = Policy().check_call(call, SKILLS.get(call.skill), Context(actor=ACTORS[actor], origin=Origin.voice), graph)
    assert v.outcome == "allowed"


@pytest.mark.parametrize(("actor", "origin"), list(SECURE))
def test_secure_matrix(graph: ContextGraph, actor: str, origin: Origin) -> None:
    call = CALLS["secure"]
    v = Policy().check_call(call, SKILLS.get(call.skill), Context(actor=ACTORS[actor], origin=origin), graph)
    assert v.outcome == SECURE[(actor, origin)], v.reason
    if v.outcome == "rejected":
        assert v.reason


# (actor, origin) -> expected outcome for a protective call (locking), with an owner at home
PROTECTIVE = {
    ("owner", Origin.voice): "allowed",
    ("child", Origin.voice): "allowed",
    ("guest", Origin.voice): "allowed",
    ("guest", Origin.planner): "allowed",
    ("unknown", Origin.voice): "rejected",
    ("device", Origin.device): "rejected",
}


@pytest.mark.parametrize(("actor", "origin"), list(PROTECTIVE))
def test_locking_is_open_to_any_identified_person(graph: ContextGraph, actor: str, origin: Origin) -> None:
    """Conventions 14: locking and closing, any identified person; unlocking and opening stay owner/adult."""
    for name, args in (("lock_lock", {"device": "front_door_lock"}), ("garage_close", {"device": "garage_door"})):
        call = SkillCall(skill=name, args=args)
        v = Policy().check_call(call, SKILLS.get(name), Context(actor=ACTORS[actor], origin=origin), graph)
        assert v.outcome == PROTECTIVE[(actor, origin)], (name, v.reason)
    undo = SkillCall(skill="garage_open", args={"device": "garage_door"})
    v = Policy().check_call(undo, SKILLS.get("garage_open"), Context(actor=ACTORS[actor], origin=origin), graph)
    assert v.outcome != "allowed" or actor == "owner"


def test_only_secure_skills_can_be_protective() -> None:
    from fusehub.sdk import skill

    with pytest.raises(ValueError, match="protective"):
        skill("x_lock", "x", protective=True)


def test_rules_may_lock_up(graph: ContextGraph) -> None:
    call = SkillCall(skill="lock_lock", args={"device": "front_door_lock"})
    ctx = Context(actor=Actor.system(), origin=Origin.rule)
    assert Policy().check_call(call, SKILLS.get("lock_lock"), ctx, graph).outcome == "allowed"
    strict = Policy(PolicyConfig(secure_from_rules=False))
    assert strict.check_call(call, SKILLS.get("lock_lock"), ctx, graph).outcome == "rejected"


def test_voice_secure_without_an_owner_home_needs_confirmation(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home)
    g.set_person_location("ben", "home", "hallway", 0.95, T0)
    call = CALLS["secure"]
    v = Policy().check_call(call, SKILLS.get(call.skill), Context(actor=ACTORS["adult"], origin=Origin.voice), g)
    assert v.outcome == "confirm"


def test_invalid_args_are_rejected_with_the_field(graph: ContextGraph) -> None:
    call = SkillCall(skill="light_set_brightness", args={"room": "kitchen", "brightness": 180})
    v = Policy().check_call(call, SKILLS.get(call.skill), Context(actor=ACTORS["owner"]), graph)
    assert v.outcome == "rejected" and "brightness" in v.reason
    call = SkillCall(skill="light_turn_on", args={"room": "kitchen", "unlock": True})
    v = Policy().check_call(call, SKILLS.get(call.skill), Context(actor=ACTORS["owner"]), graph)
    assert v.outcome == "rejected" and "unlock" in v.reason


def test_unknown_person_is_rejected(graph: ContextGraph) -> None:
    call = CALLS["control"]
    v = Policy().check_call(call, SKILLS.get(call.skill), Context(actor=Actor.person("mallory")), graph)
    assert v.outcome == "rejected"


def _cmd(action: str = "turn_on", device: str = "hall_light") -> Command:
    return Command(time=T0, device=device, capability="on_off", action=action)


def test_identical_commands_merge_within_the_window() -> None:
    p = Policy(PolicyConfig(merge_window_s=2))
    assert p.admit_command(_cmd(), T0).outcome == "allowed"
    assert "merged" in p.admit_command(_cmd(), T0 + timedelta(seconds=1)).reason
    assert p.admit_command(_cmd("turn_off"), T0 + timedelta(seconds=1)).outcome == "allowed"
    assert p.admit_command(_cmd(), T0 + timedelta(seconds=3)).outcome == "allowed"


def test_per_device_rate_limit() -> None:
    p = Policy(PolicyConfig(merge_window_s=0, rate_limit_count=3, rate_limit_window_s=10))
    results = [p.admit_command(_cmd(action=f"a{i}"), T0 + timedelta(seconds=i)).outcome for i in range(5)]
    assert results == ["allowed", "allowed", "allowed", "rejected", "rejected"]
    assert p.admit_command(_cmd(device="kitchen_light"), T0 + timedelta(seconds=4)).outcome == "allowed"
    assert p.admit_command(_cmd(action="later"), T0 + timedelta(seconds=11)).outcome == "allowed"
