"""A run that could not test anything fails (exit 1) with one line naming the cause and the fix;
in the Action also as an ``::error``. A red suite stays a reported outcome (exit 0)."""

from __future__ import annotations

import json
import venv
from pathlib import Path

import action_events as ev
import pytest
from action_runner import ActionRunner
from gitrepos import make_repo

from agentic_action.baseline.suite import Baseline
from agentic_action.baseline.untestable import baseline_problem
from agentic_action.cli import main
from agentic_action.sandbox import pytest_runner

CODE = "def total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"


def _repo(tmp_path: Path, test: str) -> Path:
    files = {"pkg/__init__.py": "", "pkg/mod.py": CODE, "tests/test_mod.py": test}
    return make_repo(tmp_path / "repo", files)


def _optimize(tmp_path: Path, repo: Path, *flags: str) -> list[str]:
    out = tmp_path / "out"
    return ["optimize", "--repo", str(repo), "--mode", "patch", "--out", str(out), *flags]


GREEN = "from pkg.mod import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n"


def _no_pytest_python(tmp_path: Path) -> str:
    folder = tmp_path / "bare-venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
    return str(folder / "bin" / "python")


@pytest.mark.parametrize(
    ("flags", "cause", "fix"),
    [
        (("--python", "/nonexistent/bin/python"), "does not exist", "--python"),
        (("--python", "NO_PYTEST"), "pytest is not installed in", "-m pip install pytest"),
        (("--test-timeout", "2"), "timed out after 2 s", "--test-timeout"),
    ],
    ids=["missing-python", "no-pytest", "baseline-timeout"],
)
def test_a_run_that_cannot_test_anything_exits_1_with_the_cause_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], cause: str, fix: str
) -> None:
    test = GREEN + "\n\ndef test_slow():\n    import time\n    time.sleep(60)\n"
    repo = _repo(tmp_path, test if "--test-timeout" in flags else GREEN)
    flags = tuple(_no_pytest_python(tmp_path) if f == "NO_PYTEST" else f for f in flags)
    assert main(_optimize(tmp_path, repo, *flags)) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1, errors
    assert cause in errors[0] and fix in errors[0]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert cause in report["run"]["failure"]
    assert "could not test anything" in (tmp_path / "out" / "summary.md").read_text()


def test_a_red_suite_is_a_reported_outcome() -> None:
    red = pytest_runner.TestOutcome(
        ran=True, total=3, failed=("tests/test_x.py::test_a",), exit_code=1
    )
    assert baseline_problem(Baseline(red, None, ""), "python", 900) == ""


def test_the_action_gives_an_error_annotation(tmp_path: Path) -> None:
    workspace = _repo(tmp_path, GREEN)
    run = ActionRunner(tmp_path, workspace).run(
        "schedule", ev.schedule(), inputs={"mode": "patch", "python": "/nonexistent/python"}
    )
    assert run.returncode == 1, run.stdout + run.stderr
    (error,) = run.commands("error")
    assert "the interpreter /nonexistent/python does not exist" in error.data
    assert (run.outputs["outcome"], run.outputs["reason"]) == ("failed", error.data)
