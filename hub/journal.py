"""The journal: an SQLite log of every event, decision (with its cause chain), command and outcome.

`why(command_id)` walks parent ids back to the first cause. Rejections (bad payloads, policy refusals)
are journaled too, with their reason, so nothing vanishes silently.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any

from fusehub.events import Event

__all__ = ["PRUNE_EVERY", "REQUESTS_KEPT", "Journal"]

REQUESTS_KEPT = 20_000
"""Request ids remembered for dedup (the newest): far more than a broker redelivers after a restart."""

_REQUEST: ContextVar[tuple[str, str] | None] = ContextVar("fusehub_request", default=None)
"""The request (id, time) being handled in this task, set by :meth:`Journal.request_scope`: a command written to
the outbox meanwhile carries its dedup row in the same transaction."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  parent_id TEXT,
  kind TEXT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT,
  origin TEXT,
  summary TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_parent ON events(parent_id);
CREATE INDEX IF NOT EXISTS events_kind_time ON events(kind, time);
CREATE TABLE IF NOT EXISTS rejections (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  stage TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
  command_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  device TEXT NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  qos INTEGER NOT NULL,
  expires_at TEXT,
  created TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  PRIMARY KEY (command_id, seq)
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state);
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY,
  time TEXT NOT NULL,
  reply TEXT
);
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
"""


PRUNE_EVERY = 1000
"""Rows written between prunes: each prune deletes about this many rows (with their index entries) inside a
flush, so it is kept small: a few milliseconds of the event loop rather than a 100 ms stall."""


class Journal:
    """SQLite journal. One connection, used from the hub's event loop (and read by the CLI)."""

    def __init__(self, path: str | Path = ":memory:", *, max_events: int = 200_000) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.max_events = max_events
        self._since_prune = 0
        self._events: list[tuple[Any, ...]] = []
        self._rejections: list[tuple[str, str, str, str]] = []

    def close(self) -> None:
        self.flush()
        self._db.close()

    def flush(self) -> None:
        """Write buffered rows in one transaction (events are batched; readers and durable writes flush)."""
        with self._lock:
            if not self._events and not self._rejections:
                return
            events, self._events = self._events, []
            rejections, self._rejections = self._rejections, []
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?,?,?)", events)
                self._db.executemany(
                    "INSERT INTO rejections(time, stage, reason, detail) VALUES (?,?,?,?)", rejections
                )
                self._since_prune += len(events) + len(rejections)
                if self._since_prune >= PRUNE_EVERY:
                    self._prune()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ writing
    def record(self, event: Event, summary: str = "", *, durable: bool = False) -> None:
        """Journal an event. Buffered; `durable=True` (commands) writes it, and all before it, at once."""
        body = event.model_dump_json()
        ctx = event.context
        row_id = getattr(event, "id", None) if event.kind == "command" else ctx.id
        row = (row_id, ctx.parent_id, event.kind, event.time.isoformat(), str(ctx.actor), ctx.origin.value,
               summary, body)
        with self._lock:
            self._events.append(row)
            full = len(self._events) >= 512
        if durable or full:
            self.flush()

    def reject(self, time: datetime, stage: str, reason: str, detail: str = "") -> None:
        with self._lock:
            self._rejections.append((time.isoformat(), stage, reason[:500], detail[:2000]))
            full = len(self._rejections) >= 512
        if full:
            self.flush()

    def _prune(self) -> None:
        """Keep at most the `max_events` newest-written events and rejections (inside flush's transaction).

        By rowid, which grows with every write (a replaced row gets a new one): a range delete on the table's
        own key, where ordering by time would sort the whole table every few seconds under load."""
        self._since_prune = 0
        self._db.execute("DELETE FROM events WHERE rowid <= (SELECT MAX(rowid) FROM events) - ?", (self.max_events,))
        self._db.execute(
            "DELETE FROM rejections WHERE seq <= (SELECT MAX(seq) FROM rejections) - ?", (self.max_events,)
        )

    # ------------------------------------------------------------------ outbox (commands before they are sent)
    def outbox_add(self, command_id: str, device: str, messages: list[Any], expires_at: datetime | None,
                   created: datetime) -> None:
        """Write a command's messages durably before they are published (see :meth:`outbox_add_many`)."""
        self.outbox_add_many([(command_id, device, messages, expires_at)], created)

    def outbox_add_many(self, commands: list[tuple[str, str, list[Any], datetime | None]], created: datetime) -> None:
        """Write commands' messages, (command id, device, messages, expiry) each, durably before they are published
        (with every event before them), in one transaction. Inside :meth:`request_scope` the request's dedup row is
        written in the same transaction: after a crash either all are there (a redelivered request is recognised)
        or none (it is handled again)."""
        self.flush()
        request = _REQUEST.get()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO outbox(command_id, seq, device, topic, payload, qos, expires_at, created)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    [(command_id, i, device, m.topic, m.payload, m.qos,
                      expires_at.isoformat() if expires_at else None, created.isoformat())
                     for command_id, device, messages, expires_at in commands for i, m in enumerate(messages)],
                )
                if request is not None:
                    self._db.execute("INSERT OR IGNORE INTO requests(id, time) VALUES (?,?)", request)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def outbox_mark(self, command_id: str, state: str, seq: int | None = None) -> None:
        """Mark a command's messages (or one of them) 'sent' or 'expired'."""
        with self._lock:
            if seq is None:
                self._db.execute("UPDATE outbox SET state=? WHERE command_id=? AND state='pending'",
                                 (state, command_id))
            else:
                self._db.execute("UPDATE outbox SET state=? WHERE command_id=? AND seq=?", (state, command_id, seq))

    def outbox_pending(self) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT command_id, seq, device, topic, payload, qos, expires_at, created FROM outbox"
            " WHERE state='pending' ORDER BY created, command_id, seq"
        ).fetchall()
        return [{"command_id": r[0], "seq": r[1], "device": r[2], "topic": r[3], "payload": r[4], "qos": r[5],
                 "expires_at": datetime.fromisoformat(r[6]) if r[6] else None,
                 "created": datetime.fromisoformat(r[7])} for r in rows]

    def outbox_prune(self, keep: int = 10_000) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM outbox WHERE state != 'pending' AND rowid NOT IN "
                "(SELECT rowid FROM outbox ORDER BY created DESC LIMIT ?)", (keep,)
            )

    # ------------------------------------------------------------------ requests (exactly once)
    @contextlib.contextmanager
    def request_scope(self, request_id: str, time: datetime) -> Iterator[None]:
        """While a request is handled: commands it writes to the outbox carry its dedup row (same transaction)."""
        token = _REQUEST.set((request_id, time.isoformat()))
        try:
            yield
        finally:
            _REQUEST.reset(token)

    def request_seen(self, request_id: str) -> bool:
        """Was this request handled before (its command in the outbox, or its reply recorded)?"""
        row = self._db.execute("SELECT 1 FROM requests WHERE id=?", (request_id,)).fetchone()
        return row is not None

    def request_reply(self, request_id: str) -> dict[str, Any] | None:
        """The reply recorded for a handled request (None when it has none yet)."""
        row = self._db.execute("SELECT reply FROM requests WHERE id=?", (request_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        reply = json.loads(row[0])
        return reply if isinstance(reply, dict) else None

    def request_done(self, request_id: str, time: datetime, reply: dict[str, Any]) -> None:
        """Record a handled request with its reply, durably (before the reply is sent and the request acknowledged);
        keeps the newest :data:`REQUESTS_KEPT`."""
        self.flush()
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute(
                    "INSERT INTO requests(id, time, reply) VALUES (?,?,?)"
                    " ON CONFLICT(id) DO UPDATE SET reply=excluded.reply",
                    (request_id, time.isoformat(), json.dumps(reply, default=str)),
                )
                self._db.execute("DELETE FROM requests WHERE rowid <= (SELECT MAX(rowid) FROM requests) - ?",
                                 (REQUESTS_KEPT,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def put(self, key: str, value: Any) -> None:
        self.flush()
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO kv VALUES (?,?)", (key, json.dumps(value, default=str)))

    def get(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM kv WHERE key=?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    # ------------------------------------------------------------------ reading
    def event(self, event_id: str) -> dict[str, Any] | None:
        self.flush()
        row = self._db.execute(
            "SELECT id, parent_id, kind, time, actor, origin, summary, body FROM events WHERE id=?", (event_id,)
        ).fetchone()
        return None if row is None else _row(row)

    def why(self, event_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The chain of causes of an event, oldest first."""
        chain: list[dict[str, Any]] = []
        cur: str | None = event_id
        while cur is not None and len(chain) < limit:
            ev = self.event(cur)
            if ev is None:
                break
            chain.append(ev)
            cur = ev["parent_id"]
        return list(reversed(chain))

    def recent(self, kinds: tuple[str, ...] = (), limit: int = 50) -> list[dict[str, Any]]:
        self.flush()
        q = "SELECT id, parent_id, kind, time, actor, origin, summary, body FROM events"
        args: tuple[Any, ...] = ()
        if kinds:
            q += " WHERE kind IN ({})".format(",".join("?" * len(kinds)))
            args = kinds
        q += " ORDER BY time DESC, rowid DESC LIMIT ?"
        rows = self._db.execute(q, (*args, limit)).fetchall()
        return [_row(r) for r in reversed(rows)]

    def rejections(self, limit: int = 50) -> list[dict[str, Any]]:
        self.flush()
        rows = self._db.execute(
            "SELECT time, stage, reason, detail FROM rejections ORDER BY seq DESC LIMIT ?", (limit,)
        ).fetchall()
        return [{"time": t, "stage": s, "reason": r, "detail": d} for t, s, r, d in reversed(rows)]

    def count(self, kind: str) -> int:
        self.flush()
        (n,) = self._db.execute("SELECT COUNT(*) FROM events WHERE kind=?", (kind,)).fetchone()
        return int(n)


def _row(r: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": r[0], "parent_id": r[1], "kind": r[2], "time": r[3], "actor": r[4], "origin": r[5],
        "summary": r[6], "body": json.loads(r[7]),
    }
