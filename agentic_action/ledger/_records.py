"""The rows the ledger hands back: frozen dataclasses, one per table."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentic_action.errors import BadInput
from agentic_action.model import Status


class LedgerError(BadInput):
    """A ledger file that cannot be used as asked. The message names the file and the fix."""


class LedgerCorruptError(LedgerError):
    """The file is not a SQLite database, not a ledger, or damaged. It is left untouched."""


class LedgerVersionError(LedgerError):
    """The file was written by a newer agentic-optimizer (a newer schema version)."""


class TaskStatus(StrEnum):
    PENDING = "pending"  # waiting for a claimer (and for its dependencies to be done)
    CLAIMED = "claimed"  # owned by one agent until completed, failed or its lease runs out
    DONE = "done"
    FAILED = "failed"  # failed for good (attempts used up, or failed without retry)


class ConflictStatus(StrEnum):
    OPEN = "open"  # detected, not yet handled
    MERGED = "merged"  # resolved by a three-way merge that was re-validated
    ESCALATED = "escalated"  # left for a human, reported


@dataclass(frozen=True)
class Event:
    id: int
    at: float  # unix seconds
    kind: str  # "task.claimed", "result.recorded", ...
    run_id: str | None
    subject: str  # what it is about: a task key "file::function", a run id, a cid, ...
    payload: dict[str, Any]


@dataclass(frozen=True)
class RunRecord:
    id: str
    started_at: float
    finished_at: float | None
    status: str  # "running", then whatever finish_run was given ("finished", "interrupted", ...)
    repo: str
    base_commit: str
    shard: str  # "K/N" or ""
    settings: dict[str, Any]
    summary: dict[str, Any]


@dataclass(frozen=True)
class TaskRecord:
    id: int
    run_id: str | None
    file: str
    function: str
    method: str
    priority: float
    status: TaskStatus
    owner: str | None
    attempts: int
    max_attempts: int
    depends_on: tuple[int, ...]
    payload: dict[str, Any]
    last_error: str
    created_at: float
    claimed_at: float | None
    lease_until: float | None
    finished_at: float | None

    @property
    def key(self) -> str:
        """The same key as ``FunctionTarget.key``: ownership is per function, not per task."""
        return f"{self.file}::{self.function}"


@dataclass(frozen=True)
class ResultRecord:
    id: int
    run_id: str | None
    task_id: int | None
    file: str
    function: str
    method: str
    status: Status
    reason: str
    speedup: float | None
    ci_low: float | None
    ci_high: float | None
    cid: str | None
    reverse_cid: str | None
    destination: str
    created_at: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpendRecord:
    id: int
    at: float
    month: str  # "YYYY-MM" (UTC)
    run_id: str | None
    method: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class ApiUsage:
    """GitHub API use by one run (counters only grow)."""

    run_id: str
    full_requests: int = 0  # requests answered with a body (they cost rate limit)
    not_modified: int = 0  # conditional requests answered 304 (free)
    cache_hits: int = 0  # answered from the local HTTP cache, no request sent
    writes: int = 0  # POST/PATCH/PUT/DELETE
    rate_remaining: int | None = None  # the last X-RateLimit-Remaining seen
    updated_at: float = 0.0


@dataclass(frozen=True)
class ConflictRecord:
    id: int
    run_id: str | None
    patch_cids: tuple[str, ...]
    files: tuple[str, ...]
    status: ConflictStatus
    resolution: str  # how it was resolved or why it was escalated, in words
    merged_cid: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class LedgerStats:
    runs: int
    events: int
    tasks: dict[str, int]  # status -> count
    results: dict[str, int]  # status -> count
    accepted_median_speedup: float | None
    llm_cost_usd: float
    api: ApiUsage  # totals over all runs (run_id "*")
    conflicts: dict[str, int]  # status -> count
