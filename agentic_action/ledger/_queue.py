"""The task queue: add, claim, heartbeat, complete, fail, list.

Ownership is per function (``file::function``), not per task: while one task of a function is
claimed, no other task of that function can be claimed, whatever its method or run. A claim is
one ``BEGIN IMMEDIATE`` transaction, so two processes never claim the same function at once.
A claim carries a lease; a claim whose lease has run out (its agent died) goes back to the
queue on the next claim, and its old owner can no longer complete or fail it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from agentic_action.ledger._db import Db, dumps, loads
from agentic_action.ledger._records import TaskRecord, TaskStatus

DEFAULT_LEASE_SECONDS = 900.0  # an agent that holds a task longer must call heartbeat()
DEFAULT_MAX_ATTEMPTS = 3

_OPEN = (TaskStatus.PENDING.value, TaskStatus.CLAIMED.value)

_CLAIMABLE = """
SELECT t.id FROM tasks AS t
WHERE t.status = 'pending' {filters}
  AND NOT EXISTS (SELECT 1 FROM tasks AS c
                  WHERE c.file = t.file AND c.function = t.function AND c.status = 'claimed')
  AND NOT EXISTS (SELECT 1 FROM task_deps AS d JOIN tasks AS p ON p.id = d.depends_on
                  WHERE d.task_id = t.id AND p.status != 'done')
ORDER BY t.priority DESC, t.id
LIMIT 1
"""


class TaskQueue:
    """The queue of OptimizationTasks, shared by every agent (and process) using the ledger."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def add(
        self,
        file: str,
        function: str,
        *,
        method: str = "",
        priority: float = 0.0,
        run_id: str | None = None,
        depends_on: Iterable[int] = (),
        payload: dict[str, Any] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> int:
        """Queue one task and return its id; an identical open task is not duplicated."""
        if not file or not function:
            raise ValueError(f"a task needs a file and a function, got {file!r}, {function!r}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        deps = sorted(set(depends_on))
        text = dumps(payload or {}, "a task payload")
        with self._db.write() as conn:
            existing = conn.execute(
                "SELECT id FROM tasks WHERE file = ? AND function = ? AND method = ? "
                "AND run_id IS ? AND status IN (?, ?)",
                (file, function, method, run_id, *_OPEN),
            ).fetchone()
            if existing is not None:
                return int(existing[0])
            self._check_deps_exist(conn, deps)
            cursor = conn.execute(
                "INSERT INTO tasks(run_id, file, function, method, priority, max_attempts, "
                "payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, file, function, method, priority, max_attempts, text, self._db.clock()),
            )
            task_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO task_deps(task_id, depends_on) VALUES (?, ?)",
                [(task_id, dep) for dep in deps],
            )
            self._db.emit(
                "task.added",
                {"id": task_id, "method": method, "priority": priority, "depends_on": deps},
                run_id=run_id,
                subject=f"{file}::{function}",
            )
        return task_id

    def claim(
        self,
        owner: str,
        *,
        run_id: str | None = None,
        method: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> TaskRecord | None:
        """Take the highest-priority claimable task for ``owner``, or None if there is none."""
        if not owner:
            raise ValueError("claim() needs a non-empty owner (an agent id)")
        filters, params = "", []
        if run_id is not None:
            filters += " AND t.run_id = ?"
            params.append(run_id)
        if method is not None:
            filters += " AND t.method = ?"
            params.append(method)
        with self._db.write() as conn:
            now = self._db.clock()
            self._expire_leases(conn, now)
            row = conn.execute(_CLAIMABLE.format(filters=filters), params).fetchone()
            if row is None:
                return None
            task_id = int(row[0])
            conn.execute(
                "UPDATE tasks SET status = 'claimed', owner = ?, attempts = attempts + 1, "
                "claimed_at = ?, lease_until = ? WHERE id = ?",
                (owner, now, now + lease_seconds, task_id),
            )
            task = self._get(conn, task_id)
            self._db.emit(
                "task.claimed",
                {"id": task_id, "owner": owner, "attempt": task.attempts},
                run_id=task.run_id,
                subject=task.key,
            )
        return task

    def heartbeat(
        self, task_id: int, owner: str, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> bool:
        """Extend ``owner``'s lease; False if the task is no longer theirs."""
        with self._db.write() as conn:
            until = self._db.clock() + lease_seconds
            if not self._update_owned(conn, task_id, owner, "lease_until = ?", (until,)):
                return False
            self._emit(conn, "task.heartbeat", task_id, {"owner": owner, "lease_until": until})
        return True

    def complete(self, task_id: int, owner: str, *, result_id: int | None = None) -> bool:
        """Mark ``owner``'s task done; False (nothing changed) if it is no longer theirs."""
        with self._db.write() as conn:
            sets = "status = 'done', lease_until = NULL, finished_at = ?"
            if not self._update_owned(conn, task_id, owner, sets, (self._db.clock(),)):
                return False
            self._emit(conn, "task.completed", task_id, {"owner": owner, "result_id": result_id})
        return True

    def fail(self, task_id: int, owner: str, reason: str, *, retry: bool = True) -> bool:
        """Record a failed attempt: back to the queue while attempts remain and ``retry``,
        else failed for good. False (nothing changed) if the task is no longer ``owner``'s."""
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT attempts, max_attempts FROM tasks WHERE id = ? AND owner = ? "
                "AND status = 'claimed'",
                (task_id, owner),
            ).fetchone()
            if row is None:
                return False
            again = retry and row["attempts"] < row["max_attempts"]
            if again:
                sets = "status = 'pending', owner = NULL, lease_until = NULL, last_error = ?"
                params: tuple[Any, ...] = (reason,)
            else:
                sets = "status = 'failed', lease_until = NULL, last_error = ?, finished_at = ?"
                params = (reason, self._db.clock())
            if not self._update_owned(conn, task_id, owner, sets, params):
                return False  # the lease ran out: the task is no longer this owner's
            kind = "task.requeued" if again else "task.failed"
            self._emit(conn, kind, task_id, {"owner": owner, "reason": reason})
        return True

    def get(self, task_id: int) -> TaskRecord | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
            return None if row is None else self._record(conn, row)

    def list(
        self,
        *,
        status: TaskStatus | str | None = None,
        run_id: str | None = None,
        owner: str | None = None,
        file: str | None = None,
        function: str | None = None,
        limit: int | None = None,
    ) -> list[TaskRecord]:
        """Tasks in queue order (priority, then age) matching every filter given."""
        filters = {"status": status, "run_id": run_id, "owner": owner, "file": file}
        filters["function"] = function
        clauses = [f"{name} = ?" for name, value in filters.items() if value is not None]
        params = [str(value) for value in filters.values() if value is not None]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM tasks {where} ORDER BY priority DESC, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._db.read() as conn:
            return [self._record(conn, row) for row in conn.execute(sql, params)]

    # --- inside a transaction ---------------------------------------------------------------
    def _expire_leases(self, conn: sqlite3.Connection, now: float) -> None:
        expired = conn.execute(
            "SELECT id, owner FROM tasks WHERE status = 'claimed' AND lease_until < ?", (now,)
        ).fetchall()
        for row in expired:
            exhausted = conn.execute(
                "SELECT attempts >= max_attempts FROM tasks WHERE id = ?", (row["id"],)
            ).fetchone()[0]
            status = "failed" if exhausted else "pending"
            conn.execute(
                "UPDATE tasks SET status = ?, owner = NULL, lease_until = NULL, "
                "last_error = 'lease expired (agent stopped answering)' WHERE id = ?",
                (status, row["id"]),
            )
            self._emit(
                conn, "task.lease_expired", row["id"], {"owner": row["owner"], "status": status}
            )

    def _update_owned(
        self, conn: sqlite3.Connection, task_id: int, owner: str, sets: str, params: tuple[Any, ...]
    ) -> bool:
        cursor = conn.execute(
            f"UPDATE tasks SET {sets} WHERE id = ? AND owner = ? AND status = 'claimed' "
            "AND (lease_until IS NULL OR lease_until >= ?)",
            (*params, task_id, owner, self._db.clock()),
        )
        return cursor.rowcount == 1

    def _emit(
        self, conn: sqlite3.Connection, kind: str, task_id: int, body: dict[str, Any]
    ) -> None:
        task = self._get(conn, task_id)
        self._db.emit(kind, {"id": task_id, **body}, run_id=task.run_id, subject=task.key)

    def _check_deps_exist(self, conn: sqlite3.Connection, deps: Sequence[int]) -> None:
        for dep in deps:
            if conn.execute("SELECT 1 FROM tasks WHERE id = ?", (dep,)).fetchone() is None:
                raise ValueError(f"depends_on names task {dep}, which is not in the queue")

    def _get(self, conn: sqlite3.Connection, task_id: int) -> TaskRecord:
        row = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return self._record(conn, row)

    @staticmethod
    def _record(conn: sqlite3.Connection, row: sqlite3.Row) -> TaskRecord:
        deps = conn.execute(
            "SELECT depends_on FROM task_deps WHERE task_id = ? ORDER BY depends_on", (row["id"],)
        ).fetchall()
        return TaskRecord(
            id=row["id"],
            run_id=row["run_id"],
            file=row["file"],
            function=row["function"],
            method=row["method"],
            priority=row["priority"],
            status=TaskStatus(row["status"]),
            owner=row["owner"],
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
            depends_on=tuple(dep[0] for dep in deps),
            payload=loads(row["payload"]),
            last_error=row["last_error"],
            created_at=row["created_at"],
            claimed_at=row["claimed_at"],
            lease_until=row["lease_until"],
            finished_at=row["finished_at"],
        )
