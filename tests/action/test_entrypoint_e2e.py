"""entrypoint.py run as a runner runs it: optimize events, skipped events, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import action_events as ev
import pytest
from action_runner import ActionRunner, Optimized, copy_workspace
from gitrepos import git


def test_scheduled_run_reports_outputs_summary_report_and_patches(optimized: Optimized) -> None:
    run, report = optimized.run, optimized.report
    accepted = optimized.accepted()
    assert accepted, "the example has known slow spots"
    assert run.outputs["command"] == "optimize"
    assert run.outputs["outcome"] == "completed"
    assert run.outputs["mode-used"] == "patch"
    functions = [r for r in accepted if not r["merged_from"]]  # a combination is not counted
    assert run.outputs["accepted"] == str(len(functions)) == str(report["totals"]["accepted"])
    assert f"## agentic-optimizer: {len(functions)} accepted" in run.summary
    assert run.outputs["rejected"] == str(report["totals"]["rejected"])
    assert Path(run.outputs["report-path"]) == optimized.out / "report.json"
    assert run.outputs["patch-cids"].split() == [r["patch"]["cid"] for r in accepted]
    for result in accepted:
        assert (optimized.out / result["patch"]["path"]).is_file()
    assert (Path(run.outputs["patches-dir"]) / "index.json").is_file()
    assert run.outputs["pr-urls"] == ""
    assert "- Trigger: `schedule`" in run.summary
    assert "Targets (from the `targets` input): `shop/**/*.py`" in run.summary
    assert git(optimized.workspace, "status", "--porcelain") == ""


def test_accepted_improvements_are_annotated_at_their_function(optimized: Optimized) -> None:
    notices = optimized.run.commands("notice")  # good news is a notice, not a warning
    assert not [w for w in optimized.run.commands("warning") if "proven" in str(w.properties)]
    for result in optimized.accepted():
        if result["merged_from"]:
            continue  # the combination of several functions' patches: its parts are annotated
        matching = [
            w
            for w in notices
            if w.properties.get("file") == result["file"]
            and w.properties.get("line") == str(result["lines"][0])
        ]
        assert len(matching) == 1, result["function"]
        note = matching[0]
        assert note.properties["endLine"] == str(result["lines"][1])
        assert note.properties["title"] == "agentic-optimizer: faster version proven"
        assert result["patch"]["cid"] in note.data


def test_run_logs_are_grouped_and_repository_text_cannot_issue_commands(
    optimized: Optimized,
) -> None:
    names = [c.name for c in optimized.run.commands()]
    assert names[0] == "group" and "endgroup" in names
    inside = optimized.run.stdout.split("::group::", 1)[1].split("::endgroup::", 1)[0]
    assert "[agentic-optimizer] plan:" in inside  # progress is logged inside the group...
    assert "::stop-commands::" in inside  # ...with workflow commands switched off


def test_issue_labelled_needs_optimization_optimizes_the_targets_it_names(
    optimized: Optimized, tmp_path: Path
) -> None:
    runner = ActionRunner(tmp_path, copy_workspace(optimized.workspace, tmp_path))
    body = "Receipts take ages at checkout.\n\n```targets\nshop/receipts.py\n```\n"
    run = runner.run("issues", ev.issues_labeled(7, body), inputs={"mode": "patch"})
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(Path(run.outputs["report-path"]).read_text())
    assert report["run"]["targets"] == ["shop/receipts.py"]
    assert "(issue #7)" in report["run"]["description"]
    assert {r["file"] for r in report["results"]} == {"shop/receipts.py"}
    # every candidate went through the gate (receipts' wins are small: whether one passes the
    # per-input rule depends on the machine, so the count itself is not the point here)
    assert report["results"] and all(r["checks"] for r in report["results"])
    assert int(run.outputs["accepted"]) == report["totals"]["accepted"]
    assert "- Issue: #7" in run.summary
    assert "Targets (from the issue): `shop/receipts.py`" in run.summary


def test_an_issue_without_targets_uses_the_input_and_improving_nothing_succeeds(
    tmp_path: Path,
) -> None:
    runner = ActionRunner(tmp_path, _empty_repo(tmp_path))
    run = runner.run(
        "issues",
        ev.issues_labeled(8, "It is slow, please help."),
        inputs={"targets": "nothing/**/*.py", "mode": "patch"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    notes = [c.data for c in run.commands("warning")]
    assert any("issue #8 names no targets" in n for n in notes)
    assert (run.outputs["outcome"], run.outputs["accepted"]) == ("completed", "0")
    assert run.outputs["patch-cids"] == ""
    assert run.commands("error") == []


@pytest.mark.parametrize(
    "payload",
    [ev.issues_labeled(9, "`shop/receipts.py`", label_name="bug"), ev.issue_comment(3, "LGTM!")],
    ids=["other-label", "plain-comment"],
)
def test_events_that_ask_nothing_are_skipped_successfully(tmp_path: Path, payload: dict) -> None:  # type: ignore[type-arg]
    event = (
        "issues"
        if "label" in payload
        else "issue_comment"
        if "comment" in payload
        else "pull_request_review"
    )
    run = ActionRunner(tmp_path, _empty_repo(tmp_path)).run(event, payload)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "skipped"
    assert run.outputs["command"] == "none"
    assert run.outputs["reason"]
    assert "skipped" in run.summary


def test_an_event_the_optimizer_does_not_handle_is_an_error(tmp_path: Path) -> None:
    run = ActionRunner(tmp_path, _empty_repo(tmp_path)).run("push", {"ref": "refs/heads/main"})
    assert run.returncode == 2
    (error,) = run.commands("error")
    assert "'push' is not handled" in error.data
    assert "schedule" in error.data
    assert run.outputs == {}


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("max-agents", "0", "greater than or equal to 1"),  # a settings input
        ("priority", "urgent", "low | medium | high"),  # an input for the LLM module
    ],
)
def test_an_invalid_input_is_an_error_annotation_naming_it(
    tmp_path: Path, name: str, value: str, words: str
) -> None:
    run = ActionRunner(tmp_path, _empty_repo(tmp_path)).run(
        "schedule", ev.schedule(), inputs={name: value}
    )
    assert run.returncode == 2, run.stdout + run.stderr
    (error,) = run.commands("error")
    assert error.properties["title"] == f"Invalid input {name}"
    assert f"input '{name}'" in error.data
    assert words in error.data
    assert run.outputs == {}


def test_a_workspace_that_is_not_a_checkout_is_an_error_with_a_hint(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-repo"
    empty.mkdir()
    run = ActionRunner(tmp_path, empty).run("schedule", ev.schedule())
    assert run.returncode == 2
    (error,) = run.commands("error")
    assert "not the root of a git repository" in error.data
    assert "actions/checkout" in error.data


def test_the_token_is_masked_before_anything_is_printed(tmp_path: Path) -> None:
    run = ActionRunner(tmp_path, _empty_repo(tmp_path)).run(
        "push", {}, inputs={"github-token": ev.TOKEN}
    )
    first = run.stdout.splitlines()[0]
    assert first == f"::add-mask::{ev.TOKEN}"
    assert ev.TOKEN not in run.stdout.split("\n", 1)[1] + run.stderr


def _empty_repo(root: Path) -> Path:
    from gitrepos import make_repo

    return make_repo(root / "repo", {"README.md": "# nothing to optimize\n"})
