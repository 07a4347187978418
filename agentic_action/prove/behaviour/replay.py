"""Parent side of a replay: run the sandboxed worker over all inputs, surviving crashes."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_action.model import FunctionTarget
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import run_sandboxed

WORKER = "agentic_action.prove.behaviour.worker"
MAX_RESTARTS = 3  # after this many crashes the remaining inputs are not replayed


@dataclass(frozen=True)
class ReplayRun:
    outcomes: Path
    crashes: int
    timed_out: bool
    isolation: str
    log_tail: str


def replay(
    python: str,
    root: Path,
    target: FunctionTarget,
    inputs: Path,
    outcomes: Path,
    *,
    timeout: float,
    extra_paths: Sequence[str] = (),
    call_timeout: float = 0.0,
    start: int = 0,
    readable: Sequence[Path] = (),
) -> ReplayRun:
    """Replay every input in ``inputs`` on ``root`` (from the ``start``-th, in name order);
    outcomes are appended to the JSON-lines file.

    When the interpreter dies inside a call (``os._exit``, a segfault, the memory limit) a
    ``crash`` outcome is appended for that input and a fresh worker continues with the next one;
    when the time limit runs out, a ``timeout`` outcome is appended and replay stops. With
    ``call_timeout`` a single call that outlasts it is recorded as ``timeout`` and replay goes on.
    ``readable``: folders the worker may read besides ``root`` (the base worktree, whose files
    recorded inputs may name by their absolute path).
    """
    deadline = time.monotonic() + timeout
    crashes, isolation, tail = 0, "", ""
    while True:
        argv = [python, "-m", WORKER, "--root", str(root), "--file", target.file]
        argv += ["--qualname", target.qualname, "--inputs", str(inputs), "--out", str(outcomes)]
        argv += ["--start", str(start), "--call-timeout", repr(call_timeout)]
        for extra in extra_paths:
            argv += ["--extra-path", extra]
        remaining = max(1.0, deadline - time.monotonic())
        result = run_sandboxed(
            argv,
            cwd=root,
            timeout=remaining,
            writable=[outcomes.parent],
            readable=readable,
            extra_env=worker_env(),
        )
        isolation, tail = result.isolation, result.tail(15)
        unfinished = _unfinished(outcomes)
        if unfinished is None:  # all done (os._exit(0) inside a call still leaves one unfinished)
            return ReplayRun(outcomes, crashes, result.timed_out, isolation, tail)
        if result.timed_out:
            _append(outcomes, {"i": unfinished, "event": "done", "kind": "timeout"})
            return ReplayRun(outcomes, crashes, True, isolation, tail)
        how = _how(result.returncode)
        _append(outcomes, {"i": unfinished, "event": "done", "kind": "crash", "how": how})
        crashes += 1
        if crashes > MAX_RESTARTS:
            return ReplayRun(outcomes, crashes, False, isolation, tail)
        start = unfinished + 1


def outcome_records(outcomes: Path) -> list[dict[str, Any]]:
    """The JSON objects of a replay's outcome file whose input index is an int, in order; a
    missing file, a half-written line or a foreign one is left out."""
    try:
        lines = outcomes.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            record: Any = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("i"), int):
            records.append(record)
    return records


def _unfinished(outcomes: Path) -> int | None:
    """The input whose call started but never finished, if any."""
    started: set[int] = set()
    for record in outcome_records(outcomes):
        if record.get("event") == "start":
            started.add(record["i"])
        elif record.get("event") == "done":
            started.discard(record["i"])
    return min(started) if started else None


def _append(outcomes: Path, record: dict[str, Any]) -> None:
    with outcomes.open("a", encoding="utf-8") as stream:
        stream.write("\n" + json.dumps(record) + "\n")


def _how(returncode: int | None) -> str:
    """Signals show as negative codes, or as 128+N when bubblewrap relays them."""
    if returncode is None:
        return "no exit code"
    number = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    try:
        name = signal.Signals(number).name if number else ""
    except ValueError:
        name = f"signal {number}"
    return f"exit code {returncode}, {name}" if name else f"exit code {returncode}"
