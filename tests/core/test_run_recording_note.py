"""A run says so when the tests pass on the base but fail under the input recorder."""

from __future__ import annotations

from pathlib import Path

from gitrepos import make_repo

from agentic_action.run import run
from agentic_action.settings import load_settings

SOURCE = '''def total(xs):
    """Sum of the items."""
    out = 0
    for x in xs:
        out += x
    return out
'''
# A test that notices the recorder's wrapper (real code inspects functions too: click, pluggy).
TESTS = """import calc


def test_total():
    assert calc.total([1, 2]) == 3
    assert not hasattr(calc.total, "__wrapped__")
"""


def test_tests_that_fail_only_under_the_recorder_are_named_in_the_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"calc.py": SOURCE, "test_calc.py": TESTS})
    flags = {
        "repo": repo, "targets": ["calc.py"], "method": "rules", "mode": "patch",
        "out": tmp_path / "out", "validation_level": "standard",
        "worktree_base": tmp_path / "wt",
    }  # fmt: skip
    report = run(load_settings(flags, {}))
    notes = [n for n in report.notes if "under the input recorder" in n]
    assert len(notes) == 1, report.notes
    assert "(exit 1: " in notes[0] and "though they pass on the base" in notes[0]
