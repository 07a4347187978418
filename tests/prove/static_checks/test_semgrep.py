"""semgrep, with the rules shipped in this package, rejects a candidate that adds a finding."""

from __future__ import annotations

from pathlib import Path

from static_trees import candidate_tree, head_and_candidate

from agentic_action.model import CheckOutcome
from agentic_action.prove.static_checks import run_static_checks, static_baseline

HEAD = '''def evaluate(expression, names):
    """Evaluate a trusted expression (flagged on HEAD already)."""
    return eval(expression, names)


def mean(values):
    return sum(values) / len(values)
'''

MOVED = '''def mean(values):
    total = 0.0
    for value in values:
        total += value
    return total / len(values)


def evaluate(expression, names):
    """Evaluate a trusted expression (flagged on HEAD already)."""
    return eval(expression, names)
'''

SECOND_COPY = HEAD.replace(
    "    return sum(values) / len(values)", "    return eval('sum(values)') / len(values)"
)
PICKLED = HEAD.replace(
    "def mean(values):", "import pickle\n\n\ndef mean(values):\n    values = pickle.loads(values)"
)


def test_moved_flagged_code_passes_and_a_second_copy_fails_naming_its_line(
    tmp_path: Path,
) -> None:
    head, moved = head_and_candidate(tmp_path, {"calc.py": HEAD}, {"calc.py": MOVED})
    copied = candidate_tree(head, tmp_path / "copied", {"calc.py": SECOND_COPY})
    baseline = static_baseline(head, ["calc.py"], tools=("semgrep",))
    assert len(baseline.run_for("semgrep").findings) == 1

    (passed,) = run_static_checks(moved, ["calc.py"], baseline)
    assert passed.outcome is CheckOutcome.PASSED, passed.detail
    assert passed.data["head"] == passed.data["candidate"] == 1

    (failed,) = run_static_checks(copied, ["calc.py"], baseline)
    assert failed.outcome is CheckOutcome.FAILED
    assert failed.data["new_findings"] == [
        "calc.py:7 eval-exec eval()/exec()/compile() of a string runs arbitrary code; "
        "an optimization must not introduce it."
    ]


def test_a_candidate_that_adds_unsafe_deserialization_fails(tmp_path: Path) -> None:
    head, candidate = head_and_candidate(tmp_path, {"calc.py": HEAD}, {"calc.py": PICKLED})
    baseline = static_baseline(head, ["calc.py"], tools=("semgrep",))
    (result,) = run_static_checks(candidate, ["calc.py"], baseline)
    assert result.outcome is CheckOutcome.FAILED
    assert "calc.py:10 unsafe-deserialization pickle.loads()" in result.detail
