"""``--method auto`` end to end on a real repository: the selector decides, the run records what
it learned, a corrupt state never stops it, and the history moves between repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from history_world import tiny_settings

from agentic_action.cli import main
from agentic_action.learning.report import dashboard
from agentic_action.outputs import run_and_report
from agentic_action.report.html import render_dashboard


@pytest.fixture(scope="module")
def auto_run(tiny_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("auto")
    out = work / "out"
    (out / "state").mkdir(parents=True)
    (out / "state" / "learning.json").write_text("{ corrupt", encoding="utf-8")
    settings = tiny_settings(tiny_repo, out, work).updated(method="auto", max_candidates=1)
    run_and_report(settings)
    return out


def test_auto_decides_per_function_and_reports_why(auto_run: Path) -> None:
    report = json.loads((auto_run / "report.json").read_text())
    learning = report["learning"]
    assert learning["auto"] is True and learning["methods_considered"] == ["rules"]
    decided = {d["function"]: d for d in learning["decisions"]}
    assert set(decided) == {"pkg/calc.py::squares", "pkg/calc.py::total"}
    assert all(d["method"] == "rules" and d["reason"] for d in decided.values())
    assert {r["method"] for r in report["results"]} <= {"rules"}
    worked = {f"{r['file']}::{r['function']}" for r in report["results"]}
    worked |= set(report["plan"]["no_candidate"])
    first = learning["decisions"][0]["function"]
    assert worked == {first}  # max_candidates=1: the function the selector valued most
    assert any("the 1 the learning selector valued most" in n for n in report["notes"])
    assert 0 <= learning["overhead_share"] < 0.05
    assert learning["observations"] >= 1 and learning["calibration"]
    summary = (auto_run / "summary.md").read_text()
    assert "Learning: 2 decision(s)" in summary


def test_a_corrupt_state_is_set_aside_with_a_warning_and_the_run_goes_on(auto_run: Path) -> None:
    report = json.loads((auto_run / "report.json").read_text())
    assert any("could not be read" in note for note in report["notes"])
    names = sorted(p.name for p in (auto_run / "state").glob("learning.json*"))
    assert names[0] == "learning.json" and names[1].startswith("learning.json.corrupt-")
    assert json.loads((auto_run / "state" / "learning.json").read_text())["schema"] == 1


def test_history_is_exported_imported_and_shown_on_the_dashboard(
    auto_run: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared.json"
    assert (
        main(["learning", "export", "--state-dir", str(auto_run / "state"), "--out", str(shared)])
        == 0
    )
    other = tmp_path / "other-state"
    assert main(["learning", "import", str(shared), "--state-dir", str(other)]) == 0
    kept = json.loads((other / "learning.json").read_text())["observations"]
    assert kept and {o["key"] for o in kept} <= {"pkg/calc.py::squares", "pkg/calc.py::total"}
    assert all(o["features"]["rule_match"] is not None for o in kept)  # the rules pass answered
    assert (
        main(["learning", "import", str(tmp_path / "missing.json"), "--state-dir", str(other)]) == 2
    )
    report = json.loads((auto_run / "report.json").read_text())
    page = render_dashboard({"learning": dashboard(auto_run / "state", report)})
    assert "Accepted changes per candidate, by task type" in page and "loop" in page
    assert "pkg/calc.py::squares" in page
