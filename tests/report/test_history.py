"""Every run is recorded in the ledger: the run, its results, the patch pipeline, usage."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from gitrepos import git
from history_world import RecordedRun, tiny_settings

from agentic_action.ledger import Ledger
from agentic_action.model import Destination, FunctionTarget, OptimizationResult, PatchRef, Status
from agentic_action.report.history import (
    RunHistory,
    UnrecordedRun,
    import_patch_events,
    open_history,
)
from agentic_action.run import RunReport, run
from agentic_action.settings import Settings

PIPELINE = ["patch.proposed", "patch.proven", "patch.published"]


def _report(tmp_path: Path) -> RunReport:
    return RunReport(Settings(out=tmp_path), tmp_path, "c0ffee" * 6 + "c0ff", tmp_path)


def _accepted(name: str = "f", destination: Destination = Destination.PATCH) -> OptimizationResult:
    target = FunctionTarget("m.py", name, 1, 3)
    patch = PatchRef(f"bafkrei{name}forward", f"bafkrei{name}reverse", f"patches/{name}.diff")
    return OptimizationResult(
        target, "rules", Status.ACCEPTED, "all checks passed", patch=patch, destination=destination
    )


def test_a_real_run_is_recorded_with_its_results_and_pipeline_events(
    recorded_run: RecordedRun,
) -> None:
    with Ledger.open(recorded_run.ledger) as ledger:
        (record,) = ledger.runs()
        results = ledger.search(run_id=record.id)
        events = ledger.events(run_id=record.id)
    assert record.status == "finished" and record.finished_at is not None
    assert record.base_commit == recorded_run.report.base_commit
    assert record.settings["validation_level"] == "quick"
    assert record.summary["accepted"] == 1 and record.summary["candidates"] == 1
    (result,) = results
    assert (result.file, result.function, result.status) == ("pkg/calc.py", "squares", "accepted")
    assert result.cid == recorded_run.report.results[0].patch.cid  # type: ignore[union-attr]
    kinds = [e.kind for e in events]
    assert kinds[:2] == ["run.started", "agent.started"]
    assert kinds[-2:] == ["agent.finished", "run.finished"]
    assert [k for k in kinds if k.startswith("patch.")] == PIPELINE
    pipeline = [e for e in events if e.kind.startswith("patch.")]
    assert {e.subject for e in pipeline} == {"pkg/calc.py::squares"}
    assert all(e.payload["cid"] == result.cid for e in pipeline)


def test_approvals_and_rollbacks_in_the_patch_store_are_imported_once(
    recorded_run: RecordedRun, tmp_path: Path
) -> None:
    store = tmp_path / "patches"
    shutil.copytree(recorded_run.out / "patches", store)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(recorded_run.repo), str(clone))
    cid = recorded_run.report.results[0].patch.cid  # type: ignore[union-attr]
    ledger_path = recorded_run.copy_ledger(tmp_path / "ledger.sqlite")

    def cli(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "agentic_action", *args, cid, "--repo", str(clone),
             "--patches", str(store)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    with Ledger.open(ledger_path) as ledger:
        cli("apply")
        assert import_patch_events(ledger, store) == 1
        assert import_patch_events(ledger, store) == 0  # the same history is not imported twice
        cli("rollback")
        assert import_patch_events(ledger, store) == 1
        approved = ledger.events(kind="patch.approved")
        rolled_back = ledger.events(kind="patch.rolled_back")
    assert [e.payload["cid"] for e in approved + rolled_back] == [cid, cid]
    assert approved[0].subject == "pkg/calc.py::squares"
    assert approved[0].id < rolled_back[0].id


def test_a_corrupt_ledger_is_refused_untouched_and_the_run_goes_on_with_a_note(
    tiny_repo: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "out" / "ledger.sqlite"
    ledger.parent.mkdir()
    garbage = b"this is not a ledger\n" * 50
    ledger.write_bytes(garbage)
    observer = open_history(ledger)
    assert isinstance(observer, UnrecordedRun)
    report = run(tiny_settings(tiny_repo, tmp_path / "out", tmp_path), observers=[observer])
    assert report.count(Status.ACCEPTED) == 1  # the optimization itself went on
    (note,) = [n for n in report.notes if n.startswith("Run history was not recorded")]
    assert "not a SQLite database" in note and "left untouched" in note
    assert ledger.read_bytes() == garbage


def test_a_ledger_from_a_newer_schema_is_refused_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()  # checkpoints the WAL: the file holds every byte before the snapshot
    before = path.read_bytes()
    report = _report(tmp_path)
    open_history(path).started(report)
    assert any("newer" in note and "upgrade agentic-optimizer" in note for note in report.notes)
    assert path.read_bytes() == before


def test_a_failing_ledger_write_is_noted_once_and_never_raises(tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "ledger.sqlite")
    history = RunHistory(ledger)
    report = _report(tmp_path)
    history.started(report)
    ledger.close()  # every later write fails
    history.result(report, _accepted("a"))
    history.result(report, _accepted("b"))
    report.results = [_accepted("a"), _accepted("b")]
    history.finished(report)
    notes = [n for n in report.notes if n.startswith("Run history: could not record")]
    assert len(notes) == 1 and "the run itself is unaffected" in notes[0]
    assert len(history.failures) >= 3


def test_github_api_usage_and_llm_spend_are_recorded(tmp_path: Path) -> None:
    report = _report(tmp_path)
    report.github = {
        "remaining": 4321,
        "api": {"full_reads": 7, "not_modified": 3, "cache_hits": 11, "writes": 2, "probes": 1},
    }
    report.llm = {  # type: ignore[attr-defined]
        "records": [
            {"method": "adversarial", "model": "m1", "outcome": "ok", "cost_usd": 0.02,
             "prompt_tokens": 100, "completion_tokens": 20},
            {"method": "adversarial", "model": "m1", "outcome": "cached", "cost_usd": 0.0},
            {"method": "critic", "model": "m2", "outcome": "ok", "cost_usd": 0.01,
             "prompt_tokens": 50, "completion_tokens": 5},
        ]
    }  # fmt: skip
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        history = RunHistory(ledger)
        history.started(report)
        history.finished(report)
        usage = ledger.api_usage(history.run_id)
        spend = ledger.spend(run_id=history.run_id)
    assert (usage.full_requests, usage.not_modified, usage.cache_hits, usage.writes) == (
        7,
        3,
        11,
        2,
    )
    assert usage.rate_remaining == 4321
    assert [(s.model, s.method, s.cost_usd) for s in spend] == [
        ("m1", "adversarial", 0.02),
        ("m2", "critic", 0.01),
    ]


def test_results_no_worker_reported_are_recorded_when_the_run_finishes(tmp_path: Path) -> None:
    report = _report(tmp_path)
    told, untold = _accepted("told"), _accepted("untold")
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        history = RunHistory(ledger)
        history.started(report)
        history.result(report, told)
        report.results = [told, untold]
        history.finished(report)
        names = sorted(r.function for r in ledger.search(run_id=history.run_id))
    assert names == ["told", "untold"]  # each once


def test_a_result_published_on_github_records_its_pull_request(tmp_path: Path) -> None:
    report = _report(tmp_path)
    stored = _accepted("f")
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        history = RunHistory(ledger)
        history.started(report)
        history.result(report, stored)
        url = "https://github.example/octo/shop/pull/7"
        report.results = [replace(stored, destination=Destination.GITHUB, pr_url=url)]
        history.finished(report)
        (result,) = ledger.search(run_id=history.run_id)
        published = ledger.events(kind="patch.published")
    assert result.destination == "github"
    assert [(e.payload["destination"], e.payload["url"]) for e in published] == [
        ("patch", ""),
        ("github", url),
    ]


def test_results_link_to_their_queue_tasks(tmp_path: Path) -> None:
    report = _report(tmp_path)
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        task_id = ledger.queue.add("m.py", "f")
        history = RunHistory(ledger, agent="worker-1", task_ids={"m.py::f": task_id})
        history.started(report)
        history.result(report, _accepted("f"))
        history.finished(report)
        (result,) = ledger.search()
        agents = [e.payload["agent"] for e in ledger.events(kind="agent.")]
    assert result.task_id == task_id
    assert history.result_ids == {"m.py::f": [result.id]}
    assert agents == ["worker-1", "worker-1"]
