"""The context graph across restarts: saved in the journal, merged back into the home's graph on start."""

from __future__ import annotations

import logging

from fusehub.context.graph import ContextGraph, merge_saved
from fusehub.journal import Journal

__all__ = ["restore_graph", "save_graph"]

log = logging.getLogger("fusehub")

_KEY = "graph"


def save_graph(graph: ContextGraph, journal: Journal) -> None:
    """Save what the hub knows (discovered devices and how to reach them, states, beliefs)."""
    journal.put(_KEY, graph.to_dict())


def restore_graph(graph: ContextGraph, journal: Journal) -> int:
    """Merge the saved graph into `graph` (the home file wins on what it declares); returns devices restored."""
    saved = journal.get(_KEY)
    if not isinstance(saved, dict):
        return 0
    restored = merge_saved(graph, saved)
    log.info("restored %d devices from the journal", restored)
    return restored
