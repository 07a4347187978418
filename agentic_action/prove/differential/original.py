"""The original's runs on a target's differential inputs, bounded by what its workload costs.

An input that takes the original much longer than any recorded call is outside the workload the
recording describes (a huge integer turning a loop over a range into hours of work): it is
dropped and counted, not waited for. So the original's per-call bound comes from the recorded
inputs: one sandboxed replay of them (beside the generator, so it adds no wall time) times each
call, and the bound is ``max(CALL_FLOOR, CALL_FACTOR x the slowest)``, never above the settings'
``seconds`` (the bound when nothing could be timed).

The replay worker stops a call at that bound and goes on with the next input, so every input
the original runs past in Python code is found in one pass. A call the bound cannot stop (a long
C call) ends the replay process at its time limit; the replay then resumes after that input,
at most ``MAX_HANGS`` times, instead of starting over.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_action.model import FunctionTarget
from agentic_action.prove.behaviour.replay import ReplayRun, outcome_records, replay
from agentic_action.record import store

CALL_FLOOR = 0.1  # seconds: no input is dropped for taking the original less than this
CALL_FACTOR = 100  # nor for taking it less than this many times its slowest recorded call
MAX_HANGS = 3  # calls the bound could not stop (each ends a replay) before the rest is given up


@dataclass(frozen=True)
class OriginalReplay:
    """What a replay of the original needs besides its inputs and outcome file."""

    python: str
    original: Path
    target: FunctionTarget
    extra: Sequence[str]
    timeout: float  # one replay process (the settings' original_timeout)


def call_bound(slowest: float | None, ceiling: float) -> float:
    """The original's per-call bound: ``max(CALL_FLOOR, CALL_FACTOR x slowest)`` seconds, at
    most ``ceiling``; ``ceiling`` itself when no recorded call was timed."""
    if slowest is None:
        return ceiling
    return min(ceiling, max(CALL_FLOOR, CALL_FACTOR * slowest))


def slowest_recorded(
    replayer: OriginalReplay, recorded: Path, work: Path, call_timeout: float
) -> float | None:
    """The original's slowest call on the recorded inputs, in seconds: one sandboxed replay of a
    copy of them, each call bounded by ``call_timeout``. None when there is nothing to time or
    the replay did not finish."""
    files = sorted(recorded.glob(f"*{store.INPUT_SUFFIX}")) if recorded.is_dir() else []
    if not files:
        return None
    (work / "inputs").mkdir(parents=True)
    for path in files:  # the sandbox sees only its own folders, and cannot alter the store
        shutil.copyfile(path, work / "inputs" / path.name)
    out = work / "outcomes.jsonl"
    run = _replay(replayer, work / "inputs", out, call_timeout, 0)
    timed = [r for r in done_by_index(out).values() if isinstance(r.get("seconds"), int | float)]
    return None if run.timed_out or not timed else max(_seconds(r) for r in timed)


def run_original(
    replayer: OriginalReplay, inputs: Path, outcomes: tuple[Path, Path], call_timeout: float
) -> float:
    """The original's two runs on the inputs, side by side, each in its own folder beside its
    outcome file; the seconds of the longer one, less the time spent on inputs it ran past the
    bound on (the candidate's time limit is derived from it)."""

    def one(out: Path) -> float:
        shutil.rmtree(out.parent, ignore_errors=True)
        shutil.copytree(inputs, out.parent / "inputs")
        return _one_run(replayer, out.parent / "inputs", out, call_timeout)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return max(pool.map(one, outcomes))


def _one_run(replayer: OriginalReplay, inputs: Path, out: Path, call_timeout: float) -> float:
    """One pass over the inputs, resumed after each call that ended a replay process."""
    count = len(store.inputs_in(inputs))
    start, spent = 0, 0.0
    for _ in range(MAX_HANGS + 1):
        began = time.monotonic()
        run = _replay(replayer, inputs, out, call_timeout, start)
        took = time.monotonic() - began
        done = [r for i, r in done_by_index(out).items() if i >= start]
        if not run.timed_out:
            return spent + took - sum(_seconds(r) for r in done if r.get("kind") == "timeout")
        spent += sum(_seconds(r) for r in done if r.get("kind") != "timeout")
        if not done:  # not even one input: the original does not get that far
            break
        start = 1 + max(int(r["i"]) for r in done)  # after the input that ended the replay
        if start >= count:
            break
    return spent


def _replay(
    replayer: OriginalReplay, inputs: Path, out: Path, call_timeout: float, start: int
) -> ReplayRun:
    return replay(
        replayer.python, replayer.original, replayer.target, inputs, out,
        timeout=replayer.timeout, extra_paths=replayer.extra, call_timeout=call_timeout,
        start=start, mark_unreached=False,  # _one_run: a run that reached nothing ends there
    )  # fmt: skip


def _seconds(record: dict[str, Any]) -> float:
    seconds = record.get("seconds")
    return float(seconds) if isinstance(seconds, int | float) else 0.0


def done_by_index(outcomes: Path) -> dict[int, dict[str, Any]]:
    """The first "done" record of each input of a replay's outcome file."""
    done: dict[int, dict[str, Any]] = {}
    for record in outcome_records(outcomes):
        if record.get("event") == "done":
            done.setdefault(record["i"], record)
    return done
