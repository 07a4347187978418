"""A function that returns a function (a closure, a decorator's wrapper: click's decorators) is
compared by what the returned function is made of, not by its code object: each side compiles
its own file, at another path and with other line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from differential_world import Proof, prove_checks, recorded_project

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check

SOURCE = """def adder(n, names=()):
    extra = len(list(x for x in names))

    def add(x):
        return x + n + extra

    return add
"""
# The rules' rewrite (AO120) moves every line below it: the closure's code object differs.
REWRITTEN = """def adder(n, names=()):
    extra = len([x for x in names])

    def add(x):
        return x + n + extra

    return add
"""
TESTS = """from calc import adder


def test_adder():
    assert adder(2)(3) == 5
    assert adder(1, ["a", "b"])(1) == 4
"""
TARGET = FunctionTarget("calc.py", "adder", 1, 7)


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    files = {"calc.py": SOURCE, "test_calc.py": TESTS}
    made, recording = recorded_project(
        tmp_path_factory.mktemp("closure"), files, [TARGET], DifferentialSettings(hypothesis=0)
    )
    assert recording.for_target(TARGET).recorded == 2, recording.log_tail
    return made


def _behaviour(proof: Proof, source: str, tmp_path: Path) -> tuple[CheckOutcome, str]:
    behaviour = frozenset({Check.BEHAVIOUR})
    verdict = prove_checks(proof, TARGET, SOURCE, source, tmp_path, behaviour)
    check = next(c for c in verdict.checks if c.name == "behaviour")
    return check.outcome, check.detail


def test_an_equivalent_rewrite_returns_an_equal_closure(proof: Proof, tmp_path: Path) -> None:
    outcome, detail = _behaviour(proof, REWRITTEN, tmp_path)
    assert outcome is CheckOutcome.PASSED, detail


def test_a_closure_over_other_values_differs(proof: Proof, tmp_path: Path) -> None:
    wrong = REWRITTEN.replace("    return add\n", "    extra += 1\n    return add\n")
    outcome, detail = _behaviour(proof, wrong, tmp_path)
    assert outcome is CheckOutcome.FAILED, detail
    assert "<function>" in detail
