"""/approve when the push fails: the base moved (fetched, checked and landed once more) or the
branch refuses pushes (a reply that says what to do, and nothing left behind).

Through entrypoint.py, against real git (a bare origin) and the local GitHub server.
"""

from __future__ import annotations

from pathlib import Path

import action_events as ev
from action_runner import Checkout, Optimized
from fake_github import FakeGitHub
from gitrepos import git


def origin(checkout: Checkout) -> Path:
    return checkout.workspace.parent / "origin.git"


def someone_else_pushes(checkout: Checkout, tmp_path: Path) -> str:
    """A commit that lands on origin's main after the runner checked it out."""
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin(checkout)), str(other))
    (other / "NOTES.md").write_text("someone else's change\n")
    git(other, "add", "NOTES.md")
    git(other, "-c", "user.name=x", "-c", "user.email=x@example.invalid",
        "commit", "-q", "-m", "meanwhile")  # fmt: skip
    git(other, "push", "-q", "origin", "main")
    return git(other, "rev-parse", "HEAD").strip()


def approve_by_comment(checkout: Checkout, gh: FakeGitHub, cid: str) -> tuple[int, str]:
    number = gh.add_issue(ev.FULL, "Speed up the shop")
    run = checkout.runner.run(
        "issue_comment", ev.issue_comment(number, f"/approve {cid}"),
        inputs={"github-token": ev.TOKEN}, env={"GITHUB_API_URL": gh.base_url},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    record = next(r for r in gh.issues(ev.FULL) if r.number == number)
    (reply,) = [str(c["body"]) for c in record.comments]
    return number, reply


def test_when_the_base_moved_the_patch_is_checked_again_on_the_new_tip_and_lands(
    optimized: Optimized, checkout: Checkout, github: FakeGitHub, tmp_path: Path
) -> None:
    cid = optimized.accepted()[0]["patch"]["cid"]
    meanwhile = someone_else_pushes(checkout, tmp_path)
    _, reply = approve_by_comment(checkout, github, cid)
    assert f"Applied patch `{cid}`" in reply, reply
    ws = checkout.workspace
    head = git(ws, "rev-parse", "HEAD").strip()
    assert git(ws, "ls-remote", "origin", "refs/heads/main").split()[0] == head
    assert git(ws, "rev-parse", "HEAD^").strip() == meanwhile  # landed on the moved base
    assert git(ws, "status", "--porcelain") == ""
    assert f"applied on {meanwhile[:12]}" in git(ws, "log", "-1", "--format=%B")


def test_a_refused_push_gets_a_reply_saying_what_to_do_and_leaves_nothing_behind(
    optimized: Optimized, checkout: Checkout, github: FakeGitHub
) -> None:
    cid = optimized.accepted()[0]["patch"]["cid"]
    hook = origin(checkout) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/main.'"
                    " >&2\nexit 1\n")  # fmt: skip
    hook.chmod(0o755)
    ws, store = checkout.workspace, checkout.store
    before = (
        git(ws, "rev-parse", "HEAD"), git(ws, "status", "--porcelain"),
        git(ws, "ls-remote", "origin", "refs/heads/main"), (store / "index.json").read_bytes(),
    )  # fmt: skip
    _, reply = approve_by_comment(checkout, github, cid)
    assert "refused" in reply and "Nothing was changed." in reply
    assert "GH006: Protected branch update failed" in reply
    assert "the commit was taken back" in reply and "push: false" in reply
    after = (
        git(ws, "rev-parse", "HEAD"), git(ws, "status", "--porcelain"),
        git(ws, "ls-remote", "origin", "refs/heads/main"), (store / "index.json").read_bytes(),
    )  # fmt: skip
    assert after == before
