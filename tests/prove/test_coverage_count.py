"""The coverage check counts a function's statements the way coverage.py does (issue 11)."""

from __future__ import annotations

from agentic_action.baseline.coverage_map import CoverageMap, statement_lines
from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.change import ChangedFile
from agentic_action.prove.checks import check_coverage

DOCUMENTED = '''import functools


@functools.cache
def total(
    values,
):
    """Add the values up.

    The docstring spans lines: coverage.py does not count it as a statement.
    """
    return sum(values)
'''
FASTER = DOCUMENTED.replace("return sum(values)", "return sum(values, 0)")


def test_docstring_and_def_lines_are_not_statements_of_the_body() -> None:
    assert statement_lines(DOCUMENTED, 4, 12) == {12}


def test_a_documented_one_line_function_run_by_every_test_passes_at_80_percent() -> None:
    # what coverage.py records for this file when a test calls total(): the import, the
    # decorator and def lines at import time, the return line at the call
    executed = {1: {"t::a"}, 4: {"t::a"}, 5: {"t::a"}, 12: {"t::a", "t::b"}}
    cmap = CoverageMap({"pkg/mod.py": executed})
    target = FunctionTarget("pkg/mod.py", "total", 4, 12)
    change = ChangedFile("pkg/mod.py", FASTER.encode(), DOCUMENTED)
    check = check_coverage(cmap, target, change, 80.0)
    assert check.outcome is CheckOutcome.PASSED, check.detail
    assert check.data["function_percent"] == 100.0
    assert "tests execute 100% of the function" in check.detail
