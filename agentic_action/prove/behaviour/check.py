"""Does the candidate behave like the original on the recorded real inputs?"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_action.model import CheckOutcome, CheckResult, FunctionTarget
from agentic_action.prove.behaviour.replay import ReplayRun, replay
from agentic_action.prove.once import OnceByKey
from agentic_action.record import store
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import run_sandboxed

COMPARER = "agentic_action.prove.behaviour.compare_worker"
SHOWN_LIMIT = 1500
OUTCOMES = "outcomes.jsonl"
COMPARER_TIMEOUT = 300.0


@dataclass(frozen=True)
class OriginalReplays:
    """The original's two replays of a target's recorded inputs (``original`` and
    ``original-again`` under ``folder``, each its own copy of the inputs and its outcomes)."""

    folder: Path
    runs: dict[str, ReplayRun]


# By target: the original is the same code for every candidate of a target, so its replays
# are done once per run (under the run's scratch folder) and only the candidate is replayed.
OriginalsCache = OnceByKey[OriginalReplays]
ORIGINALS = ("original", "original-again")


@dataclass(frozen=True)
class BehaviourVerdict:
    """The oracle's answer for one candidate.

    ``equivalent`` is true only with evidence: at least one recorded input compared, none
    differing. ``outcome`` is PASSED (equivalent), FAILED (a difference, a crash, a hang, an
    import failure of the candidate), SKIPPED (no usable input: no evidence either way; fall back
    to tests that cover the changed lines) or ERROR (the original itself could not be replayed).
    """

    equivalent: bool
    inputs_compared: int
    nondeterministic: int
    first_difference: str | None
    reason: str
    outcome: CheckOutcome = CheckOutcome.FAILED
    inputs_recorded: int = 0
    unusable: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_check(self) -> CheckResult:
        detail = self.reason
        if self.first_difference:
            detail += "\n" + self.first_difference
        data: dict[str, Any] = {
            "inputs_recorded": self.inputs_recorded,
            "inputs_compared": self.inputs_compared,
            "nondeterministic": self.nondeterministic,
            "unusable": self.unusable,
            "first_difference": self.first_difference,
            "notes": list(self.notes),
        }
        return CheckResult("behaviour", self.outcome, detail, self.seconds, data)


def check_behaviour(
    original_root: Path,
    candidate_root: Path,
    target: FunctionTarget,
    inputs_dir: Path,
    *,
    python: str = sys.executable,
    timeout: float = 120,
    float_rel_tol: float = 0.0,
    originals: tuple[OriginalsCache, Path] | None = None,
) -> BehaviourVerdict:
    """Replay the recorded inputs on the original (twice) and the candidate, and compare.

    Each replay is its own sandboxed process; ``timeout`` bounds each of them. Never raises for
    anything the code under test does. ``originals``: where the original's replays are kept
    for the other candidates of the run (the cache, and a folder of its own for this target);
    without it they are done for this candidate alone.
    """
    started = time.monotonic()
    original_root, candidate_root = _checked(original_root, candidate_root, target, float_rel_tol)
    inputs = store.target_dir(inputs_dir.resolve(), target.key)
    count = len(store.input_files(inputs_dir.resolve(), target.key))
    if count == 0:
        return BehaviourVerdict(
            False,
            0,
            0,
            None,
            f"no recorded inputs for {target.key}: behaviour not compared "
            "(accept only on tests that cover the changed lines)",
            CheckOutcome.SKIPPED,
        )
    extra = store.recorded_sys_path(inputs_dir)
    work = Path(tempfile.mkdtemp(prefix="agentic-oracle-"))
    try:
        sides = _Sides(python, original_root, candidate_root, target, inputs, timeout, extra)
        runs = _replay_all(sides, work, originals)
        raw = _compare(python, original_root, target, work, float_rel_tol, extra)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    verdict = _verdict(raw, count, runs)
    return _with_seconds(verdict, time.monotonic() - started)


def _checked(
    original: Path, candidate: Path, target: FunctionTarget, rel_tol: float
) -> tuple[Path, Path]:
    if rel_tol < 0:
        raise ValueError(f"float_rel_tol={rel_tol} must be >= 0 (0 means exact equality)")
    for label, root in (("original", original), ("candidate", candidate)):
        if not (root / target.file).is_file():
            raise FileNotFoundError(f"{label} root {root} has no file {target.file!r}")
    return original.resolve(), candidate.resolve()


@dataclass(frozen=True)
class _Sides:
    """What a replay of either side needs."""

    python: str
    original: Path
    candidate: Path
    target: FunctionTarget
    inputs: Path
    timeout: float
    extra: list[str]

    def replay(self, root: Path, folder: Path) -> ReplayRun:
        """Replay into ``folder`` (its own copy of the inputs, its outcomes): each side may
        write only its own folder (and its worktree), so no side can touch another's."""
        shutil.copytree(self.inputs, folder / "inputs")
        return replay(
            self.python,
            root,
            self.target,
            folder / "inputs",
            folder / OUTCOMES,
            timeout=self.timeout,
            extra_paths=self.extra,
            readable=[self.original],  # recorded inputs may name its files (a test's data file)
        )

    def originals(self, folder: Path) -> OriginalReplays:
        """The original twice, one after the other (so its two runs never share its worktree
        at the same moment)."""
        shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way left it
        runs = {name: self.replay(self.original, folder / name) for name in ORIGINALS}
        return OriginalReplays(folder, runs)


def _replay_all(
    sides: _Sides, work: Path, originals: tuple[OriginalsCache, Path] | None
) -> dict[str, ReplayRun]:
    """The candidate's replay, and at the same time the original's two (or, when the run has
    them already, a copy of their outcomes), all under ``work`` for the comparer."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        if originals is None:
            done = pool.submit(sides.originals, work / "originals")
        else:
            cache, folder = originals
            key = sides.target.key
            done = pool.submit(cache.get, key, lambda: sides.originals(folder))
        candidate = pool.submit(sides.replay, sides.candidate, work / "candidate")
        made = done.result()
        for name in ORIGINALS:
            shutil.copytree(made.folder / name, work / name)
        return {**made.runs, "candidate": candidate.result()}


def _compare(
    python: str,
    original: Path,
    target: FunctionTarget,
    work: Path,
    rel_tol: float,
    extra: list[str],
) -> dict[str, Any]:
    """Run the comparer in the sandbox (it unpickles candidate output) and read its JSON."""
    out = work / "comparison.json"
    argv = [python, "-m", COMPARER, "--root", str(original), "--file", target.file]
    argv += ["--inputs", str(work / "original" / "inputs"), "--out", str(out)]
    argv += ["--rel-tol", repr(rel_tol)]
    for name in ("original", "original-again", "candidate"):
        argv += [f"--{name}", str(work / name / OUTCOMES)]
    for entry in extra:
        argv += ["--extra-path", entry]
    result = run_sandboxed(
        argv, cwd=original, timeout=COMPARER_TIMEOUT, writable=[work], extra_env=worker_env()
    )
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"comparer_error": result.tail(15) or "the comparer wrote no result"}
    return data if isinstance(data, dict) else {"comparer_error": "malformed comparer result"}


def _verdict(raw: dict[str, Any], count: int, runs: dict[str, ReplayRun]) -> BehaviourVerdict:
    notes = tuple(f"{n}: {r.crashes} crash(es)" for n, r in runs.items() if r.crashes)
    if raw.get("comparer_error"):
        why = f"the comparison itself failed: {raw['comparer_error']}"
        return BehaviourVerdict(False, 0, 0, None, why, CheckOutcome.ERROR, count, notes=notes)
    if raw.get("original_error"):
        why = f"the original cannot be replayed: {raw['original_error']}"
        return BehaviourVerdict(False, 0, 0, None, why, CheckOutcome.ERROR, count, notes=notes)
    if raw.get("candidate_error"):
        why = f"the candidate cannot be imported: {raw['candidate_error']}"
        return BehaviourVerdict(False, 0, 0, None, why, CheckOutcome.FAILED, count, notes=notes)
    items = [i for i in raw.get("inputs", []) if isinstance(i, dict)]
    status = [str(i.get("status")) for i in items]
    compared = status.count("same") + status.count("differs")
    unstable, unusable = status.count("nondeterministic"), status.count("unusable")
    differing = [i for i in items if i.get("status") == "differs"]
    if differing:
        first = differing[0]
        why = f"behaviour differs on recorded input #{first.get('i')}: {first.get('detail')}"
        return BehaviourVerdict(
            False,
            compared,
            unstable,
            shown_difference(first),
            why[:SHOWN_LIMIT],
            CheckOutcome.FAILED,
            count,
            unusable,
            notes=notes,
        )
    if compared == 0:
        why = (
            f"none of {count} recorded input(s) could serve as evidence ({unstable} gave "
            f"different results in two runs of the original, {unusable} unusable)"
        )
        return BehaviourVerdict(
            False, 0, unstable, None, why, CheckOutcome.SKIPPED, count, unusable, notes=notes
        )
    why = (
        f"same behaviour on {compared} recorded input(s) (return values, exceptions, argument "
        f"mutation, printed output, file writes)"
    )
    if unstable or unusable:
        why += f"; not used as evidence: {unstable} non-deterministic, {unusable} unusable"
    return BehaviourVerdict(
        True, compared, unstable, None, why, CheckOutcome.PASSED, count, unusable, notes=notes
    )


def shown_difference(item: dict[str, Any], *, numbered: bool = True) -> str:
    """One differing input as the report shows it: the input, both outcomes, the difference."""
    label = f"input #{item.get('i')}" if numbered else "input"
    text = (
        f"{label}: {item.get('input')}\n"
        f"  original:  {item.get('original')}\n"
        f"  candidate: {item.get('candidate')}\n"
        f"  difference: {item.get('detail')}"
    )
    return text if len(text) <= SHOWN_LIMIT else text[:SHOWN_LIMIT] + "…"


def _with_seconds(verdict: BehaviourVerdict, seconds: float) -> BehaviourVerdict:
    from dataclasses import replace

    return replace(verdict, seconds=seconds)
