"""The run ledger: history, task queue and event log in one SQLite file (WAL, stdlib sqlite3).

ledger = Ledger.open(".agentic-optimizer/ledger.db")
run_id = ledger.start_run(repo="org/repo", base_commit=sha)
task_id = ledger.queue.add("src/m.py", "slow_sum", method="rules", run_id=run_id)
task = ledger.queue.claim("agent-1")          # None when nothing is claimable
ledger.queue.complete(task.id, "agent-1", result_id=ledger.record_result(result))
ledger.search(text="slow_sum", status="accepted")
ledger.events(since_id=last_seen)             # follow the log
"""

from __future__ import annotations

from agentic_action.ledger._ledger import Ledger
from agentic_action.ledger._queue import DEFAULT_LEASE_SECONDS, TaskQueue
from agentic_action.ledger._records import (
    ApiUsage,
    ConflictRecord,
    ConflictStatus,
    Event,
    LedgerCorruptError,
    LedgerError,
    LedgerStats,
    LedgerVersionError,
    ResultRecord,
    RunRecord,
    SpendRecord,
    TaskRecord,
    TaskStatus,
)
from agentic_action.ledger._schema import SCHEMA_VERSION

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "SCHEMA_VERSION",
    "ApiUsage",
    "ConflictRecord",
    "ConflictStatus",
    "Event",
    "Ledger",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerStats",
    "LedgerVersionError",
    "ResultRecord",
    "RunRecord",
    "SpendRecord",
    "TaskQueue",
    "TaskRecord",
    "TaskStatus",
]
