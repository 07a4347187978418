"""A rules candidate sunk by an edit on an untested line is proven again without that rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from methods_world import method_project

from agentic_action.methods.rules import RulesMethod

SOURCE = """import re


def split_all(lines, strict=False):
    parts = 0
    for line in lines:
        parts += len(re.split(",", line))
    if strict and parts == 0:
        raise ValueError("no parts in {}".format(lines))
    return parts
"""
TESTS = """from pkg.mod import split_all


def test_split_all():
    assert split_all(["a,b", "c"]) == 3
"""
FILES = {"pkg/__init__.py": "", "pkg/mod.py": SOURCE, "tests/test_mod.py": TESTS}


def test_the_rules_on_untested_lines_are_left_out_and_the_rest_is_proven(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with method_project(tmp_path_factory.mktemp("untested"), FILES) as project:
        target = project.target("pkg/mod.py", "split_all")
        outcome = RulesMethod().optimize(target, SOURCE, project.ctx)
    first, second = outcome.attempts
    assert {e.rule for e in first.candidate.edits} == {"AO103", "AO114"}
    assert not first.accepted and "changed line(s) never executed by tests: [9]" in (
        first.verdict.reason
    )
    assert {e.rule for e in second.candidate.edits} == {"AO103"}
    assert 'raise ValueError("no parts in {}".format(lines))' in second.candidate.new_source
    assert second.accepted, second.verdict.reason
    assert outcome.chosen is second


def test_a_candidate_whose_every_rule_is_untested_is_not_tried_again(tmp_path: Path) -> None:
    tested_loop_only = TESTS.replace('["a,b", "c"]) == 3', "[]) == 0")
    files = {**FILES, "tests/test_mod.py": tested_loop_only}
    source = SOURCE.replace('        parts += len(re.split(",", line))\n', "        parts += 1\n")
    files["pkg/mod.py"] = source
    with method_project(tmp_path / "p", files) as project:
        target = project.target("pkg/mod.py", "split_all")
        outcome = RulesMethod().optimize(target, source, project.ctx)
    (only,) = outcome.attempts
    assert {e.rule for e in only.candidate.edits} == {"AO114"} and not only.accepted
    assert outcome.chosen is None
