"""Recorded inputs that name a file of the base worktree by its absolute path (a test's data
file: packaging's manylinux tests pass the path of an ELF binary under tests/) are read alike by
both sides: the candidate's sandbox, whose private /tmp hides the base worktree, may read it."""

from __future__ import annotations

from pathlib import Path

import pytest
from differential_world import Proof, candidate_copy, prove_checks, recorded_project

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.benchmark import compare_speed
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check
from agentic_action.sandbox.runner import isolation_level

SOURCE = """def has_magic(path, magics):
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return any(head == m for m in magics)
"""
FASTER = SOURCE.replace(
    "    return any(head == m for m in magics)\n",
    "    for m in magics:\n        if head == m:\n            return True\n    return False\n",
)
TESTS = """import os
from elf import has_magic

DATA = os.path.join(os.path.dirname(__file__), "data", "hello.bin")


def test_has_magic():
    assert has_magic(DATA, [b"\\x7fELF"])
    assert not has_magic(DATA, [b"MZ\\x90\\x00"])
"""
TARGET = FunctionTarget("elf.py", "has_magic", 1, 7)


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    files = {"elf.py": SOURCE, "test_elf.py": TESTS, "data/hello.bin": "\x7fELF and more"}
    made, recording = recorded_project(
        tmp_path_factory.mktemp("base"), files, [TARGET], DifferentialSettings(hypothesis=0)
    )
    assert recording.for_target(TARGET).recorded == 2, recording.log_tail
    return made


def test_the_candidate_reads_the_base_files_that_recorded_inputs_name(
    proof: Proof, tmp_path: Path
) -> None:
    assert str(proof[0]).startswith("/tmp/") and isolation_level() == "bwrap"
    behaviour = frozenset({Check.BEHAVIOUR})
    verdict = prove_checks(proof, TARGET, SOURCE, FASTER, tmp_path, behaviour)
    behaviour = next(c for c in verdict.checks if c.name == "behaviour")
    # Before, the candidate's open() failed in its sandbox: "return value: True vs False".
    assert behaviour.outcome is CheckOutcome.PASSED, behaviour.detail
    assert behaviour.data["inputs_compared"] == 2


def test_the_benchmark_times_both_sides_on_the_same_files(proof: Proof, tmp_path: Path) -> None:
    root, config = proof
    assert config.proof is not None and config.proof.inputs_dir is not None
    tree = candidate_copy(proof, tmp_path, {"elf.py": FASTER})
    verdict = compare_speed(root, tree, TARGET, config.proof.inputs_dir, time_budget=0.6)
    assert verdict.evidence is not None, verdict.reason
    # The loop's own gain is about 1.1x; a candidate whose open() failed in its sandbox
    # returned at once and was measured 1.87x.
    assert 0.9 < verdict.evidence.speedup < 1.5, verdict.reason
