"""/approve and /rollback through entrypoint.py, against real git and the local GitHub server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import action_events as ev
import pytest
from action_runner import ActionRun, Checkout, Optimized
from fake_github import FakeGitHub
from gitrepos import git, make_repo

from agentic_action.patches import PatchStore

UNKNOWN_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # the empty file's


def first_patch(optimized: Optimized) -> dict[str, Any]:
    return optimized.accepted()[0]


def state(checkout: Checkout) -> tuple[str, str, str, bytes]:
    """Everything an approval may change: HEAD, the work tree, origin's main, the store."""
    ws = checkout.workspace
    return (
        git(ws, "rev-parse", "HEAD"),
        git(ws, "status", "--porcelain"),
        git(ws, "ls-remote", "origin", "refs/heads/main"),
        (checkout.store / "index.json").read_bytes(),
    )


def comment(
    checkout: Checkout,
    gh: FakeGitHub,
    body: str,
    who: str = "maintainer",
    number: int | None = None,
) -> tuple[ActionRun, int]:
    number = number or gh.add_issue(ev.FULL, "Speed up the shop")
    run = checkout.runner.run(
        "issue_comment",
        ev.issue_comment(number, body, commenter=who),
        inputs={"github-token": ev.TOKEN},
        env={"GITHUB_API_URL": gh.base_url},
    )
    return run, number


def replies(gh: FakeGitHub, number: int) -> list[str]:
    record = next(r for r in gh.issues(ev.FULL) if r.number == number)
    assert all(c["user"]["login"] == ev.BOT for c in record.comments)
    return [str(c["body"]) for c in record.comments]


def test_dispatch_approve_revalidates_applies_commits_and_pushes(
    optimized: Optimized, checkout: Checkout
) -> None:
    patch = first_patch(optimized)
    cid, path = patch["patch"]["cid"], checkout.workspace / patch["file"]
    before = path.read_text()
    run = checkout.runner.run(
        "workflow_dispatch",
        ev.workflow_dispatch({"command": "approve", "cid": cid}),
        inputs={"command": "approve", "cid": cid},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.outputs
    assert (out["command"], out["outcome"], out["applied-cid"]) == ("approve", "completed", cid)
    head = git(checkout.workspace, "rev-parse", "HEAD").strip()
    assert out["commit-sha"] == head
    assert git(checkout.workspace, "ls-remote", "origin", "refs/heads/main").split()[0] == head
    assert git(checkout.workspace, "status", "--porcelain") == ""
    message = git(checkout.workspace, "log", "-1", "--format=%B")
    assert f"Agentic-Optimizer-Patch: {cid}" in message
    assert "the whole test suite passed with the patch applied" in message
    changed = git(checkout.workspace, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == [patch["file"]]
    assert path.read_text() != before
    assert PatchStore(checkout.store).get(cid).status == "applied"
    assert "## agentic-optimizer: /approve done" in run.summary
    assert "- Pushed to: `main`" in run.summary


def test_comment_approve_then_rollback_land_and_reply_in_the_thread(
    optimized: Optimized, checkout: Checkout, github: FakeGitHub
) -> None:
    patch = first_patch(optimized)
    cid, path = patch["patch"]["cid"], checkout.workspace / patch["file"]
    original = path.read_text()
    run, number = comment(checkout, github, f"/approve {cid}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["outcome"] == "completed"
    assert path.read_text() != original
    (reply,) = replies(github, number)
    assert reply.startswith("<!-- agentic-optimizer -->")
    assert f"Applied patch `{cid}`" in reply and "pushed to `main`" in reply

    again, _ = comment(checkout, github, f"/approve {cid}", number=number)
    assert (again.returncode, again.outputs["outcome"]) == (0, "refused")
    assert "no longer applies" in replies(github, number)[-1]

    back, _ = comment(checkout, github, f"/rollback {cid}", number=number)
    assert back.returncode == 0, back.stdout + back.stderr
    assert (back.outputs["command"], back.outputs["outcome"]) == ("rollback", "completed")
    assert path.read_text() == original
    assert "Rolled back patch" in replies(github, number)[-1]
    assert "revert: roll back" in git(checkout.workspace, "log", "-1", "--format=%s")
    assert PatchStore(checkout.store).get(cid).status == "rolled-back"
    pushed = git(checkout.workspace, "ls-remote", "origin", "refs/heads/main").split()[0]
    assert pushed == back.outputs["commit-sha"]


def test_a_user_without_write_permission_is_refused_with_a_reply(
    optimized: Optimized, checkout: Checkout, github: FakeGitHub
) -> None:
    before = state(checkout)
    run, number = comment(
        checkout, github, f"/approve {first_patch(optimized)['patch']['cid']}", who="outsider"
    )
    assert run.returncode == 0
    assert run.outputs["outcome"] == "refused"
    (reply,) = replies(github, number)
    assert "@outsider has 'read' permission" in reply and "needs write or admin" in reply
    assert "Nothing was changed." in reply
    (warning,) = run.commands("warning")
    assert warning.properties["title"] == "agentic-optimizer refused /approve"
    assert state(checkout) == before


def test_rollback_of_an_unknown_cid_is_refused_and_changes_nothing(
    checkout: Checkout, github: FakeGitHub
) -> None:
    before = state(checkout)
    run, number = comment(checkout, github, f"/rollback {UNKNOWN_CID}")
    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    (reply,) = replies(github, number)
    assert UNKNOWN_CID in reply and "Nothing was changed." in reply
    assert state(checkout) == before


def test_without_a_token_no_comment_is_trusted(optimized: Optimized, checkout: Checkout) -> None:
    before = state(checkout)
    cid = first_patch(optimized)["patch"]["cid"]
    run = checkout.runner.run("issue_comment", ev.issue_comment(5, f"/approve {cid}"))
    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    assert "no GitHub token" in run.outputs["reason"]
    assert state(checkout) == before


def test_approve_is_refused_when_the_base_moved_and_the_patch_no_longer_applies(
    optimized: Optimized, checkout: Checkout, github: FakeGitHub
) -> None:
    patch = first_patch(optimized)
    path = checkout.workspace / patch["file"]
    lines = path.read_text().splitlines(keepends=True)
    first, last = patch["lines"]
    for index in range(first - 1, last):  # every line of the optimized function changes
        lines[index] = lines[index].rstrip("\n") + "  # edited since\n"
    path.write_text("".join(lines))
    git(checkout.workspace, "commit", "-qam", "edit the function")
    before = state(checkout)
    run, number = comment(checkout, github, f"/approve {patch['patch']['cid']}")
    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    assert "no longer applies to the current base" in replies(github, number)[0]
    assert state(checkout) == before


def test_approve_is_refused_when_the_tests_no_longer_pass_on_the_current_base(
    optimized: Optimized, checkout: Checkout, github: FakeGitHub
) -> None:
    failing = "def test_new_requirement() -> None:\n    assert False, 'red on main'\n"
    (checkout.workspace / "tests" / "test_new.py").write_text(failing)
    git(checkout.workspace, "add", "tests/test_new.py")
    git(checkout.workspace, "commit", "-qm", "a red test")
    before = state(checkout)
    run, number = comment(checkout, github, f"/approve {first_patch(optimized)['patch']['cid']}")
    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    reply = replies(github, number)[0]
    assert "the test suite does not pass" in reply and "test_new_requirement" in reply
    assert state(checkout) == before


@pytest.mark.parametrize(
    ("cid", "words"),
    [("not-a-cid", "invalid patch CID"), (UNKNOWN_CID, "no patch with CID")],
)
def test_dispatch_with_a_bad_or_unknown_cid_is_an_input_error(
    checkout: Checkout, cid: str, words: str
) -> None:
    before = state(checkout)
    run = checkout.runner.run(
        "workflow_dispatch", ev.workflow_dispatch(), inputs={"command": "rollback", "cid": cid}
    )
    assert run.returncode == 2
    (error,) = run.commands("error")
    assert error.properties["title"] == "Invalid input cid"
    assert words in error.data
    assert run.outputs["outcome"] == "refused"
    assert state(checkout) == before


@pytest.mark.parametrize(
    ("review", "words"),
    [
        ({"author": "someone"}, "was not opened by the optimizer"),
        ({"head": "feature/x"}, "was not opened by the optimizer"),
        ({"body": "Please merge"}, "was not opened by the optimizer"),
        ({}, "reading pull request #1 failed: GitHub answered 404"),  # GitHub knows no such PR
    ],
    ids=["other-author", "other-branch", "no-marker", "unknown-to-github"],
)
def test_an_approving_review_is_answered_and_changes_nothing(
    tmp_path: Path, github: FakeGitHub, review: dict[str, str], words: str
) -> None:
    from action_runner import ActionRunner

    number = github.add_issue(ev.FULL, "perf: valid_codes")
    workspace = make_repo(tmp_path / "repo", {"README.md": "# x\n"})
    run = ActionRunner(tmp_path, workspace).run(
        "pull_request_review",
        ev.pull_request_review(number, **review),  # type: ignore[arg-type]
        inputs={"github-token": ev.TOKEN},
        env={"GITHUB_API_URL": github.base_url},
        ref=f"refs/pull/{number}/merge",
    )
    assert (run.returncode, run.outputs["outcome"]) == (0, "refused")
    assert words in replies(github, number)[0]
    assert git(workspace, "log", "--oneline").count("\n") == 1
