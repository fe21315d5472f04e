"""The parsed sentence templates are cached on disk for short-lived commands (`fusehub plan`): the cache gives the
same matches as parsing, and a damaged or unwritable cache only costs the parse, never a wrong or failed match."""

from __future__ import annotations

from pathlib import Path

import pytest
from fusehub.reasoner import intents_templates as t
from fusehub.reasoner.intents import IntentMatcher
from fusehub.skills import load_skills

from tests.test_intents import _graph

SKILLS = load_skills(False)
TEXTS = ["turn on the kitchen light", "what is the temperature in the kitchen", "set a timer for 5 minutes",
         "lock the front door", "turn off the lights upstairs"]


def _answers() -> list[object]:
    t.all_templates.cache_clear()
    t.mapped_templates.cache_clear()
    t.relaxed_templates.cache_clear()
    m = IntentMatcher("en", SKILLS)
    g = _graph()
    return [(r.plan.calls, r.plan.cannot) if (r := m.match(x, g)) is not None else None for x in TEXTS]


def test_a_cached_parse_matches_as_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUSEHUB_TEMPLATE_CACHE", str(tmp_path))
    fresh = _answers()  # parses and writes the cache
    files = list(tmp_path.glob("en-*.pickle"))
    assert len(files) == 1 and files[0].stat().st_size > 100_000
    mtime = files[0].stat().st_mtime_ns
    assert _answers() == fresh  # read from the cache
    assert files[0].stat().st_mtime_ns == mtime  # read, not rewritten
    assert any(a is not None for a in fresh)


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05K\x01."])  # the last: a pickled 1
def test_a_damaged_cache_is_parsed_again_and_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      garbage: bytes) -> None:
    monkeypatch.setenv("FUSEHUB_TEMPLATE_CACHE", str(tmp_path))
    fresh = _answers()
    path = next(tmp_path.glob("en-*.pickle"))
    path.write_bytes(garbage)
    assert _answers() == fresh
    assert path.stat().st_size > 100_000


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("FUSEHUB_TEMPLATE_CACHE", str(blocked / "templates"))
    assert any(a is not None for a in _answers())
