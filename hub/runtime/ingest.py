"""Ingest: one MQTT message through the adapters' routes into the context graph and the fusion, out as events.

Discoveries add devices (and the topics to watch for them), observations update state and feed the fusion
of where people are, availability marks devices on or offline, utterances from voice satellites become
:class:`fusehub.events.Utterance` events. Never raises: bad input is rejected, logged and counted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from fusehub.bus import Bus
from fusehub.clock import Clock
from fusehub.context.fusion import BeliefEvent, Fusion, inputs_from_availability, inputs_from_observation
from fusehub.context.graph import ContextGraph, Provenance
from fusehub.events import (
    Actor,
    Availability,
    Context,
    Discovered,
    HubEvent,
    Observation,
    Origin,
    Parsed,
    Rejected,
    Removed,
    StateChanged,
    Utterance,
)
from fusehub.home import Home
from fusehub.router import Router
from fusehub.runtime.health import Health

__all__ = ["Ingest"]


class Ingest:
    """Adapter routes -> graph and fusion -> events on the bus."""

    def __init__(
        self,
        *,
        graph: ContextGraph,
        fusion: Fusion,
        router: Router,
        home: Home,
        bus: Bus,
        clock: Clock,
        health: Health,
        subscribe: Callable[[str], Awaitable[None]],
        save_state: Callable[[], None],
    ) -> None:
        self._graph = graph
        self._fusion = fusion
        self._router = router
        self._home = home
        self._bus = bus
        self._clock = clock
        self._health = health
        self._metrics = health.metrics
        self._subscribe = subscribe
        self._save_state = save_state

    async def route(self, topic: str, payload: bytes) -> None:
        """Parse one device message with every adapter whose routes match, and apply what they found."""
        routed = self._router.route(topic, payload)
        if not routed:
            self._health.reject("route", f"no adapter handles topic {topic[:200]!r}", "")
            return
        for r in routed:
            for item in r.items:
                await self._apply(r.adapter, topic, item)

    async def _apply(self, adapter: str, topic: str, item: Parsed) -> None:
        now = self._clock.now()
        prov = Provenance(adapter=adapter, topic=topic)
        if isinstance(item, Rejected):
            self._health.reject("parse", f"{adapter}: {item.reason}", topic)
        elif isinstance(item, Discovered):
            await self._discovered(adapter, item, prov, now)
        elif isinstance(item, Removed):
            self._router.unwatch_device(item.device)
            if self._graph.remove_device_by_key(item.device):
                self._metrics["removed"] += 1
        elif isinstance(item, Availability):
            await self._availability(item, now)
        elif isinstance(item, Observation):
            await self._observation(item, prov)

    async def _discovered(self, adapter: str, item: Discovered, prov: Provenance, now: datetime) -> None:
        known_id = self._graph.device_id_for_key(item.spec.key)
        known = known_id is not None
        before_addr = self._graph.device(known_id).address if known_id is not None else None
        dev_id = self._graph.upsert_device(item.spec, provenance=prov)
        self._metrics["discovered"] += 0 if known else 1
        addr = self._graph.device(dev_id).address
        for t in self._router.watch_device(adapter, item.spec.key, addr):
            await self._subscribe(t)
        if not known or addr != before_addr:
            self._save_state()  # a restarted hub must know how to reach what it discovered, at once
        if not known:
            await self._bus.publish(
                HubEvent(time=now, context=Context(actor=Actor.device(dev_id), origin=Origin.device),
                         entity=dev_id, name="discovered", data={"key": item.spec.key})
            )

    async def _availability(self, item: Availability, now: datetime) -> None:
        if item.device.endswith(":*"):
            prefix = item.device[:-1]
            ids = [d for d in self._graph.device_ids() if self._graph.device(d).key.startswith(prefix)]
        else:
            one = self._graph.device_id_for_key(item.device)
            ids = [one] if one else []
        for dev_id in ids:
            old = self._graph.device(dev_id).available
            if self._graph.set_available(dev_id, item.online):
                ctx = Context(actor=Actor.device(dev_id), origin=Origin.device)
                await self._bus.publish(
                    StateChanged(time=now, context=ctx, entity=dev_id, attribute="available", old=old,
                                 new=item.online)
                )
                # a BLE room node going down means "not heard" stops meaning "not there"
                inputs = inputs_from_availability(self._graph, dev_id, item.online, now)
                if inputs:
                    events = [e for inp in inputs for e in self._fusion.observe(inp)]
                    await self.apply_beliefs(events, ctx)

    async def _observation(self, obs: Observation, prov: Provenance) -> None:
        now = self._clock.now()
        dev_id = self._graph.device_id_for_key(obs.device)
        if dev_id is None:
            self._health.reject("graph", f"unknown device {obs.device[:120]!r}", prov.topic or "")
            return
        self._metrics["observations"] += 1
        root = Context(actor=Actor.device(dev_id), origin=Origin.device)
        if obs.attributes:
            if self._graph.device(dev_id).available is False:
                self._graph.set_available(dev_id, True)
            for ch in self._graph.apply_state(dev_id, dict(obs.attributes), now, prov):
                await self._bus.publish(
                    StateChanged(time=now, context=Context(parent_id=root.id, actor=root.actor, origin=root.origin),
                                 entity=dev_id, attribute=ch.attribute, old=ch.old, new=ch.new)
                )
        # Beliefs first, so whatever reasons about this observation sees where people are now.
        inputs = inputs_from_observation(self._graph, dev_id, obs, now, owners=self._owners())
        if inputs:
            events: list[BeliefEvent] = []
            for inp in inputs:
                events += self._fusion.observe(inp)
            await self.apply_beliefs(events, root)
        if obs.event == "utterance":
            await self._utterance(dev_id, obs)
        elif obs.event is not None:
            await self._bus.publish(
                HubEvent(time=now, context=root, entity=dev_id, name=obs.event, data=dict(obs.data))
            )

    def _owners(self) -> dict[str, str]:
        """Personal devices besides phones and cars (BLE tags...), by device id, from the home file."""
        out: dict[str, str] = {}
        for p in self._home.people:
            for ref in p.tags:
                dev = ref if self._graph.has_device(ref) else self._graph.device_id_for_key(ref)
                if dev is not None:
                    out[dev] = p.id
        return out

    async def tick(self) -> None:
        """Move beliefs forward in time (silence is evidence too); fires departures detected by absence."""
        await self.apply_beliefs(self._fusion.tick(self._clock.now()), Context(origin=Origin.system))

    async def apply_beliefs(self, events: list[BeliefEvent], cause: Context) -> None:
        """Copy the fused beliefs into the graph (StateChanged for location and room) and turn belief
        triggers into `arrived` / `left` / `first_arrived` / `everyone_left` events (once each, with
        hysteresis: they come from the belief, not from raw reports)."""
        now = self._clock.now()
        for p in self._graph.people():
            loc, room = self._fusion.location(p.id)
            if loc is None:
                continue
            p_home = self._fusion.p_home(p.id)
            conf = p_home if loc == "home" else 1.0 - p_home
            self._graph.set_person_p_home(p.id, round(p_home, 4))
            if not self._graph.set_person_location(p.id, loc, room, conf, now):
                continue
            self._graph.set_person_evidence(p.id, self._fusion.explain(p.id)[:8])  # summary and latest evidence
            ctx = Context(parent_id=cause.id, actor=Actor.person(p.id), origin=Origin.device)
            if p.location != loc:
                await self._bus.publish(StateChanged(time=now, context=ctx, entity=f"person:{p.id}",
                                                     attribute="location", old=p.location, new=loc))
            if p.room != room:
                await self._bus.publish(StateChanged(time=now, context=ctx, entity=f"person:{p.id}",
                                                     attribute="room", old=p.room, new=room))
        for ev in events:
            if ev.kind not in ("arrived", "left") or not self._graph.has_person(ev.person):
                continue
            ctx = Context(parent_id=cause.id, actor=Actor.person(ev.person), origin=Origin.device)
            data = {"probability": round(ev.probability, 3)}
            await self._bus.publish(HubEvent(time=now, context=ctx, entity=f"person:{ev.person}", name=ev.kind,
                                             data=data))
            home = self._graph.people_home()
            if ev.kind == "arrived" and home == [ev.person]:
                await self._bus.publish(HubEvent(time=now, context=ctx, entity="home", name="first_arrived"))
            elif ev.kind == "left" and not home:
                await self._bus.publish(HubEvent(time=now, context=ctx, entity="home", name="everyone_left"))

    async def _utterance(self, dev_id: str, obs: Observation) -> None:
        text = obs.data.get("text")
        if not isinstance(text, str) or not text.strip():
            self._health.reject("utterance", "empty utterance", dev_id)
            return
        room = self._graph.room_of(dev_id)
        actor = self._identify_speaker(obs.data.get("speaker"), room)
        ctx = Context(actor=actor, origin=Origin.voice, room=room)
        await self._bus.publish(Utterance(time=self._clock.now(), context=ctx, text=text[:1000], satellite=dev_id))

    def _identify_speaker(self, hint: object, room: str | None) -> Actor:
        """A voice is attributed to a person only by the satellite's speaker hint (a personal wake word or
        speaker id). Being believed in the room is not identification: a guest next to the owner must not
        borrow the owner's rights."""
        if isinstance(hint, str) and hint:
            pid = self._graph.person_by_voice(hint)
            if pid is not None:
                return Actor.person(pid)
        return Actor.unknown()
