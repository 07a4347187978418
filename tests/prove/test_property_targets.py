"""Read-only properties and functools.cached_property as targets, end to end: their real inputs
(``self``) recorded while the tests run, a candidate of the getter compared with the original
on them (behaviour and differential checks of the gate) and timed by the benchmark, all through
real sandboxed processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from differential_world import Proof, candidate_copy, prove_checks, recorded_project

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.benchmark import compare_speed
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check, GateVerdict
from agentic_action.rewrite import rewrite_function

SOURCE = """import functools


class Version:
    def __init__(self, release, spin=1):
        self.release = release
        self.spin = spin

    @property
    def public(self):
        return ".".join(list(str(p) for p in self.release))

    @functools.cached_property
    def key(self):
        return tuple(list(p for p in reversed(self.release) if p))

    @property
    def work(self):
        total = 0
        for i in range(self.spin * 20):
            total += i % 7
        return total
"""
TESTS = """from pkg.version import Version


def test_version():
    assert Version([1, 2, 3]).public == "1.2.3"
    assert Version([4, 0]).public == "4.0"
    v = Version([1, 0, 2])
    assert v.key == (2, 1) and v.key is v.key
    assert Version([7]).key == (7,)
    assert Version([1], 100).work == 5995
    assert Version([1], 120).work == 7197
"""
PUBLIC = FunctionTarget("pkg/version.py", "Version.public", 9, 11)
KEY = FunctionTarget("pkg/version.py", "Version.key", 13, 15)
WORK = FunctionTarget("pkg/version.py", "Version.work", 17, 22)
LOOP = """        total = 0
        for i in range(self.spin * 20):
            total += i % 7
        return total
"""
CLOSED_FORM = """        full, rest = divmod(self.spin * 20, 7)
        return 21 * full + rest * (rest - 1) // 2
"""
CHECKS = frozenset({Check.BEHAVIOUR, Check.DIFFERENTIAL})


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    files = {"pkg/__init__.py": "", "pkg/version.py": SOURCE, "tests/test_version.py": TESTS}
    base = tmp_path_factory.mktemp("version")
    settings = DifferentialSettings(hypothesis=0)
    made, recording = recorded_project(base, files, [PUBLIC, KEY, WORK], settings)
    assert recording.tests_ok, recording.log_tail
    assert [recording.for_target(t).recorded for t in (PUBLIC, KEY, WORK)] == [2, 2, 2]
    return made


def _prove(proof: Proof, target: FunctionTarget, source: str, tmp_path: Path) -> GateVerdict:
    return prove_checks(proof, target, SOURCE, source, tmp_path, CHECKS)


@pytest.mark.parametrize("target", [PUBLIC, KEY], ids=["property", "cached_property"])
def test_a_rules_rewrite_of_a_getter_is_compared_on_the_recorded_instances(
    proof: Proof, target: FunctionTarget, tmp_path: Path
) -> None:
    rewritten = rewrite_function(SOURCE, target.qualname)
    assert [e.rule for e in rewritten.edits] == ["AO120"]  # list(genexp) -> [listcomp]
    verdict = _prove(proof, target, rewritten.new_source, tmp_path)
    assert verdict.accepted, verdict.reason
    behaviour = verdict.checks[0]
    assert (behaviour.name, behaviour.outcome) == ("behaviour", CheckOutcome.PASSED)
    assert behaviour.data["inputs_compared"] == 2
    differential = verdict.checks[1]  # the only argument is the instance, never mutated (as a
    # method's): no inputs are built around the recorded ones
    assert (differential.name, differential.outcome) == ("differential", CheckOutcome.SKIPPED)
    assert differential.data["unmutated_calls"] == 2


def test_a_wrong_property_candidate_is_rejected_by_the_behaviour_check(
    proof: Proof, tmp_path: Path
) -> None:
    wrong = SOURCE.replace("for p in self.release))", "for p in self.release[:2]))")
    verdict = _prove(proof, PUBLIC, wrong, tmp_path)
    assert not verdict.accepted
    behaviour = verdict.checks[-1]
    assert (behaviour.name, behaviour.outcome) == ("behaviour", CheckOutcome.FAILED)
    assert verdict.reason == (
        "behaviour failed: behaviour differs on recorded input #0: return value: '1.2.3' vs '1.2'"
    )
    assert "input #0: Version.public(<pkg.version.Version object at 0x…>)" in str(behaviour.data)


def test_a_faster_property_getter_is_measured_faster_on_the_recorded_instances(
    proof: Proof, tmp_path: Path
) -> None:
    root, config = proof
    assert config.proof is not None and config.proof.inputs_dir is not None
    tree = candidate_copy(proof, tmp_path, {"pkg/version.py": SOURCE.replace(LOOP, CLOSED_FORM)})
    verdict = compare_speed(root, tree, WORK, config.proof.inputs_dir, time_budget=0.6, lanes=3)
    assert verdict.accepted, verdict.reason
    assert verdict.evidence is not None and verdict.evidence.speedup > 1.3
