"""The Ledger: one SQLite file holding the optimizer's history, task queue and event log."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from agentic_action.ledger._db import Clock, Db, Subscriber
from agentic_action.ledger._history import HistoryMixin
from agentic_action.ledger._open import open_db
from agentic_action.ledger._queue import TaskQueue
from agentic_action.ledger._records import Event
from agentic_action.ledger._usage import UsageMixin


class Ledger(HistoryMixin, UsageMixin):
    """Runs, tasks, results, events, LLM spend, API usage and conflicts, in one file.

    Open with :meth:`Ledger.open`. One Ledger object may be shared by the threads of a process;
    each process opens its own (SQLite's locks and WAL make them safe together). Every state
    change writes an event in the same transaction; :meth:`subscribe` sees them after commit.
    """

    def __init__(self, db: Db) -> None:
        self._db = db
        self.queue = TaskQueue(db)

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        clock: Clock = time.time,
        text_search: str = "auto",
        verify: bool = True,
    ) -> Ledger:
        """Open (or create) the ledger at ``path``, migrating an older schema in place.

        Raises LedgerCorruptError for a file that is not a healthy ledger (left untouched),
        LedgerVersionError for one written by a newer schema. ``text_search`` is "auto" (FTS5
        when this SQLite has it), "fts5" or "like"; an existing file keeps the one it was made
        with. ``verify`` runs SQLite's quick_check on an existing file first.
        """
        return cls(open_db(Path(path), clock, text_search, verify))

    @property
    def path(self) -> Path:
        return self._db.path

    @property
    def text_search(self) -> str:
        """ "fts5" or "like": how :meth:`search` matches ``text``."""
        return self._db.text_search

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[Ledger]:
        """Group writes in one transaction: all commit together, or all roll back if the
        block raises. Subscribers hear the batch's events only after it commits."""
        with self._db.write():
            yield self

    # --- events -----------------------------------------------------------------------------
    def append(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        run_id: str | None = None,
        subject: str = "",
    ) -> Event:
        """Append one event to the log (e.g. ``append("agent.started", {"agent": "a1"})``)."""
        with self._db.write():
            return self._db.emit(kind, payload, run_id=run_id, subject=subject)

    def events(
        self,
        since_id: int | None = None,
        kind: str | None = None,
        *,
        run_id: str | None = None,
        subject: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events with id > ``since_id``, oldest first. ``kind`` "task." matches every task
        event; poll with the last id seen to follow the log across processes."""
        return self._db.events(
            since_id=since_id, kind=kind, run_id=run_id, subject=subject, limit=limit
        )

    def last_event_id(self) -> int:
        return self._db.last_event_id()

    def subscribe(self, callback: Subscriber, kind: str = "") -> Callable[[], None]:
        """Call ``callback(event)`` after each commit, for events whose kind starts with
        ``kind``. Only this process's writes are delivered. Returns the unsubscribe function."""
        return self._db.subscribe(callback, kind)
