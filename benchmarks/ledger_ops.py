"""Ledger throughput: batch inserts, and indexed queries over a ledger of --events events.

Usage: PYTHONPATH=. python benchmarks/ledger_ops.py [--events 100000] [--results 20000]
           [--tasks 5000] [--queries 200] [--text-search auto|fts5|like]

Builds a fresh ledger in a temporary directory: --events appended in batches of --batch (one
transaction each), --results results (each also writes a "result.recorded" event) and --tasks
queued tasks, then times indexed reads. Prints one table: operation, count, seconds, ops/s.
Every figure is one run on this machine; the shared 2-core CI runners vary by +-20 %.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentic_action.ledger import Ledger
from agentic_action.model import FunctionTarget, OptimizationResult, SpeedEvidence, Status

KINDS = ("agent.started", "agent.progress", "candidate.checked", "agent.stopped")
METHODS = ("rules", "test-driven", "adversarial", "actor-critic", "chaos")
REASONS = (
    "hoisted loop invariant, 1.4x faster",
    "changed exception type on empty input",
    "not significantly faster (CI crosses 1.0)",
    "replaced list membership with a set",
)

Row = tuple[str, int, float]


def _timed(rows: list[Row], name: str, count: int, action: Callable[[], Any]) -> None:
    start = time.perf_counter()
    action()
    rows.append((name, count, time.perf_counter() - start))


def _result(index: int) -> OptimizationResult:
    target = FunctionTarget(f"src/pkg/mod{index % 200}.py", f"func_{index}", 1, 20)
    speed = SpeedEvidence(1.3, 1.2, 1.4, 30, 0.02, "paired", True, 1e-3, 7e-4)
    status = (Status.ACCEPTED, Status.REJECTED, Status.ERROR)[index % 3]
    return OptimizationResult(target, METHODS[index % 5], status, REASONS[index % 4], speed=speed)


def _fill(ledger: Ledger, args: argparse.Namespace, rows: list[Row]) -> None:
    def events() -> None:
        for start in range(0, args.events, args.batch):
            with ledger.batch():
                for index in range(start, min(start + args.batch, args.events)):
                    ledger.append(KINDS[index % 4], {"i": index}, run_id=f"run-{index % 50}",
                                  subject=f"agent-{index % 16}")  # fmt: skip

    def results() -> None:
        for start in range(0, args.results, args.batch):
            with ledger.batch():
                for index in range(start, min(start + args.batch, args.results)):
                    ledger.record_result(_result(index), run_id=f"run-{index % 50}")

    def tasks() -> None:
        with ledger.batch():
            for index in range(args.tasks):
                ledger.queue.add(f"src/pkg/mod{index % 200}.py", f"func_{index}",
                                 method=METHODS[index % 5], priority=random.random())  # fmt: skip

    _timed(rows, f"append events, {args.batch} per batch", args.events, events)
    _timed(rows, f"record results, {args.batch} per batch", args.results, results)
    _timed(rows, "queue tasks, one batch", args.tasks, tasks)
    unbatched = 500

    def one_by_one() -> None:
        for index in range(unbatched):
            ledger.append("agent.progress", {"i": index})

    _timed(rows, "append events, one transaction each", unbatched, one_by_one)


def _queries(ledger: Ledger, args: argparse.Namespace, rows: list[Row]) -> None:
    n, last = args.queries, ledger.last_event_id()
    pick = random.Random(7)
    queries: list[tuple[str, Callable[[], Any]]] = [
        ("events since a cursor (last 100)", lambda: ledger.events(since_id=last - 100)),
        ("events by kind, 100 after a random id",
         lambda: ledger.events(pick.randrange(last), kind="agent.stopped", limit=100)),
        ("events by run, 100", lambda: ledger.events(run_id="run-7", limit=100)),
        ("events by subject, 100", lambda: ledger.events(subject="agent-3", limit=100)),
        ("search by file", lambda: ledger.search(file=f"src/pkg/mod{pick.randrange(200)}.py")),
        ("search by function", lambda: ledger.search(function=f"func_{pick.randrange(9999)}")),
        ("search by status, 100", lambda: ledger.search(status="accepted", limit=100)),
        ("search by method + status, 100",
         lambda: ledger.search(method="chaos", status="error", limit=100)),
        (f"search text ({ledger.text_search}), 100", lambda: ledger.search(text="loop invariant")),
        ("list pending tasks of one file",
         lambda: ledger.queue.list(file=f"src/pkg/mod{pick.randrange(200)}.py", status="pending")),
    ]  # fmt: skip
    for name, query in queries:
        _timed(rows, name, n, lambda query=query: [query() for _ in range(n)])  # type: ignore[misc]

    def claim_complete() -> None:
        for index in range(n):
            task = ledger.queue.claim(f"agent-{index % 4}")
            assert task is not None
            ledger.queue.complete(task.id, task.owner or "")

    _timed(rows, "claim + complete a task", n, claim_complete)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--text-search", choices=("auto", "fts5", "like"), default="auto")
    args = parser.parse_args()
    random.seed(1)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        with Ledger.open(path, text_search=args.text_search) as ledger:
            _fill(ledger, args, rows)
            _queries(ledger, args, rows)
            total_events = ledger.last_event_id()
        size = path.stat().st_size
        _timed(rows, "open with quick_check", 1, lambda: Ledger.open(path).close())
    print(f"ledger: {total_events} events, {args.results} results, {args.tasks} tasks, "
          f"{size / 1e6:.1f} MB, text search {args.text_search}")  # fmt: skip
    print(f"| {'operation':<44} | {'count':>7} | {'seconds':>8} | {'ops/s':>9} |")
    print(f"|{'-' * 46}|{'-' * 9}|{'-' * 10}|{'-' * 11}|")
    for name, count, seconds in rows:
        print(f"| {name:<44} | {count:>7} | {seconds:>8.3f} | {count / seconds:>9,.0f} |")


if __name__ == "__main__":
    main()
