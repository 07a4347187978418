"""The ledger's CLI: ``agents list|status``, ``queue list|add|process``, ``stats``, ``events``.

Every command takes ``--ledger PATH``; without it the ledger is ``$OPTIMIZER_LEDGER``, else
``$OPTIMIZER_OUT/ledger.sqlite``, else ``agentic-optimizer-out/ledger.sqlite`` (where
``optimize`` keeps it). Reading commands never create a ledger: a missing file is an error
that says how to make one. A corrupt file, or one from a newer agentic-optimizer, is refused
and left untouched (exit 2).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.errors import EXIT_BAD_INPUT, EXIT_OK, BadInput
from agentic_action.ledger import Event, Ledger, LedgerError
from agentic_action.model import DEFAULT_OUT, LEDGER_FILE

DEFAULT_EVENTS = 50  # events shown without --since
FOLLOW_INTERVAL = 0.5  # seconds between polls of events --follow

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def default_ledger_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("OPTIMIZER_LEDGER"):
        return Path(env["OPTIMIZER_LEDGER"])
    return Path(env.get("OPTIMIZER_OUT") or DEFAULT_OUT) / LEDGER_FILE


def open_ledger(path: Path | None, *, create: bool = False) -> Ledger:
    """Open the ledger a command names; LedgerError (with the fix) if it cannot be used."""
    path = path or default_ledger_path()
    if not create and not path.exists():
        raise LedgerError(
            f"no ledger at {path}: run `agentic-optimizer optimize` first (it keeps its "
            "history there), or pass --ledger PATH (or set OPTIMIZER_LEDGER)"
        )
    return Ledger.open(path)


def register(commands: SubParsers) -> None:
    agents = commands.add_parser("agents", help="the agents in the ledger and their status")
    sub = agents.add_subparsers(dest="agents_command", required=True, metavar="ACTION")
    _with_ledger(sub.add_parser("list", help="every agent, newest first"), cmd_agents_list)
    status = sub.add_parser("status", help="one agent: runs, tasks, results, events")
    status.add_argument("agent", metavar="ID", help="the agent's name, as `agents list` shows")
    _with_ledger(status, cmd_agents_status)

    queue = commands.add_parser("queue", help="the task queue in the ledger")
    sub = queue.add_subparsers(dest="queue_command", required=True, metavar="ACTION")
    listing = sub.add_parser("list", help="tasks in queue order")
    listing.add_argument("--status", choices=("pending", "claimed", "done", "failed"))
    listing.add_argument("--limit", type=int, default=None)
    _with_ledger(listing, cmd_queue_list)
    add = sub.add_parser("add", help="queue a function for optimization")
    add.add_argument("target", metavar="FILE::FUNCTION", help="e.g. src/m.py::slow_sum")
    add.add_argument("--method", default="", help="method to use (default: the run's)")
    add.add_argument("--priority", type=float, default=0.0, help="higher runs first")
    add.add_argument("--depends-on", dest="depends_on", type=int, nargs="*", default=[])
    add.add_argument("--max-attempts", dest="max_attempts", type=int, default=3)
    _with_ledger(add, cmd_queue_add)
    _add_process(sub)

    _with_ledger(commands.add_parser("stats", help="counts over the whole ledger"), cmd_stats)
    events = commands.add_parser("events", help="the event log (--follow to keep watching)")
    events.add_argument("--follow", "-f", action="store_true", help="print new events as they come")
    events.add_argument("--since", type=int, default=None, help="events after this id")
    events.add_argument("--kind", help='an event kind, or a prefix ending in "." ("task.")')
    events.add_argument("--run-id", dest="run_id")
    events.add_argument("--subject", help="e.g. a target key src/m.py::f")
    events.add_argument("--limit", type=int, default=None, help=f"default {DEFAULT_EVENTS}")
    events.add_argument("--interval", type=float, default=FOLLOW_INTERVAL, help=argparse.SUPPRESS)
    _with_ledger(events, cmd_events)


def _add_process(sub: SubParsers) -> None:
    from agentic_action.orchestrate.queue_worker import DEFAULT_BATCH

    process = sub.add_parser("process", help="claim tasks and optimize them, until none is left")
    process.add_argument("--agent", help="this worker's name (default: HOST-PID)")
    process.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="tasks per run")
    process.add_argument("--max-tasks", dest="max_tasks", type=int, default=0, help="0: no cap")
    process.add_argument("--lease", type=float, default=None, help="seconds a claim lasts")
    process.add_argument("--repo", type=Path, help="git repository (default: .)")
    process.add_argument("--out", type=Path, help=f"output directory (default: {DEFAULT_OUT})")
    process.add_argument("--mode", help="auto (default), github or patch")
    process.add_argument("--validation-level", dest="validation_level")
    process.add_argument("--worktree-base", dest="worktree_base", type=Path)
    process.add_argument("--max-agents", dest="max_agents")
    process.add_argument("--python")
    _with_ledger(process, cmd_queue_process)


def _with_ledger(parser: argparse.ArgumentParser, handler: Callable[..., int]) -> None:
    parser.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help=f"ledger file (default: $OPTIMIZER_LEDGER or {DEFAULT_OUT / LEDGER_FILE})",
    )
    if handler is not cmd_queue_process:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=_guarded(handler))


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except BadInput as error:
            print(f"agentic-optimizer: error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


# --- agents -------------------------------------------------------------------------------
def cmd_agents_list(args: argparse.Namespace) -> int:
    from agentic_action.report.ledger_view import agents

    with open_ledger(args.ledger) as ledger:
        views = agents(ledger)
    if args.json:
        print(json.dumps([v.to_json() for v in views], indent=2))
        return EXIT_OK
    if not views:
        print("no agents recorded yet")
        return EXIT_OK
    rows = [("AGENT", "STATUS", "LAST SEEN", "RUNS", "TASKS done/failed/held", "ACCEPTED/ALL")]
    for v in views:
        tasks = f"{v.tasks.get('done', 0)}/{v.tasks.get('failed', 0)}/{len(v.claimed)}"
        results = f"{v.results.get('accepted', 0)}/{sum(v.results.values())}"
        rows.append((v.name, v.status, when(v.last_seen), str(len(v.run_ids)), tasks, results))
    _table(rows)
    return EXIT_OK


def cmd_agents_status(args: argparse.Namespace) -> int:
    from agentic_action.report.ledger_view import agent_detail, agents

    with open_ledger(args.ledger) as ledger:
        detail = agent_detail(ledger, args.agent)
        if detail is None:
            known = ", ".join(v.name for v in agents(ledger)[:10]) or "none yet"
            raise LedgerError(
                f"no agent {args.agent!r} in {ledger.path}; known agents: {known} "
                "(see `agentic-optimizer agents list`)"
            )
        tasks = ledger.queue.list(owner=args.agent)
    view = detail.agent
    if args.json:
        data = view.to_json() | {"tasks_detail": [_task_json(t) for t in tasks]}
        data["results_detail"] = [_result_line(r) for r in detail.results]
        data["events"] = [event_json(e) for e in detail.events]
        print(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    print(f"agent {view.name}: {view.status}")
    print(f"  started {when(view.started_at)}, last seen {when(view.last_seen)}")
    print(f"  runs: {', '.join(view.run_ids) or '-'}")
    print(f"  holding: {', '.join(view.claimed) or 'nothing'}")
    for task in tasks:
        print(f"  task #{task.id} {task.status.value:8} {task.key} {task.last_error}".rstrip())
    for result in detail.results:
        print(f"  result {_result_line(result)}")
    print(f"  events ({len(detail.events)}):")
    for event in detail.events[-20:]:
        print(f"    {event_line(event)}")
    return EXIT_OK


# --- queue --------------------------------------------------------------------------------
def cmd_queue_list(args: argparse.Namespace) -> int:
    with open_ledger(args.ledger) as ledger:
        tasks = ledger.queue.list(status=args.status, limit=args.limit)
    if args.json:
        print(json.dumps([_task_json(t) for t in tasks], indent=2))
        return EXIT_OK
    if not tasks:
        print("the queue is empty" if args.status is None else f"no {args.status} tasks")
        return EXIT_OK
    rows = [("ID", "STATUS", "PRIORITY", "METHOD", "OWNER", "TRIES", "TARGET", "NOTE")]
    for t in tasks:
        note = t.last_error or (
            f"after #{', #'.join(map(str, t.depends_on))}" if t.depends_on else ""
        )
        rows.append(
            (str(t.id), t.status.value, f"{t.priority:g}", t.method or "-", t.owner or "-",
             f"{t.attempts}/{t.max_attempts}", t.key, note[:60])
        )  # fmt: skip
    _table(rows)
    return EXIT_OK


def cmd_queue_add(args: argparse.Namespace) -> int:
    file, sep, function = str(args.target).partition("::")
    if not sep or not file or not function:
        raise BadInput(
            f"target {args.target!r} must be FILE::FUNCTION, e.g. src/m.py::slow_sum "
            "(a method is Class.method)"
        )
    _check_method(args.method)
    with open_ledger(args.ledger, create=True) as ledger:
        task_id = ledger.queue.add(
            file,
            function,
            method=args.method,
            priority=args.priority,
            depends_on=args.depends_on,
            max_attempts=args.max_attempts,
        )
    if args.json:
        print(json.dumps({"id": task_id, "target": args.target}))
    else:
        print(f"queued task #{task_id}: {file}::{function}")
    return EXIT_OK


def _check_method(method: str) -> None:
    from agentic_action.model import METHODS

    if method and method not in METHODS:
        raise BadInput(f"--method {method!r} is not a method; use one of {', '.join(METHODS)}")


def cmd_queue_process(args: argparse.Namespace) -> int:
    from agentic_action.ledger import DEFAULT_LEASE_SECONDS
    from agentic_action.orchestrate.queue_worker import (
        WorkerOptions,
        default_agent_name,
        process_queue,
    )

    if args.batch < 1 or args.max_tasks < 0 or (args.lease is not None and args.lease <= 0):
        raise BadInput("--batch must be >= 1, --max-tasks >= 0 and --lease > 0 seconds")
    names = ("repo", "out", "mode", "validation_level", "worktree_base", "max_agents", "python")
    flags = {name: getattr(args, name) for name in names}
    options = WorkerOptions(
        agent=args.agent or default_agent_name(),
        batch=args.batch,
        max_tasks=args.max_tasks,
        lease_seconds=args.lease or DEFAULT_LEASE_SECONDS,
    )
    ledger_path = args.ledger or _ledger_for_out(args.out)
    with open_ledger(ledger_path, create=True) as ledger:
        tally = process_queue(ledger, flags, options, echo=lambda line: print(line, flush=True))
    print(f"{options.agent}: {tally.line}")
    return EXIT_OK


def _ledger_for_out(out: Path | None) -> Path:
    return default_ledger_path() if out is None else out / LEDGER_FILE


# --- stats and events ---------------------------------------------------------------------
def cmd_stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    with open_ledger(args.ledger) as ledger:
        stats = ledger.stats()
        path = ledger.path
    if args.json:
        print(json.dumps(asdict(stats), indent=2))
        return EXIT_OK
    median = stats.accepted_median_speedup
    print(f"ledger {path}")
    print(f"  runs: {stats.runs}   events: {stats.events}")
    print(f"  tasks: {_counts(stats.tasks)}")
    print(f"  results: {_counts(stats.results)}")
    print(f"  median accepted speedup: {'-' if median is None else f'{median:.2f}x'}")
    print(f"  LLM spend: ${stats.llm_cost_usd:.4f}")
    api = stats.api
    print(
        f"  GitHub API: {api.full_requests} full, {api.not_modified} not modified (304), "
        f"{api.cache_hits} cache hits, {api.writes} writes"
    )
    print(f"  conflicts: {_counts(stats.conflicts)}")
    return EXIT_OK


def cmd_events(args: argparse.Namespace) -> int:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        with open_ledger(args.ledger) as ledger:
            since = args.since
            if since is None:
                since = max(0, ledger.last_event_id() - (args.limit or DEFAULT_EVENTS))
            limit = args.limit if args.since is not None else None
            filters = {"kind": args.kind, "run_id": args.run_id, "subject": args.subject}
            events = ledger.events(since, limit=limit, **filters)
            since = max(since, _print_events(events, args.json))
            while args.follow and not stop.wait(args.interval):
                since = max(since, _print_events(ledger.events(since, **filters), args.json))
    except KeyboardInterrupt:  # Ctrl-C ends --follow; like SIGTERM, not an error
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return EXIT_OK


def _print_events(events: list[Event], as_json: bool) -> int:
    last = 0
    for event in events:
        print(json.dumps(event_json(event)) if as_json else event_line(event), flush=True)
        last = event.id
    return last


# --- formatting ---------------------------------------------------------------------------
def when(at: float | None) -> str:
    if not at:
        return "-"
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id, "at": event.at, "time": when(event.at), "kind": event.kind,
        "run_id": event.run_id, "subject": event.subject, "payload": event.payload,
    }  # fmt: skip


def event_line(event: Event) -> str:
    payload = json.dumps(event.payload, sort_keys=True, separators=(",", ":"))
    return f"#{event.id} {when(event.at)} {event.kind} {event.subject} {payload}"


def _task_json(task: Any) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(task)
    data["status"] = task.status.value
    data["key"] = task.key
    return data


def _result_line(result: Any) -> str:
    speed = "speed not measured"
    if result.speedup is not None:
        speed = f"{result.speedup:.2f}x (95% CI {result.ci_low:.2f}-{result.ci_high:.2f})"
    cid = result.cid or "-"
    return f"{result.status} {result.file}::{result.function} {result.method} {speed} {cid}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "none"


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
