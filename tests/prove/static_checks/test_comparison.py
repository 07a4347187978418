"""A candidate is judged by the findings it adds, not by where existing ones moved."""

from __future__ import annotations

from pathlib import Path

import pytest
from static_trees import head_and_candidate

from agentic_action.prove.static_checks import (
    new_findings,
    run_static_checks,
    static_baseline,
    tools_for_level,
)
from agentic_action.prove.static_tools import Finding


def finding(
    line: int, code: str = "F401", message: str = "`os` imported but unused", text: str = ""
) -> Finding:
    return Finding("ruff", "pkg/mod.py", line, code, message, text or f"line {line}")


def test_findings_that_only_moved_are_not_new() -> None:
    head = [finding(1, text="import os"), finding(9, "B006", "mutable default", "def f(a=[]):")]
    moved = [finding(12, text="import os"), finding(30, "B006", "mutable default", "def f(a=[]):")]
    assert new_findings(head, moved) == []


def test_line_numbers_inside_messages_do_not_make_a_finding_new() -> None:
    head = [finding(8, "F811", "Redefinition of unused `x` from line 3")]
    moved = [finding(18, "F811", "Redefinition of unused `x` from line 13")]
    assert new_findings(head, moved) == []


def test_a_second_copy_of_a_flagged_pattern_is_new_and_named_by_its_own_line() -> None:
    head = [finding(5, "eval-exec", "eval", "return eval(a)")]
    after = [
        finding(2, "eval-exec", "eval", "x = eval(b)"),  # the new one, above the old one
        finding(15, "eval-exec", "eval", "return eval(a)"),  # the old one, moved down
    ]
    assert new_findings(head, after) == [after[0]]


def test_a_different_finding_replacing_a_fixed_one_is_new() -> None:
    head = [finding(3)]
    after = [finding(3, "F841", "Local variable `y` is assigned to but never used")]
    assert new_findings(head, after) == after


def test_fixing_findings_adds_nothing() -> None:
    assert new_findings([finding(1), finding(4, "E711", "comparison to None")], []) == []


def test_validation_levels_choose_the_static_tools() -> None:
    assert tools_for_level("quick") == ()
    assert tools_for_level("standard") == ("ruff", "semgrep")
    assert tools_for_level("thorough") == ("ruff", "mypy", "semgrep")


def test_an_unknown_level_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown validation level 'paranoid'.*quick"):
        tools_for_level("paranoid")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["/etc/passwd.py"], "relative to the repository root"),
        (["../outside.py"], "relative to the repository root"),
        (["README.md"], "not a Python file"),
        (["pkg/missing.py"], "does not exist"),
        ([], "no files to check"),
        ("pkg/mod.py", "not the string"),
    ],
)
def test_bad_files_are_refused_at_the_door(tmp_path: Path, files: list[str], message: str) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        static_baseline(tmp_path, files, tools=("ruff",))


def test_unknown_tools_and_tools_without_baseline_are_refused(tmp_path: Path) -> None:
    head, candidate = head_and_candidate(tmp_path, {"a.py": "x = 1\n", "b.py": "y = 2\n"}, {})
    with pytest.raises(ValueError, match=r"unknown static check.*pylint"):
        static_baseline(head, ["a.py"], tools=("pylint",))
    baseline = static_baseline(head, ["a.py"], tools=("ruff",))
    with pytest.raises(ValueError, match=r"no 'mypy' run.*static_baseline"):
        run_static_checks(candidate, ["a.py"], baseline, tools=("mypy",))
    with pytest.raises(ValueError, match=r"not in the static baseline: b\.py"):
        run_static_checks(candidate, ["b.py"], baseline)
