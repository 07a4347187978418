"""The benchmark harness on real sandboxed workers (small budgets: these prove behaviour, the
calibration figures live in benchmarks/calibrate_harness.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import gitrepos
import pytest

from agentic_action.model import CheckOutcome, FunctionTarget
from agentic_action.prove.benchmark import SpeedVerdict, compare_speed
from agentic_action.record import write_input

WORK = (
    "def work(n):\n    total = 0\n    for i in range(n * {factor}):\n"
    "        total += i % 7\n    return total\n"
)
TARGET = FunctionTarget("calc.py", "work", 1, 5)
QUICK = {"time_budget": 0.6, "lanes": 3}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(base folder, original root, inputs)."""
    base = tmp_path_factory.mktemp("bench")
    root = gitrepos.make_repo(base / "original", {"calc.py": WORK.format(factor=20)})
    for n in (100, 120):
        write_input(base / "inputs", TARGET.key, (n,))
    return base, root, base / "inputs"


def _candidate(setup: tuple[Path, Path, Path], name: str, source: str) -> Path:
    base, root, _ = setup
    folder = base / name
    if not folder.exists():
        shutil.copytree(root, folder, ignore=shutil.ignore_patterns(".git"))
        (folder / "calc.py").write_text(source)
    return folder


def _run(setup: tuple[Path, Path, Path], name: str, source: str) -> SpeedVerdict:
    _, root, inputs = setup
    return compare_speed(root, _candidate(setup, name, source), TARGET, inputs, **QUICK)  # type: ignore[arg-type]


def test_an_identical_pair_is_not_accepted(setup: tuple[Path, Path, Path]) -> None:
    verdict = _run(setup, "same", WORK.format(factor=20))
    assert not verdict.accepted, verdict.reason
    assert verdict.evidence is not None and verdict.evidence.samples >= 6
    assert verdict.to_check().outcome is CheckOutcome.FAILED


def test_a_clearly_faster_candidate_is_accepted_with_its_interval_above_one(
    setup: tuple[Path, Path, Path],
) -> None:
    verdict = _run(setup, "twice", WORK.format(factor=10))
    assert verdict.accepted, verdict.reason
    evidence = verdict.evidence
    assert evidence is not None
    assert 1.0 < evidence.ci_low <= evidence.speedup <= evidence.ci_high
    assert 1.5 < evidence.speedup < 2.7
    assert evidence.significant
    assert evidence.original_seconds > evidence.candidate_seconds > 0
    assert "3 pairs of sandboxed processes" in evidence.method
    assert verdict.reason.startswith(f"faster: {evidence.speedup:.2f}x (95% CI")
    check = verdict.to_check()
    assert (check.name, check.outcome, check.data["speedup"]) == (
        "benchmark",
        CheckOutcome.PASSED,
        evidence.speedup,
    )


def test_a_slower_candidate_is_rejected_as_slower(setup: tuple[Path, Path, Path]) -> None:
    verdict = _run(setup, "slower", WORK.format(factor=40))
    assert not verdict.accepted
    assert verdict.reason.startswith("slower: 0.")
    assert verdict.evidence is not None and verdict.evidence.ci_high < 1.0


def test_a_candidate_that_hangs_is_rejected_without_hanging_the_run(
    setup: tuple[Path, Path, Path],
) -> None:
    verdict = _run(setup, "hang", "def work(n):\n    while True:\n        pass\n")
    assert not verdict.accepted
    assert verdict.reason == (
        "the candidate could not be benchmarked: no answer within 2.0 s (endless loop?) "
        "(stopped by its watchdog)"
    )
    assert verdict.seconds < 30


def test_a_candidate_that_kills_its_interpreter_is_rejected(setup: tuple[Path, Path, Path]) -> None:
    verdict = _run(setup, "exit", "import os\n\ndef work(n):\n    os._exit(3)\n")
    assert not verdict.accepted
    assert "the other side closed the connection" in verdict.reason
    assert verdict.to_check().outcome is CheckOutcome.FAILED


def test_a_candidate_that_does_not_import_is_rejected(setup: tuple[Path, Path, Path]) -> None:
    verdict = _run(setup, "broken", "def work(n):\n    return (\n")
    assert not verdict.accepted
    assert "cannot load the target" in verdict.reason and "SyntaxError" in verdict.reason


def test_an_original_that_cannot_be_benchmarked_is_an_error_not_a_rejection(
    setup: tuple[Path, Path, Path],
) -> None:
    _, root, inputs = setup
    broken = _candidate(setup, "broken-original", "def work(n):\n    return (\n")
    verdict = compare_speed(broken, root, TARGET, inputs, **QUICK)  # type: ignore[arg-type]
    assert verdict.to_check().outcome is CheckOutcome.ERROR
    assert verdict.reason.startswith("the original could not be benchmarked")


def test_speed_is_never_measured_without_recorded_inputs(setup: tuple[Path, Path, Path]) -> None:
    base, root, _ = setup
    verdict = compare_speed(root, root, TARGET, base / "no-inputs", **QUICK)  # type: ignore[arg-type]
    assert (verdict.accepted, verdict.evidence) == (False, None)
    assert verdict.to_check().outcome is CheckOutcome.SKIPPED
    assert "speed is only measured on real inputs" in verdict.reason


def test_functions_that_mutate_their_arguments_are_timed_on_fresh_copies(tmp_path: Path) -> None:
    source = "def first(xs):\n    xs.sort()\n    return xs[0]\n"
    root = gitrepos.make_repo(tmp_path / "original", {"m.py": source})
    target = FunctionTarget("m.py", "first", 1, 3)
    write_input(tmp_path / "inputs", target.key, (list(range(300, 0, -1)),))
    verdict = compare_speed(root, root, target, tmp_path / "inputs", **QUICK)  # type: ignore[arg-type]
    assert verdict.details["fresh_copies"] is True
    assert verdict.evidence is not None and "on fresh argument copies" in verdict.evidence.method


def test_bad_settings_are_refused_at_the_door(setup: tuple[Path, Path, Path]) -> None:
    _, root, inputs = setup
    with pytest.raises(ValueError, match="time_budget=0"):
        compare_speed(root, root, TARGET, inputs, time_budget=0)
    with pytest.raises(ValueError, match="min_speedup=10"):
        compare_speed(root, root, TARGET, inputs, min_speedup=5 * 2)


@pytest.mark.parametrize(
    ("source", "n"),
    [
        # A finite generator whose work is in its items, not in the call that creates it.
        ("def items(n):\n    for i in range(n):\n        yield i % 7\n", 30_000),
        # An endless one (boltons' backoff_iter without a count): timed up to the items the
        # behaviour check compares.
        ("def items(n):\n    while True:\n        yield n\n        n += 1\n", 1),
    ],
)
def test_a_generator_is_timed_over_its_items(tmp_path: Path, source: str, n: int) -> None:
    target = FunctionTarget("gen.py", "items", 1, source.count("\n"))
    root = gitrepos.make_repo(tmp_path / "original", {"gen.py": source})
    write_input(tmp_path / "inputs", target.key, (n,))
    faster = tmp_path / "candidate"
    shutil.copytree(root, faster, ignore=shutil.ignore_patterns(".git"))
    verdict = compare_speed(root, faster, target, tmp_path / "inputs", **QUICK)  # type: ignore[arg-type]
    # Before the items were timed, calibration saw only the call (microseconds), chose
    # thousands of calls per sample, and draining them overran the worker's time limit.
    assert verdict.evidence is not None, verdict.reason
    assert verdict.details["consumes_iterators"] is True
    assert not verdict.accepted and "could not be benchmarked" not in verdict.reason
