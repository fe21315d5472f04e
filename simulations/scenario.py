"""Scenario files: a home, a start time, a timeline of what happens, and expectations.

    name: Arrive home after dark
    home: ../homes/demo.yaml
    rules: [../rules/demo.yaml]
    start: "2026-11-23 17:00"          # local time in the home's timezone
    initial:
      people: {anna: away}
      devices: {hall_light: {on: false}}
    timeline:
      - at: "17:30"                    # or "+10m" after the previous step
        move: {person: anna, to: home}
      - at: "17:45"
        say: {person: anna, text: "turn on the kitchen light", room: kitchen}
    expect:
      - command: {device: hall_light, state: {on: true}}
        after: "17:30"
        within: 1m
      - state: {device: hall_light, attribute: on, equals: true}
        at: "17:31"
      - never: {device: front_door_lock}
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fusehub import yamlio as yaml
from fusehub.errors import ConfigError
from fusehub.events import JSON
from fusehub.reasoner.rules import parse_duration
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Expectation", "Scenario", "Step", "load_scenario", "parse_scenario"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Move(_Strict):
    person: str
    to: str = Field(description="'home', 'away', or a place id.")
    room: str | None = Field(default=None, description="Room the person walks into (motion where there is some).")


class Say(_Strict):
    text: str
    person: str | None = Field(default=None, description="Who speaks (their voice id is the wake word).")
    room: str | None = Field(default=None, description="Room of the satellite that hears it.")


class SetState(_Strict):
    device: str
    state: dict[str, JSON]


class Confirm(_Strict):
    """An owner confirms, as with `fusehub confirm ID --person OWNER`, the newest confirmation the hub sent to
    their phone (the id is read from the phone's notification, the request goes over MQTT)."""

    person: str = Field(description="The owner who confirms (person id); their phone got the request.")


class Step(_Strict):
    at: str = Field(description="'HH:MM[:SS]' (local; next day if earlier than the previous step) or '+30s'.")
    move: Move | None = None
    say: Say | None = None
    sensor: SetState | None = Field(default=None, description="A device reports new state by itself.")
    offline: str | None = Field(default=None, description="Device id that drops off the network.")
    online: str | None = Field(default=None, description="Device id that comes back.")
    confirm: Confirm | None = Field(default=None, description="An owner confirms a pending secure request.")
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Step:
        n = sum(x is not None for x in (self.move, self.say, self.sensor, self.offline, self.online, self.confirm))
        if n != 1 and not (n == 0 and self.note):
            raise ValueError("a step needs exactly one of move, say, sensor, offline, online, confirm")
        return self


class CommandMatch(_Strict):
    device: str
    state: dict[str, JSON] = Field(default_factory=dict, description="The command must set these values.")


class StateMatch(_Strict):
    device: str | None = None
    person: str | None = None
    attribute: str
    equals: JSON = None

    @model_validator(mode="after")
    def _one(self) -> StateMatch:
        if (self.device is None) == (self.person is None):
            raise ValueError("a state expectation names a device or a person")
        return self


class SaidMatch(_Strict):
    contains: str
    device: str | None = Field(default=None, description="Speaker device; any speaker if omitted.")


class Expectation(_Strict):
    command: CommandMatch | None = Field(default=None, description="A command reaches a device.")
    state: StateMatch | None = Field(default=None, description="An entity is in a state at a time.")
    never: CommandMatch | None = Field(default=None, description="No such command reaches the device.")
    said: SaidMatch | None = Field(default=None, description="A speaker announces text.")
    after: str | None = Field(default=None, description="Window start (time or offset); scenario start if omitted.")
    within: str | None = Field(default=None, description="Window length, e.g. '30s'; until the end if omitted.")
    at: str | None = Field(default=None, description="For state: when to check; the end if omitted.")
    description: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Expectation:
        n = sum(x is not None for x in (self.command, self.state, self.never, self.said))
        if n != 1:
            raise ValueError("an expectation needs exactly one of command, state, never, said")
        return self

    @field_validator("within")
    @classmethod
    def _dur(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v

    def label(self) -> str:
        if self.description:
            return self.description
        if self.command:
            return f"command reaches {self.command.device}" + (f" {self.command.state}" if self.command.state else "")
        if self.never:
            return f"no command reaches {self.never.device}" + (f" {self.never.state}" if self.never.state else "")
        if self.said:
            return f"speaker says {self.said.contains!r}"
        if self.state is None:
            return "?"
        who = self.state.device or f"person:{self.state.person}"
        return f"{who}.{self.state.attribute} == {self.state.equals!r}"


class Scenario(_Strict):
    name: str
    description: str = ""
    home: str = Field(description="The home file the hub is given.")
    world: str | None = Field(
        default=None,
        description="The home file the simulated world is built from, when the hub is to discover it itself "
        "(e.g. a hub home listing only bridges). Defaults to `home`.",
    )
    rules: list[str] = Field(default_factory=list)
    start: str = Field(description="'YYYY-MM-DD HH:MM' local time.")
    end: str | None = Field(default=None, description="Time or offset after the last step; +1m if omitted.")
    initial: dict[str, Any] = Field(
        default_factory=dict, description="people: {id: home|away|place}; devices: {id: state}"
    )
    timeline: list[Step] = Field(default_factory=list)
    expect: list[Expectation] = Field(default_factory=list)
    path: str | None = Field(default=None, exclude=True)

    def resolve(self, ref: str) -> Path:
        base = Path(self.path).parent if self.path else Path.cwd()
        return (base / ref).resolve()


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    sc = yaml.validate(Scenario, yaml.load_mapping(text, source, "a scenario"), source, "scenario", text)
    sc.path = source
    return sc


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        return parse_scenario(p.read_text(encoding="utf-8"), str(p))
    except OSError as e:
        raise ConfigError(f"cannot read scenario {p}: {e.strerror}") from e


_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class TimeResolver:
    """Turns 'HH:MM', '+30s' and full dates into aware datetimes, moving forward through the day."""

    def __init__(self, start: str, tz: str) -> None:
        self.tz = ZoneInfo(tz)
        try:
            self.start = datetime.fromisoformat(start).replace(tzinfo=self.tz)
        except ValueError:
            raise ConfigError(f"bad start time {start!r}; use 'YYYY-MM-DD HH:MM'") from None
        self.last = self.start

    def resolve(self, ref: str, base: datetime | None = None) -> datetime:
        base = base or self.last
        ref = ref.strip()
        if ref.startswith("+"):
            return base + timedelta(seconds=parse_duration(ref[1:]))
        m = _HHMM.match(ref)
        if m:
            local = base.astimezone(self.tz)
            t = local.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=int(m.group(3) or 0),
                              microsecond=0)
            while t < base:
                t += timedelta(days=1)
            return t
        try:
            dt = datetime.fromisoformat(ref)
        except ValueError:
            raise ConfigError(f"bad time {ref!r}; use HH:MM, +30s or a full date") from None
        return dt if dt.tzinfo else dt.replace(tzinfo=self.tz)

    def step(self, ref: str) -> datetime:
        self.last = self.resolve(ref)
        return self.last
