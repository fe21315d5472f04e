"""Household preferences on real parts: the demo home file with preferences added, its real context graph, the
real skills and the real local intent matcher. Evaluation, the detector, plain-language compilation."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.errors import ConfigError
from fusehub.events import Context, HubEvent, SkillCall, StateChanged
from fusehub.home import Home, parse_home
from fusehub.preferences.schema import Situation
from fusehub.reasoner.intents import IntentMatcher
from fusehub.reasoner.prefs.compile import compile_preference, looks_like_preference
from fusehub.reasoner.prefs.conditions import Occurrence, SituationContext, Whereabout
from fusehub.reasoner.prefs.detect import Detector, crossed
from fusehub.reasoner.prefs.evaluate import evaluate, why_line
from fusehub.sdk import SkillContext

from tests.conftest import DEMO_HOME

TZ = ZoneInfo("Europe/Amsterdam")
MON_EVENING = datetime(2026, 11, 23, 17, 40, tzinfo=TZ)  # a Monday

PREFS = """
preferences:
  - id: warm_when_cold
    when: {situation: arriving, person: [anna], within_min: 20}
    if: {outside_below: 5}
    then:
      - {skill: climate_set_temperature, args: {device: thermostat, temperature: 21}}
    autonomy: act
  - id: hall_light_after_dark
    when: {situation: arrived}
    if: {daylight: false}
    then:
      - {skill: light_turn_on, args: {device: hall_light}}
      - {tell: "Welcome home, {person}.", to: home}
    autonomy: act
  - id: also_hall_light
    when: {situation: arrived}
    then:
      - {skill: light_turn_on, args: {device: hall_light}}
    autonomy: suggest
  - id: humidifier_done
    when: {situation: sensor, device: humidifier, attribute: mode, equals: sleep}
    then:
      - {tell: "The humidifier is in sleep mode.", to: home}
  - id: never
    when: {situation: doorbell}
    then:
      - {announce: "Someone is at the door"}
    autonomy: off
"""


def _home(extra: str = PREFS) -> Home:
    return parse_home(DEMO_HOME.read_text(encoding="utf-8") + extra, "demo+prefs.yaml")


def _graph(home: Home) -> ContextGraph:
    g = ContextGraph()
    g.load_home(home)
    return g


def _ctx(**people: Whereabout) -> SituationContext:
    base = {p: Whereabout("away") for p in ("anna", "ben", "mia", "sam")}
    return SituationContext(now=MON_EVENING, daylight=False, outside_c=1.5, people={**base, **people})


def test_a_home_file_preference_error_names_the_file_and_the_key() -> None:
    bad = PREFS.replace("within_min: 20", "within_mins: 20")
    with pytest.raises(ConfigError, match=r"demo\+prefs.yaml.*\n.*preferences\.0\.when\.within_mins"):
        _home(bad)
    with pytest.raises(ConfigError, match="preference 'warm_when_cold': unknown person 'zoe'"):
        _home(PREFS.replace("person: [anna]", "person: [zoe]"))
    with pytest.raises(ConfigError, match="arriving situation needs `within_min`"):
        _home(PREFS.replace(", within_min: 20", ""))
    with pytest.raises(ConfigError, match="exactly one of skill, announce, notify, tell"):
        _home(PREFS.replace('{tell: "The humidifier', '{skill: x, tell: "The humidifier'))


def test_arrival_with_eta_applies_only_when_its_conditions_hold() -> None:
    home = _home()
    g = _graph(home)
    occ = Occurrence("arriving", person="anna", spec=Situation(situation="arriving", within_min=20))
    ev = evaluate(home.preferences, occ, _ctx(anna=Whereabout("away", eta_min=18.0, distance_m=9000)), g)
    assert [a.preference.id for a in ev.applied] == ["warm_when_cold"]
    assert ev.calls("act") == [SkillCall(skill="climate_set_temperature",
                                         args={"device": "thermostat", "temperature": 21})]
    assert "outside_c=1.5" in why_line(ev.applied[0]) and "person=anna" in why_line(ev.applied[0])
    warm = SituationContext(now=MON_EVENING, daylight=False, outside_c=12.0, people={})
    ev = evaluate(home.preferences, occ, warm, g)
    assert ev.applied == [] and ev.held_back == [("warm_when_cold", {"person": "anna", "outside_c": 12.0})]
    # another threshold, another person: not this preference's situation
    other = Occurrence("arriving", person="anna", spec=Situation(situation="arriving", within_min=10))
    assert evaluate(home.preferences, other, _ctx(), g).applied == []
    ben = Occurrence("arriving", person="ben", spec=Situation(situation="arriving", within_min=20))
    assert evaluate(home.preferences, ben, _ctx(), g).applied == []


def test_the_plan_is_the_union_per_autonomy_and_tell_follows_where_people_are() -> None:
    home = _home()
    g = _graph(home)
    ctx = _ctx(anna=Whereabout("home", room="hallway"), ben=Whereabout("home", room="garage"))
    ev = evaluate(home.preferences, Occurrence("arrived", person="anna"), ctx, g)
    assert [a.preference.id for a in ev.applied] == ["hall_light_after_dark", "also_hall_light"]
    assert ev.calls("act") == [
        SkillCall(skill="light_turn_on", args={"device": "hall_light"}),
        # Anna is in the hallway, which has a speaker; Ben is in the garage, which has none: his phone
        SkillCall(skill="speaker_announce", args={"message": "Welcome home, Anna.", "room": "hallway"}),
        SkillCall(skill="phone_notify", args={"person": "ben", "message": "Welcome home, Anna."}),
    ]
    assert ev.calls("suggest") == [SkillCall(skill="light_turn_on", args={"device": "hall_light"})]
    # the calls are real: every one runs through its real skill
    skills = load_skills()
    for call in ev.calls("act"):
        res = skills.execute(call.skill, SkillContext(graph=g, now=MON_EVENING, context=Context()), call.args)
        assert res.commands


def test_nothing_happens_when_no_preference_is_about_the_situation_or_it_is_off() -> None:
    home = _home()
    g = _graph(home)
    for occ in (Occurrence("everyone_left"), Occurrence("doorbell", device="hall_motion"),
                Occurrence("left", person="anna"), Occurrence("sunset")):
        ev = evaluate(home.preferences, occ, _ctx(), g)
        assert ev.applied == [] and ev.calls("act") == [] and ev.calls("suggest") == []
    day = SituationContext(now=MON_EVENING, daylight=True, outside_c=1.5, people={})
    ev = evaluate(home.preferences, Occurrence("arrived", person="anna"), day, g)
    assert [a.preference.id for a in ev.applied] == ["also_hall_light"]  # only the unconditional one


def test_detector_fires_each_crossing_once() -> None:
    home = _home()
    g = _graph(home)
    d = Detector(home.preferences)
    far = SituationContext(MON_EVENING, False, 3.0, {"anna": Whereabout("away", eta_min=35.0)})
    near = SituationContext(MON_EVENING, False, 3.0, {"anna": Whereabout("away", eta_min=19.0)})
    nearer = SituationContext(MON_EVENING, False, 3.0, {"anna": Whereabout("away", eta_min=12.0)})
    assert d.on_tick(far, g) == []
    fired = d.on_tick(near, g)
    assert [(o.kind, o.person, o.data["eta_min"]) for o in fired] == [("arriving", "anna", 19.0)]
    assert d.on_tick(nearer, g) == []  # still inside: once
    d.on_tick(far, g)
    assert len(d.on_tick(near, g)) == 1  # left the radius and came back: again
    ctx = Context()
    crossed_up = StateChanged(time=MON_EVENING, context=ctx, entity="humidifier", attribute="mode", old="normal",
                              new="sleep")
    assert [o.kind for o in d.on_event(crossed_up, g)] == ["sensor"]
    same = crossed_up.model_copy(update={"old": "sleep"})
    assert d.on_event(same, g) == []
    arrived = HubEvent(time=MON_EVENING, context=ctx, entity="person:anna", name="arrived")
    assert [(o.kind, o.person) for o in d.on_event(arrived, g)] == [("arrived", "anna")]


def test_daylight_and_outside_temperature_crossings() -> None:
    home = _home("""
preferences:
  - {id: dusk, when: {situation: sunset}, then: [{skill: cover_close, args: {device: living_blinds}}]}
  - {id: frost, when: {situation: outside_temperature, below: 0}, then: [{notify: "Frost", to: owners}]}
""")
    g = _graph(home)
    d = Detector(home.preferences)
    assert d.on_tick(SituationContext(MON_EVENING, False, 2.0, {}), g) == []  # the first look only records
    assert d.on_tick(SituationContext(MON_EVENING, True, 1.0, {}), g) == []  # sunrise: no preference is about it
    kinds = [o.kind for o in d.on_tick(SituationContext(MON_EVENING, False, -0.5, {}), g)]
    assert kinds == ["sunset", "outside_temperature"]
    assert d.on_tick(SituationContext(MON_EVENING, False, -2.0, {}), g) == []
    assert crossed(Situation(situation="sensor", device="x", above=24), 23.5, 24.5)
    assert not crossed(Situation(situation="sensor", device="x", above=24), 25, 26)


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher(skills=load_skills())


@pytest.mark.parametrize("text,when,cond,then,autonomy", [
    ("When Anna is 20 minutes away and it's below 5 degrees outside, set the thermostat to 21",
     {"situation": "arriving", "person": ["anna"], "within_min": 20.0}, {"outside_below": 5.0},
     [{"skill": "climate_set_temperature", "args": {"device": "thermostat", "temperature": 21.0}}], "act"),
    ("turn on the hallway light when someone gets home after dark",
     {"situation": "arrived"}, {"daylight": False},
     [{"skill": "light_turn_on", "args": {"device": "hall_light"}}], "act"),
    ("when the humidifier finishes, tell whoever is home",
     {"situation": "sensor", "device": "humidifier", "attribute": "on", "equals": False}, {},
     [{"tell": "The humidifier has finished.", "to": "home"}], "act"),
    ("if ben comes home between 22:00 and 06:00, turn on the hallway light, but ask me first",
     {"situation": "arrived", "person": ["ben"]}, {"after": "22:00", "before": "06:00"},
     [{"skill": "light_turn_on", "args": {"device": "hall_light"}}], "suggest"),
    ("15 minutes before anna leaves at 7:45 on weekdays, warm up her car",
     {"situation": "departure", "person": ["anna"], "at": "07:45", "lead_min": 15.0,
      "weekdays": ["mon", "tue", "wed", "thu", "fri"]}, {},
     [{"skill": "car_precondition", "args": {"car": "anna_car"}}], "act"),
])
def test_plain_language_compiles_into_the_home_file_structure(
    matcher: IntentMatcher, text: str, when: dict[str, object], cond: dict[str, object],
    then: list[dict[str, object]], autonomy: str,
) -> None:
    g = _graph(_home(""))
    c = compile_preference(text, g, matcher, proposer="anna")
    assert c.preference is not None, c.problem
    dumped = c.preference.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert dumped["when"] == when and dumped.get("if", {}) == cond and dumped["autonomy"] == autonomy
    assert [{k: v for k, v in a.items() if k != "to" or "skill" not in a} for a in dumped["then"]] == then
    assert c.readback and c.readback.endswith((".", ".\""))
    assert looks_like_preference(text)


def test_what_is_not_a_preference_or_not_understood_is_never_compiled(matcher: IntentMatcher) -> None:
    g = _graph(_home(""))
    assert not looks_like_preference("turn on the kitchen light")
    c = compile_preference("when the sauna is ready, turn on the kitchen light", g, matcher)
    assert c.preference is None and c.problem and "sauna" in c.problem
    c = compile_preference("when anna arrives, fly to the moon", g, matcher)
    assert c.preference is None


def test_a_clause_is_never_dropped_or_moved_to_make_a_reading_fit(matcher: IntentMatcher) -> None:
    g = _graph(_home(""))
    c = compile_preference("When at 06:15 every day but only if anyone is in, turn on the coffee machine", g,
                           matcher, proposer="anna")
    assert c.preference is not None and c.preference.if_.anyone_home is True  # 'anyone is in' is a condition
    # the situation comes first: "it's dark" is not taken as the situation when the first clause is not one
    c = compile_preference("If the sauna drops below 3 but only if it's dark, turn on the coffee machine", g,
                           matcher, proposer="anna")
    assert c.preference is None
    c = compile_preference("When anna arrives and it is dark, turn on the hallway light", g, matcher)
    assert c.preference is not None and c.preference.when.situation == "arrived"
    assert c.preference.if_.daylight is False
