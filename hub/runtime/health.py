"""The hub's counters and its one way to reject bad input: counted, logged and journaled, never raised."""

from __future__ import annotations

import logging
from collections import Counter

from fusehub.clock import Clock
from fusehub.journal import Journal

__all__ = ["Health"]

log = logging.getLogger("fusehub")


class Health:
    """Counters (`metrics`) shared by every concern, and `reject` for input the hub turns away."""

    def __init__(self, journal: Journal, clock: Clock) -> None:
        self.metrics: Counter[str] = Counter()
        self._journal = journal
        self._clock = clock

    def reject(self, stage: str, reason: str, detail: str = "") -> None:
        """Count, log and journal one rejected input (`fusehub log --rejections` lists them)."""
        self.metrics[f"rejected.{stage}"] += 1
        self.metrics["rejected"] += 1
        log.warning("rejected (%s): %s", stage, reason)
        self._journal.reject(self._clock.now(), stage, reason, detail)
