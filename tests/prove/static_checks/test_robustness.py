"""Missing, crashing and hanging tools are reported, never raised; the trees stay untouched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gitrepos import git
from static_trees import head_and_candidate

from agentic_action.model import CheckOutcome
from agentic_action.prove.static_checks import run_static_checks, static_baseline
from agentic_action.prove.static_tools import RunState

CODE = "def double(x: int) -> int:\n    return x * 2\n"
FASTER = "def double(x: int) -> int:\n    return x + x\n"
HANG = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_all_three_tools_pass_a_clean_candidate_and_write_nothing_into_the_trees(
    tmp_path: Path,
) -> None:
    head, candidate = head_and_candidate(tmp_path, {"pkg/calc.py": CODE}, {"pkg/calc.py": FASTER})
    baseline = static_baseline(head, ["pkg/calc.py"], scratch=tmp_path / "scratch")
    results = run_static_checks(candidate, ["pkg/calc.py"], baseline)
    assert [(r.name, r.outcome) for r in results] == [
        ("ruff", CheckOutcome.PASSED),
        ("mypy", CheckOutcome.PASSED),
        ("semgrep", CheckOutcome.PASSED),
    ]
    assert all(r.seconds > 0 for r in results)
    assert git(head, "status", "--porcelain", "--ignored") == ""
    assert git(candidate, "status", "--porcelain", "--ignored") == " M pkg/calc.py\n"


def test_a_missing_tool_is_skipped_with_a_clear_reason(tmp_path: Path) -> None:
    head, candidate = head_and_candidate(tmp_path, {"calc.py": CODE}, {"calc.py": FASTER})
    absent = {"ruff": ["/nonexistent/bin/ruff"]}
    baseline = static_baseline(head, ["calc.py"], tools=("ruff",), commands=absent)
    assert baseline.run_for("ruff").state is RunState.MISSING
    (result,) = run_static_checks(candidate, ["calc.py"], baseline, commands=absent)
    assert result.outcome is CheckOutcome.SKIPPED
    assert result.detail == "ruff is not installed (looked for the command '/nonexistent/bin/ruff')"


def test_a_tool_missing_only_for_the_candidate_is_skipped_too(tmp_path: Path) -> None:
    head, candidate = head_and_candidate(tmp_path, {"calc.py": CODE}, {"calc.py": FASTER})
    baseline = static_baseline(head, ["calc.py"], tools=("ruff",))
    (result,) = run_static_checks(candidate, ["calc.py"], baseline, commands={"ruff": []})
    assert result.outcome is CheckOutcome.SKIPPED
    assert "not installed" in result.detail


def test_a_crashing_ruff_is_an_error_with_the_tail_of_its_output(tmp_path: Path) -> None:
    broken = {"calc.py": FASTER, "pyproject.toml": '[tool.ruff]\nline-length = "banana"\n'}
    head, candidate = head_and_candidate(tmp_path, {"calc.py": CODE}, broken)
    baseline = static_baseline(head, ["calc.py"], tools=("ruff",))
    (result,) = run_static_checks(candidate, ["calc.py"], baseline)
    assert result.outcome is CheckOutcome.ERROR
    assert result.detail.startswith("ruff check failed (exit 2):")
    assert "banana" in result.detail


def test_a_crashing_mypy_plugin_is_an_error_with_its_message(tmp_path: Path) -> None:
    broken = {"calc.py": FASTER, "pyproject.toml": '[tool.mypy]\nplugins = ["no_such_plugin"]\n'}
    head, candidate = head_and_candidate(tmp_path, {"calc.py": CODE}, broken)
    baseline = static_baseline(head, ["calc.py"], tools=("mypy",))
    (result,) = run_static_checks(candidate, ["calc.py"], baseline)
    assert result.outcome is CheckOutcome.ERROR
    assert "Error importing plugin" in result.detail


def test_a_tool_that_fails_on_head_cannot_judge_and_is_skipped(tmp_path: Path) -> None:
    files = {"calc.py": CODE, "pyproject.toml": '[tool.ruff]\nline-length = "banana"\n'}
    head, candidate = head_and_candidate(tmp_path, files, {"calc.py": FASTER})
    baseline = static_baseline(head, ["calc.py"], tools=("ruff",))
    (result,) = run_static_checks(candidate, ["calc.py"], baseline)
    assert result.outcome is CheckOutcome.SKIPPED
    assert result.detail.startswith("ruff failed on HEAD, so it cannot judge a candidate")


def test_a_hanging_tool_is_killed_at_its_time_limit_and_reported(tmp_path: Path) -> None:
    head, candidate = head_and_candidate(tmp_path, {"calc.py": CODE}, {"calc.py": FASTER})
    baseline = static_baseline(
        head, ["calc.py"], tools=("semgrep",), commands={"semgrep": HANG}, timeout=1
    )
    assert baseline.run_for("semgrep").state is RunState.CRASHED
    assert "timed out" in baseline.run_for("semgrep").detail
    real = static_baseline(head, ["calc.py"], tools=("ruff",))
    (result,) = run_static_checks(candidate, ["calc.py"], real, commands={"ruff": HANG}, timeout=1)
    assert result.outcome is CheckOutcome.ERROR
    assert result.detail.startswith("ruff timed out after 1s")


# A stand-in for ruff that reports, as a finding, where it ran and which secrets it could see.
SPY = """
import json, os, sys
names = ("GITHUB_TOKEN", "OPENAI_API_KEY", "OPTIMIZER_LLM_API_KEY", "DB_PASSWORD", "MY_SECRET")
leaked = sorted(name for name in names if name in os.environ)
message = f"cwd={os.getcwd()} leaked={leaked} plain={os.environ.get('PLAIN_SETTING')}"
item = {"code": "SPY", "message": message, "filename": "calc.py", "location": {"row": 1}}
print(json.dumps([item] if "check" in sys.argv else []))
"""


def test_tools_run_in_the_tree_with_a_scrubbed_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "GITHUB_TOKEN",
        "OPENAI_API_KEY",
        "OPTIMIZER_LLM_API_KEY",
        "DB_PASSWORD",
        "MY_SECRET",
    ):
        monkeypatch.setenv(name, "secret-value")
    monkeypatch.setenv("PLAIN_SETTING", "kept")
    head, _ = head_and_candidate(tmp_path, {"calc.py": CODE}, {})
    spy = {"ruff": [sys.executable, "-c", SPY]}
    baseline = static_baseline(head, ["calc.py"], tools=("ruff",), commands=spy)
    (finding,) = baseline.run_for("ruff").findings
    assert finding.message == f"cwd={head.resolve()} leaked=[] plain=kept"
