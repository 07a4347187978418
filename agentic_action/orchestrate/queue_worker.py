"""``agentic-optimizer queue process``: claim tasks from the ledger's queue and optimize them.

A worker (an *agent*, named by ``--agent``) claims up to ``batch`` tasks of one method (the
queue never hands out two tasks of one function at once), runs ONE optimization pass limited to
those functions (``run(only=...)``), records it in the ledger through :class:`RunHistory`, writes
the run's report.json and summary.md, and completes each task with its result. A run that
crashes fails its tasks (they go back to the queue while attempts remain); a task whose function
does not exist at HEAD, or whose method cannot run, fails for good with the reason. Leases are
renewed by the lease heartbeat (``lease.py``) while the run goes on.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from agentic_action.ledger import DEFAULT_LEASE_SECONDS, Ledger, TaskRecord
from agentic_action.orchestrate.lease import leases_renewed
from agentic_action.report.history import RunHistory
from agentic_action.settings import Settings, load_settings

log = logging.getLogger("agentic_action")

DEFAULT_BATCH = 5  # tasks claimed per run: one baseline test run serves them all


def default_agent_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class WorkerOptions:
    agent: str
    batch: int = DEFAULT_BATCH
    max_tasks: int = 0  # 0: until the queue has nothing claimable
    lease_seconds: float = DEFAULT_LEASE_SECONDS


@dataclass
class WorkerTally:
    runs: int = 0
    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def line(self) -> str:
        claimed = len(self.done) + len(self.failed)
        return (
            f"processed {claimed} task(s) in {self.runs} run(s): {len(self.done)} done, "
            f"{len(self.failed)} failed"
        )


def process_queue(
    ledger: Ledger,
    flags: Mapping[str, Any],
    options: WorkerOptions,
    env: Mapping[str, str] | None = None,
    echo: Callable[[str], None] = print,
) -> WorkerTally:
    """Work the queue until it is empty (or ``max_tasks`` were claimed).

    Raises SettingsError for bad optimize flags (before any task is claimed).
    """
    base = load_settings({k: v for k, v in flags.items() if v is not None}, env)
    tally = WorkerTally()
    while not options.max_tasks or len(tally.done) + len(tally.failed) < options.max_tasks:
        room = options.batch
        if options.max_tasks:
            room = min(room, options.max_tasks - len(tally.done) - len(tally.failed))
        tasks = claim_batch(ledger, options.agent, room, options.lease_seconds)
        if not tasks:
            break
        echo(f"{options.agent}: claimed {', '.join(f'#{t.id} {t.key}' for t in tasks)}")
        tally.runs += 1
        _run_batch(ledger, base, tasks, options, tally, echo)
    return tally


def claim_batch(ledger: Ledger, agent: str, size: int, lease: float) -> list[TaskRecord]:
    """Up to ``size`` claimable tasks, all of the first one's method."""
    first = ledger.queue.claim(agent, lease_seconds=lease)
    if first is None:
        return []
    tasks = [first]
    while len(tasks) < size:
        more = ledger.queue.claim(agent, method=first.method, lease_seconds=lease)
        if more is None:
            break
        tasks.append(more)
    return tasks


def _run_batch(
    ledger: Ledger,
    base: Settings,
    tasks: list[TaskRecord],
    options: WorkerOptions,
    tally: WorkerTally,
    echo: Callable[[str], None],
) -> None:
    from agentic_action.report.json_report import write_json
    from agentic_action.report.summary import write_summary
    from agentic_action.run import run

    agent = options.agent
    try:
        settings = _settings_for(base, tasks)
    except ValidationError as error:
        reason = f"cannot run method {tasks[0].method!r}: {error.errors()[0]['msg']}"
        _fail_all(ledger, tasks, agent, reason, retry=False, tally=tally, echo=echo)
        return
    history = RunHistory(ledger, agent=agent, task_ids={t.key: t.id for t in tasks})
    try:
        with leases_renewed(ledger, [task.id for task in tasks], agent, options.lease_seconds):
            report = run(settings, observers=[history], only={t.key for t in tasks})
        write_json(report, report.out_dir / "report.json")
        write_summary(report, report.out_dir / "summary.md")
    except Exception as error:  # the run failed: the tasks go back to the queue
        log.exception("queue run failed")
        reason = f"the run failed: {type(error).__name__}: {error}"
        _fail_all(ledger, tasks, agent, reason, retry=True, tally=tally, echo=echo)
        return
    found = {function.key for function in report.discovery.functions}
    for task in tasks:
        if task.key not in found:
            why = f"no function {task.function!r} in {task.file} at {report.base_commit[:12]}"
            _fail_all(ledger, [task], agent, why, retry=False, tally=tally, echo=echo)
            continue
        ids = history.result_ids.get(task.key, [])
        if ledger.queue.complete(task.id, agent, result_id=ids[-1] if ids else None):
            tally.done.append(task.id)
            outcome = report.no_candidate.get(task.key) or _statuses(ledger, ids)
            echo(f"{agent}: done #{task.id} {task.key}: {outcome}")
        else:
            tally.failed.append(task.id)
            echo(f"{agent}: lost #{task.id} {task.key}: its lease ran out during the run")


def _settings_for(base: Settings, tasks: list[TaskRecord]) -> Settings:
    update: dict[str, Any] = {"targets": sorted({task.file for task in tasks})}
    if tasks[0].method:
        update["method"] = tasks[0].method
    return base.updated(**update)


def _statuses(ledger: Ledger, result_ids: list[int]) -> str:
    records = [ledger.result(result_id) for result_id in result_ids]
    return ", ".join(f"{r.status}: {r.reason}" for r in records if r is not None) or "no result"


def _fail_all(
    ledger: Ledger,
    tasks: list[TaskRecord],
    agent: str,
    reason: str,
    *,
    retry: bool,
    tally: WorkerTally,
    echo: Callable[[str], None],
) -> None:
    for task in tasks:
        ledger.queue.fail(task.id, agent, reason, retry=retry)
        tally.failed.append(task.id)
        echo(f"{agent}: failed #{task.id} {task.key}: {reason}")
