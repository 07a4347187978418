"""Is the candidate faster than the original, on the recorded real inputs? (docs/methodology.md)

``lanes`` pairs of long-lived sandboxed workers (one original, one candidate per lane) are
started together. After a warm-up, an inner-loop count is calibrated so that one sample lasts
about ``TARGET_SAMPLE_SECONDS``; then pairs of samples are taken round-robin over the lanes, the
two sides of a pair back to back in a random order, with a look at the data at each of
``sequential.LOOKS`` fractions of the time budget. Each input is timed on its own. The decision
(``decision.py``, on ``stats.py``) is on CPU time: accepted when the repeated confidence interval
of the speedup lies above 1, the speedup reaches the minimum, the wall-clock speedup agrees and
no input is significantly slower; clear cases stop at an early look. The benchmarks of one run
take turns (a file lock, ``LOCK_NAME`` in the run's scratch folder), so one agent's timing never
shares the CPU with another agent's benchmark.
"""

from __future__ import annotations

import contextlib
import math
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from agentic_action.fileutil import file_lock
from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.benchmark._sides import STARTUP_TIMEOUT, Side, SideFailed, argv_bytes
from agentic_action.prove.benchmark.decision import (
    Measured,
    Rules,
    SpeedVerdict,
    failure,
    judge,
)
from agentic_action.prove.benchmark.sequential import LOOKS, MIN_LANES_FOR_LOOKS
from agentic_action.prove.benchmark.stats import Pair, analyse, per_input
from agentic_action.record import store

# Tunables; each choice is explained in docs/methodology.md.
DEFAULT_LANES = 8  # worker pairs per decision: process-level bias averages over them
TARGET_SAMPLE_SECONDS = 0.010  # one sample (some passes over the inputs) lasts about this
WARMUP_SECONDS = 0.15  # probing every worker before calibration (at least 2 passes each)
MIN_PAIRS_WANTED = 40  # inputs are cut to a prefix when a full pass leaves fewer pairs
SAMPLE_TIMEOUT_FACTOR = 20.0  # a sample taking this many times its expected duration has hung
HANG_SECONDS = 2.0  # ...but never declared hung before this many seconds
LANE_PAD_STEP = 1000  # extra environment bytes per lane: lanes differ in stack placement
LOCK_NAME = "benchmark.lock"  # in the run's scratch folder: its agents benchmark one at a time


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
    accept_slower_inputs: bool = False,
    lock: Path | None = None,
) -> SpeedVerdict:
    """Time original and candidate on the recorded inputs; decide whether the candidate is faster.

    ``time_budget`` bounds the measuring (warm-up, calibration, samples; clear cases stop at an
    earlier look), not the start-up of the ``2 * lanes`` worker processes. ``seed`` fixes the
    random order within pairs. ``accept_slower_inputs`` accepts a candidate that is
    significantly slower on some inputs (they are named in the evidence). ``lock`` is a file that
    benchmarks sharing it hold in turn, from starting their workers to stopping them (None: do
    not wait; the proof plan passes one per run). Never raises for anything the code under test
    does.
    """
    started = time.monotonic()
    _check_arguments(original_root, candidate_root, target, min_speedup, time_budget, lanes)
    inputs_dir = inputs_dir.resolve()
    if not store.input_files(inputs_dir, target.key):
        why = f"no recorded inputs for {target.key}: speed is only measured on real inputs"
        return SpeedVerdict(False, why, None, CheckOutcome.SKIPPED)
    rules = Rules(min_speedup, accept_slower_inputs)
    with file_lock(lock) if lock is not None else contextlib.nullcontext():
        waited = time.monotonic() - started
        verdict = _run_workers(
            original_root,
            candidate_root,
            target,
            inputs_dir,
            python,
            lanes,
            rules,
            time_budget,
            seed,
        )
    details = verdict.details | {"lock_wait_seconds": round(waited, 3)}
    return replace(verdict, seconds=time.monotonic() - started, details=details)


def _run_workers(
    original_root: Path,
    candidate_root: Path,
    target: FunctionTarget,
    inputs_dir: Path,
    python: str,
    lanes: int,
    rules: Rules,
    budget: float,
    seed: int,
) -> SpeedVerdict:
    work = Path(tempfile.mkdtemp(prefix="aob-"))
    sides = [
        Side(name, root.resolve(), work / f"{name[0]}{lane}", lane)
        for lane in range(lanes)
        for name, root in (("original", original_root), ("candidate", candidate_root))
    ]
    try:
        life = 3 * budget + 2 * STARTUP_TIMEOUT
        extra = store.recorded_sys_path(inputs_dir)
        source = store.target_dir(inputs_dir, target.key)
        longest = max(argv_bytes(side.command(python, target, extra)) for side in sides)
        for side in sides:
            layout = longest + LANE_PAD_STEP * (side.lane + 1)
            # Both sides read the base worktree's files that recorded inputs name.
            side.start(python, target, source, extra, life, layout, [original_root])
        return _measure(sides, rules, budget, seed)
    except SideFailed as failed:
        return failure(failed.side, failed.message)
    finally:
        for side in sides:
            side.stop()
        shutil.rmtree(work, ignore_errors=True)


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


def _measure(sides: list[Side], rules: Rules, budget: float, seed: int) -> SpeedVerdict:
    hellos: dict[Side, int] = {}
    labels: list[str] = []
    for side in sides:
        hello = side.connect()
        if not hello.get("ok"):
            raise SideFailed(side.name, f"cannot load the target: {hello.get('error')}")
        hellos[side] = int(_number(hello, "inputs", side))
        if side.name == "original" and not labels:
            labels = [str(x) for x in hello.get("labels") or [] if isinstance(x, str)]
    loaded = min(hellos.values())
    if loaded == 0:
        return SpeedVerdict(False, "no recorded input could be loaded", None, CheckOutcome.SKIPPED)
    begun = time.perf_counter()
    plan = _calibrate(sides, loaded, begun, budget)
    sampler = _Sampler(sides, plan, seed)
    looks = LOOKS if len(sides) // 2 >= MIN_LANES_FOR_LOOKS else (1.0,)
    for look, fraction in enumerate(looks):
        sampler.until(begun, budget * fraction)
        final = look == len(looks) - 1
        measured = Measured(
            result=analyse(sampler.pairs),
            inputs=per_input(sampler.pairs),
            labels=labels,
            count=plan.count,
            loops=plan.loops,
            fresh=plan.fresh,
            consume=plan.consume,
            look=look,
            looks=len(looks),
            measuring=time.perf_counter() - begun,
        )
        verdict = judge(measured, rules, final=final)
        if verdict is not None:
            return verdict
    raise AssertionError("the last look always decides")


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


class _Sampler:
    """Pairs round-robin over the lanes, a random order within each pair."""

    def __init__(self, sides: list[Side], plan: _Plan, seed: int) -> None:
        self.lanes = [sides[i : i + 2] for i in range(0, len(sides), 2)]
        self.plan = plan
        self.order = random.Random(seed)
        self.pairs: list[Pair] = []
        self.last = 0.0  # duration of the previous pair: stop before a pair would overrun
        self.command = {
            "cmd": "sample",
            "loops": plan.loops,
            "count": plan.count,
            "fresh": plan.fresh,
            "consume": plan.consume,
        }

    def until(self, begun: float, seconds: float) -> None:
        """Take pairs until ``seconds`` of measuring are spent (at least 2 per lane in all)."""
        while time.perf_counter() - begun + self.last < seconds or len(self.pairs) < 2 * len(
            self.lanes
        ):
            started = time.perf_counter()
            lane = len(self.pairs) % len(self.lanes)
            pair = self.lanes[lane]
            first, second = pair if self.order.random() < 0.5 else pair[::-1]
            answers = {side.name: self._sample(side) for side in (first, second)}
            a, b = answers["original"], answers["candidate"]
            self.pairs.append(Pair(lane, a[0], b[0], a[1], b[1], a[2], b[2]))
            self.last = time.perf_counter() - started

    def _sample(self, side: Side) -> tuple[float, float, tuple[float, ...]]:
        limit = max(HANG_SECONDS, SAMPLE_TIMEOUT_FACTOR * self.plan.expected[side.name])
        answer = side.ask(self.command, limit)
        cpu, wall = _number(answer, "cpu", side), _number(answer, "wall", side)
        each = answer.get("each")
        if wall <= 0 or not isinstance(each, list) or len(each) != self.plan.count:
            raise SideFailed(side.name, f"answered a sample with {answer!r}"[:300])
        times = tuple(max(_number({"t": t}, "t", side), 1e-9) for t in each)
        # process_time ticks coarsely on some systems: never let a zero reach the ratios.
        return max(cpu, 1e-9), wall, times


def _number(answer: dict[str, Any], key: str, side: Side) -> float:
    """A worker's answers are untrusted (candidate code runs in it): check every number."""
    value = answer.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SideFailed(side.name, f"answered {answer!r}"[:300])
    return float(value)
