"""From the paired samples to a verdict, at each look of the group-sequential design.

At look k of ``sequential.LOOKS`` (docs/methodology.md 2.6; a single look, with the ordinary
95% interval, when there are fewer than ``MIN_LANES_FOR_LOOKS`` lanes):

- **accept** when the repeated confidence interval (``exp(mean ± b_k · se)``, ``b_k`` the look's
  O'Brien-Fleming bound) lies above 1, the speedup reaches the minimum, wall-clock time agrees
  and no recorded input is significantly slower (unless a setting accepts that); before the
  last look, also every input's interval must lie above ``1 - SLOWER_FLOOR``;
- **stop and reject** when the candidate is significantly slower on some input (by default), or
  when even the ordinary 95% interval's upper end stays below ``1 + minimum`` (futility: more
  samples could not make it fast enough; stopping for this can only lower the accept rate);
- otherwise take more samples, up to the last look, which decides either way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from agentic_action.model import CheckOutcome, CheckResult, SpeedEvidence
from agentic_action.prove.behaviour.worker import ITERATOR_LIMIT
from agentic_action.prove.benchmark.sequential import t_bound
from agentic_action.prove.benchmark.stats import (
    CONFIDENCE,
    InputSpeed,
    PairedAnalysis,
    t_quantile,
)

SMALL_CALL_SECONDS = 10e-6  # below this mean time per call, timer and layout noise dominate
SMALL_CALL_MIN_SPEEDUP = 0.10
WALL_AGREEMENT = 1.25  # wall-clock speedup may trail the CPU-time one by this factor at most
SLOWER_FLOOR = 0.02  # an input is "slower" when its upper bound lies below 1 - this (noise floor)
LISTED_INPUTS = 50  # per-input figures kept in the check's data


@dataclass(frozen=True)
class SpeedVerdict:
    accepted: bool
    reason: str
    evidence: SpeedEvidence | None
    outcome: CheckOutcome
    threshold: float = 0.0  # the minimum speedup that applied (0.05 = 5%)
    inputs_used: int = 0
    seconds: float = 0.0  # wall time, process start-up (and waiting for the lock) included
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
        if self.evidence is not None:  # every figure of the evidence, as report.json has it
            data.update(asdict(self.evidence), slower_inputs=list(self.evidence.slower_inputs))
        return CheckResult("benchmark", self.outcome, self.reason, self.seconds, data)


@dataclass(frozen=True)
class Rules:
    """What the caller asks of a candidate."""

    min_speedup: float = 0.05
    accept_slower_inputs: bool = False  # accept a candidate slower on some inputs, named


@dataclass(frozen=True)
class Measured:
    """Everything a look sees: the analysis, the per-input speeds and how they were taken."""

    result: PairedAnalysis
    inputs: Sequence[InputSpeed]
    labels: Sequence[str]  # the inputs' calls, as text
    count: int  # inputs used
    loops: int
    fresh: bool
    look: int  # 0-based
    looks: int  # len(LOOKS), or 1 with too few lanes for the sequential design
    measuring: float
    consume: bool = False  # returned iterators were run for their items, inside the timing


@dataclass(frozen=True)
class _Figures:
    threshold: float
    low: float  # the decision interval (repeated CI; the ordinary one without sequential looks)
    high: float
    bound: float  # the t bound that built it (nan: sign-test interval)
    wall_ok: bool
    slower: tuple[InputSpeed, ...]
    unsure: bool  # some input's interval reaches below 1 - SLOWER_FLOOR: not yet shown not slower
    futile: bool


def judge(measured: Measured, rules: Rules, *, final: bool) -> SpeedVerdict | None:
    """The verdict at this look, or None to take more samples."""
    figures = _figures(measured, rules)
    result = measured.result
    blocked = bool(figures.slower) and not rules.accept_slower_inputs
    accepted = (
        figures.low > 1.0
        and result.speedup >= 1.0 + figures.threshold
        and figures.wall_ok
        and not blocked
    )
    # Before the last look, accept only when every input is shown not slower (its interval
    # lies above the floor): a slowdown on one input needs the samples of later looks to show.
    early = accepted and (not figures.unsure or rules.accept_slower_inputs)
    if early or blocked or figures.futile or final:
        return _verdict(measured, rules, figures, accepted)
    return None


def _figures(measured: Measured, rules: Rules) -> _Figures:
    result = measured.result
    per_call = result.original_median / measured.count
    threshold = rules.min_speedup
    if per_call < SMALL_CALL_SECONDS:
        threshold = max(threshold, SMALL_CALL_MIN_SPEEDUP)
    if math.isnan(result.log_se):
        low, high, bound = result.ci_low, result.ci_high, math.nan
    elif measured.looks == 1:
        low, high, bound = result.ci_low, result.ci_high, t_quantile(result.lanes - 1)
    else:
        bound = t_bound(measured.look, result.lanes - 1)
        low, high = result.bounds_at(bound)
    return _Figures(
        threshold=threshold,
        low=low,
        high=high,
        bound=bound,
        wall_ok=result.wall_speedup >= max(1.0, result.speedup) / WALL_AGREEMENT,
        slower=tuple(s for s in measured.inputs if s.upper < 1.0 - SLOWER_FLOOR),
        unsure=any(s.ci_low < 1.0 - SLOWER_FLOOR for s in measured.inputs),
        futile=result.ci_high < 1.0 + threshold,
    )


def _verdict(measured: Measured, rules: Rules, figures: _Figures, accepted: bool) -> SpeedVerdict:
    result = measured.result
    reason = _reason(measured, rules, figures, accepted)
    slower = tuple(_named(measured, s) for s in figures.slower)
    speeds = [s.speedup for s in measured.inputs]
    evidence = SpeedEvidence(
        speedup=result.speedup,
        ci_low=figures.low,
        ci_high=figures.high,
        samples=result.pairs,
        noise=result.noise,
        method=_method(measured, figures),
        significant=figures.low > 1.0 or figures.high < 1.0,
        original_seconds=result.original_median / measured.count,
        candidate_seconds=result.candidate_median / measured.count,
        slowest_input=min(speeds) if len(speeds) > 1 else None,
        fastest_input=max(speeds) if len(speeds) > 1 else None,
        slower_inputs=slower if accepted else (),
    )
    details = {
        "loops": measured.loops,
        "fresh_copies": measured.fresh,
        "consumes_iterators": measured.consume,
        "lanes": result.lanes,
        "interval": result.interval,
        "look": measured.look + 1,
        "looks": measured.looks,
        "bound": None if math.isnan(figures.bound) else figures.bound,
        "wall_speedup": result.wall_speedup,
        "ratio_spread": result.ratio_spread,
        "lane_spread": result.lane_spread,
        "inputs": [_listed(measured, s, s in figures.slower) for s in measured.inputs][
            :LISTED_INPUTS
        ],
    }
    outcome = CheckOutcome.PASSED if accepted else CheckOutcome.FAILED
    return SpeedVerdict(
        accepted,
        reason,
        evidence,
        outcome,
        figures.threshold,
        measured.count,
        0.0,
        measured.measuring,
        details,
    )


def _reason(measured: Measured, rules: Rules, figures: _Figures, accepted: bool) -> str:
    result = measured.result
    looks = f"look {measured.look + 1} of {measured.looks}"
    shown = (
        f"{result.speedup:.2f}x (95% CI {figures.low:.2f}–{figures.high:.2f}; "
        f"{result.pairs} paired samples in {result.lanes} process pairs, {looks}; "
        f"noise {result.noise:.1%})"
    )
    slower = "; ".join(_named(measured, s) for s in figures.slower[:3])
    if accepted:
        extra = f"; slower on some inputs, accepted by setting: {slower}" if slower else ""
        return f"faster: {shown}{extra}"
    if figures.high < 1.0:
        return f"slower: {shown}"
    if figures.slower and not rules.accept_slower_inputs:
        return f"slower on {len(figures.slower)} recorded input(s), e.g. {slower}: {shown}"
    if figures.low > 1.0 and not figures.wall_ok:
        wall = f"{result.wall_speedup:.2f}x"
        return f"faster in CPU time but wall-clock time disagrees ({wall}): {shown}"
    if figures.low > 1.0:
        return f"faster but below the {figures.threshold:.0%} minimum: {shown}"
    if figures.futile:
        return f"not faster by the {figures.threshold:.0%} minimum: {shown}"
    return f"not significantly faster: {shown}"


def _named(measured: Measured, speed: InputSpeed) -> str:
    label = measured.labels[speed.index] if speed.index < len(measured.labels) else ""
    name = label or f"input {speed.index + 1}"
    return f"{name} {speed.speedup:.2f}x (95% CI {speed.ci_low:.2f}–{speed.ci_high:.2f})"


def _listed(measured: Measured, speed: InputSpeed, slower: bool) -> dict[str, Any]:
    label = measured.labels[speed.index] if speed.index < len(measured.labels) else ""
    return {
        "input": label or f"input {speed.index + 1}",
        "speedup": speed.speedup,
        "ci_low": speed.ci_low,
        "ci_high": speed.ci_high,
        "upper_one_sided": speed.upper,
        "slower": slower,
    }


def _method(measured: Measured, figures: _Figures) -> str:
    result = measured.result
    timing = "on fresh argument copies" if measured.fresh else "on the same arguments"
    if measured.consume:
        timing += f", returned iterators run for up to {ITERATOR_LIMIT:,} items"
    if measured.looks == 1:
        interval = f"{CONFIDENCE:.0%} CI by {result.interval}"
    else:
        interval = (
            f"repeated {CONFIDENCE:.0%} CI by t over lanes with the O'Brien-Fleming bound "
            f"{figures.bound:.2f} of look {measured.look + 1} of {measured.looks}"
        )
    return (
        f"CPU time of {measured.loops} call(s) per recorded input on {measured.count} input(s) "
        f"{timing}, original and candidate interleaved in {result.lanes} pairs of sandboxed "
        f"processes (random order per pair); speedup = exp(mean over process pairs of the "
        f"median log-ratio); {interval}; accepted when the CI lies above 1, the speedup is at "
        f"least {1 + figures.threshold:.2f}x, wall-clock time agrees and no input is "
        f"significantly slower (one-sided 95% upper bound below {1 - SLOWER_FLOOR:.2f})"
    )


def failure(side: str, message: str) -> SpeedVerdict:
    """A worker that could not start, died or hung: the original's failure is an error."""
    if side == "original":
        why = f"the original could not be benchmarked: {message}"
        return SpeedVerdict(False, why[:2000], None, CheckOutcome.ERROR)
    why = f"the candidate could not be benchmarked: {message}"
    return SpeedVerdict(False, why[:2000], None, CheckOutcome.FAILED)
