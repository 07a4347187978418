"""The connection, its transactions and the event log with its in-process subscribers.

Every write goes through :meth:`Db.write`: the outermost one is a ``BEGIN IMMEDIATE``
transaction (so concurrent processes queue on SQLite's write lock instead of failing half way),
nested ones are savepoints (one failed operation inside a batch undoes only itself, and the
batch still rolls back as a whole if its body raises). Events written inside a transaction are
handed to subscribers only after the outermost COMMIT; a rollback discards them.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentic_action.ledger._records import Event

log = logging.getLogger("agentic_action.ledger")

Subscriber = Callable[[Event], None]
Clock = Callable[[], float]

_EVENT_COLUMNS = "id, at, kind, run_id, subject, payload"


def dumps(value: Any, what: str) -> str:
    """JSON text for a column; a value JSON cannot hold is bad input, named in the message."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{what} must be JSON-serialisable (str, numbers, lists, dicts): {error}"
        ) from error


def loads(text: str | None) -> Any:
    return json.loads(text) if text else {}


def event_from_row(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        at=row["at"],
        kind=row["kind"],
        run_id=row["run_id"],
        subject=row["subject"],
        payload=loads(row["payload"]),
    )


class Db:
    """One connection to one ledger file, shared safely by the threads of one process."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock, text_search: str):
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self.path = path
        self.clock = clock
        self.text_search = text_search  # "fts5" or "like"
        self._lock = threading.RLock()
        self._depth = 0
        self._pending: list[Event] = []
        self._subscribers: dict[int, tuple[str, Subscriber]] = {}
        self._ids = itertools.count(1)

    # --- transactions -----------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction (outermost) or a savepoint (nested) around one unit of writes."""
        deliver: list[Event] = []
        with self._lock:
            outermost = self._depth == 0
            savepoint = f"sp{self._depth}"
            mark = len(self._pending)
            self.conn.execute("BEGIN IMMEDIATE" if outermost else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                self._undo(outermost, savepoint, mark)
                raise
            self._depth -= 1
            if outermost:
                self._commit()
                deliver, self._pending = self._pending, []
            else:
                self.conn.execute(f"RELEASE {savepoint}")
        self._deliver(deliver)

    def _undo(self, outermost: bool, savepoint: str, mark: int) -> None:
        del self._pending[mark:]
        if not self.conn.in_transaction:
            return  # SQLite already rolled back (e.g. disk full); nothing is left to undo
        if outermost:
            self.conn.execute("ROLLBACK")
        else:
            self.conn.execute(f"ROLLBACK TO {savepoint}")
            self.conn.execute(f"RELEASE {savepoint}")

    def _commit(self) -> None:
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self._pending.clear()
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.conn

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # --- events -----------------------------------------------------------------------------
    def emit(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_id: str | None = None,
        subject: str = "",
    ) -> Event:
        """Append one event; must be called inside :meth:`write` (it joins that transaction)."""
        if self._depth == 0:
            raise RuntimeError("Db.emit() must run inside Db.write() so the event commits with it")
        if not kind or not isinstance(kind, str):
            raise ValueError(f"an event kind must be a non-empty string, got {kind!r}")
        text = dumps(payload or {}, f"the payload of event {kind!r}")
        at = self.clock()
        cursor = self.conn.execute(
            "INSERT INTO events(at, kind, run_id, subject, payload) VALUES (?, ?, ?, ?, ?)",
            (at, kind, run_id, subject, text),
        )
        assert cursor.lastrowid is not None
        event = Event(cursor.lastrowid, at, kind, run_id, subject, json.loads(text))
        self._pending.append(event)
        return event

    def events(
        self,
        *,
        since_id: int | None = None,
        kind: str | None = None,
        run_id: str | None = None,
        subject: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events after ``since_id`` (exclusive), oldest first; ``kind`` "x." matches "x.*"."""
        clauses: list[str] = ["id > ?"]
        params: list[int | str] = [since_id or 0]
        if kind is not None and kind.endswith("."):
            clauses.append("kind >= ? AND kind < ?")
            params += [kind, kind[:-1] + "/"]  # "/" sorts right after "."
        elif kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if run_id is not None:
            clauses.append("run_id = ?")
            params.append(run_id)
        if subject is not None:
            clauses.append("subject = ?")
            params.append(subject)
        sql = f"SELECT {_EVENT_COLUMNS} FROM events WHERE {' AND '.join(clauses)} ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.read() as conn:
            return [event_from_row(row) for row in conn.execute(sql, params)]

    def last_event_id(self) -> int:
        with self.read() as conn:
            row = conn.execute("SELECT max(id) FROM events").fetchone()
        return int(row[0] or 0)

    def subscribe(self, callback: Subscriber, kind: str = "") -> Callable[[], None]:
        """Call ``callback(event)`` after each commit that wrote an event of ``kind`` (a prefix).

        Only events written by this process are delivered (others: poll :meth:`events`).
        A subscriber that raises is logged and skipped; the write it reports stays committed.
        Returns a function that unsubscribes.
        """
        token = next(self._ids)
        with self._lock:
            self._subscribers[token] = (kind, callback)

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(token, None)

        return unsubscribe

    def _deliver(self, events: list[Event]) -> None:
        if not events:
            return
        with self._lock:
            subscribers = list(self._subscribers.values())
        for event in events:
            for prefix, callback in subscribers:
                if event.kind.startswith(prefix):
                    try:
                        callback(event)
                    except Exception:
                        log.exception("ledger subscriber %r failed on event %s", callback, event.id)
