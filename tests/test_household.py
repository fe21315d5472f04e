"""The household in the home file (hub/household.py, hub/home.py) and the graph (hub/context/household.py):
relations both ways, owners, outdoor rooms, aliases, option sets kept by the skills, and restrictions kept by
policy with their reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fusehub.app import load_skills
from fusehub.context.graph import ContextGraph
from fusehub.errors import ConfigError, SkillError
from fusehub.events import Actor, Context, Origin, Plan, SkillCall
from fusehub.home import Home, load_home, parse_home
from fusehub.policy import Policy
from fusehub.sdk import SkillContext

from tests.conftest import DEMO_HOME

SKILLS = load_skills(entry_points_too=False)
# Amsterdam is UTC+1 in winter: 21:30 UTC is 22:30 at home, 11:00 UTC is noon
NIGHT = datetime(2026, 12, 7, 21, 30, tzinfo=UTC)
NOON = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)

BASE = """
name: Flat
timezone: Europe/London
floors: [{id: ground, name: Ground floor, level: 0}]
rooms:
  - {id: kitchen, name: Kitchen, floor: ground}
  - {id: den, name: Den, floor: ground, owners: [ann]}
  - {id: porch, name: Porch, outdoor: true}
people:
  - {id: ann, name: Ann, role: owner, gender: female}
  - {id: tom, name: Tom, role: child, gender: male}
  - {id: eve, name: Eve, role: adult}
relations:
  - {person: ann, relation: parent, of: [tom]}
  - {person: eve, relation: grandparent, of: [tom]}
devices:
  - {id: lamp, name: Lamp, kind: light, room: kitchen, ecosystem: homeassistant, capabilities: [on_off, color],
     options: {color: [red, warm_white]}}
  - {id: ac, name: AC, kind: climate, room: den, ecosystem: homeassistant, options: {hvac_mode: [cool, "off"]}}
"""


def _graph(text: str = BASE) -> ContextGraph:
    g = ContextGraph()
    g.load_home(parse_home(text, "flat.yaml"))
    return g


def test_a_relation_declared_once_reads_both_ways() -> None:
    g = _graph()
    assert g.relatives("tom", "parent") == ["ann"]
    assert g.relatives("ann", "child") == ["tom"]
    assert g.relatives("tom", "grandparent") == ["eve"] and g.relatives("eve", "grandchild") == ["tom"]
    assert g.relatives("tom", "parent", "male") == []  # Ann is female: no father declared
    assert g.relatives("tom", "grandparent", "male") == ["eve"]  # no gender declared: any word of the relation
    assert g.relatives("ann", "spouse") == [] and g.relatives("nobody", "parent") == []


def test_owners_outdoor_and_options_reach_the_graph() -> None:
    g = _graph()
    assert g.rooms_owned_by("ann") == ["den"] and g.room_owners("den") == ["ann"] and g.rooms_owned_by("tom") == []
    assert g.is_outdoor("porch") and not g.is_outdoor("kitchen")
    assert g.device("lamp").options == {"color": {"values": ["red", "warm_white"]}}
    assert g.device("ac").options["hvac_mode"]["values"] == ["cool", "off"]


def test_the_demo_home_declares_its_household() -> None:
    g = ContextGraph()
    g.load_home(load_home(DEMO_HOME))
    assert g.relatives("mia", "parent") == ["anna", "ben"] and g.relatives("mia", "parent", "female") == ["anna"]
    assert g.relatives("anna", "spouse") == ["ben"] and g.relatives("ben", "spouse") == ["anna"]
    assert g.relatives("anna", "parent", "male") == ["sam"]
    assert g.rooms_owned_by("mia") == ["kids_room"] and g.is_outdoor("garden")
    assert [r.id for r in g.restrictions()] == ["no_garage_for_children_at_night", "quiet_kids_room",
                                                "thermostat_is_for_grownups"]


@pytest.mark.parametrize(("edit", "needle"), [
    (("of: [tom]}", "of: [zed]}"), "relations[0].of[0]: unknown person 'zed'"),
    (("{person: ann,", "{person: nobody,"), "relations[0].person: unknown person 'nobody'"),
    (("relation: parent", "relation: boss"), "relations.0.relation"),
    (("of: [tom]}", "of: [ann]}"), "cannot be related to themself"),
    (("owners: [ann]", "owners: [bob]"), "rooms[den].owners: unknown person 'bob'"),
    (("name: Den,", "name: Den, aliases: [kitchen],"), "rooms[den].aliases: 'kitchen' already names 'kitchen'"),
    (("name: Eve,", "name: Eve, aliases: [ann],"), "people[eve].aliases: 'ann' already names 'ann'"),
    (("options: {color: [red, warm_white]}", "options: {speed: [low]}"), "devices[lamp].options.speed: unknown"),
    (("options: {hvac_mode: [cool, \"off\"]}", "options: {color: [red]}"), "devices[ac].options.color: the device"),
    (("options: {color: [red, warm_white]}", "options: {color: {min: 1, max: 2}}"), "options.color: give values"),
    (("options: {color: [red, warm_white]}", "options: {color: []}"), "values may not be empty"),
])
def test_household_errors_name_the_file_and_the_key(edit: tuple[str, str], needle: str) -> None:
    text = BASE.replace(*edit)
    assert text != BASE
    with pytest.raises(ConfigError) as e:
        parse_home(text, "flat.yaml")
    assert "flat.yaml" in str(e.value) and needle in str(e.value)


@pytest.mark.parametrize(("extra", "needle"), [
    ("restrictions: [{what: {skills: [garage_open]}, who: {people: [zed]}}]", "restrictions[0].who: unknown person"),
    ("restrictions: [{what: {devices: [toaster]}}]", "restrictions[0].what.devices: unknown device 'toaster'"),
    ("restrictions: [{what: {rooms: [attic]}}]", "restrictions[0].what.rooms: unknown room 'attic'"),
    ("restrictions: [{what: {}}]", "name at least one skill, device or room"),
    ("restrictions: [{what: {skills: [x]}, when: {from: '25:00', to: '07:00'}}]", "is not a time HH:MM"),
    ("restrictions: [{what: {skills: [x]}, when: {from: '20:00'}}]", "from and to go together"),
    ("restrictions: [{what: {skills: [x]}, when: {days: [funday]}}]", "restrictions.0.when.days.0"),
    ("restrictions: [{what: {skills: [x]}, who: {relation: child}}]", "relation and of go together"),
])
def test_restriction_errors_name_the_key(extra: str, needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_home(BASE + extra + "\n", "flat.yaml")
    assert needle in str(e.value)


def test_two_devices_sharing_an_alias_in_a_room_is_an_error_but_same_names_are_not() -> None:
    two = BASE + "  - {id: lamp2, name: Lamp, kind: light, room: kitchen, ecosystem: homeassistant}\n"
    parse_home(two)  # two lamps called Lamp: an ambiguity asked about at request time, not a file error
    clash = BASE + "  - {id: lamp2, name: Reading light, kind: light, room: kitchen, ecosystem: homeassistant, " \
                   "aliases: [lamp]}\n"
    with pytest.raises(ConfigError, match=r"devices\[lamp2\].aliases: 'lamp' already names 'lamp'"):
        parse_home(clash, "flat.yaml")
    elsewhere = BASE + "  - {id: lamp2, name: Reading light, kind: light, room: den, ecosystem: homeassistant, " \
                       "aliases: [lamp]}\n"
    parse_home(elsewhere)  # another room: "the lamp in the den" says which


# ------------------------------------------------------------------------------------------ option sets


def _ctx(g: ContextGraph) -> SkillContext:
    return SkillContext(graph=g, now=NOON, context=Context(actor=Actor.person("ann"), origin=Origin.voice))


def test_a_colour_the_light_does_not_offer_is_refused_and_one_it_does_is_set() -> None:
    g = _graph()
    with pytest.raises(SkillError, match="Lamp cannot be set to blue; it offers red, warm white"):
        SKILLS.execute("light_set_color", _ctx(g), {"device": "lamp", "color": "blue"})
    res = SKILLS.execute("light_turn_on", _ctx(g), {"device": "lamp", "color": "warm white"})
    assert [c.action for c in res.commands] == ["turn_on", "set_color"]


def test_a_mode_the_ac_does_not_offer_is_refused() -> None:
    g = _graph()
    with pytest.raises(SkillError, match="AC cannot be set to heat; it offers cool, off"):
        SKILLS.execute("climate_set_mode", _ctx(g), {"device": "ac", "mode": "heat"})
    assert SKILLS.execute("climate_set_mode", _ctx(g), {"device": "ac", "mode": "cool"}).commands[0].params == {
        "mode": "cool"}


def test_the_cars_preheat_range_is_kept_not_capped(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home)
    ctx = SkillContext(graph=g, now=NOON, context=Context(actor=Actor.person("anna"), origin=Origin.voice))
    with pytest.raises(SkillError, match="preheats from 16 to 26 degrees, not 27"):
        SKILLS.execute("car_precondition", ctx, {"car": "anna_car", "temperature": 27})
    assert SKILLS.execute("car_precondition", ctx, {"car": "anna_car", "temperature": 22}).commands[0].params == {
        "on": True, "temperature": 22}


# ------------------------------------------------------------------------------------------ restrictions


@pytest.fixture
def demo(demo_home: Home) -> ContextGraph:
    g = ContextGraph()
    g.load_home(demo_home)
    g.set_person_location("anna", "home", "kitchen", 0.95, NOON)
    return g


def _verdict(g: ContextGraph, who: Actor, call: SkillCall, now: datetime | None, room: str | None = None) -> str:
    plan = Plan(calls=[call], source="intent")
    [v] = Policy().check_plan(plan, Context(actor=who, origin=Origin.voice, room=room), SKILLS, g, now)
    return str(v.verdict)


def test_children_may_not_open_the_garage_at_night_and_hear_why(demo: ContextGraph) -> None:
    call = SkillCall(skill="garage_open", args={"device": "garage_door"})
    assert _verdict(demo, Actor.person("mia"), call, NIGHT) == (
        "rejected: Children may not open the garage at night.")
    # by day the household's rule does not hold; the role default (secure skill, a child) still refuses
    assert "is a child" in _verdict(demo, Actor.person("mia"), call, NOON)
    assert _verdict(demo, Actor.person("ben"), call, NIGHT) == "allowed"


def test_a_room_restriction_binds_everyone_in_its_window_and_only_there(demo: ContextGraph) -> None:
    into_kids = SkillCall(skill="speaker_announce", args={"message": "dinner", "room": "kids_room"})
    everywhere = SkillCall(skill="speaker_announce", args={"message": "dinner", "everywhere": True})
    kitchen = SkillCall(skill="speaker_announce", args={"message": "dinner", "room": "kitchen"})
    for who in (Actor.person("anna"), Actor.unknown()):
        assert _verdict(demo, who, into_kids, NIGHT) == "rejected: No announcements in the kids room after 19:00."
        assert _verdict(demo, who, everywhere, NIGHT).startswith("rejected: No announcements")
        assert _verdict(demo, who, kitchen, NIGHT) == "allowed"
        assert _verdict(demo, who, into_kids, NOON) == "allowed"
    # no room argument: the requester's room is where it acts
    here = SkillCall(skill="speaker_announce", args={"message": "dinner"})
    assert _verdict(demo, Actor.person("anna"), here, NIGHT, room="kids_room").startswith("rejected")
    assert _verdict(demo, Actor.person("anna"), here, NIGHT, room="kitchen") == "allowed"


def test_a_device_restriction_by_role_at_any_time_with_a_made_reason(demo: ContextGraph) -> None:
    by_device = SkillCall(skill="climate_set_temperature", args={"device": "thermostat", "temperature": 22})
    by_room = SkillCall(skill="climate_set_temperature", args={"room": "living_room", "temperature": 22})
    for call in (by_device, by_room):
        assert _verdict(demo, Actor.person("sam"), call, NOON) == (
            "rejected: Children and guests may not use Thermostat.")
        assert _verdict(demo, Actor.person("anna"), call, NOON) == "allowed"
    lights = SkillCall(skill="light_turn_on", args={"room": "living_room"})
    assert _verdict(demo, Actor.person("sam"), lights, NOON) == "allowed"


def test_restrictions_by_relation_and_weekday() -> None:
    text = BASE + """restrictions:
  - who: {relation: child, of: ann}
    what: {devices: [lamp]}
    when: {from: "22:00", to: "06:00", days: [fri]}
"""
    g = _graph(text)
    call = SkillCall(skill="light_turn_on", args={"device": "lamp"})
    fri_late = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)  # Friday 23:00 in London
    sat_early = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # the early hours of Friday night's window
    sat_late = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # Saturday's own window: not a Friday
    assert _verdict(g, Actor.person("tom"), call, fri_late) == (
        "rejected: Ann's children may not use Lamp between 22:00 and 06:00 on Fri.")
    assert _verdict(g, Actor.person("tom"), call, sat_early).startswith("rejected")
    assert _verdict(g, Actor.person("tom"), call, sat_late) == "allowed"
    assert _verdict(g, Actor.person("ann"), call, fri_late) == "allowed"


def test_a_windowed_restriction_holds_when_the_time_is_not_known(demo: ContextGraph) -> None:
    call = SkillCall(skill="speaker_announce", args={"message": "hi", "room": "kids_room"})
    assert _verdict(demo, Actor.person("anna"), call, None).startswith("rejected")


def test_a_home_without_restrictions_is_judged_as_before(demo_home: Home) -> None:
    g = ContextGraph()
    g.load_home(demo_home.model_copy(update={"restrictions": []}))
    call = SkillCall(skill="speaker_announce", args={"message": "hi", "room": "kids_room"})
    assert _verdict(g, Actor.person("anna"), call, NIGHT) == "allowed"
