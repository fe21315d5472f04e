from __future__ import annotations

import pytest
from fusehub.errors import ConfigError
from fusehub.home import parse_home

from tests.conftest import DEMO_HOME

MINIMAL = """
name: Flat
rooms: [{id: kitchen, name: Kitchen}]
people: [{id: ann, name: Ann, role: owner}]
devices:
  - {id: lamp, name: Lamp, kind: light, room: kitchen, ecosystem: homeassistant}
"""


def test_demo_home_is_valid() -> None:
    home = parse_home(DEMO_HOME.read_text(), str(DEMO_HOME))
    assert {r.id for r in home.rooms} >= {"kitchen", "hallway", "bedroom"}
    hum = next(d for d in home.devices if d.id == "humidifier")
    assert hum.attributes["target_humidity"].max == 80
    assert "attributes" in hum.effective_capabilities()


def test_kind_gives_default_capabilities() -> None:
    home = parse_home(MINIMAL)
    assert home.devices[0].effective_capabilities() == ["on_off", "brightness"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rooms: [", "not valid YAML"),
        ("- just a list", "must be a mapping"),
        (MINIMAL.replace("room: kitchen", "room: attic"), "unknown room 'attic'"),
        (MINIMAL.replace("role: owner", "role: king"), "people.0.role"),
        (MINIMAL + "  - {id: lamp, name: Lamp 2, ecosystem: homeassistant}\n", "duplicate device id 'lamp'"),
        (MINIMAL.replace("kind: light,", "kind: light, capabilities: [teleport],"), "unknown capability"),
        (MINIMAL.replace("id: lamp", "id: 'Lamp One'"), "must be lower-case"),
        (MINIMAL + "colour: blue\n", "colour"),
        (MINIMAL.replace("kind: light,", "kind: x, attributes: {h: {type: number, min: 9, max: 1}},"), "min <= max"),
    ],
)
def test_invalid_home_names_the_problem(text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_home(text, "home.yaml")
    assert needle in str(e.value)
    assert "home.yaml" in str(e.value)
