"""What a category generator works with: the draw context (home, random stream, split, templates, speaker),
the draft it returns, and the helpers every generator shares."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fusehub.context.view import words
from fusehub.home import DeviceDecl
from fusehub.model.datagen.homes import WHEN, GenHome
from fusehub.model.datagen.phrasing import SPLITS, Split, templates
from fusehub.reasoner.calls import Call

_T = TypeVar("_T")

_TEMPLATES_BY_SPLIT: dict[str, dict[str, list[tuple[str, str]]]] = {s: templates(s) for s in SPLITS}


@dataclass
class Draft:
    text: str | None
    calls: list[Call]
    cannot: str | None = None
    situation: str | None = None
    need: list[str] = field(default_factory=list)


class Skip(Exception):
    """The category does not apply to this home (no such device): draw again."""


@dataclass(frozen=True)
class Phrasings:
    """A category module's own phrasing table (intent -> split -> templates), kept beside its generator rather
    than in the template file; an example's `template` names each phrasing as ``<prefix>_<intent>#<t|h><i>``."""

    prefix: str
    table: Mapping[str, Mapping[Split, tuple[str, ...]]]

    def keys(self, split: Split) -> dict[str, str]:
        """Key -> template of the phrasings in `split` (the keys an example's `template` lists)."""
        return {self._key(intent, split, i): t for intent, by in self.table.items() for i, t in enumerate(by[split])}

    def pick(self, c: Ctx, intent: str, **kw: str) -> str:
        """One of `intent`'s templates in the example's split, filled and with single spaces (a blank template,
        an empty request, stays as written); its key joins the example's."""
        ts = self.table[intent][c.split]
        i = c.rng.randrange(len(ts))
        c.keys.append(self._key(intent, c.split, i))
        return " ".join(ts[i].format(**kw).split()) if ts[i].strip() else ts[i]

    def _key(self, intent: str, split: Split, i: int) -> str:
        return f"{self.prefix}_{intent}#{split[0]}{i}"


class Ctx:
    def __init__(self, h: GenHome, rng: random.Random, split: Split, extras: float = 0.0) -> None:
        self.h = h
        self.rng = rng
        self.split = split
        self.extras = extras
        """Share of the training split's brightness requests asking for max/min and of its timer starts with a
        compound duration ("an hour and 15 minutes"); 0 (the default) reproduces the data of runs 1-6."""
        self.t = _TEMPLATES_BY_SPLIT[split]
        self.keys: list[str] = []
        self.speaker: str | None = None
        self.room: str | None = None

    def choice(self, seq: Sequence[_T]) -> _T:
        if not seq:
            raise Skip
        return seq[self.rng.randrange(len(seq))]

    def pick(self, intent: str, **kw: Any) -> str:
        key, tpl = self.choice(self.t[intent])
        self.keys.append(key)
        return re.sub(r"\s+", " ", tpl.format(**kw)).strip()

    def speak_from(self, room: str | None, person: str | None = None, exclude: str | None = None) -> None:
        """The speaker: a person (at home, in `room`) or an unknown voice in `room`; no room: no speaker line."""
        self.room = room
        self.speaker = None
        if room is None:
            return
        people = [p.id for p in self.h.home.people if p.id != exclude]
        if person is None and people and self.rng.random() < 0.8:
            person = self.choice(people)
        if person is not None:
            self.speaker = person
            self.h.graph.set_person_location(person, "home", room, 0.95, WHEN)

    def place(self, person: str, room: str) -> None:
        self.h.graph.set_person_location(person, "home", room, round(self.rng.uniform(0.7, 1), 2), WHEN)


def call(skill: str, **args: Any) -> Call:
    return Call(skill, {k: v for k, v in args.items() if v is not None})


def on_off_skill(d: DeviceDecl, on: bool) -> str:
    if d.kind == "light":
        return "light_turn_on" if on else "light_turn_off"
    return "switch_turn_on" if on else "switch_turn_off"


def num(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def switchables(h: GenHome) -> list[DeviceDecl]:
    return [d for d in h.devs(cap="on_off") if d.kind not in ("phone", "car")]


def temp(c: Ctx, lo: int = 16, hi: int = 25) -> float:
    t = float(c.rng.randint(lo, hi))
    return t + 0.5 if c.rng.random() < 0.15 and t < hi else t


def is_free(h: GenHome, thing: str) -> bool:
    """Whether `thing` shares no word with a device or room name of the home."""
    ws = set(words(thing))
    room_words = {w for n in h.room_name.values() for w in words(n)}
    return not (ws & h.name_words) and not (ws & room_words)


def cannot_draft(text: str, what: str) -> Draft:
    if not re.fullmatch(r"[a-z0-9 '\-]{1,48}", what) or " " not in what:
        raise Skip
    return Draft(text, [], cannot=what)
