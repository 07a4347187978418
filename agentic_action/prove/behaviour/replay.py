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
from agentic_action.record import store
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import run_sandboxed

WORKER = "agentic_action.prove.behaviour.worker"
MAX_RESTARTS = 3  # after this many crashes the remaining inputs are not replayed
NOT_STARTED = "not started"  # a timeout's `how` when the time ran out before the call began


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
    mark_unreached: bool = True,
) -> ReplayRun:
    """Replay every input in ``inputs`` on ``root`` (from the ``start``-th, in name order);
    outcomes are appended to the JSON-lines file.

    When the interpreter dies inside a call (``os._exit``, a segfault, the memory limit) a
    ``crash`` outcome is appended for that input and a fresh worker continues with the next one;
    when the time limit runs out, a ``timeout`` outcome is appended and replay stops (with
    ``"how": "not started"`` when no call was running then: the time went on start-up). With
    ``call_timeout`` a single call that outlasts it is recorded as ``timeout`` and replay goes on.
    ``readable``: folders the worker may read besides ``root`` (the base worktree, whose files
    recorded inputs may name by their absolute path). ``mark_unreached=False`` leaves the
    unreached input without an outcome (the differential's original resumes on its own).
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
            if result.timed_out and mark_unreached:
                _mark_unreached(inputs, outcomes, start)
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


def _mark_unreached(inputs: Path, outcomes: Path, start: int) -> None:
    """The time ran out between calls (starting the process, importing the module): the next
    input is a ``timeout`` that was ``not started``, not a hang inside that call."""
    done = {r["i"] for r in outcome_records(outcomes) if r.get("event") == "done"}
    count = len(store.inputs_in(inputs))
    pending = next((i for i in range(start, count) if i not in done), None)
    if pending is not None:
        _append(outcomes, {"i": pending, "event": "done", "kind": "timeout", "how": NOT_STARTED})


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
