"""The skill SDK: what a device maker uses to add a skill to fusehub.

A skill is a plain function decorated with :func:`skill`. It takes a :class:`SkillContext` and
a pydantic args model (closed and typed: its JSON schema is the contract the on-hub model is
constrained to) and returns a :class:`SkillResult` holding device commands and/or speech.

    from pydantic import Field
    from fusehub.sdk import Args, SkillContext, SkillResult, skill

    class BoostArgs(Args):
        device: str = Field(description="Humidifier device id.")

    @skill("humidifier_boost", "Run a humidifier at its maximum for a while.",
           permission="control", capabilities=("attributes",))
    def boost(ctx: SkillContext, args: BoostArgs) -> SkillResult:
        return SkillResult(commands=[ctx.command(args.device, "attributes", "set_attribute",
                                                 attribute="target_humidity", value=80)])

Ship it in a package whose `pyproject.toml` declares
``[project.entry-points."fusehub.skills"] my_skills = "my_package.skills"``; the hub loads every
decorated function of that module. Registering two skills with one name raises
:class:`hub.errors.DuplicateRegistration`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any, Literal, Protocol

from fusehub.capabilities import CAPABILITIES
from fusehub.context.graph import ContextGraph, DeviceView
from fusehub.errors import DuplicateRegistration, SkillError, UnknownSkill
from fusehub.events import Command, Context
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "DEFAULT_COMMAND_TTL_S",
    "Args",
    "Permission",
    "SkillContext",
    "SkillInfo",
    "SkillRegistry",
    "SkillResult",
    "Target",
    "TimerService",
    "skill",
    "spoken_duration",
    "timer_default_name",
    "timer_phrase",
]

DEFAULT_COMMAND_TTL_S = 120.0
"""How long a command may wait for delivery before it is dropped (the default of `command_ttl_s`)."""

log = logging.getLogger(__name__)

Permission = Literal["read", "control", "secure"]
"""read: answers from the graph; control: ordinary device control; secure: locks, garage, alarm, car."""


class Args(BaseModel):
    """Base for skill argument models: closed (unknown keys are an error) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(Args):
    """Which devices a skill acts on: one device, a room, a floor, or the whole home."""

    device: str | None = Field(default=None, description="A device id. Wins over room and floor.")
    room: str | None = Field(default=None, description="A room id: every matching device in that room.")
    floor: str | None = Field(default=None, description="A floor id: every matching device on that floor.")
    everywhere: bool = Field(default=False, description="True: every matching device in the home.")


class SkillResult(BaseModel):
    """What a skill produced: device commands to send and/or text to say to the requester."""

    commands: list[Command] = Field(default_factory=list)
    speech: str | None = None


class TimerService(Protocol):
    """Hub-side timers a skill may start and cancel."""

    def start_timer(self, name: str, seconds: float, context: Context, room: str | None) -> str: ...

    def cancel_timer(self, name: str | None) -> list[str]: ...

    def timers(self) -> list[dict[str, Any]]: ...


@dataclass
class SkillContext:
    """What a running skill may read and use. Skills never publish: they return commands."""

    graph: ContextGraph
    now: datetime
    context: Context
    timers: TimerService | None = None
    command_ttl_s: float = DEFAULT_COMMAND_TTL_S
    """Seconds a command may wait for delivery; the hub passes its configured `command_ttl_s`."""

    def device(self, device_id: str) -> DeviceView:
        """The device, or SkillError naming the missing id."""
        if not self.graph.has_device(device_id):
            raise SkillError(f"there is no device {device_id!r}")
        return self.graph.device(device_id)

    def targets(self, target: Target, capability: str, kind: str | None = None) -> list[DeviceView]:
        """Devices a Target designates that have `capability` (and `kind`, if given); SkillError if none."""
        if target.device is not None:
            d = self.device(target.device)
            if capability not in d.capabilities:
                raise SkillError(f"{d.name} cannot do {capability}")
            return [d]
        room = target.room
        if room is None and target.floor is None and not target.everywhere:
            room = self.context.room
        if room is None and target.floor is None and not target.everywhere:
            raise SkillError("say which device, room or floor")
        if room is not None and self.graph.resolve_room(room) is None:
            raise SkillError(f"there is no room {room!r}")
        found = self.graph.devices(
            room=self.graph.resolve_room(room) if room else None, floor=target.floor, capability=capability, kind=kind
        )
        if not found:
            where = room or target.floor or "the home"
            raise SkillError(f"no {kind or capability} device in {where}")
        return found

    def command(self, device_id: str, capability: str, action: str, **params: Any) -> Command:
        """A command for one device, caused by this skill call's context."""
        from datetime import timedelta

        return Command(
            context=self.context.child(),
            time=self.now,
            device=device_id,
            capability=capability,
            action=action,
            params=params,
            expires_at=self.now + timedelta(seconds=self.command_ttl_s),
        )


SkillFunc = Callable[[SkillContext, Any], SkillResult]


@dataclass(frozen=True, slots=True)
class SkillInfo:
    """A registered skill, as a frozen description."""

    name: str
    description: str
    args_model: type[BaseModel]
    permission: Permission
    capabilities: tuple[str, ...]
    func: SkillFunc = field(repr=False)
    source: str = "builtin"
    protective: bool = False
    """A secure skill that makes the home safer (lock a door, close the garage): any identified person may ask
    for it, and the planner proposing it needs no confirmation. Undoing it (unlock, open) stays owner/adult only."""

    def schema(self) -> dict[str, Any]:
        return self.args_model.model_json_schema()

    def validate_args(self, args: dict[str, Any]) -> BaseModel:
        try:
            return self.args_model.model_validate(args)
        except ValidationError as e:
            msgs = "; ".join(f"{'.'.join(map(str, er['loc'])) or 'args'}: {er['msg']}" for er in e.errors())
            raise SkillError(f"{self.name}: invalid arguments: {msgs}") from e


_MARK = "__fusehub_skill__"


def skill(
    name: str,
    description: str,
    *,
    permission: Permission = "control",
    capabilities: Iterable[str] = (),
    protective: bool = False,
) -> Callable[[SkillFunc], SkillFunc]:
    """Mark a function as a skill. The args model is taken from the second parameter's annotation.
    `protective` (secure skills only): see :attr:`SkillInfo.protective`."""
    if permission not in ("read", "control", "secure"):
        raise ValueError(f"permission must be read, control or secure, not {permission!r}")
    if protective and permission != "secure":
        raise ValueError(f"skill {name!r}: only a secure skill can be protective")
    caps = tuple(capabilities)
    for c in caps:
        if c not in CAPABILITIES:
            raise ValueError(f"skill {name!r}: unknown capability {c!r}")

    def wrap(func: SkillFunc) -> SkillFunc:
        try:
            params = list(inspect.signature(func, eval_str=True).parameters.values())
        except NameError as e:
            raise TypeError(f"skill {name!r}: cannot resolve the args annotation ({e}); define it at module level")\
                from None
        if len(params) != 2:
            raise TypeError(f"skill {name!r}: a skill takes (ctx, args)")
        model = params[1].annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"skill {name!r}: annotate args with a pydantic model")
        if model.model_config.get("extra") != "forbid":
            raise TypeError(f"skill {name!r}: args model must be closed (extra='forbid'); subclass skills.sdk.Args")
        setattr(func, _MARK, SkillInfo(name, description, model, permission, caps, func, func.__module__,
                                        protective))
        return func

    return wrap


class SkillRegistry:
    """The explicit registry of skills. Built by hub.app; no global instance."""

    def __init__(self) -> None:
        self._skills: dict[str, SkillInfo] = {}

    def register(self, info: SkillInfo) -> None:
        if info.name in self._skills:
            prev = self._skills[info.name]
            raise DuplicateRegistration(
                f"skill {info.name!r} from {info.source} is already registered by {prev.source}"
            )
        self._skills[info.name] = info

    def add_module(self, module: ModuleType) -> int:
        """Register every decorated function of `module`; returns how many."""
        n = 0
        for value in vars(module).values():
            info = getattr(value, _MARK, None)
            if isinstance(info, SkillInfo) and info.source == module.__name__:
                self.register(info)
                n += 1
        return n

    def load_entry_points(self, group: str = "fusehub.skills") -> list[str]:
        """Load third-party skill modules from an entry-point group; returns the loaded names."""
        loaded = []
        for ep in entry_points(group=group):
            obj = ep.load()
            if isinstance(obj, ModuleType):
                self.add_module(obj)
            elif isinstance(getattr(obj, _MARK, None), SkillInfo):
                self.register(getattr(obj, _MARK))
            else:
                raise TypeError(f"entry point {ep.name!r} ({ep.value}) is neither a module nor a skill")
            loaded.append(ep.name)
        return loaded

    def get(self, name: str) -> SkillInfo:
        try:
            return self._skills[name]
        except KeyError:
            raise UnknownSkill(f"no skill {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._skills

    def __iter__(self) -> Iterator[SkillInfo]:
        return iter(sorted(self._skills.values(), key=lambda s: s.name))

    def __len__(self) -> int:
        return len(self._skills)

    def execute(self, name: str, ctx: SkillContext, args: dict[str, Any]) -> SkillResult:
        info = self.get(name)
        model = info.validate_args(args)
        result = info.func(ctx, model)
        if not isinstance(result, SkillResult):
            raise SkillError(f"skill {name!r} returned {type(result).__name__}, not SkillResult")
        return result


def timer_default_name(seconds: int) -> str:
    """The name of a timer started without one: '5 minute', '90 second'. Stable: "cancel the 5 minute timer"
    finds the timer by it, and the planner's training data uses it; speech goes through `timer_phrase`."""
    return f"{seconds // 60} minute" if seconds % 60 == 0 else f"{seconds} second"


def spoken_duration(seconds: float) -> str:
    """'3 minutes', '1 minute 30 seconds', '1 hour', '45 seconds': how a speaker says a duration."""
    total = max(0, round(seconds))
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        n, total = divmod(total, size)
        if n:
            parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
    return " ".join(parts) or "0 seconds"


def timer_phrase(name: str, the: str = "the") -> str:
    """'the 3 minute timer', 'the tea timer', 'the pasta timer' (a name 'pasta timer' is not doubled)."""
    return f"{the} {name}" if name.lower().endswith("timer") else f"{the} {name} timer"
