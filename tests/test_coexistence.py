"""fusehub installs one top-level package, `fusehub`, so it lives beside PyPI projects that own the plain names
its folders have: `skills` (TrueSkill/Glicko/Elo ratings) and `simulations` (installs `simulation`).
scripts/test.sh installs both into the test venv (--no-deps), so the whole suite runs beside them. The checks
run in a fresh interpreter outside the clone (`python -I`, another working directory), as an installed hub
runs: inside the clone the folders themselves are on sys.path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PEERS = {"skills": "skills", "simulations": "simulation"}  # distribution -> its top-level import name

PROBE = r'''
import collections, collections.abc, importlib, importlib.metadata as md, io, json, unittest

def tops(dist):
    return sorted({str(f).split("/", 1)[0] for f in md.distribution(dist).files or []
                   if "/" in str(f) and ".dist-info" not in str(f) and not str(f).startswith("..")})

import importlib.util, os, fusehub
out = {"tops": {d: tops(d) for d in ("skills", "simulations")}}
# what fusehub's install puts on sys.path: the folder holding the fusehub package holds nothing else of ours
root = os.path.dirname(os.path.dirname(fusehub.__file__))
out["tops"]["fusehub"] = sorted(n for n in os.listdir(root) if n in ("fusehub", "hub", "adapters", "skills",
                                                                    "simulations", "tests", "bench"))
out["found"] = {n: (s.origin if (s := importlib.util.find_spec(n)) else None)
                for n in ("hub", "adapters", "skills", "simulations")}
# skills 0.3.0 predates Python 3.10 (it imports collections.Sequence): restore the aliases it needs so it can run
# at all; that incompatibility is its own, unrelated to fusehub.
for name in ("Sequence", "Iterable", "Mapping"):
    setattr(collections, name, getattr(collections.abc, name))
peer = importlib.import_module("skills")
elo = importlib.import_module("skills.testsuite.test_elo")
res = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
    unittest.defaultTestLoader.loadTestsFromTestCase(elo.EloTests))
out["skills"] = {"file": peer.__file__, "ran": res.testsRun, "ok": res.wasSuccessful()}
out["simulation"] = importlib.import_module("simulation").__file__

from fusehub.skills import load_skills
from fusehub.simulations import demo_home_path
from fusehub.home import load_home
out["fusehub"] = {"skills": sorted(s.name for s in load_skills(False)),
                  "demo_rooms": len(load_home(demo_home_path()).rooms)}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    cwd = tmp_path_factory.mktemp("elsewhere")
    r = subprocess.run([sys.executable, "-I", "-c", PROBE], cwd=cwd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0 and "PackageNotFoundError" in r.stderr:
        pytest.fail(f"PyPI's skills/simulations are not installed beside fusehub (scripts/test.sh does):\n{r.stderr}")
    assert r.returncode == 0, r.stderr
    out: dict[str, object] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


@pytest.mark.parametrize("dist", sorted(PEERS))
def test_each_namesake_installs_its_own_top_level_and_none_of_fusehubs(probe: dict[str, object], dist: str) -> None:
    tops = probe["tops"]
    assert isinstance(tops, dict)
    assert PEERS[dist] in tops[dist]
    assert tops["fusehub"] == ["fusehub"], tops["fusehub"]  # one installed top-level package
    assert not set(tops["fusehub"]) & set(tops[dist])


def test_no_installed_top_level_hub_adapters_skills_or_simulations_of_fusehub(probe: dict[str, object]) -> None:
    found = probe["found"]
    assert isinstance(found, dict)
    assert found["hub"] is None and found["adapters"] is None and found["simulations"] is None, found
    assert "site-packages/skills/" in str(found["skills"]), found  # PyPI's, not the clone's skills/ folder


def test_pypi_skills_passes_its_own_elo_tests_beside_fusehub(probe: dict[str, object]) -> None:
    peer = probe["skills"]
    assert isinstance(peer, dict)
    assert "site-packages" in Path(peer["file"]).as_posix()
    assert peer["ran"] > 0 and peer["ok"] is True


def test_fusehub_skills_and_simulations_work_beside_them(probe: dict[str, object]) -> None:
    assert "site-packages" in Path(str(probe["simulation"])).as_posix()
    ours = probe["fusehub"]
    assert isinstance(ours, dict)
    assert {"light_turn_on", "lock_unlock", "timer_start"} <= set(ours["skills"])
    assert ours["demo_rooms"] > 0
