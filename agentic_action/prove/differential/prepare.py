"""Differential inputs of one target, built once per run and shared by all its candidates.

The generator (sandboxed: it unpickles the recorded inputs and may run the model's edge-case
code) writes the inputs; the original is then replayed on them twice, each in its own sandboxed
process, as the behaviour check does. An input on which the original does not finish within the
time bound is dropped (and counted) and the original replayed again without it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_action.model import FunctionTarget
from agentic_action.prove.behaviour.replay import outcome_records, replay
from agentic_action.record import store
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import run_sandboxed

GENERATOR = "agentic_action.prove.differential.generate_worker"
GENERATE_TIMEOUT = 90.0  # seconds for the sandboxed generator (hypothesis imports are slow)
MAX_HANGS = 3  # inputs dropped for hanging the original before the rest is given up
OUTCOMES = "outcomes.jsonl"


@dataclass(frozen=True)
class DifferentialSettings:
    """Bounds on the differential inputs of each target (``OPTIMIZER_DIFFERENTIAL_*``)."""

    seconds: float = 2.0  # time bound per candidate: its replay and the original's
    max_inputs: int = 150  # inputs generated per target
    max_bytes: int = 100_000  # pickled size of one input
    hypothesis: int = 30  # of max_inputs, drawn by hypothesis from the runtime types

    @property
    def original_timeout(self) -> float:
        """The original's replay of all inputs; an input that outlasts it is dropped."""
        return max(5.0, 5 * self.seconds)


@dataclass(frozen=True)
class Prepared:
    """Inputs and the original's two runs on them (``first``, ``again``)."""

    work: Path
    inputs: Path
    first: Path
    again: Path
    origins: tuple[dict[str, Any], ...]
    manifest: dict[str, Any]
    original_seconds: float = 0.0
    dropped: tuple[str, ...] = ()  # inputs that hung the original
    seconds: float = 0.0  # spent preparing (once per target)
    error: str | None = None
    outside_domain: int = 0  # type substitutions the original itself does not support

    @property
    def count(self) -> int:
        return len(self.origins)


@dataclass
class DifferentialCache:
    """Prepared inputs by target and edge-case code; one preparation per key at a time."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _keys: dict[str, threading.Lock] = field(default_factory=dict)
    _done: dict[str, Prepared] = field(default_factory=dict)

    def get(self, key: str, build: Callable[[], Prepared]) -> Prepared:
        with self._lock:
            lock = self._keys.setdefault(key, threading.Lock())
        with lock:
            if key not in self._done:
                self._done[key] = build()
            return self._done[key]


def cache_key(target: FunctionTarget, edge_code: str) -> str:
    code = hashlib.sha256(edge_code.encode("utf-8")).hexdigest()[:12] if edge_code else "none"
    return f"{store.target_slug(target.key)}-{code}"


def prepare_inputs(
    python: str,
    original: Path,
    target: FunctionTarget,
    recorded_dir: Path,
    work: Path,
    settings: DifferentialSettings,
    edge_code: str = "",
) -> Prepared:
    """Generate the inputs and replay the original on them (never raises for target code)."""
    started = time.monotonic()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    extra = store.recorded_sys_path(recorded_dir)
    manifest, error = _generate(python, original, target, recorded_dir, work, settings, edge_code)
    origins = [o for o in manifest.get("inputs", []) if isinstance(o, dict)]
    inputs = work / "inputs"
    first, again = work / "original" / OUTCOMES, work / "original-again" / OUTCOMES
    dropped: list[str] = []
    took = 0.0
    for _ in range(MAX_HANGS + 1):
        sides = (first, again)
        took, hung = _run_original(python, original, target, inputs, sides, settings, extra)
        if hung is None or len(dropped) >= MAX_HANGS:
            break
        dropped.append(describe_origin(origins.pop(hung)))
        _remove_input(inputs, hung)
    outside = outside_domain(origins, _done_by_index(first))
    kept, timed_out = keep_finished(inputs, (first, again), outside)
    dropped += [describe_origin(origins[i]) for i in timed_out]
    origins = [origins[i] for i in kept]
    return Prepared(
        work, inputs, first, again, tuple(origins), manifest, took, tuple(dropped),
        time.monotonic() - started, error, len(outside),
    )  # fmt: skip


def outside_domain(origins: list[dict[str, Any]], done: dict[int, dict[str, Any]]) -> set[int]:
    """Substitutions (same value, another type) on which the original does not do what it does
    with the value they replace: a different outcome kind, exception type or returned value (by
    its repr). The original does not support them, so neither must the candidate."""
    index = {o.get("id"): i for i, o in enumerate(origins)}
    outside: set[int] = set()
    for i, origin in enumerate(origins):
        ref = index.get(origin.get("reference")) if origin.get("reference") else i
        if ref is None or not _same_outcome(done.get(i), done.get(ref)):
            outside.add(i)
    return outside


def _same_outcome(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if a is None or b is None or a.get("kind") != b.get("kind"):
        return False
    if a.get("kind") == "raise":
        return bool(a.get("exc_type") == b.get("exc_type"))
    if a.get("kind") == "return":
        return bool((a.get("value") or {}).get("repr") == (b.get("value") or {}).get("repr"))
    return True


def _generate(
    python: str,
    original: Path,
    target: FunctionTarget,
    recorded_dir: Path,
    work: Path,
    settings: DifferentialSettings,
    edge_code: str,
) -> tuple[dict[str, Any], str | None]:
    manifest_path = work / "manifest.json"
    argv = [python, "-m", GENERATOR, "--root", str(original), "--file", target.file]
    argv += ["--qualname", target.qualname, "--out", str(work / "inputs")]
    argv += ["--manifest", str(manifest_path), "--max-inputs", str(settings.max_inputs)]
    argv += ["--max-bytes", str(settings.max_bytes), "--hypothesis", str(settings.hypothesis)]
    recorded = store.target_dir(recorded_dir, target.key)
    if recorded.is_dir():  # a copy: the sandbox sees only its own folders, and cannot alter these
        shutil.copytree(recorded, work / "recorded")
        argv += ["--recorded", str(work / "recorded")]
    if edge_code:
        (work / "edge_cases.py").write_text(edge_code, encoding="utf-8")
        argv += ["--cases", str(work / "edge_cases.py")]
    for entry in store.recorded_sys_path(recorded_dir):
        argv += ["--extra-path", entry]
    (work / "inputs").mkdir()
    result = run_sandboxed(
        argv, cwd=original, timeout=GENERATE_TIMEOUT, writable=[work], extra_env=worker_env()
    )
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, f"the input generator failed: {result.tail(8) or 'no output'}"
    return (data, None) if isinstance(data, dict) else ({}, "malformed generator manifest")


def _run_original(
    python: str,
    original: Path,
    target: FunctionTarget,
    inputs: Path,
    outcomes: tuple[Path, Path],
    settings: DifferentialSettings,
    extra: list[str],
) -> tuple[float, int | None]:
    """Two replays of the original, side by side; their longest wall time and the index of
    an input one of them did not finish (a hang), if any."""

    def run(out: Path) -> tuple[float, int | None]:
        shutil.rmtree(out.parent, ignore_errors=True)
        shutil.copytree(inputs, out.parent / "inputs")
        started = time.monotonic()
        run = replay(
            python, original, target, out.parent / "inputs", out,
            timeout=settings.original_timeout, extra_paths=extra, call_timeout=settings.seconds,
        )  # fmt: skip
        return time.monotonic() - started, timed_out_at(out) if run.timed_out else None

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(run, outcomes))
    hangs = [hung for _, hung in runs if hung is not None]
    return max(took for took, _ in runs), min(hangs) if hangs else None


def timed_out_at(outcomes: Path) -> int | None:
    """The input on which a replay ran out of time, if one did."""
    return next((r["i"] for r in outcome_records(outcomes) if r.get("kind") == "timeout"), None)


def keep_finished(
    inputs: Path,
    runs: tuple[Path, Path],
    exclude: Collection[int] = (),
) -> tuple[list[int], list[int]]:
    """Keep the inputs both runs of the original finished (returned, raised or crashed) and not
    in ``exclude``, so the candidate never spends time on the others; renumber the kept ones in
    the input folder and in both outcome files. Returns (kept, timed out) as indexes before
    renumbering."""
    files = sorted(p for p in inputs.iterdir() if p.suffix == store.INPUT_SUFFIX)
    outcomes = [_done_by_index(run) for run in runs]
    finished = ("return", "raise", "crash")
    kept = [
        i
        for i in range(len(files))
        if i not in exclude and all(o.get(i, {}).get("kind") in finished for o in outcomes)
    ]
    timed_out = [
        i for i in range(len(files)) if any(o.get(i, {}).get("kind") == "timeout" for o in outcomes)
    ]
    for i in sorted(set(range(len(files))) - set(kept)):
        files[i].unlink()
    for run, done in zip(runs, outcomes, strict=True):
        lines = [json.dumps({**done[old], "i": new}) for new, old in enumerate(kept)]
        run.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return kept, timed_out


def _done_by_index(outcomes: Path) -> dict[int, dict[str, Any]]:
    done: dict[int, dict[str, Any]] = {}
    for record in outcome_records(outcomes):
        if record.get("event") == "done":
            done.setdefault(record["i"], record)
    return done


def _remove_input(inputs: Path, index: int) -> None:
    files = sorted(p for p in inputs.iterdir() if p.suffix == store.INPUT_SUFFIX)
    if index < len(files):
        files[index].unlink()


def describe_origin(origin: dict[str, Any]) -> str:
    """Where one differential input came from, in words."""
    source = origin.get("source")
    if source == "mutation":
        return f"mutation '{origin.get('kind')}' of recorded input #{origin.get('from')}"
    if source == "hypothesis":
        return f"hypothesis draw shaped like recorded input #{origin.get('from')}"
    if source == "llm":
        return f"the model's {origin.get('kind', 'edge case')}"
    if source == "reference":
        return f"recorded input #{origin.get('from')} (what a type substitution stands in for)"
    return str(source or "unknown")
