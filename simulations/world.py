"""Virtual devices and people. Each virtual device speaks its ecosystem's own MQTT convention through
the real broker, using the device side of the same adapter module the hub uses (`SPEC.sim`)."""

from __future__ import annotations

import importlib
import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fusehub.adapter import AdapterSpec
from fusehub.clock import Clock
from fusehub.events import JSON, Outbound
from fusehub.home import DeviceDecl, Home
from fusehub.mqtt import MqttLink
from paho.mqtt.client import topic_matches_sub

__all__ = ["Received", "VirtualDevice", "World"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Received:
    """A command as a virtual device received and applied it."""

    time: datetime
    device: str
    topic: str
    payload: str
    state: dict[str, JSON]
    changes: dict[str, JSON]
    command_id: str | None = None


@dataclass
class VirtualDevice:
    decl: DeviceDecl
    spec: AdapterSpec
    state: dict[str, JSON] = field(default_factory=dict)
    online: bool = True


class World:
    """The simulated household: virtual devices and people, publishing through `link`."""

    def __init__(self, home: Home, adapters: dict[str, AdapterSpec], link: MqttLink, clock: Clock) -> None:
        self.home = home
        self.link = link
        self.clock = clock
        self.devices: dict[str, VirtualDevice] = {}
        self.received: list[Received] = []
        self.skipped: list[str] = []
        # Deduplication by command id (the `fusehub-command-id` MQTT 5 user property): a message seen again
        # (a re-send after a hub or broker restart) is counted, not applied twice.
        self.deliveries: Counter[str] = Counter()  # command id -> messages that arrived with it (raw)
        self.duplicates = 0
        self._applied: set[tuple[str, str, str]] = set()
        for d in home.devices:
            spec = adapters.get(d.ecosystem)
            if spec is None or spec.sim is None:
                self.skipped.append(d.id)
                continue
            self.devices[d.id] = VirtualDevice(d, spec, dict(d.initial))
        self._topics: list[tuple[str, str]] = []
        self._was_home: dict[str, bool] = {}
        self._retained: set[str] = set()

    async def start(self) -> None:
        for dev in self.devices.values():
            sim = dev.spec.sim
            if sim is None:
                continue
            for t in sim.command_topics(dev.decl):
                self._topics.append((t, dev.decl.id))
                await self.link.subscribe(t)
            await self._send(sim.announce(dev.decl))
            if dev.state:
                await self._send(sim.publish_state(dev.decl, dev.state))

    async def _send(self, msgs: list[Outbound]) -> None:
        for m in msgs:
            if m.retain:
                self._retained.add(m.topic)
            await self.link.publish(m)

    async def clear_retained(self) -> None:
        """Remove every retained message this world left on the broker (a shared broker stays clean)."""
        for topic in sorted(self._retained):
            if not await self.link.publish(Outbound(topic=topic, payload="", qos=1, retain=True), timeout=1.0):
                break  # no broker: nothing to clean
        self._retained.clear()

    async def handle(self, topic: str, payload: bytes, command_id: str | None = None) -> None:
        """Apply a command message to the devices it addresses. A message that carries a command id already
        applied (same id, topic and payload: a re-send) is recorded as a duplicate and not applied again."""
        key: tuple[str, str, str] | None = None
        if command_id is not None:
            self.deliveries[command_id] += 1
            key = (command_id, topic, payload.decode("utf-8", "replace"))
            if key in self._applied:
                self.duplicates += 1
                log.info("duplicate command %s on %s ignored", command_id, topic)
                return
        applied = False
        for pattern, dev_id in self._topics:
            if not topic_matches_sub(pattern, topic):
                continue
            dev = self.devices[dev_id]
            sim = dev.spec.sim
            if sim is None or not dev.online:
                continue
            new = sim.apply(dev.decl, topic, payload, dict(dev.state))
            if new is None:
                continue
            changes = {k: v for k, v in new.items() if dev.state.get(k) != v}
            dev.state = dict(new)
            self.received.append(
                Received(self.clock.now(), dev_id, topic, payload.decode("utf-8", "replace"), dict(new), changes,
                         command_id)
            )
            applied = True
            await self._send(sim.publish_state(dev.decl, dev.state))
        if key is not None and applied:
            self._applied.add(key)

    # ------------------------------------------------------------------ what people and devices do
    async def set_state(self, device: str, state: dict[str, JSON]) -> None:
        dev = self._dev(device)
        dev.state.update(state)
        if dev.spec.sim is not None and dev.online:
            await self._send(dev.spec.sim.publish_state(dev.decl, dev.state))

    async def set_online(self, device: str, online: bool) -> None:
        dev = self._dev(device)
        dev.online = online
        sim = dev.spec.sim
        if sim is None:
            return
        if online:
            await self._send(sim.announce(dev.decl))
            await self._send(sim.publish_state(dev.decl, dev.state))
        else:
            await self._send(sim.offline(dev.decl))

    async def move(self, person: str, to: str, room: str | None = None, initial: bool = False) -> None:
        """The person's phone reports the new position (and a region transition at home)."""
        p = next((x for x in self.home.people if x.id == person), None)
        if p is None:
            raise KeyError(f"no person {person!r} in the home")
        lat, lon = self._coords(to)
        was_home = self._was_home.get(person)
        self._was_home[person] = to == "home"
        if p.phone and p.phone in self.devices:
            state: dict[str, Any] = {"latitude": lat, "longitude": lon, "accuracy": 10, "battery": 80}
            if not initial and was_home is not None and was_home != (to == "home"):
                state["transition"] = {"event": "enter" if to == "home" else "leave", "region": "Home"}
            dev = self.devices[p.phone]
            dev.state.update({k: v for k, v in state.items() if k != "transition"})
            if dev.spec.sim is not None:
                await self._send(dev.spec.sim.publish_state(dev.decl, state))
        if room is not None and to == "home":
            for d in self.home.devices:
                if d.room == room and d.kind in ("motion", "occupancy") and d.id in self.devices:
                    attr = "motion" if d.kind == "motion" else "occupancy"
                    await self.set_state(d.id, {attr: True})

    def _coords(self, to: str) -> tuple[float, float]:
        loc = self.home.location
        if to == "home":
            if loc is None:
                raise ValueError("the home has no location; people cannot move home")
            return loc.latitude, loc.longitude
        for pl in self.home.places:
            if pl.id == to:
                return pl.latitude, pl.longitude
        if to == "away":
            base = loc or next(iter(self.home.places), None)
            if base is None:
                return 0.0, 0.0
            return base.latitude + 0.05, base.longitude + 0.05 / max(0.1, math.cos(math.radians(base.latitude)))
        raise ValueError(f"unknown destination {to!r}: use home, away or a place id")

    async def say(self, text: str, person: str | None, room: str | None) -> None:
        """A satellite in `room` hears `person` say `text` (the person's voice id is its wake word)."""
        sat = self._satellite(room)
        voice = None
        if person is not None:
            p = next((x for x in self.home.people if x.id == person), None)
            if p is None:
                raise KeyError(f"no person {person!r} in the home")
            voice = p.voice_id or p.id
        speak = getattr(importlib.import_module(f"fusehub.adapters.{sat.decl.ecosystem}"), "speak", None)
        if speak is None:
            raise ValueError(f"{sat.decl.ecosystem} satellites cannot hear speech")
        site = sat.decl.ids.get("site", sat.decl.id)
        await self._send(speak(site, text, speaker=voice))

    def _satellite(self, room: str | None) -> VirtualDevice:
        sats = [d for d in self.devices.values() if d.decl.kind == "speaker" and (room is None or d.decl.room == room)]
        if not sats:
            raise ValueError(f"no voice satellite in {room or 'the home'}")
        return sats[0]

    def _dev(self, device: str) -> VirtualDevice:
        try:
            return self.devices[device]
        except KeyError:
            raise KeyError(f"no virtual device {device!r}") from None
