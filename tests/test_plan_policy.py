"""One decision for a plan's policy: `fusehub plan --json` shows exactly what the hub does for the same requester
and origin (both call Policy.check_plan), over the whole matrix of roles x origins x skills' permissions x who
made the plan, with an owner at home and with nobody home. And `say` is a voice request unless asked otherwise."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fusehub.app import Hub, build_hub
from fusehub.clock import VirtualClock
from fusehub.config import HubConfig
from fusehub.events import Actor, Context, Origin, Plan, SkillCall
from fusehub.home import Home
from fusehub.journal import Journal
from fusehub.plan_cli import plan_calls
from fusehub.policy import PolicyConfig
from fusehub.protocol import BadRequest, OutcomeResult, SayBody, SayRequest, parse_request
from fusehub.runtime.control import Caller

START = datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
ACTORS = {
    "owner": Actor.person("anna"), "adult": Actor.person("ben"), "child": Actor.person("mia"),
    "guest": Actor.person("sam"), "unknown": Actor.unknown(), "device": Actor.device("hall_motion"),
    "system": Actor.system(),
}
ORIGINS = list(Origin)
CALLS = {
    "read": SkillCall(skill="query_state", args={"device": "front_door_lock"}),
    "control": SkillCall(skill="light_turn_on", args={"device": "kitchen_light"}),
    "secure": SkillCall(skill="lock_unlock", args={"device": "front_door_lock"}),
    "unknown skill": SkillCall(skill="no_such_skill", args={}),
}
SOURCES = ("intent", "planner", "rule", "situation", "cli")


def _hub(home: Home) -> Hub:
    cfg = HubConfig(policy=PolicyConfig(merge_window_s=0, rate_limit_count=1_000_000))
    return build_hub(cfg, clock=VirtualClock(START), home=home, journal=Journal(":memory:"), with_intents=False)


@pytest.mark.parametrize("owner_home", [True, False])
async def test_plan_json_says_what_the_hub_does_over_the_whole_matrix(demo_home: Home, owner_home: bool) -> None:
    hub = _hub(demo_home)
    for p in ("anna", "ben", "mia", "sam"):
        hub.graph.set_person_location(p, "home" if owner_home and p == "anna" else "away", None, 0.95, START)
    cells = mismatches = 0
    seen: set[str] = set()
    problems: list[str] = []
    for actor, who in ACTORS.items():
        for origin in ORIGINS:
            for level, call in CALLS.items():
                for source in SOURCES:
                    plan = Plan(calls=[call], source=source)  # type: ignore[arg-type]
                    ctx = Context(actor=who, origin=origin, room="hallway")
                    shown = plan_calls(hub.policy, plan, ctx, hub.skills, hub.graph)[0]["policy"]
                    done = (await hub.execute(plan, ctx, cause="matrix")).verdicts[0]
                    cells += 1
                    seen.add(shown.split(":")[0])
                    # the executor reports a skill that failed after policy allowed it as `failed`
                    if shown != done and not (shown == "allowed" and done.startswith("failed")):
                        mismatches += 1
                        problems.append(f"{actor}/{origin.value}/{level}/{source}: plan {shown!r}, hub {done!r}")
    assert problems == [] and mismatches == 0
    assert cells == len(ACTORS) * len(ORIGINS) * len(CALLS) * len(SOURCES)
    assert seen == {"allowed", "rejected", "confirm"}  # the matrix reaches every ruling


async def test_a_planner_proposed_secure_call_is_shown_as_the_hub_judges_it(demo_home: Home) -> None:
    """The case the issue found: an owner asks by voice (an owner at home), the planner proposes unlocking.
    Judged with the request's own origin it would be `allowed`; the hub asks for a confirmation."""
    hub = _hub(demo_home)
    hub.graph.set_person_location("anna", "home", "kitchen", 0.95, START)
    plan = Plan(calls=[CALLS["secure"]], source="planner")
    ctx = Context(actor=ACTORS["owner"], origin=Origin.voice, room="kitchen")
    shown = plan_calls(hub.policy, plan, ctx, hub.skills, hub.graph)[0]["policy"]
    done = await hub.execute(plan, ctx, cause="planner")
    assert shown.startswith("confirm") and done.verdicts[0] == shown and done.pending_confirmation


@pytest.mark.parametrize(("body", "want"), [
    ({}, "confirm"),  # as if spoken: a secure call by voice with no owner home needs a confirmation
    ({"origin": "voice"}, "confirm"),
    ({"origin": "cli"}, "allowed"),
])
async def test_say_is_a_voice_request_unless_another_origin_is_asked(demo_home: Home, body: dict[str, str],
                                                                     want: str) -> None:
    hub = _hub(demo_home)
    for p in ("anna", "ben", "mia", "sam"):
        hub.graph.set_person_location(p, "away", None, 0.95, START)
    plan = Plan(calls=[CALLS["secure"]], source="intent")

    async def intent(text: str, ctx: Context) -> Plan:
        return plan

    hub.front.plan_for = intent  # type: ignore[method-assign]
    req = SayRequest(id="r1", body=SayBody.model_validate({"text": "unlock the front door", "person": "anna",
                                                           "room": "hallway", **body}))
    out = await hub.control._handlers["say"](req, Caller("cli", controller=True))
    assert isinstance(out, OutcomeResult)
    assert out.verdicts[0].split(":")[0] == want
    assert plan_calls(hub.policy, plan, Context(actor=ACTORS["owner"], origin=Origin(body.get("origin", "voice"))),
                      hub.skills, hub.graph)[0]["policy"].split(":")[0] == want


def test_say_refuses_an_origin_it_may_not_ask_for() -> None:
    body = {"text": "unlock the front door", "person": "anna", "origin": "rule"}
    envelope = {"id": "r1", "verb": "say", "body": body}
    with pytest.raises(BadRequest, match="origin"):
        parse_request("say", json.dumps(envelope).encode())
