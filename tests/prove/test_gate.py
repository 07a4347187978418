"""The proof gate on real repositories, with real pytest runs in the sandbox."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from gitrepos import make_repo

from agentic_action.baseline.suite import run_baseline
from agentic_action.model import Candidate, CheckOutcome, FunctionTarget
from agentic_action.prove import gate
from agentic_action.prove.change import Change
from agentic_action.prove.checks import junit_id
from agentic_action.prove.gate import (
    AFTER_MERGE,
    AT_LANDING,
    GateConfig,
    changed_lines,
    module_name,
    prove_change,
    run_gate,
)
from agentic_action.prove.plan import ProofPlan
from agentic_action.prove.static_checks import static_baseline
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.workspace import Repository, Worktrees

SOURCE = """def evens(values):
    out = []
    for v in values:
        if v % 2 == 0:
            out.append(v)
    return out


def unused(values):
    total = 0
    for v in values:
        total += v
    return total
"""
TESTS = """from pkg.mod import evens


def test_evens():
    assert evens([1, 2, 3, 4]) == [2, 4]


def test_evens_empty():
    assert evens([]) == []
"""
SLOW_BODY = (
    "    out = []\n    for v in values:\n        if v % 2 == 0:\n            out.append(v)\n"
    "    return out\n"
)
FAST = SOURCE.replace(SLOW_BODY, "    return [v for v in values if v % 2 == 0]\n")


@pytest.fixture()
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    repo_dir = make_repo(
        tmp_path / "repo",
        {"pkg/__init__.py": "", "pkg/mod.py": SOURCE, "tests/test_mod.py": TESTS},
    )
    worktrees = Worktrees(Repository(repo_dir), tmp_path / "wt")
    options = PytestOptions(python=sys.executable, timeout=120)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with worktrees.checkout("baseline") as base:
        baseline = run_baseline(base, options, scratch)
    config = GateConfig(options, 80.0, scratch)
    yield worktrees, baseline, config
    worktrees.close()


def _candidate(qualname: str, source: str, start: int, end: int) -> Candidate:
    target = FunctionTarget("pkg/mod.py", qualname, start, end)
    return Candidate(target, "rules", source, (), "test")


def test_baseline_records_which_tests_execute_which_lines(project) -> None:  # type: ignore[no-untyped-def]
    _, baseline, _ = project
    assert baseline.usable
    assert baseline.coverage is not None
    assert baseline.coverage.tests_for("pkg/mod.py", [5]) == {"tests/test_mod.py::test_evens"}


def test_correct_candidate_passes_every_check(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project
    with worktrees.checkout("c") as root:
        verdict = run_gate(root, _candidate("evens", FAST, 1, 6), SOURCE, baseline, config)
    assert verdict.accepted, verdict
    assert [c.name for c in verdict.checks] == [
        "syntax", "coverage", "import", "affected-tests", "full-suite",
    ]  # fmt: skip


def test_candidate_that_breaks_a_test_is_rejected(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project
    wrong = FAST.replace("v % 2 == 0", "v % 2 == 1")
    with worktrees.checkout("c") as root:
        verdict = run_gate(root, _candidate("evens", wrong, 1, 6), SOURCE, baseline, config)
    assert not verdict.accepted
    assert verdict.checks[-1].name == "affected-tests"
    assert verdict.checks[-1].outcome is CheckOutcome.FAILED
    assert "test_evens" in verdict.checks[-1].detail


def test_change_to_lines_no_test_executes_is_not_accepted(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project
    new = SOURCE.replace(
        "    total = 0\n    for v in values:\n        total += v\n", "    total = sum(values)\n"
    )
    with worktrees.checkout("c") as root:
        verdict = run_gate(root, _candidate("unused", new, 9, 13), SOURCE, baseline, config)
    assert not verdict.accepted
    assert verdict.checks[-1].name == "coverage"
    assert "not provable" in verdict.reason


def test_candidate_that_does_not_compile_stops_before_any_process(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project
    with worktrees.checkout("c") as root:
        verdict = run_gate(
            root, _candidate("evens", "def evens(:\n", 1, 6), SOURCE, baseline, config
        )
        assert (root / "pkg/mod.py").read_text() == SOURCE  # nothing was written
    assert [c.name for c in verdict.checks] == ["syntax"]


def test_a_change_without_a_candidate_runs_the_named_checks_in_the_gates_order(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project
    evens = FunctionTarget("pkg/mod.py", "evens", 1, 6)
    files = {"pkg/mod.py": FAST.encode(), "NOTES.txt": b"merged\n"}
    change = Change.of_files(files, [evens], {"pkg/mod.py": SOURCE})
    with worktrees.checkout("merge") as root:
        merged = prove_change(
            root, change, config, checks=AFTER_MERGE, baseline=baseline, label="merge"
        )
        assert (root / "NOTES.txt").read_bytes() == b"merged\n"
    assert merged.accepted, merged
    assert [c.name for c in merged.checks] == ["syntax", "import", "affected-tests", "full-suite"]
    with worktrees.checkout("landing") as root:
        landed = prove_change(root, change, config, checks=AT_LANDING, label="landing")
    assert landed.accepted and [c.name for c in landed.checks] == ["full-suite"]


def test_every_changed_module_must_compile_before_anything_is_written(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, _, config = project
    files = {"pkg/mod.py": FAST.encode(), "pkg/other.py": b"def broken(:\n"}
    with worktrees.checkout("broken") as root:
        verdict = prove_change(root, Change.of_files(files), config, checks=AFTER_MERGE)
        assert not (root / "pkg/other.py").exists()
    assert [(c.name, c.outcome) for c in verdict.checks] == [
        ("syntax", CheckOutcome.PASSED), ("syntax", CheckOutcome.FAILED),
    ]  # fmt: skip
    assert verdict.reason.startswith("syntax failed: pkg/other.py: ")


def test_red_baseline_is_not_usable(tmp_path: Path) -> None:
    repo_dir = make_repo(
        tmp_path / "repo",
        {
            "pkg/__init__.py": "",
            "pkg/mod.py": SOURCE,
            "tests/test_mod.py": TESTS + "\ndef test_red():\n    assert False\n",
        },
    )
    scratch = tmp_path / "s"
    scratch.mkdir()
    with Worktrees(Repository(repo_dir), tmp_path / "wt").checkout("b") as base:
        baseline = run_baseline(base, PytestOptions(sys.executable, 120), scratch)
    assert not baseline.usable
    assert "1 of 3 tests failed" in baseline.describe()


def test_changed_lines_and_module_names() -> None:
    assert changed_lines("a\nb\nc\n", "a\nB\nc\n") == {2}
    assert changed_lines("a\nb\nc\n", "a\nc\n") == {2}
    assert module_name("src/pkg/mod.py") == "pkg.mod"
    assert module_name("pkg/__init__.py") == "pkg"


def test_full_suite_is_not_repeated_when_the_affected_tests_were_all_of_it(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project  # both tests of the suite execute evens
    with worktrees.checkout("c") as root:
        verdict = run_gate(root, _candidate("evens", FAST, 1, 6), SOURCE, baseline, config)
    full = verdict.checks[-1]
    assert verdict.accepted and full.name == "full-suite"
    assert full.outcome is CheckOutcome.PASSED and "not run again" in full.detail
    assert full.data == {"tests": 2, "failed": []}


@pytest.fixture()
def quick_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A suite with one test outside the affected ones, quick enough to run once as both."""
    monkeypatch.setattr(gate, "SUITE_BESIDE_SECONDS", 1e9)  # however loaded the machine is
    other = TESTS + "\n\ndef test_other():\n    from pkg.mod import unused\n"
    other += "    assert unused([1, 2]) == 3\n"
    files = {"pkg/__init__.py": "", "pkg/mod.py": SOURCE, "tests/test_mod.py": other}
    worktrees = Worktrees(Repository(make_repo(tmp_path / "repo", files)), tmp_path / "wt")
    options = PytestOptions(python=sys.executable, timeout=120)
    (tmp_path / "scratch").mkdir()
    config = GateConfig(options, 80.0, tmp_path / "scratch")
    with worktrees.checkout("baseline") as base:
        baseline = run_baseline(base, options, config.scratch)
    yield worktrees, baseline, config
    worktrees.close()


def test_a_quick_suite_runs_once_as_the_affected_tests_check_too(quick_suite) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = quick_suite
    with worktrees.checkout("c") as root:
        verdict = run_gate(root, _candidate("evens", FAST, 1, 6), SOURCE, baseline, config)
    names = [c.name for c in verdict.checks]
    assert verdict.accepted and names.count("full-suite") == 1, names
    affected = next(c for c in verdict.checks if c.name == "affected-tests")
    full = next(c for c in verdict.checks if c.name == "full-suite")
    assert affected.data == {"tests": 2, "failed": [], "with_whole_suite": True}
    assert "within one run of the whole suite" in affected.detail
    assert full.outcome is CheckOutcome.PASSED and full.data == {"tests": 3, "failed": []}


def test_in_one_run_a_failure_is_the_affected_tests_or_the_rest_of_the_suites(quick_suite) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = quick_suite
    breaks_other = FAST.replace("total += v", "total -= v")
    breaks_evens = FAST.replace("v % 2 == 0", "v % 2 == 1")
    with worktrees.checkout("other") as root:
        other = run_gate(root, _candidate("evens", breaks_other, 1, 6), SOURCE, baseline, config)
    with worktrees.checkout("evens") as root:
        evens = run_gate(root, _candidate("evens", breaks_evens, 1, 6), SOURCE, baseline, config)
    by_name = {c.name: c for c in other.checks}
    assert not other.accepted and other.reason.startswith("full-suite failed")
    assert by_name["affected-tests"].outcome is CheckOutcome.PASSED
    assert by_name["full-suite"].data["failed"] == ["tests.test_mod::test_other"]
    assert not evens.accepted and evens.reason.startswith("affected-tests failed"), evens.reason
    failed = next(c for c in evens.checks if c.name == "affected-tests")
    assert sorted(failed.data["failed"]) == ["tests.test_mod::test_evens"]
    assert "full-suite" not in [c.name for c in evens.checks]


def test_junit_id_is_pytests_own_mangling_of_a_node_id() -> None:
    assert junit_id("tests/test_x.py::TestC::test_y[a/b-1]") == "tests.test_x.TestC::test_y[a/b-1]"
    assert junit_id("tests/test_x.py::test_y") == "tests.test_x::test_y"


def test_static_tools_run_alongside_and_their_failure_stops_the_proof(project) -> None:  # type: ignore[no-untyped-def]
    worktrees, baseline, config = project
    with worktrees.checkout("head") as head:
        static = static_baseline(head, ["pkg/mod.py"], tools=("ruff",))
        plan = ProofPlan("quick", head, sys.executable, static=static, static_tools=("ruff",))
        with_static = replace(config, proof=plan)
        with worktrees.checkout("clean") as root:
            clean = run_gate(root, _candidate("evens", FAST, 1, 6), SOURCE, baseline, with_static)
        unused_import = "import os\n\n\n" + FAST
        with worktrees.checkout("flagged") as root:
            flagged = run_gate(
                root, _candidate("evens", unused_import, 1, 6), SOURCE, baseline, with_static
            )
    assert clean.accepted, clean
    names = [c.name for c in clean.checks]
    assert names.index("ruff") > names.index("affected-tests") and names[-1] == "full-suite"
    assert not flagged.accepted and flagged.checks[-1].name == "ruff"
    assert flagged.checks[-1].outcome is CheckOutcome.FAILED and "F401" in flagged.checks[-1].detail
    assert "full-suite" not in [c.name for c in flagged.checks]
