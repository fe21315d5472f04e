"""What the generator produces: examples (one request, one home, one target plan), generation statistics,
and JSONL reading and writing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fusehub.reasoner.calls import Call


@dataclass(frozen=True, slots=True)
class Example:
    """One training or evaluation example."""

    user: str
    """The user turn (view, trigger, assistant header), exactly as `user_turn` builds it."""
    target: str
    """The plan text, as `render_plan` renders it (no end token)."""
    category: str
    home_id: str
    calls: tuple[Call, ...]
    cannot: str | None
    template: str = ""
    """Template keys used ('intent#index', joined by '+')."""
    text: str | None = None
    situation: str | None = None
    devices: tuple[str, ...] = ()
    """The view's device ids."""

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user, "target": self.target, "category": self.category, "home_id": self.home_id,
            "calls": [{"skill": c.skill, "args": c.args} for c in self.calls], "cannot": self.cannot,
            "template": self.template, "text": self.text, "situation": self.situation, "devices": list(self.devices),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Example:
        return cls(
            user=d["user"], target=d["target"], category=d["category"], home_id=d["home_id"],
            calls=tuple(Call(c["skill"], dict(c["args"])) for c in d.get("calls", [])), cannot=d.get("cannot"),
            template=d.get("template", ""), text=d.get("text"), situation=d.get("situation"),
            devices=tuple(d.get("devices", [])),
        )


@dataclass
class GenStats:
    """What generation cost: view drops (a needed device missing from the view) per category."""

    accepted: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_templates: Counter[str] = field(default_factory=Counter)
    """Template keys of dropped draws (the view left out a device the request names)."""
    skipped: int = 0
    """Draws where the category did not apply to the home (no vacuum, ...): not drops."""
    homes: int = 0

    @property
    def drop_rate(self) -> float:
        acc, drop = sum(self.accepted.values()), sum(self.dropped.values())
        return drop / (acc + drop) if acc + drop else 0.0


def write_jsonl(path: str | Path, examples: Sequence[Example]) -> None:
    with Path(path).open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")


def read_jsonl(path: str | Path) -> list[Example]:
    with Path(path).open(encoding="utf-8") as f:
        return [Example.from_json(json.loads(line)) for line in f if line.strip()]
