"""When a run cannot test anything: the cause and the fix, in one line.

A red suite is an outcome to report (the tests ran and some failed). A missing interpreter, an
interpreter without pytest, or a baseline that ran out of time is not: nothing could be proven,
so the run fails (exit 1) instead of ending "0 accepted" as if it had looked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from agentic_action.baseline.suite import Baseline

PYTHON_HINT = (
    "pass the interpreter of the repository's test environment with --python "
    "(OPTIMIZER_PYTHON, input `python`)"
)


def interpreter_problem(python: str) -> str:
    """Why ``python`` cannot run anything ("" when it exists and is executable)."""
    path = Path(python)
    if not path.exists():
        return f"the interpreter {python} does not exist: {PYTHON_HINT}"
    if path.is_dir() or not os.access(path, os.X_OK):
        return f"{python} is not an executable interpreter: {PYTHON_HINT}"
    return ""


def baseline_problem(baseline: Baseline, python: str, timeout: float) -> str:
    """Why the baseline could not test anything ("" when the tests ran, green or red)."""
    outcome = baseline.outcome
    if outcome.timed_out:
        return (
            f"the baseline test run timed out after {timeout:.0f} s: raise --test-timeout "
            "(OPTIMIZER_TEST_TIMEOUT) or make the suite faster"
        )
    if outcome.ran:
        return ""
    if "No module named pytest" in outcome.output_tail:
        ours = " (the optimizer's own)" if python == sys.executable else ""
        return (
            f"pytest is not installed in {python}{ours}: {PYTHON_HINT}, or install pytest "
            f"there ({python} -m pip install pytest pytest-cov)"
        )
    last = outcome.output_tail.strip().splitlines()[-1:] or ["no output"]
    return (
        f"pytest could not run the repository's tests with {python} (exit {outcome.exit_code}): "
        f"{last[0][:300]}"
    )
