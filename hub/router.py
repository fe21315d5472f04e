"""Routes MQTT messages to adapters' parsers: static routes from each SPEC, and topics learned from
discovery (a device's `address["subscribe"]`). Parser crashes become counted rejections."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fusehub.adapter import AdapterSpec
from fusehub.errors import DuplicateRegistration
from fusehub.events import Parsed, Rejected
from paho.mqtt.client import topic_matches_sub
from pydantic import TypeAdapter, ValidationError

__all__ = ["Routed", "Router"]

log = logging.getLogger(__name__)

_PARSED_LIST: TypeAdapter[list[Parsed]] = TypeAdapter(list[Parsed])


@dataclass(slots=True)
class Routed:
    adapter: str
    items: list[Any] = field(default_factory=list)


class Router:
    def __init__(self, adapters: Mapping[str, AdapterSpec]) -> None:
        self.adapters: dict[str, AdapterSpec] = {}
        self._static: list[tuple[str, str, Any]] = []  # (pattern, adapter, parse)
        self._exact: dict[str, tuple[str, Any]] = {}
        self._device_topics: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = {}
        for spec in adapters.values():
            self.add(spec)

    def add(self, spec: AdapterSpec) -> None:
        if spec.name in self.adapters:
            raise DuplicateRegistration(f"adapter {spec.name!r} is already registered")
        self.adapters[spec.name] = spec
        for r in spec.routes:
            if "+" in r.pattern or "#" in r.pattern:
                self._static.append((r.pattern, spec.name, r.parse))
            else:
                self._exact[r.pattern] = (spec.name, r.parse)

    def patterns(self) -> list[str]:
        return [p for p, _, _ in self._static] + list(self._exact) + list(self._device_topics)

    def watch_device(self, adapter: str, key: str, address: Mapping[str, Any]) -> list[str]:
        """Route a discovered device's own topics to its adapter; returns the topics newly needing a subscription."""
        new = []
        for t in address.get("subscribe", []) or []:
            if not isinstance(t, str) or not t:
                continue
            entries = self._device_topics.setdefault(t, [])
            entries[:] = [e for e in entries if e[1] != key]
            entries.append((adapter, key, address))
            if len(entries) == 1:
                new.append(t)
        return new

    def unwatch_device(self, key: str) -> None:
        for t in list(self._device_topics):
            self._device_topics[t] = [e for e in self._device_topics[t] if e[1] != key]
            if not self._device_topics[t]:
                del self._device_topics[t]

    def route(self, topic: str, payload: bytes) -> list[Routed]:
        """Every adapter's reading of this message. An empty list means no adapter knows the topic."""
        out: list[Routed] = []
        hit = self._exact.get(topic)
        if hit is not None:
            out.append(self._call(hit[0], hit[1], topic, payload))
        for pattern, name, parse in self._static:
            if topic_matches_sub(pattern, topic):
                out.append(self._call(name, parse, topic, payload))
        for name, key, address in self._device_topics.get(topic, ()):
            spec = self.adapters[name]
            if spec.parse_device is None:
                continue
            try:
                items = spec.parse_device(key, address, topic, payload)
                out.append(Routed(name, _PARSED_LIST.validate_python(items)))
            except (ValidationError, Exception) as e:  # a parser bug must not take the hub down
                log.exception("adapter %s crashed on %s", name, topic)
                out.append(Routed(name, [Rejected(reason=f"{name} parser failed: {type(e).__name__}: {e}")]))
        return out

    @staticmethod
    def _call(name: str, parse: Any, topic: str, payload: bytes) -> Routed:
        try:
            return Routed(name, _PARSED_LIST.validate_python(parse(topic, payload)))
        except Exception as e:
            log.exception("adapter %s crashed on %s", name, topic)
            return Routed(name, [Rejected(reason=f"{name} parser failed: {type(e).__name__}: {e}")])
