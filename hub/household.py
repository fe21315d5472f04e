"""The household in the home file: how people are related, which rooms are whose, the devices' option sets and
the household's own restrictions; and the relation words people say ("my daughter", "granddad", "Ben's mum").

A relation is declared once (`{person: anna, relation: parent, of: [ben]}`: Anna is Ben's parent) and read in
both directions: Ben is Anna's child. Gendered words ("mum", "son", "husband") narrow by a person's `gender`
when it is declared, and match anyone of the relation when it is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "DAYS",
    "INVERSE",
    "OPTION_KEYS",
    "RELATIONS",
    "RELATION_WORDS",
    "ROLE_WORDS",
    "Gender",
    "OptionSetDecl",
    "Relation",
    "RelationDecl",
    "RelationWord",
    "RestrictionDecl",
    "WhatDecl",
    "WhenDecl",
    "WhoDecl",
    "duplicates",
    "relation_word",
]

Relation = Literal["parent", "child", "spouse", "partner", "sibling", "grandparent", "grandchild", "carer",
                   "cared_for"]
"""The typed relation vocabulary: `a relation b` reads "a is b's <relation>"."""

RELATIONS: tuple[str, ...] = ("parent", "child", "spouse", "partner", "sibling", "grandparent", "grandchild",
                              "carer", "cared_for")

INVERSE: Mapping[str, str] = {
    "parent": "child", "child": "parent", "spouse": "spouse", "partner": "partner", "sibling": "sibling",
    "grandparent": "grandchild", "grandchild": "grandparent", "carer": "cared_for", "cared_for": "carer",
}
"""If a is b's <r>, then b is a's INVERSE[r]."""

Gender = Literal["female", "male"]


@dataclass(frozen=True, slots=True)
class RelationWord:
    """What a relation word says: the relation, a gender when the word has one, and whether it names several."""

    relation: str
    gender: str | None = None
    plural: bool = False


def _words(relation: str, gender: str | None, *words: str) -> dict[str, RelationWord]:
    out = {}
    for w in words:
        out[w] = RelationWord(relation, gender)
        plural = w + ("ren" if w in ("child", "grandchild") else "s")
        out[plural] = RelationWord(relation, gender, True)
    return out


RELATION_WORDS: Mapping[str, RelationWord] = {
    **_words("parent", None, "parent"),
    **_words("parent", "female", "mother", "mum", "mom", "mummy", "mommy", "mama"),
    **_words("parent", "male", "father", "dad", "daddy", "papa"),
    **_words("child", None, "child", "kid"),
    **_words("child", "female", "daughter"),
    **_words("child", "male", "son"),
    **_words("spouse", None, "spouse"),
    **_words("spouse", "female", "wife"),
    **_words("spouse", "male", "husband"),
    **_words("partner", None, "partner", "other half"),
    **_words("partner", "female", "girlfriend"),
    **_words("partner", "male", "boyfriend"),
    **_words("sibling", None, "sibling"),
    **_words("sibling", "female", "sister"),
    **_words("sibling", "male", "brother"),
    **_words("grandparent", None, "grandparent"),
    **_words("grandparent", "female", "grandmother", "grandma", "granny", "gran", "nan", "nana", "nanna", "oma"),
    **_words("grandparent", "male", "grandfather", "grandpa", "granddad", "grandad", "gramps", "opa"),
    **_words("grandchild", None, "grandchild", "grandkid"),
    **_words("grandchild", "female", "granddaughter"),
    **_words("grandchild", "male", "grandson"),
    **_words("carer", None, "carer", "caregiver", "nanny", "au pair"),
    "children": RelationWord("child", None, True),
    "folks": RelationWord("parent", None, True),
}
"""Relation words as people say them, singular and plural ("the kids", "my parents")."""


def relation_word(word: str) -> RelationWord | None:
    """What a relation word ('granddad', 'kids') says, or None when it is no relation word."""
    return RELATION_WORDS.get(word.strip().lower())


ROLE_WORDS: Mapping[str, str] = {"children": "child", "kids": "child", "guests": "guest", "adults": "adult",
                                 "owners": "owner"}
"""Role words in the plural, for restrictions' spoken reasons and for "the kids" said by someone with none."""

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RelationDecl(_Strict):
    """One relation, declared once: `person` is the `relation` of each of `of` ("anna is ben's parent")."""

    person: str = Field(description="Person id.")
    relation: Relation = Field(description="What `person` is to each of `of`: " + ", ".join(RELATIONS) + ".")
    of: list[str] = Field(min_length=1, description="Person ids `person` is related to.")


class OptionSetDecl(_Strict):
    """What a device offers for one setting: a list of values (colours, modes, speeds) or a numeric range."""

    values: list[str] | None = Field(default=None, description="The values the device accepts, e.g. [red, blue].")
    min: float | None = Field(default=None, description="Lowest value of a numeric range.")
    max: float | None = Field(default=None, description="Highest value of a numeric range.")
    unit: str | None = Field(default=None, description="Unit of a numeric range ('°C').")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        """`color: [red, blue]` is short for `color: {values: [red, blue]}`."""
        return {"values": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _one_kind(self) -> OptionSetDecl:
        if (self.values is None) == (self.min is None and self.max is None):
            raise ValueError("give either values or min and max")
        if self.values is not None and not self.values:
            raise ValueError("values may not be empty")
        if self.values is None and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("a range needs min <= max")
        return self


OPTION_KEYS: Mapping[str, tuple[tuple[str, ...], Literal["values", "range"]]] = {
    "color": (("color",), "values"),
    "hvac_mode": (("hvac_mode",), "values"),
    "temperature": (("temperature_setpoint", "car_climate"), "range"),
}
"""Option-set keys: the capabilities a device needs for one (any of them), and whether it is values or a range."""


class WhoDecl(_Strict):
    """Whom a restriction binds: people by id, by role, or by relation to someone. Empty: everyone."""

    people: list[str] = Field(default_factory=list, description="Person ids.")
    roles: list[Literal["owner", "adult", "child", "guest"]] = Field(default_factory=list, description="Roles.")
    relation: Relation | None = Field(default=None, description="With `of`: people who are this to `of`.")
    of: str | None = Field(default=None, description="The person `relation` is relative to.")
    unknown: bool = Field(default=False, description="Also bind requests from people not identified.")

    @model_validator(mode="after")
    def _pair(self) -> WhoDecl:
        if (self.relation is None) != (self.of is None):
            raise ValueError("relation and of go together")
        return self


class WhatDecl(_Strict):
    """What a restriction covers: skills, devices, rooms. Several kinds given: a call must match each."""

    skills: list[str] = Field(default_factory=list, description="Skill names (garage_open, announce, ...).")
    devices: list[str] = Field(default_factory=list, description="Device ids.")
    rooms: list[str] = Field(default_factory=list, description="Room ids: any call acting on a device in them.")

    @model_validator(mode="after")
    def _some(self) -> WhatDecl:
        if not (self.skills or self.devices or self.rooms):
            raise ValueError("name at least one skill, device or room")
        return self


class WhenDecl(_Strict):
    """When a restriction holds, in the home's time zone: a daily window (may pass midnight) and weekdays."""

    from_: str | None = Field(default=None, alias="from", description="Start, HH:MM.")
    to: str | None = Field(default=None, description="End, HH:MM (exclusive); before `from`: over midnight.")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=list, description="Weekdays it holds on (of the window's start); empty: every day.")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("from_", "to")
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is not None and not _HHMM.match(v):
            raise ValueError(f"{v!r} is not a time HH:MM")
        return v

    @model_validator(mode="after")
    def _pair(self) -> WhenDecl:
        if (self.from_ is None) != (self.to is None):
            raise ValueError("from and to go together")
        return self


class RestrictionDecl(_Strict):
    """A household rule beyond roles: who may not do what, when. Policy refuses a matching call and says why."""

    id: str | None = Field(default=None, description="A name for the rule (for logs).")
    who: WhoDecl = Field(default_factory=WhoDecl, description="Whom it binds (default: everyone).")
    what: WhatDecl = Field(description="What it covers.")
    when: WhenDecl | None = Field(default=None, description="When it holds (default: always).")
    reason: str | None = Field(default=None, max_length=200,
                               description="The sentence spoken when it refuses; made from the rule when absent.")


def duplicates(items: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(name, first owner, second owner) for each name (case-insensitive) two owners share."""
    seen: dict[str, str] = {}
    out = []
    for owner, name in items:
        k = " ".join(name.lower().split())
        if k in seen and seen[k] != owner:
            out.append((name, seen[k], owner))
        seen.setdefault(k, owner)
    return out
