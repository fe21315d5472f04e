"""Exporting what the hub believes (who is where, which rooms are occupied, the last decision) through every
adapter that has an exporter (Home Assistant MQTT discovery): configs on attach and when the ecosystem
restarts, states when people move or the hub decides, at most four times a second."""

from __future__ import annotations

import asyncio

from fusehub.adapter import AdapterSpec, ExportView, PersonExport, RoomExport
from fusehub.clock import Clock
from fusehub.context.graph import ContextGraph
from fusehub.events import Decision, Event, StateChanged
from fusehub.runtime.outcome import Transport, summarize

__all__ = ["BeliefExporter"]

_MIN_INTERVAL_S = 0.25


class BeliefExporter:
    """Publishes the hub's beliefs with each adapter's exporter. `transport` is set on attach."""

    def __init__(
        self, hub_id: str, home_name: str, adapters: dict[str, AdapterSpec], graph: ContextGraph, clock: Clock
    ) -> None:
        self._hub_id = hub_id
        self._home_name = home_name
        self._exporters = [s.exporter for s in adapters.values() if s.exporter is not None]
        self._graph = graph
        self._clock = clock
        self.transport: Transport | None = None
        self._dirty = False
        self._configs_due = False
        self._last: float | None = None
        self._timer: asyncio.Task[None] | None = None
        self._last_decision = ""

    def birth_topics(self) -> list[str]:
        """Topics where an ecosystem announces it (re)started: the hub then sends its configs again."""
        return [ex.birth_topic for ex in self._exporters if ex.birth_topic]

    async def birth(self, topic: str, payload: bytes) -> bool:
        """True when `topic` is an exporter's birth topic (and re-announce when the payload says online)."""
        births = [ex for ex in self._exporters if ex.birth_topic == topic]
        if not births:
            return False
        if payload.decode("utf-8", "replace").strip() == births[0].birth_payload:
            await self.export(configs=True)  # the ecosystem restarted: announce the hub again
        return True

    def view(self) -> ExportView:
        """A plain snapshot of what the hub believes, for exporters."""
        rooms = {r.id: r.name for r in self._graph.rooms()}
        people: list[PersonExport] = [
            {"id": p.id, "name": p.name, "location": p.location, "room": p.room,
             "room_name": rooms.get(p.room) if p.room else None, "confidence": round(p.confidence, 3)}
            for p in self._graph.people()
        ]
        occupied: dict[str, list[str]] = {}
        for pv in self._graph.people():
            if pv.location == "home" and pv.room:
                occupied.setdefault(pv.room, []).append(pv.id)
        return {
            "name": self._home_name,
            "people": people,
            "rooms": [RoomExport(id=rid, name=name, occupied=rid in occupied, people=occupied.get(rid, []))
                      for rid, name in rooms.items()],
            "last_decision": self._last_decision,
        }

    async def export(self, configs: bool = False) -> None:
        """Publish every exporter's states (and configs when asked, or when an earlier announcement failed)."""
        if self.transport is None:
            return
        configs = configs or self._configs_due
        view = self.view()
        for ex in self._exporters:
            msgs = (ex.configs(self._hub_id, view) if configs else []) + ex.states(self._hub_id, view)
            for m in msgs:
                if not await self.transport.publish(m, timeout=0.2):
                    # no broker now: the next flush tries again (configs too), nothing waits
                    self._dirty, self._configs_due = True, configs
                    return
        self._dirty = self._configs_due = False
        self._last = self._clock.monotonic()

    async def on_event(self, ev: Event) -> None:
        """The bus listener: decisions and people's moves make the exported states stale."""
        if isinstance(ev, Decision):
            self._last_decision = summarize(ev)
        elif not (isinstance(ev, StateChanged) and ev.entity.startswith("person:")):
            return
        self._dirty = True
        wait = 0.0 if self._last is None else self._last + _MIN_INTERVAL_S - self._clock.monotonic()
        if wait <= 0:
            await self.export()
        elif self._timer is None:
            # at most four exports a second; the last change is always published
            async def later() -> None:
                await self._clock.sleep(wait)
                self._timer = None
                await self.flush()

            self._timer = asyncio.get_running_loop().create_task(later())

    async def flush(self) -> None:
        """Publish now if something changed since the last export (or an announcement is still due)."""
        if self._dirty or self._configs_due:
            await self.export()
