"""Declarative YAML automations: trigger (event, state or time), conditions over the graph, actions
as skill calls with optional delay. Deterministic: same graph and trigger, same plan.

    rules:
      - id: hall_light_on_arrival_after_dark
        trigger: {event: arrived, entity: "person:*"}
        conditions:
          - time: {after: "18:00", before: "06:00"}
        actions:
          - skill: light_turn_on
            args: {room: hallway}
          - skill: light_turn_off
            args: {room: hallway}
            delay: 10m
"""

from __future__ import annotations

import fnmatch
import re
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fusehub import yamlio as yaml
from fusehub.context.graph import ContextGraph
from fusehub.errors import ConfigError
from fusehub.events import JSON, Event, HubEvent, StateChanged
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Action", "Rule", "RuleSet", "load_rules", "parse_duration", "parse_rules"]

_DUR = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(v: str | float | int) -> float:
    """'90', '90s', '5m', '1.5h' -> seconds."""
    if isinstance(v, int | float):
        if v < 0:
            raise ValueError("duration must not be negative")
        return float(v)
    m = _DUR.match(v)
    if not m:
        raise ValueError(f"bad duration {v!r}; use e.g. 30s, 5m, 1h")
    return float(m.group(1)) * _UNITS[m.group(2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Strict):
    """Exactly one of event / state / time."""

    event: str | None = Field(default=None, description="Event name, e.g. 'arrived', 'region_enter', 'press'.")
    state: str | None = Field(default=None, description="Attribute whose change triggers, e.g. 'contact_open'.")
    entity: str | None = Field(default=None, description="Entity id or glob: 'front_door', 'person:*', 'home'.")
    to: JSON = Field(default=None, description="State trigger: the new value must equal this.")
    from_: JSON = Field(default=None, alias="from", description="State trigger: the old value must equal this.")
    time: str | None = Field(default=None, description="'HH:MM' daily or a 5-field crontab expression.")

    @model_validator(mode="after")
    def _one(self) -> Trigger:
        n = sum(x is not None for x in (self.event, self.state, self.time))
        if n != 1:
            raise ValueError("a trigger needs exactly one of event, state or time")
        if self.state is not None and self.entity is None:
            raise ValueError("a state trigger needs an entity")
        return self


class Condition(_Strict):
    """All given fields must hold."""

    entity: str | None = Field(default=None, description="Device id, 'person:<id>' or 'home'.")
    attribute: str | None = None
    equals: JSON = None
    not_equals: JSON = None
    above: float | None = None
    below: float | None = None
    after: str | None = Field(default=None, description="Local time 'HH:MM' (wraps midnight with before).")
    before: str | None = None
    people_home: int | None = Field(default=None, description="Exactly this many people at home.")
    anyone_home: bool | None = None

    @field_validator("after", "before")
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is not None:
            _hhmm(v)
        return v


def _hhmm(v: str) -> time:
    try:
        hh, mm = v.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise ValueError(f"bad time {v!r}; use HH:MM") from None


class Action(_Strict):
    skill: str
    args: dict[str, JSON] = Field(default_factory=dict)
    delay: float = Field(default=0.0, description="Seconds (or '5m') to wait before the call.")

    @field_validator("delay", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> float:
        return parse_duration(v)


class Rule(_Strict):
    id: str
    description: str = ""
    trigger: Trigger
    conditions: list[Condition] = Field(default_factory=list)
    actions: list[Action] = Field(min_length=1)
    mode: Literal["single", "restart"] = Field(
        default="restart", description="restart: a new trigger cancels this rule's pending delayed actions."
    )


class RuleFile(_Strict):
    rules: list[Rule]


def parse_rules(text: str, source: str = "<rules>") -> list[Rule]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(yaml.describe_error(e, source)) from e
    located = isinstance(data, dict)  # line numbers follow pydantic's key paths only in the mapping form
    if isinstance(data, list):
        data = {"rules": data}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with 'rules'")
    rules = yaml.validate(RuleFile, data, source, "rules", text if located else None).rules
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            raise ConfigError(f"{source}: duplicate rule id {r.id!r}")
        seen.add(r.id)
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    p = Path(path)
    try:
        return parse_rules(p.read_text(encoding="utf-8"), str(p))
    except OSError as e:
        raise ConfigError(f"cannot read rules file {p}: {e.strerror}") from e


class RuleSet:
    """Matches events against rules and checks conditions on the graph."""

    def __init__(self, rules: list[Rule], timezone: str = "UTC") -> None:
        self.rules = rules
        self.tz = ZoneInfo(timezone)

    def time_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.trigger.time is not None]

    def matching(self, event: Event, graph: ContextGraph) -> list[Rule]:
        """Rules whose trigger matches `event` and whose conditions hold now."""
        out = []
        for r in self.rules:
            if self._triggered(r.trigger, event) and self.conditions_hold(r, graph, event.time):
                out.append(r)
        return out

    @staticmethod
    def _triggered(t: Trigger, ev: Event) -> bool:
        if t.event is not None:
            return isinstance(ev, HubEvent) and ev.name == t.event and _entity_match(t.entity, ev.entity)
        if t.state is not None:
            if not isinstance(ev, StateChanged) or ev.attribute != t.state or not _entity_match(t.entity, ev.entity):
                return False
            if "to" in t.model_fields_set and ev.new != t.to:
                return False
            return not ("from_" in t.model_fields_set and ev.old != t.from_)
        return False

    def conditions_hold(self, rule: Rule, graph: ContextGraph, now: datetime) -> bool:
        return all(self._holds(c, graph, now) for c in rule.conditions)

    def _holds(self, c: Condition, graph: ContextGraph, now: datetime) -> bool:
        if c.after is not None or c.before is not None:
            local = now.astimezone(self.tz).time()
            a = _hhmm(c.after) if c.after else time(0, 0)
            b = _hhmm(c.before) if c.before else time(23, 59, 59, 999999)
            inside = a <= local < b if a <= b else (local >= a or local < b)
            if not inside:
                return False
        if c.people_home is not None and len(graph.people_home()) != c.people_home:
            return False
        if c.anyone_home is not None and bool(graph.people_home()) != c.anyone_home:
            return False
        if c.entity is not None:
            value = entity_value(graph, c.entity, c.attribute)
            if "equals" in c.model_fields_set and value != c.equals:
                return False
            if "not_equals" in c.model_fields_set and value == c.not_equals:
                return False
            if c.above is not None and not (isinstance(value, int | float) and value > c.above):
                return False
            if c.below is not None and not (isinstance(value, int | float) and value < c.below):
                return False
        return True


def _entity_match(pattern: str | None, entity: str) -> bool:
    return pattern is None or fnmatch.fnmatchcase(entity, pattern)


def entity_value(graph: ContextGraph, entity: str, attribute: str | None) -> JSON:
    """The value of an attribute of a device, a person ('person:anna', attribute location/room) or 'home'."""
    if entity == "home":
        if attribute in (None, "people_home"):
            return len(graph.people_home())
        if attribute == "occupied":
            return bool(graph.people_home())
        return None
    if entity.startswith("person:"):
        pid = entity.split(":", 1)[1]
        if not graph.has_person(pid):
            return None
        return graph.person(pid).model_dump().get(attribute or "location")
    if not graph.has_device(entity):
        return None
    d = graph.device(entity)
    if attribute in (None, "available"):
        return d.available if attribute else d.state
    return d.state.get(attribute)
