"""The adapter contract: one module per ecosystem exporting a declarative SPEC.

A SPEC holds *routes* (MQTT topic pattern -> pure parser) and *encoders* (capability ->
pure function turning a Command into that ecosystem's messages). Parsers and encoders do
no I/O, touch no bus and keep no state: everything they need is in the topic, the payload,
and the device's `address` (the routing data its discovery produced).

Devices whose topics are only known after discovery (Home Assistant's state_topic, say) list
them in `address["subscribe"]`; the hub subscribes and hands messages on those topics to
`SPEC.parse_device(key, address, topic, payload)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from fusehub.events import Command, DeviceSpec, Outbound, Parsed
from fusehub.home import DeviceDecl
from paho.mqtt.client import topic_matches_sub

__all__ = [
    "AdapterSpec",
    "DeviceParser",
    "Encoder",
    "ExportView",
    "Exporter",
    "Parser",
    "PersonExport",
    "RoomExport",
    "Route",
    "SimDevice",
    "default_declared_key",
    "topic_matches",
]

Parser = Callable[[str, bytes], list[Parsed]]
"""(topic, payload) -> what the message says. Never raises for bad input: returns Rejected."""

Encoder = Callable[[Command, Mapping[str, Any]], list[Outbound]]
"""(command, device address) -> list[Outbound]. Raises AdapterError when it cannot encode."""

DeviceParser = Callable[[str, Mapping[str, Any], str, bytes], list[Parsed]]
"""(device key, device address, topic, payload) -> what a message on a discovered topic says."""


@dataclass(frozen=True, slots=True)
class Route:
    """A subscription pattern (MQTT wildcards + and #) and the pure parser for messages on it."""

    pattern: str
    parse: Parser
    description: str = ""


@dataclass(frozen=True, slots=True)
class SimDevice:
    """The device side of a convention, for the simulator's virtual devices (same module, same format).

    - announce(decl) -> messages a real device publishes when it comes up (discovery, birth).
    - publish_state(decl, state) -> messages reporting `state` in the ecosystem's format.
    - command_topics(decl) -> topics the device listens on.
    - apply(decl, topic, payload, state) -> the new state after a command (or None if not understood).
    - offline(decl) -> what its last will says.

    `decl` is the home file's declaration; `state` uses fusehub.capabilities attribute names.
    """

    announce: Callable[[DeviceDecl], list[Outbound]]
    publish_state: Callable[[DeviceDecl, Mapping[str, Any]], list[Outbound]]
    command_topics: Callable[[DeviceDecl], list[str]]
    apply: Callable[[DeviceDecl, str, bytes, Mapping[str, Any]], dict[str, Any] | None]
    offline: Callable[[DeviceDecl], list[Outbound]]


class PersonExport(TypedDict):
    """One person as exported: where the fusion believes they are."""

    id: str
    name: str
    location: str | None
    room: str | None
    room_name: str | None
    confidence: float


class RoomExport(TypedDict):
    """One room as exported: occupied when someone is believed in it."""

    id: str
    name: str
    occupied: bool
    people: list[str]


class ExportView(TypedDict):
    """What the hub believes, as exporters see it."""

    name: str
    people: list[PersonExport]
    rooms: list[RoomExport]
    last_decision: str


@dataclass(frozen=True, slots=True)
class Exporter:
    """How the hub publishes its own beliefs into an ecosystem (e.g. Home Assistant discovery).

    `configs(hub_id, view)` announces the hub's entities; `states(hub_id, view)` publishes their current
    values from `view`, a snapshot of the hub's beliefs (:class:`ExportView`). When `birth_topic`
    receives `birth_payload` (the ecosystem restarted), the hub sends configs and states again.
    """

    configs: Callable[[str, ExportView], list[Outbound]]
    states: Callable[[str, ExportView], list[Outbound]]
    birth_topic: str | None = None
    birth_payload: str = "online"


def default_declared_key(ecosystem: str, device_id: str, ids: Mapping[str, str]) -> str:
    """The adapter key of a device declared in a home file: '<ecosystem>:<ids.key or id>'."""
    return f"{ecosystem}:{ids.get('key', device_id)}"


@dataclass(frozen=True, slots=True)
class AdapterSpec:
    """Everything the hub needs to speak one ecosystem."""

    name: str
    title: str
    routes: tuple[Route, ...]
    encoders: Mapping[str, Encoder] = field(default_factory=dict)
    parse_device: DeviceParser | None = None
    declared_key: Callable[[str, Mapping[str, str]], str] | None = None
    on_connect: Callable[[], list[Outbound]] = field(default=lambda: [])
    sim: SimDevice | None = None
    exporter: Exporter | None = None
    declared_spec: Callable[[DeviceDecl], DeviceSpec] | None = None
    """For ecosystems whose routing data comes from the home file (a generic mapping, a car's VIN): the
    DeviceSpec (with address) of a declared device."""
    description: str = ""

    def key_for(self, device_id: str, ids: Mapping[str, str]) -> str:
        if self.declared_key is not None:
            return self.declared_key(device_id, ids)
        return default_declared_key(self.name, device_id, ids)


def topic_matches(pattern: str, topic: str) -> bool:
    """MQTT topic filter matching (+ one level, # the rest, $-topics not matched by a leading wildcard).

    Kept for existing callers; it is paho's :func:`paho.mqtt.client.topic_matches_sub`, which new code
    calls directly."""
    return topic_matches_sub(pattern, topic)
