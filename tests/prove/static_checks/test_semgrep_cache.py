"""semgrep's findings by file content: one real semgrep run for many candidates, none again."""

from __future__ import annotations

from pathlib import Path

from static_trees import candidate_tree, head_and_candidate

from agentic_action.model import CheckOutcome
from agentic_action.prove.static_cache import SemgrepCache
from agentic_action.prove.static_checks import (
    prefetch_semgrep,
    run_static_checks,
    static_baseline,
)

HEAD = "def mean(values):\n    return sum(values) / len(values)\n"
FAST = "def mean(values):\n    total = 0.0\n    for v in values:\n        total += v\n"
FAST += "    return total / len(values)\n"
EVAL = "def mean(values):\n    return eval('sum(values)') / len(values)\n"
ASSERTS = "def mean(values):\n    assert values, 'empty'\n    return sum(values) / len(values)\n"


def test_one_semgrep_run_answers_every_prefetched_candidate(tmp_path: Path) -> None:
    head, fast = head_and_candidate(tmp_path, {"calc.py": HEAD}, {"calc.py": FAST})
    flagged = candidate_tree(head, tmp_path / "flagged", {"calc.py": EVAL})
    baseline = static_baseline(head, ["calc.py"], tools=("semgrep",))
    assert baseline.semgrep is not None and baseline.semgrep.batch_runs == 0

    versions = [("calc.py", FAST.encode()), ("calc.py", EVAL.encode()), ("calc.py", FAST.encode())]
    assert prefetch_semgrep(baseline, versions) == 2  # the same version is scanned once
    assert baseline.semgrep.batch_runs == 1

    (passed,) = run_static_checks(fast, ["calc.py"], baseline)
    (failed,) = run_static_checks(flagged, ["calc.py"], baseline)
    assert baseline.semgrep.batch_runs == 1  # neither check ran semgrep again
    assert passed.outcome is CheckOutcome.PASSED and passed.data["from_cache"] is True
    assert failed.outcome is CheckOutcome.FAILED and failed.data["from_cache"] is True
    assert "calc.py:2 eval-exec" in failed.detail, failed.detail
    assert prefetch_semgrep(baseline, versions) == 0  # nothing left to scan


def test_a_file_keeps_its_path_in_the_batch_so_path_rules_still_apply(tmp_path: Path) -> None:
    files = {"pkg/calc.py": HEAD, "tests/test_calc.py": HEAD}
    head, _ = head_and_candidate(tmp_path, files, files)
    baseline = static_baseline(head, list(files), tools=("semgrep",))
    versions = [("pkg/calc.py", ASSERTS.encode()), ("tests/test_calc.py", ASSERTS.encode())]
    assert prefetch_semgrep(baseline, versions) == 2
    assert baseline.semgrep is not None
    in_package = baseline.semgrep.get("pkg/calc.py", ASSERTS.encode())
    in_tests = baseline.semgrep.get("tests/test_calc.py", ASSERTS.encode())
    assert in_package is not None and [f.code for f in in_package] == ["assert-used-for-validation"]
    assert in_package[0].file == "pkg/calc.py" and in_package[0].text == "assert values, 'empty'"
    assert in_tests == ()  # the rule leaves tests/ alone, in the batch as on HEAD


def test_answers_kept_in_a_folder_spare_the_next_run_its_semgrep_runs(tmp_path: Path) -> None:
    keep = tmp_path / "state" / "static"
    head, flagged = head_and_candidate(tmp_path, {"calc.py": HEAD}, {"calc.py": EVAL})
    first = static_baseline(head, ["calc.py"], tools=("semgrep",), keep=keep)
    (failed,) = run_static_checks(flagged, ["calc.py"], first)
    assert failed.outcome is CheckOutcome.FAILED and "from_cache" not in failed.data

    again = static_baseline(head, ["calc.py"], tools=("semgrep",), keep=keep)
    (still_failed,) = run_static_checks(flagged, ["calc.py"], again)
    assert again.run_for("semgrep").info["from_cache"] is True
    assert still_failed.outcome is CheckOutcome.FAILED and still_failed.data["from_cache"] is True
    assert still_failed.detail == failed.detail


def test_only_the_same_path_and_bytes_are_answered(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    one = SemgrepCache(keep, ("semgrep",))
    one.put("calc.py", b"x = 1\n", ())
    assert SemgrepCache(keep, ("semgrep",)).get("calc.py", b"x = 1\n") == ()
    assert SemgrepCache(keep, ("semgrep",)).get("calc.py", b"x = 2\n") is None
    assert SemgrepCache(keep, ("semgrep",)).get("other.py", b"x = 1\n") is None
