"""Ending asyncio tasks reliably.

On Python 3.11 `asyncio.wait_for` (used inside aiomqtt and here) swallows a cancel that lands just as the call
it waits for completes, so one `Task.cancel()` may not end a task: it goes on to its next await (a queue of
messages, a `while True` loop) and a plain `gather` after the cancel waits for ever. `cancel_and_wait` cancels
again until every task has ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

__all__ = ["cancel_and_wait"]


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]], step_s: float = 1.0) -> None:
    """Cancel `tasks` and return when all have ended, cancelling the ones still running every `step_s`.
    Their results and exceptions are collected (nothing is logged as never retrieved) and not raised."""
    tasks = list(tasks)
    pending = {t for t in tasks if not t.done()}
    while pending:
        for t in pending:
            t.cancel()
        _, pending = await asyncio.wait(pending, timeout=step_s)
    for t in tasks:
        if not t.cancelled():
            t.exception()
