"""Runs, results and the indexed search over results (FTS5 and the LIKE fallback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agentic_action.ledger import Ledger
from agentic_action.model import OptimizationResult, Status

MakeResult = Callable[..., OptimizationResult]


def test_run_is_started_and_finished_with_its_summary(ledger: Ledger, clock: Any) -> None:
    run_id = ledger.start_run(repo="org/repo", base_commit="abc123", shard="1/4")
    clock.advance(5)
    ledger.finish_run(run_id, "finished", {"accepted": 2})
    run = ledger.run(run_id)
    assert run is not None
    assert (run.repo, run.base_commit, run.shard, run.status) == (
        "org/repo",
        "abc123",
        "1/4",
        "finished",
    )
    assert run.finished_at == run.started_at + 5 and run.summary == {"accepted": 2}
    assert [e.kind for e in ledger.events(run_id=run_id)] == ["run.started", "run.finished"]


def test_runs_are_listed_newest_first_and_a_rerun_is_running_again(
    ledger: Ledger, clock: Any
) -> None:
    ledger.start_run("old")
    clock.advance(1)
    ledger.start_run("new")
    ledger.finish_run("old", "interrupted")
    ledger.start_run("old")
    assert [r.id for r in ledger.runs()] == ["new", "old"]
    run = ledger.run("old")
    assert run is not None and run.status == "running" and run.finished_at is None


def test_finishing_an_unknown_run_names_it(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="no run 'nope'"):
        ledger.finish_run("nope")


def test_result_keeps_its_evidence_and_patch_cids(ledger: Ledger, make_result: MakeResult) -> None:
    result_id = ledger.record_result(make_result(), run_id="r1", task_id=3)
    stored = ledger.result(result_id)
    assert stored is not None
    assert (stored.file, stored.function, stored.method) == ("src/pkg/mod.py", "slow_sum", "rules")
    assert (stored.status, stored.speedup) == ("accepted", 1.8)
    assert stored.ci_low == pytest.approx(1.7) and stored.ci_high == pytest.approx(1.9)
    assert stored.cid is not None and stored.cid.startswith("bafkrei")
    assert stored.task_id == 3 and stored.destination == "patch"
    assert stored.details["checks"] == {"syntax": "passed", "tests": "passed"}
    [event] = ledger.events(kind="result.recorded")
    assert event.subject == "src/pkg/mod.py::slow_sum" and event.payload["cid"] == stored.cid


def test_destination_change_is_stored_and_logged(ledger: Ledger, make_result: MakeResult) -> None:
    result_id = ledger.record_result(make_result())
    ledger.set_destination(result_id, "github", "draft PR #12")
    stored = ledger.result(result_id)
    assert stored is not None and stored.destination == "github"
    [event] = ledger.events(kind="result.destination")
    assert event.payload == {"id": result_id, "destination": "github", "detail": "draft PR #12"}
    with pytest.raises(ValueError, match="no result 999"):
        ledger.set_destination(999, "github")


def _fill(ledger: Ledger, make_result: MakeResult) -> None:
    rows = [
        ("src/pkg/mod.py", "slow_sum", "rules", Status.ACCEPTED, "hoisted loop invariant"),
        ("src/pkg/mod.py", "parse", "adversarial", Status.REJECTED, "changed exception type"),
        ("src/pkg/io.py", "read_all", "rules", Status.REJECTED, "not significantly faster"),
        ("src/util.py", "slow_sum", "chaos", Status.ERROR, "sandbox timeout"),
    ]
    with ledger.batch():
        for file, function, method, status, reason in rows:
            ledger.record_result(
                make_result(file, function, method=method, status=status, reason=reason)
            )


@pytest.mark.parametrize("text_search", ["fts5", "like"])
def test_search_by_file_function_status_method_and_text(
    tmp_path: Path, make_result: MakeResult, text_search: str
) -> None:
    with Ledger.open(tmp_path / "ledger.db", text_search=text_search) as ledger:
        assert ledger.text_search == text_search
        _fill(ledger, make_result)

        def found(**filters: Any) -> list[str]:
            return [f"{r.file}::{r.function}" for r in ledger.search(**filters)]

        assert found(file="src/pkg/mod.py") == ["src/pkg/mod.py::parse", "src/pkg/mod.py::slow_sum"]
        assert found(function="slow_sum") == ["src/util.py::slow_sum", "src/pkg/mod.py::slow_sum"]
        assert found(status="rejected") == ["src/pkg/io.py::read_all", "src/pkg/mod.py::parse"]
        assert found(method="chaos") == ["src/util.py::slow_sum"]
        assert found(text="exception") == ["src/pkg/mod.py::parse"]
        assert found(text="Loop hoist") == ["src/pkg/mod.py::slow_sum"]  # words, any order/case
        assert found(text="slow_sum", status="error") == ["src/util.py::slow_sum"]
        assert found(text="io.py") == ["src/pkg/io.py::read_all"]
        assert found(text="signific") == ["src/pkg/io.py::read_all"]  # a word prefix
        assert found(text="nothing-like-this") == []
        assert found(text='" OR 1=1 --') == []  # search syntax in the text is just words
        assert len(ledger.search(limit=2)) == 2


def test_search_by_cid_and_run(ledger: Ledger, make_result: MakeResult) -> None:
    cid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    ledger.record_result(make_result(cid=cid), run_id="r1")
    ledger.record_result(make_result(function="other"), run_id="r2")
    assert [r.function for r in ledger.search(cid=cid)] == ["slow_sum"]
    assert [r.function for r in ledger.search(run_id="r2")] == ["other"]
