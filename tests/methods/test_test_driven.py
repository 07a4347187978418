"""test-driven against the scripted server, real sandboxed pytest and the real gate."""

from __future__ import annotations

from pathlib import Path

from fake_openai import FakeOpenAI, Reply
from methods_world import Project, fake_router, fenced

from agentic_action.methods._test_screen import prune
from agentic_action.methods.registry import get_method

GENERATED = """```python
import pathlib

import pytest
from pkg.mod import evens


def test_strict_empty_raises():
    with pytest.raises(ValueError, match="no values"):
        evens([], strict=True)


def test_negatives_and_zero():
    assert evens([-2, -3, 0]) == [-2, 0]


def test_flaky_once():
    marker = pathlib.Path(__file__).with_name(".flaky-marker")
    first = not marker.exists()
    marker.write_text("seen")
    assert first


def test_wrong_on_the_original():
    assert evens([1]) == [1]
```"""
SIGNATURE = "def evens(values: list[int], strict: bool = False) -> list[int]:"
GUARD = '    if strict and not values:\n        raise ValueError("no values")\n'
GOOD = f"{SIGNATURE}\n{GUARD}    return [v for v in values if not v % 2]\n"
NON_NEGATIVE = f"{SIGNATURE}\n{GUARD}    return [v for v in values if not v % 2 and v >= 0]\n"
SETTINGS = {"rounds": 1, "candidates": 2}


def test_generated_tests_are_screened_used_as_oracle_and_shipped_with_the_change(
    project: Project, server: FakeOpenAI, state_dir: Path
) -> None:
    server.script(
        Reply(GENERATED),
        Reply(fenced(NON_NEGATIVE, "Filter in one pass.")),
        Reply(fenced(GOOD, "Negate the remainder.")),
    )
    method = get_method("test-driven", router=fake_router(server, state_dir), config=SETTINGS)
    target = project.target("pkg/mod.py", "evens")
    outcome = method.optimize(target, project.source("pkg/mod.py"), project.ctx)

    tests = outcome.data["tests"]
    assert (tests["generated"], tests["failed_on_original"], tests["flaky"]) == (4, 1, 1)
    assert (tests["oracle"], tests["kept"], tests["no_new_coverage"]) == (2, 1, 1)
    [screening] = tests["screenings"]
    assert screening["kept"] == ["test_strict_empty_raises"]
    assert screening["lines_gained"] == [3]  # the raise only the generated test reaches
    assert outcome.data["coverage"] == {
        "statements": 7, "covered_before": 6, "covered_after": 7,
        "before_percent": 85.7, "after_percent": 100.0,
    }  # fmt: skip

    rejected, accepted = outcome.attempts
    # The repository's tests pass on NON_NEGATIVE; the generated oracle does not.
    assert rejected.verdict.reason.startswith("generated-tests failed")
    check = rejected.verdict.checks[-1]
    assert check.name == "generated-tests"
    assert check.data["failed"] == [
        "tests.test_agentic_mod_evens_1_oracle::test_negatives_and_zero"
    ]
    assert accepted.accepted and outcome.chosen is accepted
    [(rel, shipped)] = accepted.candidate.extra_files
    assert rel == "tests/test_agentic_mod_evens_1.py"
    assert "def test_strict_empty_raises" in shipped
    assert "test_negatives_and_zero" not in shipped and "test_flaky_once" not in shipped
    assert f"+++ b/{rel}" in accepted.forward_diff
    assert "+    return [v for v in values if not v % 2]" in accepted.forward_diff
    assert "1 generated test(s) kept of 4" in outcome.note

    # Rerun on unchanged code with the response cache (one code answer asked, to keep the test
    # short), and with the run lending its baseline coverage: zero calls, the same screening.
    asked = len(server.requests)
    rerun = get_method(
        "test-driven", router=fake_router(server, state_dir), config={"rounds": 1, "candidates": 1}
    )
    lending = project.lending_ctx()
    again = rerun.optimize(target, project.source("pkg/mod.py"), lending)
    assert len(server.requests) == asked
    assert again.data["llm"]["tokens"] == 0 and again.data["llm"]["cached"] == 2
    assert lending.lent == ["pkg/mod.py"]
    assert again.data["coverage"] == outcome.data["coverage"]
    assert [p.verdict.reason for p in again.attempts] == [rejected.verdict.reason]


def test_test_answers_that_are_not_tests_are_recorded_and_code_is_still_asked(
    project: Project, server: FakeOpenAI
) -> None:
    server.script(Reply("```python\nfrom pkg.mod import evens\n```"), Reply("NO CHANGE"))
    settings = {"rounds": 1, "candidates": 1}
    method = get_method("test-driven", router=fake_router(server), config=settings)
    outcome = method.optimize(
        project.target("pkg/mod.py", "evens"), project.source("pkg/mod.py"), project.ctx
    )
    reasons = [r["reason"] for r in outcome.data["rejected_answers"]]
    assert reasons == ["no-tests", "unchanged"]
    assert outcome.attempts == [] and outcome.data["tests"]["generated"] == 0


def test_pruning_keeps_imports_fixtures_and_the_chosen_tests_only() -> None:
    code = (
        "import pytest\n\n\n@pytest.fixture\ndef data():\n    return [1]\n\n\n"
        "@pytest.mark.parametrize('x', [1, 2])\ndef test_a(x):\n    assert x\n\n\n"
        "class TestGroup:\n    def test_b(self):\n        assert True\n\n"
        "    def test_c(self):\n        assert True\n\n\n"
        "class TestGone:\n    def test_d(self):\n        assert True\n"
    )
    pruned = prune(code, {("TestGroup", "test_c")})
    assert "def data()" in pruned and "import pytest" in pruned
    assert "test_a" not in pruned and "parametrize" not in pruned
    assert "test_b" not in pruned and "def test_c" in pruned and "TestGone" not in pruned
    compile(pruned, "pruned.py", "exec")
