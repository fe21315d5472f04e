from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fusehub.clock import VirtualClock
from fusehub.context.graph import ContextGraph
from fusehub.errors import ConfigError, DuplicateRegistration
from fusehub.events import HubEvent, StateChanged
from fusehub.home import Home
from fusehub.reasoner.rules import RuleSet, parse_duration, parse_rules
from fusehub.scheduler import Scheduler

from tests.conftest import DEMO_RULES

T0 = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # 18:30 in Amsterdam


def test_demo_rules_load() -> None:
    rules = parse_rules(DEMO_RULES.read_text())
    assert {r.id for r in rules} >= {"arrival_after_dark", "everyone_left", "bedtime"}
    arrival = next(r for r in rules if r.id == "arrival_after_dark")
    assert arrival.actions[1].delay == 600


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules: [", "not valid YAML"),
        ("rules: [{id: a, trigger: {event: x}, actions: []}]", "actions"),
        ("rules: [{id: a, trigger: {}, actions: [{skill: s}]}]", "exactly one of event, state or time"),
        ("rules: [{id: a, trigger: {state: on}, actions: [{skill: s}]}]", "needs an entity"),
        ("rules: [{id: a, trigger: {event: x}, actions: [{skill: s, delay: soon}]}]", "bad duration"),
        ("rules: [{id: a, trigger: {event: x}, conditions: [{after: '25:99'}], actions: [{skill: s}]}]", "bad time"),
        ("rules:\n - {id: a, trigger: {event: x}, actions: [{skill: s}]}\n - {id: a, trigger: {event: y}, "
         "actions: [{skill: s}]}", "duplicate rule id"),
    ],
)
def test_invalid_rules_are_explained(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_rules(text, "rules.yaml")
    assert needle in str(e.value)


def test_parse_duration() -> None:
    assert parse_duration("90") == 90 and parse_duration("5m") == 300 and parse_duration("1.5h") == 5400
    with pytest.raises(ValueError):
        parse_duration("-3s")


def test_triggers_and_conditions(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home)
    rs = RuleSet(parse_rules(DEMO_RULES.read_text()), demo_home.timezone)
    arrived = HubEvent(time=T0, entity="person:anna", name="arrived")
    assert [r.id for r in rs.matching(arrived, g)] == ["arrival_after_dark", "lock_car_at_home"]
    midday = HubEvent(time=T0.replace(hour=11), entity="person:anna", name="arrived")
    assert [r.id for r in rs.matching(midday, g)] == ["lock_car_at_home"]
    g.apply_state("vacuum", {"status": "cleaning"}, T0)
    assert [r.id for r in rs.matching(midday, g)] == ["vacuum_docks_on_arrival", "lock_car_at_home"]
    night = T0.replace(hour=23)  # 00:00 local: inside 23:00-06:30 across midnight
    motion = StateChanged(time=night, entity="hall_motion", attribute="motion", old=False, new=True)
    assert [r.id for r in rs.matching(motion, g)] == ["night_motion"]
    no_motion = StateChanged(time=night, entity="hall_motion", attribute="motion", old=True, new=False)
    assert rs.matching(no_motion, g) == []


async def test_scheduler_runs_jobs_in_order_on_the_virtual_clock() -> None:
    clock = VirtualClock(T0)
    s = Scheduler(clock, "Europe/Amsterdam")
    ran: list[str] = []

    def rec(name: str):  # type: ignore[no-untyped-def]
        async def job() -> None:
            ran.append(f"{name}@{clock.now().astimezone(UTC):%H:%M}")
        return job

    s.after("later", 600, rec("later"))
    s.after("soon", 60, rec("soon"))
    s.cron("daily", "19:00", rec("daily"))  # 18:00 UTC
    s.every("tick", 1800, rec("tick"))
    with pytest.raises(DuplicateRegistration):
        s.after("soon", 5, rec("x"))
    s.after("cancelled", 30, rec("cancelled"))
    assert s.cancel("cancelled") and not s.cancel("cancelled")
    while (due := s.next_due()) is not None and due <= T0.replace(hour=18, minute=0):
        clock.set(due)
        await s.run_due()
    assert ran == ["soon@17:31", "later@17:40", "daily@18:00", "tick@18:00"]  # same time: added first, runs first
    assert s.has("daily") and not s.has("soon")
