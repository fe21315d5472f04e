"""Household preferences, as the home file (`preferences:`) states them: per situation, the conditions under
which the household wants something done, what, and how much autonomy the hub has for it.

    preferences:
      - id: warm_up_when_cold
        description: Warm the living room when Anna is 20 minutes out and it is cold outside.
        when: {situation: arriving, person: [anna], within_min: 20}
        if: {outside_below: 5}
        then:
          - {skill: climate_set_temperature, args: {device: thermostat, temperature: 21}}
        autonomy: act

This module is the data model only (a leaf: the home file imports it); what the preferences mean at run time is
:mod:`fusehub.reasoner.prefs`.
"""

from __future__ import annotations

import re
from typing import Literal

from fusehub.events import JSON
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "SITUATIONS",
    "WEEKDAYS",
    "Autonomy",
    "Conditions",
    "DeviceCondition",
    "PrefAction",
    "Preference",
    "Situation",
    "SituationKind",
    "Weekday",
    "preference_problems",
]

SituationKind = Literal[
    "arriving", "arrived", "left", "first_arrived", "everyone_left", "departure", "wake_up", "schedule",
    "car_home", "sensor", "outside_temperature", "sunset", "sunrise", "doorbell",
]
SITUATIONS: tuple[str, ...] = SituationKind.__args__  # type: ignore[attr-defined]
"""Every situation kind a preference can be about."""

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = Weekday.__args__  # type: ignore[attr-defined]
"""Monday first, as `datetime.weekday()` counts."""

Autonomy = Literal["act", "suggest", "off"]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ID = re.compile(r"^[a-z0-9_][a-z0-9_\-]*$")


def _hhmm(v: str | None) -> str | None:
    if v is not None and not _HHMM.match(v):
        raise ValueError(f"bad time {v!r}; use HH:MM (24 h)")
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Situation(_Strict):
    """What happened (the trigger). Fields other than `situation` narrow it or give its threshold."""

    situation: SituationKind = Field(description=(
        "arriving: an away person's ETA (car or phone) drops to `within_min` or less; arrived / left: a person "
        "came home / left; first_arrived: the first person home; everyone_left: the last one left; departure: a "
        "planned departure at `at` (fires `lead_min` before); wake_up: a person's alarm goes off (an `alarm` "
        "event or state on their phone or `device`); schedule: every `weekdays` at `at`; car_home: a person's car "
        "reaches the driveway; sensor: `device`.`attribute` crosses `above` / `below` or becomes `equals`; "
        "outside_temperature: the home's outdoor temperature crosses `above` / `below`; sunset / sunrise: the sun "
        "at the home's location; doorbell: a doorbell (or `device`) is pressed."))
    person: list[str] = Field(default_factory=list, description="Only for these people (ids); empty: anyone.")
    within_min: float | None = Field(default=None, gt=0, le=600, description="arriving: the ETA threshold, minutes.")
    at: str | None = Field(default=None, description="schedule, departure: local time HH:MM.")
    lead_min: float = Field(default=0, ge=0, le=240, description="departure: minutes before `at` it fires.")
    weekdays: list[Weekday] = Field(default_factory=list, description="schedule, departure: days; empty: every day.")
    device: str | None = Field(default=None, description="sensor, doorbell, wake_up: the device id.")
    attribute: str = Field(default="value", description="sensor: the attribute, e.g. 'value', 'power', 'status'.")
    above: float | None = Field(default=None, description="sensor, outside_temperature: crossing up past this.")
    below: float | None = Field(default=None, description="sensor, outside_temperature: crossing down past this.")
    equals: JSON = Field(default=None, description="sensor: the attribute becomes this value.")

    _t = field_validator("at")(_hhmm)

    @model_validator(mode="after")
    def _complete(self) -> Situation:
        k = self.situation
        if k == "arriving" and self.within_min is None:
            raise ValueError("an arriving situation needs `within_min` (the ETA in minutes)")
        if k in ("schedule", "departure") and self.at is None:
            raise ValueError(f"a {k} situation needs `at` (HH:MM)")
        if k == "sensor":
            if self.device is None:
                raise ValueError("a sensor situation needs `device`")
            if sum(x is not None for x in (self.above, self.below, self.equals)) != 1:
                raise ValueError("a sensor situation needs exactly one of above, below, equals")
        if k == "outside_temperature" and (self.above is None) == (self.below is None):
            raise ValueError("an outside_temperature situation needs exactly one of above, below")
        return self


class DeviceCondition(_Strict):
    """A device's current state (after the event)."""

    device: str
    attribute: str = Field(default="on", description="e.g. on, locked, value, status.")
    equals: JSON = None
    not_equals: JSON = None
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one(self) -> DeviceCondition:
        given: list[str] = [f for f in ("equals", "not_equals") if f in self.model_fields_set]
        given += [f for f in ("above", "below") if getattr(self, f) is not None]
        if not given:
            raise ValueError("a device condition needs equals, not_equals, above or below")
        return self


class Conditions(_Strict):
    """All given conditions must hold in the fused context after the event."""

    daylight: bool | None = Field(default=None, description="true: the sun is up at the home; false: it is dark.")
    outside_below: float | None = Field(default=None, description="Outside temperature (°C) below this.")
    outside_above: float | None = Field(default=None, description="Outside temperature (°C) above this.")
    eta_below: float | None = Field(default=None, gt=0, description="The situation's person is under N minutes "
                                    "from home (ETA).")
    who: list[str] = Field(default_factory=list, description="The situation's person is one of these.")
    home: list[str] = Field(default_factory=list, description="These people are home.")
    away: list[str] = Field(default_factory=list, description="These people are not home.")
    anyone_home: bool | None = Field(default=None, description="true: someone is home; false: nobody is.")
    after: str | None = Field(default=None, description="Local time HH:MM (with `before`, may wrap midnight).")
    before: str | None = None
    weekdays: list[Weekday] = Field(default_factory=list, description="Only on these days.")
    devices: list[DeviceCondition] = Field(default_factory=list)

    _t = field_validator("after", "before")(_hhmm)


Recipient = str
"""A person id, or `person` (the situation's person), `owners`, `home` (whoever is home), `everyone`."""


class PrefAction(_Strict):
    """Exactly one of: a skill call; an announcement; a phone notification; a message told to people (on the
    speaker of the room they are in when home, else their phone). Messages may use {person}, {eta},
    {outside}, {device}."""

    skill: str | None = Field(default=None, description="A registered skill's name.")
    args: dict[str, JSON] = Field(default_factory=dict, description="The skill's arguments.")
    announce: str | None = Field(default=None, max_length=300, description="Text spoken on the speakers of "
                                 "`room` (every speaker when no room is given).")
    room: str | None = Field(default=None, description="announce: room id.")
    notify: str | None = Field(default=None, max_length=500, description="Text sent to the phones of `to`.")
    tell: str | None = Field(default=None, max_length=300, description="Text told to `to`: announced in the room "
                             "where each is when home with a speaker there, else sent to their phone.")
    to: Recipient = Field(default="person", description="notify / tell: person id, person, owners, home, everyone.")

    @model_validator(mode="after")
    def _one(self) -> PrefAction:
        n = sum(x is not None for x in (self.skill, self.announce, self.notify, self.tell))
        if n != 1:
            raise ValueError("an action needs exactly one of skill, announce, notify, tell")
        return self


class Preference(_Strict):
    id: str = Field(description="Preference id (lower-case letters, digits, '_', '-').")
    description: str = Field(default="", max_length=300, description="In the household's words.")
    when: Situation
    if_: Conditions = Field(default_factory=Conditions, alias="if", description="Conditions; all must hold.")
    then: list[PrefAction] = Field(min_length=1, description="What to do: the plan when it applies.")
    autonomy: Autonomy | None = Field(default=None, description="act: run it (policy still applies, secure calls "
                                      "wait for an owner); suggest: ask the owners to confirm each call; off: "
                                      "kept but never applied. Omitted: the config's reasoner.autonomy.")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"id {v!r} must be lower-case letters, digits, '_' or '-'")
        return v


_RECIPIENTS = ("person", "owners", "home", "everyone")


def preference_problems(pref: Preference, people: set[str], devices: set[str], rooms: set[str]) -> list[str]:
    """What a preference names that the home does not have (people, devices, rooms)."""
    out: list[str] = []
    named_people = [*pref.when.person, *pref.if_.who, *pref.if_.home, *pref.if_.away]
    named_people += [a.to for a in pref.then if (a.notify or a.tell) and a.to not in _RECIPIENTS]
    out += [f"unknown person {p!r}" for p in dict.fromkeys(named_people) if p not in people]
    named_devices = [d for d in (pref.when.device,) if d is not None] + [c.device for c in pref.if_.devices]
    out += [f"unknown device {d!r}" for d in dict.fromkeys(named_devices) if d not in devices]
    out += [f"unknown room {a.room!r}" for a in pref.then if a.room is not None and a.room not in rooms]
    return out
