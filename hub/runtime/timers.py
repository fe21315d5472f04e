"""Timers the `timer_*` skills start: scheduled on the hub's clock, kept in the journal across restarts,
announced on the speakers of the room they were set in (or every speaker) when done."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from fusehub.bus import Bus
from fusehub.clock import Clock
from fusehub.context.graph import ContextGraph
from fusehub.events import Command, Context, HubEvent, Origin
from fusehub.journal import Journal
from fusehub.scheduler import Scheduler
from fusehub.sdk import SkillContext, timer_phrase

__all__ = ["Timers"]

log = logging.getLogger("fusehub")

class Timers:
    """The hub's :class:`fusehub.sdk.TimerService`."""

    def __init__(
        self,
        *,
        scheduler: Scheduler,
        journal: Journal,
        bus: Bus,
        clock: Clock,
        graph: ContextGraph,
        skill_context: Callable[[Context], SkillContext],
        send: Callable[[Command], Awaitable[object]],
    ) -> None:
        self._scheduler = scheduler
        self._journal = journal
        self._bus = bus
        self._clock = clock
        self._graph = graph
        self._skill_context = skill_context
        self._send = send
        self._timers: dict[str, dict[str, Any]] = {}

    def start_timer(self, name: str, seconds: float, context: Context, room: str | None) -> str:
        jid = f"timer:{name}"
        if self._scheduler.has(jid):
            self._scheduler.cancel(jid)
        due = self._clock.now() + timedelta(seconds=seconds)
        self._timers[name] = {"name": name, "due": due.isoformat(), "room": room, "parent": context.id}
        self._scheduler.at(jid, due, self._done(name))
        self._save()
        return jid

    def cancel_timer(self, name: str | None) -> list[str]:
        names = [name] if name is not None else list(self._timers)
        done = [n for n in names if n in self._timers and self._scheduler.cancel(f"timer:{n}")]
        for n in done:
            self._timers.pop(n, None)
        self._save()
        return done

    def timers(self) -> list[dict[str, Any]]:
        now = self._clock.now()
        return [{"name": t["name"], "remaining_s": (datetime.fromisoformat(t["due"]) - now).total_seconds()}
                for t in self._timers.values()]

    def restore(self) -> None:
        """Schedule the timers the journal kept (one already due fires at once)."""
        for t in self._journal.get("timers") or []:
            try:
                due = datetime.fromisoformat(t["due"])
                self._timers[t["name"]] = t
                self._scheduler.at(f"timer:{t['name']}", max(due, self._clock.now()), self._done(t["name"]))
            except (KeyError, ValueError, TypeError) as e:
                log.warning("dropping unreadable persisted timer %r: %s", t, e)

    def _done(self, name: str) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            t = self._timers.pop(name, None)
            self._save()
            if t is None:
                return
            ctx = Context(parent_id=t["parent"], origin=Origin.schedule)
            await self._bus.publish(HubEvent(time=self._clock.now(), context=ctx, entity="home",
                                             name="timer_finished", data={"name": name}))
            speakers = self._graph.devices(room=t["room"], capability="tts") if t["room"] else []
            speakers = speakers or self._graph.devices(capability="tts")
            sctx = self._skill_context(ctx)
            for s in speakers:
                await self._send(sctx.command(s.id, "tts", "announce", message=f"{timer_phrase(name, 'The')} is done"))

        return job

    def _save(self) -> None:
        self._journal.put("timers", list(self._timers.values()))
