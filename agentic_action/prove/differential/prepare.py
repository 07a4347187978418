"""Differential inputs of one target, built once per run and shared by all its candidates.

The generator (sandboxed: it unpickles the recorded inputs and may run the model's edge-case
code) writes the inputs while the original is timed on the recorded ones; the original is then
replayed on the inputs twice, each in its own sandboxed process, as the behaviour check does. An
input on which the original runs past its per-call bound (``original.call_bound``: 100x its
slowest recorded call, at least 0.1 s, at most the settings' ``seconds``) is outside the
workload: dropped and counted.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_action.model import FunctionTarget
from agentic_action.prove.differential.original import (
    OriginalReplay,
    call_bound,
    done_by_index,
    run_original,
    slowest_recorded,
)
from agentic_action.prove.once import OnceByKey
from agentic_action.record import store
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import run_sandboxed

GENERATOR = "agentic_action.prove.differential.generate_worker"
GENERATE_TIMEOUT = 90.0  # seconds for the sandboxed generator (hypothesis imports are slow)
OUTCOMES = "outcomes.jsonl"


@dataclass(frozen=True)
class DifferentialSettings:
    """Bounds on the differential inputs of each target (``OPTIMIZER_DIFFERENTIAL_*``)."""

    seconds: float = 2.0  # time bound per call: the original's at most, the candidate's twice
    max_inputs: int = 150  # inputs generated per target
    max_bytes: int = 100_000  # pickled size of one input
    hypothesis: int = 30  # of max_inputs, drawn by hypothesis from the runtime types

    @property
    def original_timeout(self) -> float:
        """One replay process of the original (a call its per-call bound cannot stop, a long C
        call, ends it; that input is dropped and the replay resumes after it)."""
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
    original_seconds: float = 0.0  # the original's replay of the kept inputs
    dropped: tuple[str, ...] = ()  # inputs the original ran past its per-call bound on
    seconds: float = 0.0  # spent preparing (once per target)
    error: str | None = None
    outside_domain: int = 0  # type substitutions the original itself does not support
    call_bound: float = 0.0  # the original's per-call bound, seconds
    recorded_slowest: float | None = None  # its slowest recorded call (None: none timed)

    @property
    def count(self) -> int:
        return len(self.origins)


# Prepared inputs by target and edge-case code; one preparation per key at a time.
DifferentialCache = OnceByKey[Prepared]


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
    extra = tuple(store.recorded_sys_path(recorded_dir))
    replayer = OriginalReplay(python, original, target, extra, settings.original_timeout)
    recorded = store.target_dir(recorded_dir, target.key)
    timed = (replayer, recorded, work / "timing", settings.seconds)
    with ThreadPoolExecutor(max_workers=1) as pool:  # the recorded calls timed meanwhile
        timing = pool.submit(slowest_recorded, *timed)
        manifest, error = _generate(replayer, recorded, work, settings, edge_code)
        slowest = timing.result()
    bound = call_bound(slowest, settings.seconds)
    origins = [o for o in manifest.get("inputs", []) if isinstance(o, dict)]
    inputs = work / "inputs"
    first, again = work / "original" / OUTCOMES, work / "original-again" / OUTCOMES
    took = run_original(replayer, inputs, (first, again), bound)
    outside = outside_domain(origins, done_by_index(first))
    kept, timed_out = keep_finished(inputs, (first, again), outside)
    dropped = tuple(describe_origin(origins[i]) for i in timed_out)
    origins = [origins[i] for i in kept]
    return Prepared(
        work, inputs, first, again, tuple(origins), manifest, took, dropped,
        time.monotonic() - started, error, len(outside), bound, slowest,
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
    replayer: OriginalReplay,
    recorded: Path,
    work: Path,
    settings: DifferentialSettings,
    edge_code: str,
) -> tuple[dict[str, Any], str | None]:
    manifest_path, target = work / "manifest.json", replayer.target
    argv = [replayer.python, "-m", GENERATOR, "--root", str(replayer.original)]
    argv += ["--file", target.file, "--qualname", target.qualname, "--out", str(work / "inputs")]
    argv += ["--manifest", str(manifest_path), "--max-inputs", str(settings.max_inputs)]
    argv += ["--max-bytes", str(settings.max_bytes), "--hypothesis", str(settings.hypothesis)]
    if recorded.is_dir():  # a copy: the sandbox sees only its own folders, and cannot alter these
        shutil.copytree(recorded, work / "recorded")
        argv += ["--recorded", str(work / "recorded")]
    if edge_code:
        (work / "edge_cases.py").write_text(edge_code, encoding="utf-8")
        argv += ["--cases", str(work / "edge_cases.py")]
    for entry in replayer.extra:
        argv += ["--extra-path", entry]
    (work / "inputs").mkdir()
    result = run_sandboxed(
        argv, cwd=replayer.original, timeout=GENERATE_TIMEOUT, writable=[work],
        extra_env=worker_env(),
    )  # fmt: skip
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, f"the input generator failed: {result.tail(8) or 'no output'}"
    return (data, None) if isinstance(data, dict) else ({}, "malformed generator manifest")


def keep_finished(
    inputs: Path,
    runs: tuple[Path, Path],
    exclude: Collection[int] = (),
) -> tuple[list[int], list[int]]:
    """Keep the inputs both runs of the original finished (returned, raised or crashed) and not
    in ``exclude``, so the candidate never spends time on the others; renumber the kept ones in
    the input folder and in both outcome files. Returns (kept, timed out) as indexes before
    renumbering."""
    files = store.inputs_in(inputs)
    outcomes = [done_by_index(run) for run in runs]
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
