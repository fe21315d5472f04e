"""The data generator's phrasing tables, read from package data (`fusehub/model/data/*.yaml`), as hassil keeps
its grammar in YAML: `vocabulary.yaml` (names of rooms, people, devices and things, relative phrases, fillers)
and `templates.yaml` (the request and situation templates per intent, and the training-only ones).

The loader checks the shape of every table and raises ValueError naming the table that is wrong. Order is kept
exactly as written: random draws pick by position, so the generated data depends on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any, Literal, TypeAlias, cast, get_args

import yaml

__all__ = [
    "SPLITS",
    "TEMPLATES",
    "VOCABULARY",
    "Attr",
    "Generic",
    "Sense",
    "Split",
    "TemplateTables",
    "Vocabulary",
    "load_templates",
    "load_vocabulary",
    "templates",
]

Split = Literal["train", "heldout"]
SPLITS: tuple[Split, ...] = ("train", "heldout")

ByKind: TypeAlias = tuple[tuple[str, ...], tuple[str, ...]]
"""Names in the training split, names in the held-out split (a `{R}` in a name is the room's name)."""
AttrType = Literal["number", "enum", "bool"]


@dataclass(frozen=True)
class Sense:
    """A sensor that answers yes/no questions (leak, smoke, motion, presence...): what it is called, its states."""

    tag: str
    kind: str  # fusehub kind: sensor (value), motion, occupancy
    names: ByKind
    rooms: tuple[str, ...]  # preferred room ids (any room when none of them exists)
    values: tuple[str, ...]  # spoken states of a `sensor` kind ("wet", "dry")
    noun: str  # what a home without one lacks: "no leak sensor"


@dataclass(frozen=True)
class Attr:
    """A declared attribute of a generic device: its name, how people say it, its type and range or options."""

    name: str
    phrases: tuple[str, ...]
    type: AttrType
    lo: float = 0
    hi: float = 0
    unit: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Generic:
    """A generic device kind with declared attributes."""

    kind: str
    names: ByKind
    attrs: tuple[Attr, ...]


@dataclass(frozen=True)
class Vocabulary:
    """vocabulary.yaml: what homes, people, devices and requests are made of."""

    common_rooms: tuple[str, ...]
    split_rooms: Mapping[str, tuple[str, ...]]
    absent_rooms: Mapping[str, tuple[str, ...]]
    names: Mapping[str, tuple[str, ...]]
    floor_sets: tuple[tuple[tuple[str, str, str, str], ...], ...]
    """(id, name, adverbial phrase, adjectival phrase) per floor, lowest first."""
    lower_rooms: frozenset[str]
    device_names: Mapping[str, ByKind]
    lock_names: Mapping[str, tuple[tuple[str, str], ...]]
    """(name, what people call it) per split."""
    senses: tuple[Sense, ...]
    generics: tuple[Generic, ...]
    appliances: Mapping[str, tuple[str, ...]]
    colors: tuple[str, ...]
    modes: tuple[tuple[str, str], ...]
    """(what people say, hvac mode); the last is off."""
    scenes: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(id, name, what people call it)."""
    messages: tuple[str, ...]
    timer_names: tuple[str, ...]
    num_words: Mapping[int, str]
    brightness_up: tuple[tuple[str, int], ...]
    brightness_down: tuple[tuple[str, int], ...]
    warmer: tuple[tuple[str, int], ...]
    colder: tuple[tuple[str, int], ...]
    filler_before: tuple[str, ...]
    filler_before_ask: tuple[str, ...]
    filler_after: tuple[str, ...]
    question_words: tuple[str, ...]

    @cached_property
    def sense_by_tag(self) -> Mapping[str, Sense]:
        return {x.tag: x for x in self.senses}

    @cached_property
    def generic_by_kind(self) -> Mapping[str, Generic]:
        return {g.kind: g for g in self.generics}


@dataclass(frozen=True)
class TemplateTables:
    """templates.yaml: phrasing templates per intent."""

    templates: Mapping[str, tuple[str, ...]]
    """Every fifth of an intent (or the last of a short list) is held out, the others are training templates."""
    train_only: Mapping[str, tuple[str, ...]]
    """More phrasings of intents of `templates`, only ever in the training split."""
    train_only_intents: Mapping[str, tuple[str, ...]]
    """Intents only ever in the training split."""


# ---------------------------------------------------------------------------------------------- checked reading


def _read(name: str) -> dict[str, Any]:
    text = resources.files("fusehub.model").joinpath("data", name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{name}: not a mapping of tables")
    return data


def _get(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise ValueError(f"{where}: no {key!r}")
    return d[key]


def _str(v: Any, where: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"{where}: {v!r} is not a string")
    return v


def _strs(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise ValueError(f"{where}: not a list")
    return tuple(_str(x, where) for x in v)


def _int(v: Any, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"{where}: {v!r} is not an integer")
    return v


def _number(v: Any, where: str) -> float:
    if not isinstance(v, int | float) or isinstance(v, bool):
        raise ValueError(f"{where}: {v!r} is not a number")
    return v  # as written: 30 stays an int (it reaches the generated homes)


def _tuples(v: Any, n: int, where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(v, list):
        raise ValueError(f"{where}: not a list")
    out = tuple(_strs(x, where) for x in v)
    if any(len(x) != n for x in out):
        raise ValueError(f"{where}: every entry must have {n} strings")
    return out


def _phrase_changes(v: Any, where: str) -> tuple[tuple[str, int], ...]:
    if not isinstance(v, list) or not all(isinstance(x, list) and len(x) == 2 for x in v):
        raise ValueError(f"{where}: not a list of [phrase, change]")
    return tuple((_str(p, where), _int(ch, where)) for p, ch in v)


def _mapping(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
        raise ValueError(f"{where}: not a mapping")
    return v


def _by_split(v: Any, where: str) -> dict[str, Any]:
    d = _mapping(v, where)
    if set(d) != set(SPLITS):
        raise ValueError(f"{where}: keys must be {list(SPLITS)}, not {list(d)}")
    return d


def _names(v: Any, where: str) -> ByKind:
    d = _by_split(v, where)
    return _strs(d["train"], f"{where}.train"), _strs(d["heldout"], f"{where}.heldout")


def _per_intent(v: Any, where: str) -> dict[str, tuple[str, ...]]:
    return {k: _strs(ts, f"{where}.{k}") for k, ts in _mapping(v, where).items()}


def _attr(v: Any, where: str) -> Attr:
    d = _mapping(v, where)
    unknown = set(d) - {"name", "phrases", "type", "lo", "hi", "unit", "options"}
    if unknown:
        raise ValueError(f"{where}: unknown fields {sorted(unknown)}")
    kind = _get(d, "type", where)
    if kind not in get_args(AttrType):
        raise ValueError(f"{where}: type {kind!r} is not one of {get_args(AttrType)}")
    return Attr(
        name=_str(_get(d, "name", where), where), phrases=_strs(_get(d, "phrases", where), where),
        type=cast(AttrType, kind), lo=_number(d.get("lo", 0), where), hi=_number(d.get("hi", 0), where),
        unit=_str(d.get("unit", ""), where), options=_strs(d.get("options", []), where),
    )


def _sense(v: Any, where: str) -> Sense:
    d = _mapping(v, where)
    return Sense(
        tag=_str(_get(d, "tag", where), where), kind=_str(_get(d, "kind", where), where),
        names=_names(_get(d, "names", where), f"{where}.names"), rooms=_strs(_get(d, "rooms", where), where),
        values=_strs(_get(d, "values", where), where), noun=_str(_get(d, "noun", where), where),
    )


def _generic(v: Any, where: str) -> Generic:
    d = _mapping(v, where)
    attrs = _get(d, "attrs", where)
    if not isinstance(attrs, list):
        raise ValueError(f"{where}.attrs: not a list")
    return Generic(kind=_str(_get(d, "kind", where), where), names=_names(_get(d, "names", where), f"{where}.names"),
                   attrs=tuple(_attr(a, f"{where}.attrs[{i}]") for i, a in enumerate(attrs)))


def _scene(v: Any, where: str) -> tuple[str, str, tuple[str, ...]]:
    d = _mapping(v, where)
    return (_str(_get(d, "id", where), where), _str(_get(d, "name", where), where),
            _strs(_get(d, "phrases", where), where))


def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise ValueError(f"{where}: not a list")
    return v


def load_vocabulary() -> Vocabulary:
    """vocabulary.yaml, checked."""
    d = _read("vocabulary.yaml")

    def get(key: str) -> Any:
        return _get(d, key, f"vocabulary.yaml: {key}")

    def split_strs(key: str) -> dict[str, tuple[str, ...]]:
        return {k: _strs(v, f"{key}.{k}") for k, v in _by_split(get(key), key).items()}

    floor_sets = tuple(tuple((f[0], f[1], f[2], f[3]) for f in _tuples(fs, 4, "floor_sets"))
                       for fs in _list(get("floor_sets"), "floor_sets"))
    num_words = get("num_words")
    if not isinstance(num_words, dict):
        raise ValueError("num_words: not a mapping")
    filler = _mapping(get("filler"), "filler")
    return Vocabulary(
        common_rooms=_strs(get("common_rooms"), "common_rooms"),
        split_rooms=split_strs("split_rooms"),
        absent_rooms=split_strs("absent_rooms"),
        names=split_strs("names"),
        floor_sets=floor_sets,
        lower_rooms=frozenset(_strs(get("lower_rooms"), "lower_rooms")),
        device_names={k: _names(v, f"device_names.{k}") for k, v in _mapping(get("device_names"),
                                                                               "device_names").items()},
        lock_names={k: tuple((n, p) for n, p in _tuples(v, 2, f"lock_names.{k}"))
                    for k, v in _by_split(get("lock_names"), "lock_names").items()},
        senses=tuple(_sense(x, f"senses[{i}]") for i, x in enumerate(_list(get("senses"), "senses"))),
        generics=tuple(_generic(x, f"generics[{i}]") for i, x in enumerate(_list(get("generics"), "generics"))),
        appliances=split_strs("appliances"),
        colors=_strs(get("colors"), "colors"),
        modes=tuple((s, m) for s, m in _tuples(get("modes"), 2, "modes")),
        scenes=tuple(_scene(x, f"scenes[{i}]") for i, x in enumerate(_list(get("scenes"), "scenes"))),
        messages=_strs(get("messages"), "messages"),
        timer_names=_strs(get("timer_names"), "timer_names"),
        num_words={_int(k, "num_words"): _str(w, "num_words") for k, w in num_words.items()},
        brightness_up=_phrase_changes(get("brightness_up"), "brightness_up"),
        brightness_down=_phrase_changes(get("brightness_down"), "brightness_down"),
        warmer=_phrase_changes(get("warmer"), "warmer"),
        colder=_phrase_changes(get("colder"), "colder"),
        filler_before=_strs(_get(filler, "before", "filler"), "filler.before"),
        filler_before_ask=_strs(_get(filler, "before_ask", "filler"), "filler.before_ask"),
        filler_after=_strs(_get(filler, "after", "filler"), "filler.after"),
        question_words=_strs(get("question_words"), "question_words"),
    )


def load_templates() -> TemplateTables:
    """templates.yaml, checked: training-only phrasings only for intents that have templates, and training-only
    intents distinct from them."""
    d = _read("templates.yaml")
    tables = TemplateTables(
        templates=_per_intent(_get(d, "templates", "templates.yaml"), "templates"),
        train_only=_per_intent(_get(d, "train_only", "templates.yaml"), "train_only"),
        train_only_intents=_per_intent(_get(d, "train_only_intents", "templates.yaml"), "train_only_intents"),
    )
    unknown = set(tables.train_only) - set(tables.templates)
    if unknown:
        raise ValueError(f"training-only phrasings for unknown intents {sorted(unknown)}")
    clash = set(tables.train_only_intents) & set(tables.templates)
    if clash:
        raise ValueError(f"training-only intents {sorted(clash)} are also intents of `templates`")
    return tables


VOCABULARY = load_vocabulary()
TEMPLATES = load_templates()


# ---------------------------------------------------------------------------------------------- splits


def _held(i: int, n: int) -> bool:
    """Whether template i of n is held out: every fifth, or the last of a list shorter than five."""
    if n < 5:
        return n >= 2 and i == n - 1
    return i % 5 == 4


def templates(split: Split, tables: TemplateTables = TEMPLATES) -> dict[str, list[tuple[str, str]]]:
    """The (key, template) pairs of each intent in a split; a key is 'intent#index' ('intent#xindex' for a
    training-only phrasing)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for intent, ts in tables.templates.items():
        out[intent] = [(f"{intent}#{i}", t) for i, t in enumerate(ts) if _held(i, len(ts)) == (split == "heldout")]
        if split == "train":
            out[intent] += [(f"{intent}#x{i}", t) for i, t in enumerate(tables.train_only.get(intent, ()))]
    if split == "train":
        out.update({k: [(f"{k}#x{i}", t) for i, t in enumerate(ts)] for k, ts in tables.train_only_intents.items()})
    return out
