"""The original's per-call bound during the differential inputs' preparation: an input that
takes the original more than 100x its slowest recorded call (at least 0.1 s) is outside the
workload, dropped and counted; a hang the bound cannot stop (a long C call) ends the replay
process, which then resumes after it. A candidate that hangs where the original finishes is
still rejected. All through real sandboxed processes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from differential_world import Proof, prove_differential, recorded_project

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.behaviour.replay import outcome_records
from agentic_action.prove.differential import DifferentialSettings, prepare_inputs
from agentic_action.prove.differential import check as differential_check
from agentic_action.prove.differential.check import CANDIDATE_START_SECONDS
from agentic_action.prove.differential.original import CALL_FLOOR, call_bound
from agentic_action.prove.gate import GateVerdict

# A huge k spins the Python loop (stopped by the per-call bound); a huge n spins sum() in C,
# where no signal handler runs, so it ends the replay process at its time limit.
SPREAD = """def spread(n, k):
    while k > 0:
        k -= 1
    return sum(range(n)) + k
"""
CLOSED_FORM = SPREAD.replace("    while k > 0:\n        k -= 1\n", "").replace("+ k", "+ min(k, 0)")
HANGS_ON_NEGATIVE = SPREAD.replace("while k > 0:", "while k != 0:")
TESTS = """from pkg.spread import spread


def test_spread():
    assert spread(3, 2) == 3
"""
TARGET = FunctionTarget("pkg/spread.py", "spread", 1, 4)
SETTINGS = DifferentialSettings(seconds=0.5, hypothesis=0)  # replay process limit: 5 s
HUGE = [f"mutation 'argument {i}: huge-int' of recorded input #0" for i in (0, 1)]


@pytest.fixture(scope="module")
def proof(tmp_path_factory: pytest.TempPathFactory) -> Proof:
    """The repository and a gate config with its recorded input (recorded once)."""
    files = {"pkg/__init__.py": "", "pkg/spread.py": SPREAD, "tests/test_spread.py": TESTS}
    base = tmp_path_factory.mktemp("spread")
    made, recording = recorded_project(base, files, [TARGET], SETTINGS)
    assert recording.for_target(TARGET).recorded == 1
    return made


def _prove(proof: Proof, source: str, tmp_path: Path) -> GateVerdict:
    return prove_differential(proof, TARGET, SPREAD, source, tmp_path)


def test_the_bound_is_100x_the_slowest_recorded_call_between_the_floor_and_the_ceiling() -> None:
    assert call_bound(None, 2.0) == 2.0  # nothing timed: the settings' bound, as before
    assert call_bound(0.00002, 2.0) == CALL_FLOOR == 0.1
    assert call_bound(0.004, 2.0) == pytest.approx(0.4)
    assert call_bound(0.05, 2.0) == 2.0


def test_inputs_past_the_bound_are_dropped_and_the_replay_resumes_after_a_c_level_hang(
    proof: Proof, tmp_path: Path
) -> None:
    root, config = proof
    assert config.proof is not None and config.proof.inputs_dir is not None
    inputs = config.proof.inputs_dir
    prepared = prepare_inputs(sys.executable, root, TARGET, inputs, tmp_path / "w", SETTINGS)
    assert prepared.error is None and prepared.recorded_slowest is not None
    assert prepared.call_bound == call_bound(prepared.recorded_slowest, SETTINGS.seconds)
    assert sorted(prepared.dropped) == HUGE
    generated = len(prepared.manifest["inputs"])
    assert prepared.count == generated - len(HUGE) - prepared.outside_domain > 0
    for run in (prepared.first, prepared.again):  # every kept input finished in both runs
        kinds = [r["kind"] for r in outcome_records(run) if r.get("event") == "done"]
        assert len(kinds) == prepared.count and set(kinds) <= {"return", "raise"}


def test_a_candidate_equal_on_the_kept_inputs_passes_and_the_dropped_are_reported(
    proof: Proof, tmp_path: Path
) -> None:
    verdict = _prove(proof, CLOSED_FORM, tmp_path)
    (check,) = verdict.checks
    assert verdict.accepted, check.detail
    assert sorted(check.data["dropped_original_hangs"]) == HUGE
    bound = check.data["original_call_bound"]
    assert CALL_FLOOR <= bound <= SETTINGS.seconds
    assert re.search(r"\(2 dropped: each took the original over [0-9.]+ s\)$", check.detail)


def test_a_candidate_hanging_where_the_original_finishes_is_still_rejected(
    proof: Proof, tmp_path: Path
) -> None:
    verdict = _prove(proof, HANGS_ON_NEGATIVE, tmp_path)
    (check,) = verdict.checks
    assert check.outcome is CheckOutcome.FAILED and check.data["candidate_hangs"]
    assert check.detail.startswith("the candidate hangs on differential input")
    assert "argument 1: negative" in check.data["origin"]
    assert sorted(check.data["dropped_original_hangs"]) == HUGE


def test_a_candidate_slow_to_start_is_not_taken_for_a_hang(proof: Proof, tmp_path: Path) -> None:
    """Its replay's time limit is 4x the original's plus CANDIDATE_START_SECONDS for the
    process start and the import, which a loaded machine can slow down far beyond 4x."""
    root, config = proof
    assert config.proof is not None and config.proof.inputs_dir is not None
    inputs = config.proof.inputs_dir
    prepared = prepare_inputs(sys.executable, root, TARGET, inputs, tmp_path / "w", SETTINGS)
    pause = max(SETTINGS.seconds, 4 * prepared.original_seconds) + 1.0
    assert pause < CANDIDATE_START_SECONDS
    slow_import = f"import time\n\ntime.sleep({pause:.2f})\n\n\n" + CLOSED_FORM
    verdict = _prove(proof, slow_import, tmp_path / "candidate")
    (check,) = verdict.checks
    assert verdict.accepted, check.detail
    assert check.data["inputs_compared"] > 0 and not check.data.get("candidate_hangs")


def test_a_candidate_that_runs_out_of_time_before_a_call_is_not_said_to_differ(
    proof: Proof, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past even that allowance (here a 1 s limit for the whole replay, and a 4 s import), the
    verdict names the time, not a behaviour or a hang."""
    monkeypatch.setattr(differential_check, "candidate_timeout", lambda prepared, settings: 1.0)
    slow_import = "import time\n\ntime.sleep(4)\n\n\n" + CLOSED_FORM
    verdict = _prove(proof, slow_import, tmp_path / "candidate")
    (check,) = verdict.checks
    assert check.outcome is CheckOutcome.FAILED and not check.data["candidate_hangs"]
    assert check.detail.startswith("the candidate's replay ran out of time before differential")
    assert "was not reached: its replay ran out of time before this call began" in check.detail
