"""Typed async pub/sub. Listeners subscribe by event class; a failing listener is logged and counted
and never breaks the others or the publisher."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fusehub.errors import DuplicateRegistration
from fusehub.events import Event

__all__ = ["Bus", "Listener"]

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Listener = Callable[[Any], Awaitable[None] | None]


class Bus:
    """In-process event bus. `publish` awaits each listener in registration order (deterministic)."""

    def __init__(self) -> None:
        self._listeners: list[tuple[str, type[Event], Listener]] = []
        self.errors: Counter[str] = Counter()
        self.published = 0

    def subscribe(
        self, name: str, event_type: type[E], listener: Callable[[E], Awaitable[None] | None], *, first: bool = False
    ) -> None:
        """Register a listener; `first=True` puts it before the others (observers that must see an event
        before the reasoners act on it)."""
        if any(n == name for n, _, _ in self._listeners):
            raise DuplicateRegistration(f"bus listener {name!r} is already registered")
        entry: tuple[str, type[Event], Listener] = (name, event_type, listener)
        if first:
            self._listeners.insert(0, entry)
        else:
            self._listeners.append(entry)

    async def publish(self, event: Event) -> None:
        self.published += 1
        for name, typ, fn in list(self._listeners):
            if not isinstance(event, typ):
                continue
            try:
                res = fn(event)
                if res is not None:
                    await res
            except Exception:
                self.errors[name] += 1
                log.exception("bus listener %s failed on %s %s", name, event.kind, event.context.id)
