"""Issue 11, first bullet: a dedupe whose docstring says the items may be unhashable, no type
hints, every recorded input hashable. ``list(dict.fromkeys(items))`` passes the tests and the
recorded inputs; the differential inputs reject it and show the input it fails on."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import gitrepos
import pytest

from agentic_action.model import Candidate, CheckOutcome, FunctionTarget
from agentic_action.prove.change import Change
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check, GateConfig, GateVerdict, prove_change
from agentic_action.prove.plan import ProofPlan
from agentic_action.record import record_inputs
from agentic_action.sandbox.pytest_runner import PytestOptions

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
def proof(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, GateConfig]]:
    """The repository and a gate config with its recorded inputs (recorded once)."""
    base = tmp_path_factory.mktemp("dedupe")
    files = {"pkg/__init__.py": "", "pkg/dedupe.py": DEDUPE, "tests/test_dedupe.py": TESTS}
    files |= {"pkg/loops.py": COUNTDOWN, "tests/test_loops.py": COUNTDOWN_TESTS}
    root = gitrepos.make_repo(base / "original", files)
    recording = record_inputs(root, [TARGET, LOOP], out_dir=base / "inputs", timeout=120)
    assert recording.for_target(TARGET).recorded == 3
    bounds = DifferentialSettings(seconds=1.0, hypothesis=0)  # no hypothesis: no huge draws
    plan = ProofPlan(
        "standard", root, sys.executable, inputs_dir=base / "inputs", differential=bounds
    )
    scratch = base / "scratch"
    scratch.mkdir()
    yield root, GateConfig(PytestOptions(sys.executable, 120), 80.0, scratch, plan)


def _prove(proof: tuple[Path, GateConfig], source: str, tmp_path: Path) -> GateVerdict:
    """The gate's differential check on ``source`` in a fresh copy of the repository."""
    root, config = proof
    tree = tmp_path / "candidate"
    shutil.copytree(root, tree, ignore=shutil.ignore_patterns(".git"))
    change = Change.of_candidate(Candidate(TARGET, "adversarial", source, (), "test"), DEDUPE)
    return prove_change(tree, change, config, checks=DIFFERENTIAL)


def test_dict_fromkeys_is_rejected_on_unhashable_items_and_the_input_is_shown(
    proof: tuple[Path, GateConfig], tmp_path: Path
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


def test_a_correct_faster_dedupe_passes_the_same_inputs(
    proof: tuple[Path, GateConfig], tmp_path: Path
) -> None:
    verdict = _prove(proof, RIGHT, tmp_path)
    (check,) = verdict.checks
    assert verdict.accepted, check.detail
    assert check.outcome is CheckOutcome.PASSED
    compared = check.data["inputs_compared"]
    assert check.detail.startswith(f"same behaviour on {compared} differential input(s)")


EDGE_CASES = """def edge_cases():
    return [(([[1], [1]],), {}), (([],), {})]
"""


def test_the_models_own_edge_cases_come_first_and_are_named(
    proof: tuple[Path, GateConfig], tmp_path: Path
) -> None:
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
    proof: tuple[Path, GateConfig], tmp_path: Path
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
