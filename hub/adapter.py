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
from typing import Any

from fusehub.events import Command, DeviceSpec, Outbound, Parsed
from paho.mqtt.client import topic_matches_sub

__all__ = [
    "AdapterSpec",
    "DeviceParser",
    "Encoder",
    "Exporter",
    "Parser",
    "Route",
    "SimDevice",
    "default_declared_key",
    "topic_matches",
]

Parser = Callable[[str, bytes], list[Parsed]]
"""(topic, payload) -> what the message says. Never raises for bad input: returns Rejected."""

Encoder = Callable[[Command, Mapping[str, Any]], list[Any]]
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

    `decl` is a hub.home.DeviceDecl; `state` uses hub.capabilities attribute names.
    """

    announce: Callable[[Any], list[Outbound]]
    publish_state: Callable[[Any, Mapping[str, Any]], list[Outbound]]
    command_topics: Callable[[Any], list[str]]
    apply: Callable[[Any, str, bytes, Mapping[str, Any]], dict[str, Any] | None]
    offline: Callable[[Any], list[Outbound]]


@dataclass(frozen=True, slots=True)
class Exporter:
    """How the hub publishes its own beliefs into an ecosystem (e.g. Home Assistant discovery).

    `configs(hub_id, view)` announces the hub's entities; `states(hub_id, view)` publishes their current
    values. `view` is a plain snapshot: {"name", "people": [{id, name, location, room, room_name,
    confidence}], "rooms": [{id, name, occupied, people}], "last_decision": str}. When `birth_topic`
    receives `birth_payload` (the ecosystem restarted), the hub sends configs and states again.
    """

    configs: Callable[[str, Mapping[str, Any]], list[Outbound]]
    states: Callable[[str, Mapping[str, Any]], list[Outbound]]
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
    declared_spec: Callable[[Any], DeviceSpec] | None = None
    """For ecosystems whose routing data comes from the home file (a generic mapping, a car's VIN): the
    DeviceSpec (with address) of a declared device (a hub.home.DeviceDecl)."""
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
