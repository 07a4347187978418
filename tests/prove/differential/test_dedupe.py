"""Issue 11, first bullet: a dedupe whose docstring says the items may be unhashable, no type
hints, every recorded input hashable. ``list(dict.fromkeys(items))`` passes the tests and the
recorded inputs; the differential inputs reject it and show the input it fails on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from differential_world import Proof, prove_differential, recorded_project

from agentic_action.model import Candidate, CheckOutcome, FunctionTarget
from agentic_action.prove.change import Change
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check, GateVerdict, prove_change

DEDUPE = '''def dedupe(items):
    """The items without repeats, in first-seen order.

    The items may be unhashable (lists, dicts): they are compared with ==.
    """
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
'''
BODY = """    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
"""
WRONG = DEDUPE.replace(BODY, "    return list(dict.fromkeys(items))\n")
RIGHT = DEDUPE.replace(
    BODY,
    """    out, seen = [], set()
    for item in items:
        try:
            if item in seen:
                continue
            seen.add(item)
        except TypeError:
            if item in out:
                continue
        out.append(item)
    return out
""",
)
TESTS = """from pkg.dedupe import dedupe


def test_dedupe():
    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]
    assert dedupe(["b", "a", "b"]) == ["b", "a"]
    assert dedupe([]) == []
"""
TARGET = FunctionTarget("pkg/dedupe.py", "dedupe", 1, 10)
DIFFERENTIAL = frozenset({Check.DIFFERENTIAL})
# Bad inputs: the original hangs on a huge n (dropped); the candidate hangs on a negative one.
COUNTDOWN = """def countdown(n):
    while n > 0:
        n -= 1
    return n
"""
HANGS_ON_NEGATIVE = COUNTDOWN.replace("while n > 0:", "while n != 0:")
COUNTDOWN_TESTS = """from pkg.loops import countdown


def test_countdown():
    assert countdown(5) == 0
"""
LOOP = FunctionTarget("pkg/loops.py", "countdown", 1, 4)


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    """The repository and a gate config with its recorded inputs (recorded once)."""
    files = {"pkg/__init__.py": "", "pkg/dedupe.py": DEDUPE, "tests/test_dedupe.py": TESTS}
    files |= {"pkg/loops.py": COUNTDOWN, "tests/test_loops.py": COUNTDOWN_TESTS}
    bounds = DifferentialSettings(seconds=1.0, hypothesis=0)  # no hypothesis: no huge draws
    base = tmp_path_factory.mktemp("dedupe")
    made, recording = recorded_project(base, files, [TARGET, LOOP], bounds)
    assert recording.for_target(TARGET).recorded == 3
    return made


def _prove(proof: Proof, source: str, tmp_path: Path) -> GateVerdict:
    return prove_differential(proof, TARGET, DEDUPE, source, tmp_path, "adversarial")


def test_dict_fromkeys_is_rejected_on_unhashable_items_and_the_input_is_shown(
    proof: Proof, tmp_path: Path
) -> None:
    verdict = _prove(proof, WRONG, tmp_path)
    assert not verdict.accepted
    (check,) = verdict.checks
    assert (check.name, check.outcome) == ("differential", CheckOutcome.FAILED)
    assert verdict.reason.startswith("differential failed: behaviour differs on differential input")
    assert "unhashable" in check.data["origin"] or "dict-elements" in check.data["origin"]
    shown = check.data["first_difference"]
    assert "candidate: raised builtins.TypeError: unhashable type" in shown
    assert "input: dedupe([[" in shown or "input: dedupe([{" in shown
    assert check.data["shrink_rounds"] >= 1
    assert check.data["inputs_compared"] >= 50
    assert check.data["sources"]["mutation"] >= 30 and "hypothesis" not in check.data["sources"]


def test_a_correct_faster_dedupe_passes_the_same_inputs(proof: Proof, tmp_path: Path) -> None:
    verdict = _prove(proof, RIGHT, tmp_path)
    (check,) = verdict.checks
    assert verdict.accepted, check.detail
    assert check.outcome is CheckOutcome.PASSED
    compared = check.data["inputs_compared"]
    assert check.detail.startswith(f"same behaviour on {compared} differential input(s)")


EDGE_CASES = """def edge_cases():
    return [(([[1], [1]],), {}), (([],), {})]
"""


def test_the_models_own_edge_cases_come_first_and_are_named(proof: Proof, tmp_path: Path) -> None:
    root, config = proof
    tree = tmp_path / "candidate"
    shutil.copytree(root, tree, ignore=shutil.ignore_patterns(".git"))
    candidate = Candidate(TARGET, "actor-critic", WRONG, (), "test", edge_cases=EDGE_CASES)
    verdict = prove_change(
        tree, Change.of_candidate(candidate, DEDUPE), config, checks=DIFFERENTIAL
    )
    (check,) = verdict.checks
    assert check.outcome is CheckOutcome.FAILED
    assert check.data["origin"] == "the model's edge case #0"
    assert check.data["sources"]["llm"] == 2 and check.data["llm"]["stored"] == 2
    assert "differential input #0 (the model's edge case #0)" in check.detail


def test_an_input_hanging_the_original_is_dropped_and_a_hanging_candidate_rejected(
    proof: Proof, tmp_path: Path
) -> None:
    root, config = proof
    tree = tmp_path / "candidate"
    shutil.copytree(root, tree, ignore=shutil.ignore_patterns(".git"))
    candidate = Candidate(LOOP, "rules", HANGS_ON_NEGATIVE, (), "test")
    verdict = prove_change(
        tree, Change.of_candidate(candidate, COUNTDOWN), config, checks=DIFFERENTIAL
    )
    (check,) = verdict.checks
    assert check.outcome is CheckOutcome.FAILED and check.data["candidate_hangs"]
    assert check.detail.startswith("the candidate hangs on differential input")
    assert "argument 0: negative" in check.data["origin"]
    assert "did not finish within the time limit" in check.data["first_difference"]
    dropped = check.data["dropped_original_hangs"]
    assert "mutation 'argument 0: huge-int' of recorded input #0" in dropped
