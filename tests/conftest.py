"""Shared fixtures: a real mosquitto broker on a free loopback port, the demo home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.home import Home, load_home
from simulations.broker import Mosquitto

ROOT = Path(__file__).resolve().parent.parent
DEMO_HOME = ROOT / "simulations" / "homes" / "demo.yaml"
DEMO_RULES = ROOT / "simulations" / "rules" / "demo.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def mosquitto() -> Iterator[Mosquitto]:
    """One real mosquitto for the session (tests use unique client ids and topics)."""
    with Mosquitto() as m:
        yield m


@pytest.fixture
def demo_home() -> Home:
    return load_home(DEMO_HOME)
