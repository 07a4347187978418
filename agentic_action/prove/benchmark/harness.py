"""Is the candidate faster than the original, on the recorded real inputs? (docs/methodology.md)

``lanes`` pairs of long-lived sandboxed workers (one original, one candidate per lane) are
started together. After a warm-up, an inner-loop count is calibrated so that one sample lasts
about ``TARGET_SAMPLE_SECONDS``; then pairs of samples are taken round-robin over the lanes, the
two sides of a pair back to back in a random order, until the time budget is spent. The
decision (``stats.py``) is on CPU time: accepted when the 95% confidence interval of the speedup
lies above 1, the speedup reaches the minimum (``min_speedup``, raised to
``SMALL_CALL_MIN_SPEEDUP`` for calls under ``SMALL_CALL_SECONDS``) and the wall-clock speedup
agrees (within ``WALL_AGREEMENT``; work moved out of the process does not count as saved).
"""

from __future__ import annotations

import math
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentic_action.model import CheckOutcome, CheckResult, FunctionTarget, SpeedEvidence
from agentic_action.prove.benchmark._sides import STARTUP_TIMEOUT, Side, SideFailed, argv_bytes
from agentic_action.prove.benchmark.stats import CONFIDENCE, Pair, PairedAnalysis, analyse
from agentic_action.record import store

# Tunables; each choice is explained in docs/methodology.md.
DEFAULT_LANES = 8  # worker pairs per decision: process-level bias averages over them
TARGET_SAMPLE_SECONDS = 0.010  # one sample (some passes over the inputs) lasts about this
WARMUP_SECONDS = 0.15  # probing every worker before calibration (at least 2 passes each)
MIN_PAIRS_WANTED = 40  # inputs are cut to a prefix when a full pass leaves fewer pairs
SMALL_CALL_SECONDS = 10e-6  # below this mean time per call, timer and layout noise dominate
SMALL_CALL_MIN_SPEEDUP = 0.10
SAMPLE_TIMEOUT_FACTOR = 20.0  # a sample taking this many times its expected duration has hung
HANG_SECONDS = 2.0  # ...but never declared hung before this many seconds
WALL_AGREEMENT = 1.25  # wall-clock speedup may trail the CPU-time one by this factor at most
LANE_PAD_STEP = 1000  # extra environment bytes per lane: lanes differ in stack placement


@dataclass(frozen=True)
class SpeedVerdict:
    accepted: bool
    reason: str
    evidence: SpeedEvidence | None
    outcome: CheckOutcome
    threshold: float = 0.0  # the minimum speedup that applied (0.05 = 5%)
    inputs_used: int = 0
    seconds: float = 0.0  # wall time, process start-up included
    measuring_seconds: float = 0.0  # warm-up, calibration and samples
    details: dict[str, Any] = field(default_factory=dict)

    def to_check(self) -> CheckResult:
        data: dict[str, Any] = {
            "accepted": self.accepted,
            "threshold": self.threshold,
            "inputs_used": self.inputs_used,
            "measuring_seconds": round(self.measuring_seconds, 3),
            **self.details,
        }
        if self.evidence is not None:
            e = self.evidence
            data.update(
                speedup=e.speedup,
                ci_low=e.ci_low,
                ci_high=e.ci_high,
                samples=e.samples,
                noise=e.noise,
                method=e.method,
                significant=e.significant,
                original_seconds=e.original_seconds,
                candidate_seconds=e.candidate_seconds,
            )
        return CheckResult("benchmark", self.outcome, self.reason, self.seconds, data)


def compare_speed(
    original_root: Path,
    candidate_root: Path,
    target: FunctionTarget,
    inputs_dir: Path,
    *,
    python: str = sys.executable,
    min_speedup: float = 0.05,
    time_budget: float = 3.0,
    lanes: int = DEFAULT_LANES,
    seed: int = 0,
) -> SpeedVerdict:
    """Time original and candidate on the recorded inputs; decide whether the candidate is faster.

    ``time_budget`` bounds the measuring (warm-up, calibration, samples), not the start-up of the
    ``2 * lanes`` worker processes. ``seed`` fixes the random order within pairs. Never raises for
    anything the code under test does.
    """
    started = time.monotonic()
    _check_arguments(original_root, candidate_root, target, min_speedup, time_budget, lanes)
    inputs_dir = inputs_dir.resolve()
    if not store.input_files(inputs_dir, target.key):
        why = f"no recorded inputs for {target.key}: speed is only measured on real inputs"
        return SpeedVerdict(False, why, None, CheckOutcome.SKIPPED)
    work = Path(tempfile.mkdtemp(prefix="aob-"))
    sides = [
        Side(name, root.resolve(), work / f"{name[0]}{lane}", lane)
        for lane in range(lanes)
        for name, root in (("original", original_root), ("candidate", candidate_root))
    ]
    try:
        life = 3 * time_budget + 2 * STARTUP_TIMEOUT
        extra = store.recorded_sys_path(inputs_dir)
        source = store.target_dir(inputs_dir, target.key)
        longest = max(argv_bytes(side.command(python, target, extra)) for side in sides)
        for side in sides:
            layout = longest + LANE_PAD_STEP * (side.lane + 1)
            side.start(python, target, source, extra, life, layout)
        verdict = _measure(sides, min_speedup, time_budget, seed)
    except SideFailed as failed:
        verdict = _failure(failed)
    finally:
        for side in sides:
            side.stop()
        shutil.rmtree(work, ignore_errors=True)
    return replace(verdict, seconds=time.monotonic() - started)


def _check_arguments(
    original: Path,
    candidate: Path,
    target: FunctionTarget,
    min_speedup: float,
    budget: float,
    lanes: int,
) -> None:
    if not 0 <= min_speedup < 10:
        raise ValueError(f"min_speedup={min_speedup} must be a fraction such as 0.05 (5%)")
    if budget <= 0:
        raise ValueError(f"time_budget={budget} must be a positive number of seconds")
    if not 1 <= lanes <= 16:
        raise ValueError(f"lanes={lanes} must be between 1 and 16 (default {DEFAULT_LANES})")
    for label, root in (("original", original), ("candidate", candidate)):
        if not (root / target.file).is_file():
            raise FileNotFoundError(f"{label} root {root} has no file {target.file!r}")


@dataclass
class _Plan:
    count: int  # inputs used (a prefix of the recorded ones)
    loops: int  # passes per sample
    fresh: bool  # fresh argument copies per pass, caches cleared per call
    consume: bool  # drain returned iterators
    expected: dict[str, float]  # expected seconds per sample, by side


def _measure(sides: list[Side], min_speedup: float, budget: float, seed: int) -> SpeedVerdict:
    hellos = {}
    for side in sides:
        hello = side.connect()
        if not hello.get("ok"):
            raise SideFailed(side.name, f"cannot load the target: {hello.get('error')}")
        hellos[side] = int(_number(hello, "inputs", side))
    loaded = min(hellos.values())
    if loaded == 0:
        return SpeedVerdict(False, "no recorded input could be loaded", None, CheckOutcome.SKIPPED)
    begun = time.perf_counter()
    plan = _calibrate(sides, loaded, begun, budget)
    pairs = _pairs(sides, plan, begun, budget, seed)
    return _decide(analyse(pairs), plan, min_speedup, time.perf_counter() - begun)


def _calibrate(sides: list[Side], loaded: int, begun: float, budget: float) -> _Plan:
    """Warm up every worker, then pick how many inputs and passes make one sample."""
    probes: dict[Side, list[dict[str, Any]]] = {side: [] for side in sides}
    slowest_seen = 0.0
    while True:
        for side in sides:
            # The original's first pass may be long; after it, a pass SAMPLE_TIMEOUT_FACTOR
            # times slower than anything seen means the worker hangs.
            known = slowest_seen > 0 or side.name == "candidate"
            limit = max(HANG_SECONDS, budget, SAMPLE_TIMEOUT_FACTOR * slowest_seen)
            probes[side].append(side.ask({"cmd": "probe"}, limit if known else STARTUP_TIMEOUT))
            slowest_seen = max(slowest_seen, _number(probes[side][-1], "round", side))
        elapsed = time.perf_counter() - begun
        if (len(probes[sides[0]]) >= 2 and elapsed >= WARMUP_SECONDS) or elapsed >= budget / 4:
            break
    # Seconds per pass over all loaded inputs: the fastest probe is the least disturbed one.
    per_pass: dict[str, float] = {}
    for side, answers in probes.items():
        fastest = max(min(_number(a, "round", side) for a in answers), 1e-9)
        per_pass[side.name] = max(per_pass.get(side.name, 0.0), fastest)
    slowest = max(per_pass.values())
    remaining = max(budget - (time.perf_counter() - begun), budget / 2)
    cap = remaining / (2 * MIN_PAIRS_WANTED)  # the longest sample that leaves enough pairs
    count = loaded if slowest <= cap else max(1, int(loaded * cap / slowest))
    fraction = count / loaded
    loops = max(1, math.ceil(min(TARGET_SAMPLE_SECONDS, cap) / (slowest * fraction)))
    flags = [a for answers in probes.values() for a in answers]
    return _Plan(
        count=count,
        loops=loops,
        fresh=any(a.get("mutates") or a.get("caches") for a in flags),
        consume=any(a.get("iterator") for a in flags),
        expected={name: seconds * fraction * loops for name, seconds in per_pass.items()},
    )


def _pairs(sides: list[Side], plan: _Plan, begun: float, budget: float, seed: int) -> list[Pair]:
    """Round-robin over the lanes, a random order within each pair, until the budget is spent."""
    order = random.Random(seed)
    lanes = [sides[i : i + 2] for i in range(0, len(sides), 2)]
    command = {
        "cmd": "sample",
        "loops": plan.loops,
        "count": plan.count,
        "fresh": plan.fresh,
        "consume": plan.consume,
    }
    pairs: list[Pair] = []
    last = 0.0  # duration of the previous pair: stop before a pair would overrun the budget
    while time.perf_counter() - begun + last < budget or len(pairs) < 2 * len(lanes):
        started = time.perf_counter()
        lane = len(pairs) % len(lanes)
        first, second = lanes[lane] if order.random() < 0.5 else lanes[lane][::-1]
        answers = {side.name: _sample(side, command, plan) for side in (first, second)}
        (cpu_a, wall_a), (cpu_b, wall_b) = answers["original"], answers["candidate"]
        pairs.append(Pair(lane, cpu_a, cpu_b, wall_a, wall_b))
        last = time.perf_counter() - started
    return pairs


def _sample(side: Side, command: dict[str, Any], plan: _Plan) -> tuple[float, float]:
    answer = side.ask(command, max(HANG_SECONDS, SAMPLE_TIMEOUT_FACTOR * plan.expected[side.name]))
    cpu, wall = _number(answer, "cpu", side), _number(answer, "wall", side)
    if wall <= 0:
        raise SideFailed(side.name, f"answered a sample with {answer!r}")
    # process_time ticks coarsely on some systems: never let a zero reach the ratios.
    return max(cpu, 1e-9), wall


def _number(answer: dict[str, Any], key: str, side: Side) -> float:
    """A worker's answers are untrusted (candidate code runs in it): check every number."""
    value = answer.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SideFailed(side.name, f"answered {answer!r}"[:300])
    return float(value)


def _decide(
    result: PairedAnalysis, plan: _Plan, min_speedup: float, measuring: float
) -> SpeedVerdict:
    per_call = result.original_median / plan.count
    small = per_call < SMALL_CALL_SECONDS
    threshold = max(min_speedup, SMALL_CALL_MIN_SPEEDUP) if small else min_speedup
    significant = result.ci_low > 1.0 or result.ci_high < 1.0
    wall_ok = result.wall_speedup >= max(1.0, result.speedup) / WALL_AGREEMENT
    accepted = result.ci_low > 1.0 and result.speedup >= 1.0 + threshold and wall_ok
    shown = (
        f"{result.speedup:.2f}x (95% CI {result.ci_low:.2f}–{result.ci_high:.2f}; "
        f"{result.pairs} paired samples in {result.lanes} process pairs; noise {result.noise:.1%})"
    )
    if accepted:
        reason = f"faster: {shown}"
    elif result.ci_high < 1.0:
        reason = f"slower: {shown}"
    elif result.ci_low > 1.0 and not wall_ok:
        wall = f"{result.wall_speedup:.2f}x"
        reason = f"faster in CPU time but wall-clock time disagrees ({wall}): {shown}"
    elif result.ci_low > 1.0:
        reason = f"faster but below the {threshold:.0%} minimum: {shown}"
    else:
        reason = f"not significantly faster: {shown}"
    evidence = SpeedEvidence(
        speedup=result.speedup,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        samples=result.pairs,
        noise=result.noise,
        method=_method(threshold, plan, result),
        significant=significant,
        original_seconds=per_call,
        candidate_seconds=result.candidate_median / plan.count,
    )
    details = {
        "loops": plan.loops,
        "fresh_copies": plan.fresh,
        "lanes": result.lanes,
        "interval": result.interval,
        "wall_speedup": result.wall_speedup,
        "ratio_spread": result.ratio_spread,
        "lane_spread": result.lane_spread,
    }
    outcome = CheckOutcome.PASSED if accepted else CheckOutcome.FAILED
    return SpeedVerdict(
        accepted, reason, evidence, outcome, threshold, plan.count, 0.0, measuring, details
    )


def _method(threshold: float, plan: _Plan, result: PairedAnalysis) -> str:
    timing = "on fresh argument copies" if plan.fresh else "on the same arguments"
    return (
        f"CPU time of {plan.loops} pass(es) over {plan.count} recorded input(s) {timing}, "
        f"original and candidate interleaved in {result.lanes} pairs of sandboxed processes "
        f"(random order per pair); speedup = exp(mean over process pairs of the median "
        f"log-ratio); {CONFIDENCE:.0%} CI by {result.interval}; accepted when the CI lies "
        f"above 1, the speedup is at least {1 + threshold:.2f}x and wall-clock time agrees"
    )


def _failure(failed: SideFailed) -> SpeedVerdict:
    if failed.side == "original":
        why = f"the original could not be benchmarked: {failed.message}"
        return SpeedVerdict(False, why[:2000], None, CheckOutcome.ERROR)
    why = f"the candidate could not be benchmarked: {failed.message}"
    return SpeedVerdict(False, why[:2000], None, CheckOutcome.FAILED)
