"""What the methods tallied (proposals, rejections by check, their own figures) and how many
differential inputs the candidates met reach report.json and the summary (issue 11)."""

from __future__ import annotations

from pathlib import Path

from agentic_action.methods.base import MethodOutcome, Proof
from agentic_action.model import Candidate, CheckOutcome, CheckResult, FunctionTarget, Status
from agentic_action.prove.gate import GateVerdict
from agentic_action.report.json_report import report_to_json
from agentic_action.report.summary import render_summary
from agentic_action.run import RunReport
from agentic_action.settings import Settings

TARGET = FunctionTarget("pkg/mod.py", "dedupe", 1, 10)
PASSED, FAILED = CheckOutcome.PASSED, CheckOutcome.FAILED


def _proof(*checks: tuple[str, CheckOutcome, dict[str, object]]) -> Proof:
    results = tuple(
        CheckResult(name, outcome, name, 0.5, dict(data)) for name, outcome, data in checks
    )
    accepted = all(c.outcome is PASSED for c in results)
    candidate = Candidate(TARGET, "adversarial", "x", (), "test")
    return Proof(candidate, GateVerdict(accepted, "why", results))


def test_the_tally_reaches_report_json_and_the_summary(tmp_path: Path) -> None:
    tried = {"inputs_compared": 70, "sources": {"mutation": 52, "hypothesis": 18}}
    wrong = _proof(("behaviour", PASSED, {}), ("differential", FAILED, tried))
    unusable = _proof(("answer", FAILED, {}))
    right = _proof(("behaviour", PASSED, {}), ("differential", PASSED, tried))
    outcome = MethodOutcome([wrong, unusable, right], right, data={"llm": {"calls": 4}})
    tally = outcome.tally()
    assert tally == {
        "proposals": 3,
        "accepted": 1,
        "rejected_by": {"answer": 1, "differential": 1},
        "data": {"llm": {"calls": 4}},
    }

    report = RunReport(Settings(out=tmp_path), tmp_path, "a" * 40, tmp_path)
    report.method_tally[TARGET.key] = {"method": "adversarial", **tally}
    from agentic_action.agents import _as_result

    report.results = [_as_result(p) for p in (wrong, right)]
    assert [r.status for r in report.results] == [Status.REJECTED, Status.ACCEPTED]
    data = report_to_json(report)
    assert data["methods"]["rejected_by"] == {"answer": 1, "differential": 1}
    assert data["methods"]["by_function"][TARGET.key]["data"]["llm"]["calls"] == 4
    assert data["differential_inputs"]["inputs_tried"] == 140
    assert data["differential_inputs"]["rejected"] == 1
    summary = render_summary(report)
    assert (
        "Methods: 3 proposal(s), 1 accepted; rejected by check: answer 1, differential 1."
        in summary
    )
    assert "Differential inputs: 2 candidate(s) tried on 140 input(s)" in summary


def test_the_pr_body_says_how_many_differential_inputs_the_change_was_tried_on() -> None:
    from dataclasses import replace

    from fake_github_world import result

    from agentic_action.publish.github import PublishItem
    from agentic_action.publish.github.bodies import pr_body
    from agentic_action.publish.github.markers import Marker

    tried = {"inputs_compared": 70, "sources": {"hypothesis": 18, "mutation": 52}}
    checked = replace(result(), checks=(CheckResult("differential", PASSED, "same", 1.1, tried),))
    item = PublishItem(checked, "--- a\n+++ b\n", Path("."), "main", "0" * 40)
    body = pr_body(item, Marker("slug-1", "bafkreiaaaa1111"), None)
    assert "Differential inputs tried: 70 (18 hypothesis, 52 mutation)" in body
