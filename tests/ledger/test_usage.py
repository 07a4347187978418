"""LLM spend (the router's SpendStore), GitHub API usage, conflicts and overall stats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agentic_action.ledger import ConflictStatus, Ledger
from agentic_action.llm.budget import Budget
from agentic_action.model import OptimizationResult, Status


def test_spend_is_summed_per_month_across_runs(ledger: Ledger, clock: Any) -> None:
    ledger.record_spend(model="gpt-4o", cost_usd=0.25, prompt_tokens=900, completion_tokens=80,
                        method="adversarial", run_id="r1")  # fmt: skip
    ledger.record_spend(model="claude", cost_usd=0.5, run_id="r2")
    ledger.record_spend(model="gpt-4o", cost_usd=4.0, month="2026-10")
    assert ledger.month_spent("2026-11") == pytest.approx(0.75)  # the clock's month
    assert ledger.month_spent("2026-10") == pytest.approx(4.0)
    assert ledger.month_spent("2025-01") == 0.0
    [call] = ledger.spend(run_id="r1")
    assert (call.model, call.method, call.prompt_tokens, call.completion_tokens) == (
        "gpt-4o",
        "adversarial",
        900,
        80,
    )
    assert call.month == "2026-11" and call.at == clock.now
    assert [e.subject for e in ledger.events(kind="llm.spend")] == ["gpt-4o", "claude", "gpt-4o"]


def test_bad_month_and_negative_spend_are_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match=r"'YYYY-MM'.*got '2026-13'"):
        ledger.month_spent("2026-13")
    with pytest.raises(ValueError, match="must not be negative"):
        ledger.record_spend(model="m", cost_usd=-1.0)


def test_ledger_is_the_routers_spend_store_across_runs(ledger: Ledger) -> None:
    first_run = Budget(run_limit=None, monthly_limit=1.0, store=ledger, month="2026-11")
    assert first_run.reserve(0.6) is None
    first_run.settle(0.6, 0.6)
    # A later run (a new Budget, same ledger file) sees the month's spend so far.
    second_run = Budget(run_limit=None, monthly_limit=1.0, store=ledger, month="2026-11")
    assert second_run.month_spent() == pytest.approx(0.6)
    refusal = second_run.reserve(0.5)
    assert refusal is not None and "monthly budget" in refusal


def test_api_usage_counters_add_up_per_run_and_in_total(ledger: Ledger) -> None:
    ledger.record_api_usage("r1", full_requests=3, not_modified=5, rate_remaining=4990)
    usage = ledger.record_api_usage("r1", full_requests=1, cache_hits=7, writes=2)
    assert (usage.full_requests, usage.not_modified, usage.cache_hits, usage.writes) == (4, 5, 7, 2)
    assert usage.rate_remaining == 4990  # kept until a new value is seen
    ledger.record_api_usage("r2", writes=1, rate_remaining=4000)
    total = ledger.api_usage()
    assert (total.run_id, total.full_requests, total.writes) == ("*", 4, 3)
    assert ledger.api_usage("unknown").full_requests == 0
    assert len(ledger.events(kind="api.usage")) == 3
    with pytest.raises(ValueError, match="only grow"):
        ledger.record_api_usage("r1", writes=-1)


def test_conflict_history_from_detection_to_resolution(ledger: Ledger) -> None:
    a = "bafkreia" + "a" * 51
    b = "bafkreib" + "b" * 51
    conflict_id = ledger.record_conflict([b, a], ["src/m.py"], run_id="r1")
    [open_one] = ledger.conflicts(status="open")
    assert open_one.patch_cids == (a, b) and open_one.files == ("src/m.py",)
    ledger.update_conflict(conflict_id, ConflictStatus.MERGED, "3-way merge, re-validated",
                           merged_cid="bafkreim" + "m" * 51)  # fmt: skip
    [merged] = ledger.conflicts(run_id="r1")
    assert merged.status is ConflictStatus.MERGED and merged.merged_cid is not None
    assert ledger.conflicts(status=ConflictStatus.OPEN) == []
    kinds = [e.kind for e in ledger.events(kind="conflict.")]
    assert kinds == ["conflict.recorded", "conflict.updated"]
    with pytest.raises(ValueError, match="at least two patches"):
        ledger.record_conflict([a], ["src/m.py"])
    with pytest.raises(ValueError, match="no conflict 99"):
        ledger.update_conflict(99, ConflictStatus.ESCALATED, "gone")


def test_stats_count_everything(
    ledger: Ledger, make_result: Callable[..., OptimizationResult]
) -> None:
    run_id = ledger.start_run()
    ledger.queue.add("a.py", "f", run_id=run_id)
    ledger.queue.add("a.py", "g", run_id=run_id)
    ledger.queue.claim("agent-1")
    for speedup in (1.2, 2.0, 3.0):
        ledger.record_result(make_result(speedup=speedup), run_id=run_id)
    ledger.record_result(make_result(status=Status.REJECTED, speedup=None))
    ledger.record_spend(model="m", cost_usd=0.1)
    ledger.record_api_usage(run_id, full_requests=2)
    ledger.record_conflict(["x1", "x2"], ["a.py"], status=ConflictStatus.ESCALATED)
    stats = ledger.stats()
    assert stats.runs == 1 and stats.tasks == {"pending": 1, "claimed": 1}
    assert stats.results == {"accepted": 3, "rejected": 1}
    assert stats.accepted_median_speedup == 2.0
    assert stats.llm_cost_usd == pytest.approx(0.1) and stats.api.full_requests == 2
    assert stats.conflicts == {"escalated": 1}
    assert stats.events == ledger.last_event_id()
