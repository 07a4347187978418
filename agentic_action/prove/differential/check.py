"""The differential check: original and candidate side by side on inputs built around the
recorded ones, before the benchmark.

Per candidate, the candidate is replayed (sandboxed) on the target's prepared inputs and the
comparer classifies each input against the original's two runs, comparing what the behaviour
check compares (return value, argument mutation, printed output, file writes) except that an
exception matches on its type (messages of synthetic inputs differ for harmless reasons). The
first differing input is shrunk (``shrink`` rounds) and shown. A candidate that does not finish
within its time bound on an input the original finishes is rejected: it hangs. (The inputs the
original ran past its own per-call bound on were dropped before: see ``original``.)
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_action.model import CheckOutcome, CheckResult, FunctionTarget
from agentic_action.prove.behaviour.check import shown_difference
from agentic_action.prove.behaviour.replay import replay
from agentic_action.prove.differential.prepare import (
    GENERATOR,
    OUTCOMES,
    DifferentialSettings,
    Prepared,
    describe_origin,
)
from agentic_action.record import store
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import run_sandboxed

NAME = "differential"
COMPARER = "agentic_action.prove.behaviour.compare_worker"
COMPARER_TIMEOUT = 120.0
# Field trial: inflect's import takes 1.2 s; with a candidate's full suite running beside it,
# the candidate's replay ran past 4x the original's before its first or fourth input and a
# correct candidate was rejected as hanging.
CANDIDATE_START_SECONDS = 20.0
SHRINK_ROUNDS = 4
SHRINK_SECONDS = 10.0  # shrinking starts no new round after this (or 3x the time bound)


@dataclass(frozen=True)
class Sides:
    """What one comparison needs: the interpreter, both roots, the target, its extra paths."""

    python: str
    original: Path
    candidate: Path
    target: FunctionTarget
    extra: tuple[str, ...]


def candidate_timeout(prepared: Prepared, settings: DifferentialSettings) -> float:
    """The candidate's replay may take the time bound, or four times the original's, plus
    CANDIDATE_START_SECONDS for starting its process and importing the module under whatever
    load the machine has then (a call that hangs is stopped by the per-call limit)."""
    return max(settings.seconds, 4 * prepared.original_seconds) + CANDIDATE_START_SECONDS


def check_differential(
    sides: Sides, prepared: Prepared, settings: DifferentialSettings
) -> CheckResult:
    started = time.monotonic()
    if prepared.error or prepared.count == 0:
        why = prepared.error or "no differential input could be built (nothing recorded to vary)"
        return CheckResult(NAME, CheckOutcome.SKIPPED, why, 0.0, _data(prepared, {}))
    work = Path(tempfile.mkdtemp(prefix="candidate-", dir=prepared.work))
    try:
        shutil.copytree(prepared.inputs, work / "inputs")
        outcomes = work / OUTCOMES
        timeout = candidate_timeout(prepared, settings)
        _replay(sides, sides.candidate, work / "inputs", outcomes, timeout, 2 * settings.seconds)
        originals = (work / "original.jsonl", work / "original-again.jsonl")
        shutil.copyfile(prepared.first, originals[0])  # the sandboxed comparer sees only `work`
        shutil.copyfile(prepared.again, originals[1])
        items = _compare(sides, work, work / "inputs", originals, outcomes)
        result = _judge(sides, prepared, settings, items, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return CheckResult(NAME, result[0], result[1], time.monotonic() - started, result[2])


def _judge(
    sides: Sides,
    prepared: Prepared,
    settings: DifferentialSettings,
    items: list[dict[str, Any]] | str,
    work: Path,
) -> tuple[CheckOutcome, str, dict[str, Any]]:
    if isinstance(items, str):
        return CheckOutcome.ERROR, f"the comparison itself failed: {items}", _data(prepared, {})
    status = [str(i.get("status")) for i in items]
    counts = {s: status.count(s) for s in ("same", "differs", "nondeterministic", "unusable")}
    tried = counts["same"] + counts["differs"]
    data = _data(prepared, {"inputs_compared": tried, **counts})
    differing = [i for i in items if i.get("status") == "differs"]
    if differing:
        first = differing[0]
        origin = prepared.origins[int(first.get("i", 0))]
        candidate = str(first.get("candidate"))
        hang = "did not finish within the time limit" in candidate
        late = "was not reached" in candidate
        timed = hang or late
        shrunk, rounds = (first, 0) if timed else _shrink(sides, prepared, settings, first, work)
        shown = shown_difference(shrunk, numbered=False)
        data.update(first_difference=shown, origin=describe_origin(origin))
        data.update(shrink_rounds=rounds, candidate_hangs=hang)
        what = (
            "the candidate hangs on"
            if hang
            else "the candidate's replay ran out of time before"
            if late
            else "behaviour differs on"
        )
        why = f"{what} differential input #{first.get('i')} ({describe_origin(origin)})"
        return CheckOutcome.FAILED, f"{why}\n{shown}", data
    if tried == 0:
        why = f"none of {prepared.count} differential input(s) could serve as evidence"
        return CheckOutcome.SKIPPED, why, data
    why = f"same behaviour on {tried} differential input(s) built around the recorded ones"
    return CheckOutcome.PASSED, why + _dropped_words(prepared, counts), data


def _dropped_words(prepared: Prepared, counts: dict[str, int]) -> str:
    parts = []
    if prepared.dropped:
        bound = f"{prepared.call_bound:.2g} s"
        parts.append(f"{len(prepared.dropped)} dropped: each took the original over {bound}")
    if counts["nondeterministic"] or counts["unusable"]:
        parts.append(f"{counts['nondeterministic'] + counts['unusable']} not usable as evidence")
    return f" ({'; '.join(parts)})" if parts else ""


def _data(prepared: Prepared, extra: dict[str, Any]) -> dict[str, Any]:
    manifest = prepared.manifest
    sources: dict[str, int] = {}
    for origin in prepared.origins:
        sources[str(origin.get("source"))] = sources.get(str(origin.get("source")), 0) + 1
    return {
        "inputs_generated": prepared.count,
        "inputs_compared": 0,
        "sources": sources,
        "recorded": manifest.get("recorded", 0),
        "skipped_uncopyable": manifest.get("uncopyable", 0) + manifest.get("unloadable", 0),
        "unmutated_calls": (manifest.get("mutation") or {}).get("unmutated_calls", 0),
        "dropped_original_hangs": list(prepared.dropped),
        "original_call_bound": round(prepared.call_bound, 3),
        "outside_domain": prepared.outside_domain,
        "hypothesis": manifest.get("hypothesis"),
        "llm": manifest.get("llm"),
        "prepare_seconds": round(prepared.seconds, 3),
        **extra,
    }


def _replay(
    sides: Sides, root: Path, inputs: Path, outcomes: Path, timeout: float, call: float
) -> None:
    replay(
        sides.python, root, sides.target, inputs, outcomes,
        timeout=timeout, extra_paths=sides.extra, call_timeout=call,
        readable=[sides.original],  # inputs may name the base worktree's files
    )  # fmt: skip


def _compare(
    sides: Sides, work: Path, inputs: Path, originals: tuple[Path, Path], candidate: Path
) -> list[dict[str, Any]] | str:
    """The comparer's per-input classification (sandboxed: it unpickles candidate output)."""
    out = work / "comparison.json"
    argv = [sides.python, "-m", COMPARER, "--root", str(sides.original)]
    argv += ["--file", sides.target.file, "--inputs", str(inputs), "--out", str(out)]
    argv += ["--original", str(originals[0]), "--original-again", str(originals[1])]
    argv += ["--candidate", str(candidate), "--exception-types-only"]
    for entry in sides.extra:
        argv += ["--extra-path", entry]
    result = run_sandboxed(
        argv, cwd=sides.original, timeout=COMPARER_TIMEOUT, writable=[work],
        extra_env=worker_env(),
    )  # fmt: skip
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return result.tail(15) or "the comparer wrote no result"
    if data.get("original_error") or data.get("candidate_error"):
        return str(data.get("original_error") or data.get("candidate_error"))
    return [i for i in data.get("inputs", []) if isinstance(i, dict)]


def _shrink(
    sides: Sides,
    prepared: Prepared,
    settings: DifferentialSettings,
    first: dict[str, Any],
    work: Path,
) -> tuple[dict[str, Any], int]:
    """Greedy: smaller versions of the differing input, the smallest that still differs kept,
    a few rounds. The input shown is the last one kept."""
    files = store.inputs_in(prepared.inputs)
    current, shown, rounds = files[int(first.get("i", 0))], first, 0
    deadline = time.monotonic() + max(SHRINK_SECONDS, 3 * settings.seconds)
    for round_ in range(1, SHRINK_ROUNDS + 1):
        if time.monotonic() > deadline:
            break
        found = _shrink_round(sides, prepared, settings, current, work / f"shrink{round_}")
        if found is None:
            break
        current, shown, rounds = found[0], found[1], round_
    return shown, rounds


def _shrink_round(
    sides: Sides, prepared: Prepared, settings: DifferentialSettings, current: Path, work: Path
) -> tuple[Path, dict[str, Any]] | None:
    inputs = work / "inputs"
    inputs.mkdir(parents=True)
    shutil.copyfile(current, work / "current.pkl")  # the sandbox sees only `work`
    argv = [sides.python, "-m", GENERATOR, "--root", str(sides.original)]
    argv += ["--file", sides.target.file, "--qualname", sides.target.qualname]
    argv += ["--shrink", str(work / "current.pkl"), "--out", str(inputs)]
    argv += ["--manifest", str(work / "m.json")]
    for entry in sides.extra:
        argv += ["--extra-path", entry]
    run_sandboxed(argv, cwd=sides.original, timeout=60.0, writable=[work], extra_env=worker_env())
    files = store.inputs_in(inputs)
    if not files:
        return None
    bound = prepared.call_bound or settings.seconds  # the inputs the original was kept for
    runs = [
        ("original", sides.original, settings.original_timeout, bound),
        ("candidate", sides.candidate, candidate_timeout(prepared, settings), 2 * settings.seconds),
    ]

    def run(side: tuple[str, Path, float, float]) -> Path:
        copy = work / side[0]
        shutil.copytree(inputs, copy / "inputs")
        _replay(sides, side[1], copy / "inputs", copy / OUTCOMES, side[2], side[3])
        return copy / OUTCOMES

    with ThreadPoolExecutor(max_workers=2) as pool:
        original, candidate = pool.map(run, runs)
    items = _compare(sides, work, inputs, (original, original), candidate)
    if isinstance(items, str):
        return None
    differing = [i for i in items if i.get("status") == "differs"]
    if not differing:
        return None
    best = min(differing, key=lambda i: files[int(i.get("i", 0))].stat().st_size)
    return files[int(best.get("i", 0))], best
