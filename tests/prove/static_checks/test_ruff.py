"""ruff judges style and lint: by the repository's own settings, and only what a candidate adds."""

from __future__ import annotations

from pathlib import Path

from static_trees import head_and_candidate

from agentic_action.model import CheckOutcome
from agentic_action.prove.static_checks import run_static_checks, static_baseline

HEAD = '''import os


def scale(items, factor=2):
    """Multiply every item."""
    out = []
    for item in items:
        out.append(item * factor)
    return out
'''

MOVED = '''import os


def helper(value):
    """A new function above the old code: every old line moves down."""
    return value + 1


def scale(items, factor=2):
    """Multiply every item."""
    return [item * factor for item in items]
'''

MUTABLE_DEFAULT = HEAD.replace(
    "def scale(items, factor=2):", "def scale(items, factor=2, seen=[]):"
)
LONG_LINE = HEAD.replace("    out = []", "    out = []  # " + "a long comment" * 8)


def check(
    tmp_path: Path, files: dict[str, str], changes: dict[str, str]
) -> tuple[CheckOutcome, str, dict[str, object]]:
    head, candidate = head_and_candidate(tmp_path, files, changes)
    names = sorted(name for name in files if name.endswith(".py"))
    baseline = static_baseline(head, names, tools=("ruff",))
    (result,) = run_static_checks(candidate, names, baseline)
    assert result.name == "ruff"
    return result.outcome, result.detail, result.data


def test_code_that_only_moved_keeps_its_findings_and_passes(tmp_path: Path) -> None:
    outcome, detail, data = check(tmp_path, {"mod.py": HEAD}, {"mod.py": MOVED})
    assert outcome is CheckOutcome.PASSED, detail
    assert data["head"] == 1  # the unused import, still there, on another line
    assert data["candidate"] == 1


def test_a_new_mutable_default_fails_naming_file_line_and_code(tmp_path: Path) -> None:
    outcome, detail, data = check(tmp_path, {"mod.py": HEAD}, {"mod.py": MUTABLE_DEFAULT})
    assert outcome is CheckOutcome.FAILED
    assert "mod.py:4 B006" in detail
    assert data["new"] == 1
    assert str(data["config"]).startswith("none")


def test_without_a_ruff_config_long_lines_are_the_repositorys_business(tmp_path: Path) -> None:
    outcome, detail, _ = check(tmp_path, {"mod.py": HEAD}, {"mod.py": LONG_LINE})
    assert outcome is CheckOutcome.PASSED, detail


def test_the_repositorys_own_ruff_config_is_used(tmp_path: Path) -> None:
    config = '[tool.ruff]\nline-length = 120\n\n[tool.ruff.lint]\nselect = ["T20"]\n'
    printing = HEAD.replace("    return out", "    print(out)\n    return out")
    files = {"mod.py": HEAD, "pyproject.toml": config}
    outcome, detail, data = check(tmp_path, files, {"mod.py": printing})
    assert outcome is CheckOutcome.FAILED
    assert "T201" in detail
    assert data["config"] == "pyproject.toml"
    assert data["head"] == 0  # F401 is not selected by this repository


CLEAN = "def add(a, b):\n    return a + b\n"
UNCLEAN = "def add( a,b ):\n    return a+b\n"


def test_format_is_enforced_only_for_files_that_are_clean_on_head(tmp_path: Path) -> None:
    files = {"clean.py": CLEAN, "messy.py": UNCLEAN}
    changes = {"clean.py": CLEAN + "x=[1,2]\n", "messy.py": UNCLEAN + "y=[1,2]\n"}
    outcome, _detail, data = check(tmp_path, files, changes)
    assert outcome is CheckOutcome.FAILED
    assert data["new_findings"] == ["clean.py:1 format file would be reformatted"]


def test_a_formatted_candidate_of_a_clean_file_passes(tmp_path: Path) -> None:
    changes = {"clean.py": CLEAN + "\n\nX = [1, 2]\n"}
    outcome, detail, _ = check(tmp_path, {"clean.py": CLEAN}, changes)
    assert outcome is CheckOutcome.PASSED, detail
