"""The simulator: homes and days in YAML, virtual devices speaking their ecosystems' MQTT conventions,
a virtual clock, and pass/fail expectations."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "demo_home_path", "demo_scenario_path"]

DATA_DIR = Path(__file__).resolve().parent
"""The shipped homes/, scenarios/ and rules/ (package data)."""


def demo_home_path() -> Path:
    """The shipped demo home: the embedded default of `fusehub run` without a config."""
    return DATA_DIR / "homes" / "demo.yaml"


def demo_scenario_path() -> Path:
    """The live scenario the demo plays."""
    return DATA_DIR / "scenarios" / "demo_live.yaml"
