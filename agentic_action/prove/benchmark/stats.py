"""The statistics behind a speed verdict (docs/methodology.md explains each choice).

A *pair* is one sample of the original and one of the candidate taken back to back (random
order) in one *lane*: a pair of worker processes. Its log-ratio ``r = ln(original/candidate)`` is
the log of that pair's speedup. Pairs from one lane share that lane's process-level bias (memory
layout; measured at 1-3% between identical processes on our 2-core VMs), which no within-lane
test can see, so the interval is built from the lanes:

- each lane's median log-ratio ``m_k`` (robust to the occasional disturbed sample);
- speedup ``= exp(mean(m_k))``;
- 95% CI ``= exp(mean(m_k) ± t(0.975, K-1) · sd(m_k) / sqrt(K))`` over the K lanes.

With fewer than 3 lanes the interval falls back to the distribution-free sign-test interval of
the median of all pairs' log-ratios, which covers sampling noise only (the method text says so).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

CONFIDENCE = 0.95
MIN_LANES_FOR_T = 3
# Two-sided 95% quantiles of Student's t by degrees of freedom (1..30); beyond: normal-ish.
_T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


@dataclass(frozen=True)
class Pair:
    lane: int
    original: float  # CPU seconds per pass: the clock the decision uses
    candidate: float
    original_wall: float  # wall-clock seconds per pass: reported, and a guard
    candidate_wall: float
    original_each: tuple[float, ...] = ()  # CPU seconds per call, by input
    candidate_each: tuple[float, ...] = ()


@dataclass(frozen=True)
class PairedAnalysis:
    pairs: int
    lanes: int
    speedup: float
    ci_low: float
    ci_high: float
    interval: Literal["t over lanes", "sign test over pairs"]  # how the interval was built
    wall_speedup: float  # exp(median of wall-clock log-ratios)
    noise: float  # IQR / median of the original's CPU samples
    ratio_spread: float  # IQR of the pairs' log-ratios
    lane_spread: float  # standard deviation of the lanes' median log-ratios
    original_median: float  # CPU seconds per pass
    candidate_median: float
    log_mean: float = math.nan  # mean of the lanes' median log-ratios ("t over lanes" only)
    log_se: float = math.nan  # its standard error

    def t_statistic(self) -> float:
        """``log_mean / log_se``: the statistic the sequential bounds apply to (nan without t)."""
        if math.isnan(self.log_se):
            return math.nan
        return (
            math.copysign(math.inf, self.log_mean)
            if self.log_se == 0
            else self.log_mean / self.log_se
        )

    def bounds_at(self, quantile: float) -> tuple[float, float]:
        """The speedup interval ``exp(log_mean ± quantile · log_se)``."""
        half = quantile * self.log_se
        return math.exp(self.log_mean - half), math.exp(self.log_mean + half)


@dataclass(frozen=True)
class InputSpeed:
    """The speedup on one recorded input: its own interval over the lanes."""

    index: int  # position among the recorded inputs used
    speedup: float
    ci_low: float
    ci_high: float
    upper: float  # one-sided 95% upper bound: below 1 - floor means significantly slower


# One-sided 95% quantiles of Student's t by degrees of freedom (1..30): "significantly slower".
_T95 = (
    6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
    1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725,
    1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
)  # fmt: skip


def t_quantile(df: int, *, one_sided: bool = False) -> float:
    """t(0.975, df), or t(0.95, df) when ``one_sided``."""
    if df < 1:
        return math.inf
    table = _T95 if one_sided else _T975
    if df <= len(table):
        return table[df - 1]
    return 1.645 + 1.6 / df if one_sided else 1.96 + 2.4 / df


@cache
def sign_test_rank(n: int, confidence: float = CONFIDENCE) -> int:
    """The largest k with 2 * P(Bin(n, 1/2) <= k - 1) <= 1 - confidence; 0 when none exists."""
    alpha = 1.0 - confidence
    best, tail = 0, 0.0
    for k in range(1, n // 2 + 1):
        tail += math.comb(n, k - 1) / 2.0**n
        if 2 * tail > alpha:
            break
        best = k
    return best


def median_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Distribution-free confidence interval of the median (infinite when n < 6 at 95%)."""
    ordered = sorted(values)
    k = sign_test_rank(len(ordered), confidence)
    if k == 0:
        return -math.inf, math.inf
    return ordered[k - 1], ordered[len(ordered) - k]


def iqr(values: Sequence[float]) -> float:
    if len(values) < 4:
        return math.nan
    q = statistics.quantiles(values, n=4)
    return q[2] - q[0]


@dataclass(frozen=True)
class _Estimate:
    """The log speedup and its 95% interval from lanes' log-ratios (see the module docstring)."""

    centre: float
    low: float
    high: float
    se: float  # nan for the sign-test interval
    medians: list[float]
    interval: Literal["t over lanes", "sign test over pairs"]

    def exp(self) -> tuple[float, float, float]:
        low = math.exp(self.low) if self.low > -math.inf else 0.0
        high = math.exp(self.high) if self.high < math.inf else math.inf
        return math.exp(self.centre), low, high


def _estimate(by_lane: dict[int, list[float]]) -> _Estimate:
    medians = [statistics.median(v) for v in by_lane.values()]
    if len(medians) >= MIN_LANES_FOR_T:
        centre = statistics.fmean(medians)
        se = statistics.stdev(medians) / math.sqrt(len(medians))
        half = t_quantile(len(medians) - 1) * se
        return _Estimate(centre, centre - half, centre + half, se, medians, "t over lanes")
    ratios = [r for values in by_lane.values() for r in values]
    low, high = median_ci(ratios)
    centre = statistics.median(ratios)
    return _Estimate(centre, low, high, math.nan, medians, "sign test over pairs")


def analyse(pairs: Sequence[Pair]) -> PairedAnalysis:
    if not pairs:
        raise ValueError("no paired samples to analyse")
    if min(min(p.original, p.candidate, p.original_wall, p.candidate_wall) for p in pairs) <= 0:
        raise ValueError("timings must be positive")
    ratios = [math.log(p.original / p.candidate) for p in pairs]
    by_lane: dict[int, list[float]] = defaultdict(list)
    for pair, ratio in zip(pairs, ratios, strict=True):
        by_lane[pair.lane].append(ratio)
    found = _estimate(by_lane)
    speedup, low, high = found.exp()
    original = [p.original for p in pairs]
    middle = statistics.median(original)
    walls = [math.log(p.original_wall / p.candidate_wall) for p in pairs]
    return PairedAnalysis(
        pairs=len(pairs),
        lanes=len(found.medians),
        speedup=speedup,
        ci_low=low,
        ci_high=high,
        interval=found.interval,
        wall_speedup=math.exp(statistics.median(walls)),
        noise=iqr(original) / middle,
        ratio_spread=iqr(ratios),
        lane_spread=statistics.stdev(found.medians) if len(found.medians) > 1 else math.nan,
        original_median=middle,
        candidate_median=statistics.median(p.candidate for p in pairs),
        log_mean=found.centre if found.interval == "t over lanes" else math.nan,
        log_se=found.se,
    )


def per_input(pairs: Sequence[Pair]) -> list[InputSpeed]:
    """The speedup on each input, built like the overall one (lanes' medians, 95% interval).
    Empty when the pairs carry no per-input times."""
    count = min((min(len(p.original_each), len(p.candidate_each)) for p in pairs), default=0)
    speeds = []
    for index in range(count):
        by_lane: dict[int, list[float]] = defaultdict(list)
        for p in pairs:
            original, candidate = p.original_each[index], p.candidate_each[index]
            by_lane[p.lane].append(math.log(max(original, 1e-12) / max(candidate, 1e-12)))
        found = _estimate(by_lane)
        upper = found.exp()[2]  # the sign-test interval's end (conservative)
        if not math.isnan(found.se):
            upper = math.exp(
                found.centre + t_quantile(len(found.medians) - 1, one_sided=True) * found.se
            )
        speeds.append(InputSpeed(index, *found.exp(), upper))
    return speeds
