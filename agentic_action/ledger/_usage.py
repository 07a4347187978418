"""What runs cost and met: LLM spend, GitHub API usage, patch conflicts, and overall stats."""

from __future__ import annotations

import re
import sqlite3
import statistics
from collections.abc import Iterable
from datetime import UTC, datetime

from agentic_action.ledger._db import Db, dumps, loads
from agentic_action.ledger._records import (
    ApiUsage,
    ConflictRecord,
    ConflictStatus,
    LedgerStats,
    SpendRecord,
)

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_API_COUNTERS = ("full_requests", "not_modified", "cache_hits", "writes")


def _check_month(month: str) -> str:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"a month is written 'YYYY-MM' (UTC), e.g. '2026-11'; got {month!r}")
    return month


class UsageMixin:
    _db: Db

    # --- LLM spend (also the llm.budget.SpendStore protocol) --------------------------------
    def month_spent(self, month: str) -> float:
        """USD spent on LLM calls in ``month`` ("YYYY-MM", UTC), by all runs."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(cost_usd), 0) FROM llm_spend WHERE month = ?",
                (_check_month(month),),
            ).fetchone()
        return float(row[0])

    def add_spend(self, month: str, usd: float) -> None:
        """SpendStore protocol: add ``usd`` to ``month`` (a row without model or tokens).

        Use either this (via the router's budget) or :meth:`record_spend` for one call, not
        both: each writes its own row and both count in :meth:`month_spent`."""
        self.record_spend(model="", cost_usd=usd, month=month)

    def record_spend(
        self,
        *,
        model: str,
        cost_usd: float,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        method: str = "",
        run_id: str | None = None,
        month: str | None = None,
    ) -> int:
        """One paid LLM call; ``month`` defaults to the ledger clock's UTC month."""
        if cost_usd < 0 or prompt_tokens < 0 or completion_tokens < 0:
            raise ValueError(
                f"spend must not be negative: cost_usd={cost_usd}, "
                f"prompt_tokens={prompt_tokens}, completion_tokens={completion_tokens}"
            )
        at = self._db.clock()
        month = _check_month(month) if month else datetime.fromtimestamp(at, UTC).strftime("%Y-%m")
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO llm_spend(at, month, run_id, method, model, prompt_tokens, "
                "completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (at, month, run_id, method, model, prompt_tokens, completion_tokens, cost_usd),
            )
            spend_id = int(cursor.lastrowid or 0)
            body = {"model": model, "method": method, "cost_usd": cost_usd, "month": month}
            body |= {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
            self._db.emit("llm.spend", body, run_id=run_id, subject=model)
        return spend_id

    def spend(self, *, run_id: str | None = None, month: str | None = None) -> list[SpendRecord]:
        clauses, params = [], []
        if run_id is not None:
            clauses.append("run_id = ?")
            params.append(run_id)
        if month is not None:
            clauses.append("month = ?")
            params.append(_check_month(month))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT * FROM llm_spend {where} ORDER BY id", params)
            return [SpendRecord(**dict(row)) for row in rows]

    # --- GitHub API usage -------------------------------------------------------------------
    def record_api_usage(
        self,
        run_id: str,
        *,
        full_requests: int = 0,
        not_modified: int = 0,
        cache_hits: int = 0,
        writes: int = 0,
        rate_remaining: int | None = None,
    ) -> ApiUsage:
        """Add to ``run_id``'s counters (they only grow) and return the new totals."""
        counts = (full_requests, not_modified, cache_hits, writes)
        if min(counts) < 0:
            raise ValueError(f"API usage counters only grow; got negative counts {counts}")
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO api_usage(run_id, full_requests, not_modified, cache_hits, writes, "
                "rate_remaining, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(run_id) DO UPDATE SET "
                "full_requests = full_requests + excluded.full_requests, "
                "not_modified = not_modified + excluded.not_modified, "
                "cache_hits = cache_hits + excluded.cache_hits, writes = writes + excluded.writes, "
                "rate_remaining = coalesce(excluded.rate_remaining, rate_remaining), "
                "updated_at = excluded.updated_at",
                (run_id, *counts, rate_remaining, self._db.clock()),
            )
            usage = self._api_row(conn, run_id)
            body = dict(zip(_API_COUNTERS, counts, strict=True)) | {
                "rate_remaining": rate_remaining
            }
            self._db.emit("api.usage", body, run_id=run_id, subject=run_id)
        return usage

    def api_usage(self, run_id: str | None = None) -> ApiUsage:
        """One run's counters, or the totals over all runs (``run_id`` "*") when None."""
        with self._db.read() as conn:
            if run_id is not None:
                return self._api_row(conn, run_id)
            row = conn.execute(
                "SELECT coalesce(sum(full_requests), 0), coalesce(sum(not_modified), 0), "
                "coalesce(sum(cache_hits), 0), coalesce(sum(writes), 0), "
                "coalesce(max(updated_at), 0) FROM api_usage"
            ).fetchone()
        return ApiUsage("*", row[0], row[1], row[2], row[3], None, row[4])

    @staticmethod
    def _api_row(conn: sqlite3.Connection, run_id: str) -> ApiUsage:
        row = conn.execute("SELECT * FROM api_usage WHERE run_id = ?", (run_id,)).fetchone()
        return ApiUsage(run_id) if row is None else ApiUsage(**dict(row))

    # --- conflicts --------------------------------------------------------------------------
    def record_conflict(
        self,
        patch_cids: Iterable[str],
        files: Iterable[str],
        *,
        run_id: str | None = None,
        status: ConflictStatus = ConflictStatus.OPEN,
        resolution: str = "",
        merged_cid: str | None = None,
    ) -> int:
        cids, paths = sorted(set(patch_cids)), sorted(set(files))
        if len(cids) < 2:
            raise ValueError(f"a conflict is between at least two patches; got CIDs {cids}")
        now = self._db.clock()
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO conflicts(run_id, patch_cids, files, status, resolution, merged_cid, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, dumps(cids, "patch CIDs"), dumps(paths, "files"), ConflictStatus(status),
                 resolution, merged_cid, now, now),
            )  # fmt: skip
            conflict_id = int(cursor.lastrowid or 0)
            body = {"id": conflict_id, "patch_cids": cids, "files": paths, "status": str(status)}
            self._db.emit("conflict.recorded", body, run_id=run_id, subject=",".join(cids))
        return conflict_id

    def update_conflict(
        self,
        conflict_id: int,
        status: ConflictStatus,
        resolution: str,
        *,
        merged_cid: str | None = None,
    ) -> None:
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE conflicts SET status = ?, resolution = ?, "
                "merged_cid = coalesce(?, merged_cid), updated_at = ? WHERE id = ?",
                (ConflictStatus(status), resolution, merged_cid, self._db.clock(), conflict_id),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"update_conflict: no conflict {conflict_id} in the ledger")
            record = self._conflict(
                conn.execute("SELECT * FROM conflicts WHERE id = ?", (conflict_id,)).fetchone()
            )
            body = {"id": conflict_id, "status": str(status), "resolution": resolution}
            body["merged_cid"] = record.merged_cid
            subject = ",".join(record.patch_cids)
            self._db.emit("conflict.updated", body, run_id=record.run_id, subject=subject)

    def conflicts(
        self, *, run_id: str | None = None, status: ConflictStatus | str | None = None
    ) -> list[ConflictRecord]:
        clauses, params = [], []
        if run_id is not None:
            clauses.append("run_id = ?")
            params.append(run_id)
        if status is not None:
            clauses.append("status = ?")
            params.append(str(ConflictStatus(status)))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._db.read() as conn:
            rows = conn.execute(f"SELECT * FROM conflicts {where} ORDER BY id", params)
            return [self._conflict(row) for row in rows]

    @staticmethod
    def _conflict(row: sqlite3.Row) -> ConflictRecord:
        return ConflictRecord(
            id=row["id"],
            run_id=row["run_id"],
            patch_cids=tuple(loads(row["patch_cids"])),
            files=tuple(loads(row["files"])),
            status=ConflictStatus(row["status"]),
            resolution=row["resolution"],
            merged_cid=row["merged_cid"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    # --- stats ------------------------------------------------------------------------------
    def stats(self) -> LedgerStats:
        """Counts for ``agentic-optimizer stats`` and the dashboard."""
        with self._db.read() as conn:

            def by_status(table: str) -> dict[str, int]:
                rows = conn.execute(f"SELECT status, count(*) FROM {table} GROUP BY status")
                return {row[0]: row[1] for row in rows}

            def one(sql: str) -> float:
                return float(conn.execute(sql).fetchone()[0] or 0)

            speedups = [
                row[0]
                for row in conn.execute(
                    "SELECT speedup FROM results WHERE status = 'accepted' AND speedup IS NOT NULL"
                )
            ]
            return LedgerStats(
                runs=int(one("SELECT count(*) FROM runs")),
                events=int(one("SELECT count(*) FROM events")),
                tasks=by_status("tasks"),
                results=by_status("results"),
                accepted_median_speedup=statistics.median(speedups) if speedups else None,
                llm_cost_usd=one("SELECT sum(cost_usd) FROM llm_spend"),
                api=self.api_usage(),
                conflicts=by_status("conflicts"),
            )
