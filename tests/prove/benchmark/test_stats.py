"""The statistics of a speed verdict, on known numbers."""

from __future__ import annotations

import math

import pytest

from agentic_action.prove.benchmark.stats import (
    Pair,
    analyse,
    median_ci,
    sign_test_rank,
    t_quantile,
)


def test_sign_test_rank_gives_at_least_95_percent_coverage() -> None:
    assert [sign_test_rank(n) for n in (5, 6, 10, 20, 100)] == [0, 1, 2, 6, 40]
    for n in (6, 10, 20, 100):
        k = sign_test_rank(n)
        miss = 2 * sum(math.comb(n, i) for i in range(k)) / 2**n
        assert miss <= 0.05 < 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n


def test_median_interval_is_infinite_with_too_few_values() -> None:
    assert median_ci([1.0, 2.0, 3.0]) == (-math.inf, math.inf)
    assert median_ci([float(i) for i in range(10)]) == (1.0, 8.0)


def test_t_quantiles_are_the_two_sided_95_percent_values() -> None:
    assert (t_quantile(1), t_quantile(3), t_quantile(7)) == (12.706, 3.182, 2.365)
    assert t_quantile(0) == math.inf


def _pairs(ratios_by_lane: list[list[float]]) -> list[Pair]:
    return [
        Pair(lane, 2.0 * r, 2.0, 2.0 * r, 2.0)
        for lane, ratios in enumerate(ratios_by_lane)
        for r in ratios
    ]


def test_speedup_and_interval_come_from_the_lanes_median_log_ratios() -> None:
    lanes = [[1.9, 2.0, 2.1], [1.8, 2.0, 2.2], [2.05, 2.1, 2.15], [1.9, 1.95, 2.0]]
    result = analyse(_pairs(lanes))
    medians = [math.log(2.0), math.log(2.0), math.log(2.1), math.log(1.95)]
    centre = sum(medians) / 4
    sd = math.sqrt(sum((m - centre) ** 2 for m in medians) / 3)
    assert result.speedup == pytest.approx(math.exp(centre))
    assert result.ci_low == pytest.approx(math.exp(centre - 3.182 * sd / 2))
    assert result.ci_high == pytest.approx(math.exp(centre + 3.182 * sd / 2))
    assert (result.pairs, result.lanes, result.interval) == (12, 4, "t over lanes")
    assert result.wall_speedup == pytest.approx(2.0)


def test_with_fewer_than_three_lanes_the_sign_test_interval_is_used() -> None:
    result = analyse(_pairs([[1.0 + i / 100 for i in range(10)]]))
    assert result.interval == "sign test over pairs"
    assert (result.ci_low, result.ci_high) == pytest.approx((1.01, 1.08))  # 2nd and 9th of 10


def test_bad_timings_are_refused() -> None:
    with pytest.raises(ValueError, match="no paired samples"):
        analyse([])
    with pytest.raises(ValueError, match="positive"):
        analyse([Pair(0, 0.0, 1.0, 1.0, 1.0)])
