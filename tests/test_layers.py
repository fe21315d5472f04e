"""The package's shape: every fusehub module is placed by an import-linter contract (so a new module cannot
slip outside the layers `lint-imports` checks), and no runtime module is over about 600 lines."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import fusehub

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_FOLDERS = ("hub", "adapters", "skills", "simulations")
MAX_LINES = 600


def _modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(fusehub.__path__, "fusehub.")]


def _contracts() -> list[dict[str, object]]:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = cfg["tool"]["importlinter"]["contracts"]
    return contracts


def _placed() -> set[str]:
    names: set[str] = set()
    for c in _contracts():
        for layer in c.get("layers", []) or []:  # type: ignore[attr-defined]
            names |= {n.strip() for n in str(layer).replace("|", ":").split(":")}
        names |= set(c.get("source_modules", []) or [])  # type: ignore[arg-type]
    return names


def test_every_module_is_placed_in_a_layer_or_the_core() -> None:
    placed = _placed()
    # a package whose parts sit in different layers (fusehub.model) is placed through its parts
    loose = [m for m in _modules()
             if not any(m == p or m.startswith(p + ".") or p.startswith(m + ".") for p in placed)]
    assert _modules(), "no fusehub modules found"
    assert loose == [], f"name these in pyproject.toml's import-linter contracts: {loose}"


def test_the_core_may_not_import_what_sits_above_it() -> None:
    core = next(c for c in _contracts() if c["type"] == "forbidden")
    forbidden = set(core["forbidden_modules"])  # type: ignore[arg-type]
    assert {"fusehub.adapters", "fusehub.skills", "fusehub.simulations", "fusehub.app", "fusehub.cli"} <= forbidden


def test_no_runtime_module_is_over_600_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for folder in RUNTIME_FOLDERS for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
