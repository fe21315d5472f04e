"""The hub's scheduler: APScheduler triggers (date, interval, cron) run on the hub's injectable clock.

With the real clock, `run` sleeps until the next job is due; with a virtual clock the simulator
advances time and calls `run_due`. APScheduler's triggers compute fire times; this module owns the
job table, so simulated days run as fast as the machine allows.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from fusehub.clock import Clock
from fusehub.errors import DuplicateRegistration

__all__ = ["Job", "Scheduler"]

log = logging.getLogger(__name__)

JobFunc = Callable[[], Awaitable[None]]


@dataclass(order=True)
class Job:
    due: datetime
    seq: int
    id: str = field(compare=False)
    trigger: BaseTrigger = field(compare=False, repr=False)
    func: JobFunc = field(compare=False, repr=False)
    cancelled: bool = field(default=False, compare=False)


class Scheduler:
    def __init__(self, clock: Clock, timezone: str = "UTC") -> None:
        self.clock = clock
        self.tz = ZoneInfo(timezone)
        self._heap: list[Job] = []
        self._jobs: dict[str, Job] = {}
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self.failures = 0

    # ------------------------------------------------------------------ adding
    def at(self, job_id: str, when: datetime, func: JobFunc) -> Job:
        return self._add(job_id, DateTrigger(run_date=when, timezone=self.tz), func)

    def after(self, job_id: str, seconds: float, func: JobFunc) -> Job:
        return self.at(job_id, self.clock.now() + timedelta(seconds=seconds), func)

    def every(self, job_id: str, seconds: float, func: JobFunc) -> Job:
        start = self.clock.now() + timedelta(seconds=seconds)
        trig = IntervalTrigger(seconds=seconds, start_date=start, timezone=self.tz)
        return self._add(job_id, trig, func)

    def cron(self, job_id: str, expr: str, func: JobFunc) -> Job:
        """`expr` is a 5-field crontab ('30 22 * * *') or 'HH:MM' (daily), in the home's timezone."""
        if ":" in expr and " " not in expr.strip():
            hh, mm = expr.strip().split(":", 1)
            trig = CronTrigger(hour=int(hh), minute=int(mm), timezone=self.tz)
        else:
            trig = CronTrigger.from_crontab(expr, timezone=self.tz)
        return self._add(job_id, trig, func)

    def _add(self, job_id: str, trigger: BaseTrigger, func: JobFunc) -> Job:
        if job_id in self._jobs:
            raise DuplicateRegistration(f"job {job_id!r} is already scheduled")
        now = self.clock.now()
        due = trigger.get_next_fire_time(None, now)
        if due is None:
            raise ValueError(f"job {job_id!r} would never run")
        job = Job(due, next(self._seq), job_id, trigger, func)
        self._jobs[job_id] = job
        heapq.heappush(self._heap, job)
        self._wake.set()
        return job

    def cancel(self, job_id: str) -> bool:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return False
        job.cancelled = True
        return True

    def jobs(self) -> list[Job]:
        return sorted(self._jobs.values())

    def has(self, job_id: str) -> bool:
        return job_id in self._jobs

    def next_due(self) -> datetime | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].due if self._heap else None

    # ------------------------------------------------------------------ running
    async def run_due(self) -> int:
        """Run every job due at the clock's current time, in due order. Returns how many ran."""
        ran = 0
        now = self.clock.now()
        while True:
            nxt = self.next_due()
            if nxt is None or nxt > now:
                return ran
            job = heapq.heappop(self._heap)
            nxt_time = job.trigger.get_next_fire_time(job.due, now + timedelta(microseconds=1))
            if nxt_time is None:
                self._jobs.pop(job.id, None)
            else:
                job2 = Job(nxt_time, next(self._seq), job.id, job.trigger, job.func)
                self._jobs[job.id] = job2
                heapq.heappush(self._heap, job2)
            try:
                await job.func()
            except Exception:
                self.failures += 1
                log.exception("scheduled job %s failed", job.id)
            ran += 1

    async def run(self) -> None:
        """Real-time loop: sleep until the next job, run it, repeat. Cancel the task to stop."""
        while True:
            nxt = self.next_due()
            self._wake.clear()
            if nxt is None:
                await self._wake.wait()
                continue
            delay = (nxt - self.clock.now()).total_seconds()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                    continue
                except TimeoutError:
                    pass
            await self.run_due()
