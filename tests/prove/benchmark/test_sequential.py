"""The group-sequential decision and the per-input speeds, on known numbers (no processes)."""

from __future__ import annotations

import math
import statistics

import pytest

from agentic_action.prove.benchmark.decision import Measured, Rules, judge
from agentic_action.prove.benchmark.sequential import (
    ALPHA,
    LOOKS,
    T_BOUNDS,
    Z_BOUNDS,
    derive_bounds,
    obrien_fleming_spent,
    t_bound,
)
from agentic_action.prove.benchmark.stats import Pair, analyse, per_input, t_quantile


def test_the_bound_tables_are_the_obrien_fleming_bounds_scipy_computes() -> None:
    z, t = derive_bounds()
    assert z == pytest.approx(Z_BOUNDS, abs=2e-3)
    for df, bounds in T_BOUNDS.items():
        assert t[df] == pytest.approx(bounds, abs=2e-3)
    # early bounds are high, the last is near the single-look 1.96; all the alpha is spent
    assert Z_BOUNDS[0] > Z_BOUNDS[1] > Z_BOUNDS[2] > 1.96
    assert obrien_fleming_spent(LOOKS[-1]) == pytest.approx(ALPHA)
    with pytest.raises(ValueError, match="df=1"):
        t_bound(0, 1)


def test_the_t_tables_are_scipys() -> None:
    from scipy import stats

    for df in (1, 2, 7, 15, 30):
        assert t_quantile(df) == pytest.approx(stats.t.ppf(0.975, df), abs=1e-3)
        assert t_quantile(df, one_sided=True) == pytest.approx(stats.t.ppf(0.95, df), abs=1e-3)


def _pairs(lanes: int, ratios: list[float], per_input: tuple[float, ...] = ()) -> list[Pair]:
    """Pairs whose speedup in lane k is ratios[k % len(ratios)]; each input's varies alike."""
    pairs = []
    for lane in range(lanes):
        for _ in range(4):
            speed = ratios[lane % len(ratios)]
            jitter = speed / statistics.geometric_mean(ratios)  # lanes vary around each input
            each = tuple(1e-4 / (s * jitter) for s in per_input)
            pairs.append(
                Pair(lane, 1e-3, 1e-3 / speed, 1e-3, 1e-3 / speed, (1e-4,) * len(each), each)
            )
    return pairs


def _measured(pairs: list[Pair], look: int, labels: tuple[str, ...] = ()) -> Measured:
    return Measured(
        result=analyse(pairs),
        inputs=per_input(pairs),
        labels=labels,
        count=max(1, len(pairs[0].original_each)),
        loops=10,
        fresh=False,
        look=look,
        looks=len(LOOKS),
        measuring=1.0,
    )


def test_a_clear_case_stops_at_the_first_look_with_the_wider_repeated_interval() -> None:
    verdict = judge(_measured(_pairs(12, [1.9, 2.0, 2.1]), 0), Rules(), final=False)
    assert verdict is not None and verdict.accepted
    assert verdict.details["look"] == 1 and verdict.details["bound"] == T_BOUNDS[11][0]
    evidence = verdict.evidence
    assert evidence is not None and evidence.ci_low > 1
    ordinary = analyse(_pairs(12, [1.9, 2.0, 2.1]))
    assert evidence.ci_low < ordinary.ci_low  # the repeated interval is wider than the ordinary
    assert "look 1 of 3" in verdict.reason and "O'Brien-Fleming" in evidence.method


def test_an_inconclusive_case_takes_more_samples_and_the_last_look_decides() -> None:
    pairs = _pairs(12, [1.00, 1.16, 1.08, 1.12, 1.04, 1.20])
    assert judge(_measured(pairs, 0), Rules(), final=False) is None
    verdict = judge(_measured(pairs, 2), Rules(), final=True)
    assert verdict is not None and verdict.accepted, verdict and verdict.reason


def test_a_candidate_that_cannot_reach_the_minimum_stops_early() -> None:
    verdict = judge(_measured(_pairs(12, [0.99, 1.0, 1.01]), 0), Rules(), final=False)
    assert verdict is not None and not verdict.accepted
    assert verdict.reason.startswith("not faster by the 5% minimum: 1.00x"), verdict.reason
    slower = judge(_measured(_pairs(12, [0.5, 0.52]), 0), Rules(), final=False)
    assert slower is not None and slower.reason.startswith("slower: 0.5")


def test_per_input_speeds_are_each_inputs_own() -> None:
    found = per_input(_pairs(6, [1.2], per_input=(0.9, 1.0, 1.5)))
    assert [round(s.speedup, 3) for s in found] == [0.9, 1.0, 1.5]
    assert all(s.ci_low <= s.speedup <= s.ci_high for s in found)
    assert per_input([Pair(0, 1.0, 1.0, 1.0, 1.0)]) == []


def test_faster_overall_but_slower_on_one_input_is_rejected_unless_a_setting_accepts_it() -> None:
    pairs = _pairs(12, [1.18, 1.2, 1.22], per_input=(1.24, 1.07, 0.93))
    labels = ("join(1000)", "join(100)", "join(10)")
    rejected = judge(_measured(pairs, 2, labels), Rules(), final=True)
    assert rejected is not None and not rejected.accepted
    assert rejected.reason.startswith("slower on 1 recorded input(s), e.g. join(10) 0.93x")
    assert [i["slower"] for i in rejected.details["inputs"]] == [False, False, True]

    allowed = judge(_measured(pairs, 2, labels), Rules(accept_slower_inputs=True), final=True)
    assert allowed is not None and allowed.accepted
    evidence = allowed.evidence
    assert evidence is not None
    assert evidence.slowest_input == pytest.approx(
        0.93
    ) and evidence.fastest_input == pytest.approx(1.24)
    assert len(evidence.slower_inputs) == 1 and evidence.slower_inputs[0].startswith(
        "join(10) 0.93x"
    )
    assert "accepted by setting: join(10)" in allowed.reason
    assert allowed.to_check().data["slower_inputs"] == list(evidence.slower_inputs)


def test_too_few_lanes_for_the_design_get_one_look_with_the_ordinary_interval() -> None:
    pairs = _pairs(3, [1.9, 2.0, 2.1])
    measured = _measured(pairs, 0)
    single = Measured(**{**measured.__dict__, "looks": 1})
    verdict = judge(single, Rules(), final=True)
    assert verdict is not None and verdict.details["looks"] == 1
    assert verdict.evidence is not None
    assert verdict.evidence.ci_low == pytest.approx(analyse(pairs).ci_low)
    assert not math.isnan(verdict.details["bound"])
