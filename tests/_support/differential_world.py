"""A repository with recorded inputs and the gate's differential check on a candidate."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import gitrepos

from agentic_action.model import Candidate, FunctionTarget
from agentic_action.prove.change import Change
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import Check, GateConfig, GateVerdict, prove_change
from agentic_action.prove.plan import ProofPlan
from agentic_action.record import RecordingReport, record_inputs
from agentic_action.sandbox.pytest_runner import PytestOptions

Proof = tuple[Path, GateConfig]


def recorded_project(
    base: Path,
    files: dict[str, str],
    targets: Sequence[FunctionTarget],
    settings: DifferentialSettings,
) -> tuple[Proof, RecordingReport]:
    """The repository of ``files`` under ``base`` with the real inputs of ``targets`` recorded,
    and a gate config whose proof plan builds differential inputs with ``settings``."""
    root = gitrepos.make_repo(base / "original", files)
    recording = record_inputs(root, list(targets), out_dir=base / "inputs", timeout=120)
    plan = ProofPlan(
        "standard", root, sys.executable, inputs_dir=base / "inputs", differential=settings
    )
    scratch = base / "scratch"
    scratch.mkdir()
    return (root, GateConfig(PytestOptions(sys.executable, 120), 80.0, scratch, plan)), recording


def prove_checks(
    proof: Proof,
    target: FunctionTarget,
    original: str,
    source: str,
    tmp_path: Path,
    checks: frozenset[Check],
    method: str = "rules",
) -> GateVerdict:
    """The gate's ``checks`` on ``source`` in a fresh copy of the repository."""
    change = Change.of_candidate(Candidate(target, method, source, (), "test"), original)
    return prove_change(candidate_copy(proof, tmp_path), change, proof[1], checks=checks)


def candidate_copy(proof: Proof, tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A fresh copy of the repository (without .git) for a candidate, ``files`` written in."""
    tree = tmp_path / "candidate"
    shutil.copytree(proof[0], tree, ignore=shutil.ignore_patterns(".git"))
    for name, text in (files or {}).items():
        (tree / name).write_text(text)
    return tree


def prove_differential(
    proof: Proof,
    target: FunctionTarget,
    original: str,
    source: str,
    tmp_path: Path,
    method: str = "rules",
) -> GateVerdict:
    """The gate's differential check on ``source`` in a fresh copy of the repository."""
    differential = frozenset({Check.DIFFERENTIAL})
    return prove_checks(proof, target, original, source, tmp_path, differential, method)
