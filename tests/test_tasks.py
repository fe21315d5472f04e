"""hub.tasks.cancel_and_wait ends tasks that survive a cancel (as Python 3.11's wait_for lets them)."""

from __future__ import annotations

import asyncio

from fusehub.tasks import cancel_and_wait


async def test_a_task_that_swallows_a_cancel_still_ends() -> None:
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.Event().wait()  # a queue that never gets a message
            except asyncio.CancelledError:
                swallowed += 1
                if swallowed == 1:
                    continue  # what a swallowed cancel looks like from outside: the task goes on
                raise

    async def fails() -> None:
        raise RuntimeError("boom")

    tasks = [asyncio.create_task(stubborn()), asyncio.create_task(fails()), asyncio.create_task(asyncio.sleep(0))]
    await asyncio.sleep(0.01)
    await asyncio.wait_for(cancel_and_wait(tasks, step_s=0.05), 5)
    assert all(t.done() for t in tasks) and swallowed == 2
    assert tasks[0].cancelled() and isinstance(tasks[1].exception(), RuntimeError)
