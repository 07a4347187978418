"""Replaying recorded inputs on the original and a candidate, and comparing what they do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from oracle_shop import PARSE, SQUARES, TOTAL

from agentic_action.model import CheckOutcome
from agentic_action.prove.behaviour import check_behaviour
from agentic_action.prove.behaviour.check import OriginalsCache
from agentic_action.record import RecordingReport

Recorded = tuple[Path, Path, RecordingReport]
Make = Callable[[str, str], Path]
SUM = "    return sum(xs) * scale\n"


def test_an_equivalent_candidate_passes(recorded: Recorded, candidate: Make) -> None:
    original, inputs, _ = recorded
    faster = "    s = 0\n    for x in xs:\n        s += x\n    return s * scale\n"
    verdict = check_behaviour(original, candidate(SUM, faster), TOTAL, inputs, timeout=60)
    assert verdict.equivalent, verdict.reason
    assert (verdict.inputs_compared, verdict.nondeterministic) == (3, 0)
    check = verdict.to_check()
    assert (check.name, check.outcome) == ("behaviour", CheckOutcome.PASSED)
    assert check.data["inputs_compared"] == 3


def test_a_candidate_that_differs_on_one_input_is_rejected_and_that_input_shown(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    wrong = "    return sum(xs) * scale + (scale == 3)\n"
    verdict = check_behaviour(original, candidate(SUM, wrong), TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert verdict.to_check().outcome is CheckOutcome.FAILED
    assert verdict.first_difference == (
        "input #1: total([2], scale=3)\n"
        "  original:  returned 6\n"
        "  candidate: returned 7\n"
        "  difference: return value: 6 vs 7"
    )


def test_a_changed_exception_type_is_detected(recorded: Recorded, candidate: Make) -> None:
    original, inputs, _ = recorded
    changed = candidate(
        "    return int(text)\n",
        "    if not text.isdigit():\n        raise TypeError(text)\n    return int(text)\n",
    )
    verdict = check_behaviour(original, changed, PARSE, inputs, timeout=60)
    assert not verdict.equivalent
    assert "raised builtins.ValueError: invalid literal for int() with base 10: 'twelve'" in (
        verdict.first_difference or ""
    )
    assert "candidate: raised builtins.TypeError: twelve" in (verdict.first_difference or "")


def test_mutating_an_argument_is_detected(recorded: Recorded, candidate: Make) -> None:
    original, inputs, _ = recorded
    mutating = "    xs.reverse()\n    return sum(xs) * scale\n"
    verdict = check_behaviour(original, candidate(SUM, mutating), TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert "mutation of arguments differs" in verdict.reason
    assert (
        "argument 0 after the call: [1, 2, 3] vs [3, 2, 1] (at args[0][0]: 1 vs 3)"
        in verdict.reason
    )


def test_printing_is_a_difference_in_behaviour(recorded: Recorded, candidate: Make) -> None:
    original, inputs, _ = recorded
    noisy = candidate(SUM, "    print('debug', xs)\n" + SUM)
    verdict = check_behaviour(original, noisy, TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert "printed stdout differs: '' vs 'debug [1, 2, 3]\\n'" in verdict.reason


def test_writing_files_is_detected_and_the_files_are_removed(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    root = candidate(SUM, "    open('cache.txt', 'w').write(str(xs))\n" + SUM)
    verdict = check_behaviour(original, root, TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert "file-system writes differ: [] vs [['open', 'cache.txt'," in verdict.reason
    assert not (root / "cache.txt").exists()


def test_a_candidate_that_exits_the_interpreter_is_rejected_as_a_crash(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    root = candidate(SUM, "    if scale == 3:\n        import os; os._exit(0)\n" + SUM)
    verdict = check_behaviour(original, root, TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert "candidate: crashed the interpreter (exit code 0)" in (verdict.first_difference or "")
    assert verdict.first_difference.startswith("input #1: total([2], scale=3)")  # type: ignore[union-attr]


def test_a_candidate_that_segfaults_is_rejected_and_the_other_inputs_still_compared(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    root = candidate(SUM, "    if scale == 3:\n        import ctypes; ctypes.string_at(0)\n" + SUM)
    verdict = check_behaviour(original, root, TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert "SIGSEGV" in (verdict.first_difference or "")
    assert verdict.inputs_compared == 3
    assert verdict.notes == ("candidate: 1 crash(es)",)


def test_a_candidate_that_loops_forever_is_rejected_at_the_time_limit(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    root = candidate(SUM, "    while scale == 3:\n        pass\n" + SUM)
    verdict = check_behaviour(original, root, TOTAL, inputs, timeout=3)
    assert not verdict.equivalent
    assert "candidate: did not finish within the time limit" in (verdict.first_difference or "")


def test_a_candidate_that_does_not_import_is_rejected(recorded: Recorded, candidate: Make) -> None:
    original, inputs, _ = recorded
    verdict = check_behaviour(original, candidate(SUM, "    return (\n"), TOTAL, inputs, timeout=60)
    assert not verdict.equivalent
    assert verdict.reason.startswith("the candidate cannot be imported: importing 'shop.calc'")
    assert verdict.to_check().outcome is CheckOutcome.FAILED


def test_each_call_starts_with_cleared_functools_caches(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    # Equal to the original only if the original's lru_cache is cold at every call: the
    # second recorded input, squares(2), would otherwise report 0 misses.
    unmemoized = "    return [i * i for i in range(n)], n\n\n\ndef _unused():\n"
    root = candidate("    before = _square.cache_info().misses\n", unmemoized)
    verdict = check_behaviour(original, root, SQUARES, inputs, timeout=60)
    assert verdict.equivalent, verdict.reason
    assert verdict.inputs_compared == 2


def test_float_results_can_be_compared_with_a_stated_tolerance(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    drift = "    r = sum(xs) * scale\n    return r * (1 + 1e-12) if isinstance(r, float) else r\n"
    root = candidate(SUM, drift)
    strict = check_behaviour(original, root, TOTAL, inputs, timeout=60)
    assert not strict.equivalent
    assert strict.reason.endswith("input #2: return value: 4.0 vs 4.000000000004")
    tolerant = check_behaviour(original, root, TOTAL, inputs, timeout=60, float_rel_tol=1e-9)
    assert tolerant.equivalent, tolerant.reason


def test_a_result_of_another_type_differs_even_when_equal(
    recorded: Recorded, candidate: Make
) -> None:
    original, inputs, _ = recorded
    root = candidate(SUM, "    return float(sum(xs) * scale)\n")
    verdict = check_behaviour(original, root, TOTAL, inputs, timeout=60, float_rel_tol=1e-9)
    assert "return value: builtins.int 6 vs builtins.float 6.0" in verdict.reason


def test_the_originals_replays_are_done_once_and_serve_every_candidate(
    recorded: Recorded, candidate: Make, tmp_path: Path
) -> None:
    original, inputs, _ = recorded
    cache, folder = OriginalsCache(), tmp_path / "originals" / "total"
    faster = "    s = 0\n    for x in xs:\n        s += x\n    return s * scale\n"
    wrong = "    return sum(xs) * scale + (scale == 3)\n"
    first = check_behaviour(
        original, candidate(SUM, faster), TOTAL, inputs, timeout=60, originals=(cache, folder)
    )
    replays = sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/outcomes.jsonl"))
    assert replays == ["original-again/outcomes.jsonl", "original/outcomes.jsonl"]
    written = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    second = check_behaviour(
        original, candidate(SUM, wrong), TOTAL, inputs, timeout=60, originals=(cache, folder)
    )
    assert first.equivalent and first.inputs_compared == 3, first.reason
    assert not second.equivalent and "input #1: total([2], scale=3)" in (
        second.first_difference or ""
    )  # judged against the kept replays, which nothing replayed or touched again
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == written
