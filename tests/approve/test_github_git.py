"""Approval proves the pull request's parent is in the base branch's history, also from the
depth-1 checkout actions/checkout makes by default, after the base branch moved on.

Real git: an origin repository, a shallow clone of its base branch as the runner's checkout.
"""

from __future__ import annotations

from pathlib import Path

from gitrepos import commit_files, git, make_repo

from agentic_action.approve.github_git import commit_diff, commit_problem, fetch_tip
from agentic_action.patches.cid import cid_of


def world(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """origin: main B1 -> B2 (the base moved), opt = B1 + the optimizer's commit, side = a
    commit never merged + a commit on it; and a depth-1 clone of main."""
    origin = make_repo(tmp_path / "origin", {"m.py": "def f():\n    return 1\n"}, "B1")
    commits = {"B1": git(origin, "rev-parse", "HEAD").strip()}
    git(origin, "checkout", "-q", "-b", "opt")
    commits["P"] = commit_files(origin, {"m.py": "def f():\n    return 2 - 1\n"}, "perf")
    git(origin, "checkout", "-q", "-b", "side", commits["B1"])
    commits["S"] = commit_files(origin, {"other.py": "x = 1\n"}, "never merged")
    git(origin, "checkout", "-q", "-b", "bad")
    commits["Q"] = commit_files(origin, {"m.py": "def f():\n    return 3 - 2\n"}, "perf on side")
    git(origin, "checkout", "-q", "main")
    commits["B2"] = commit_files(origin, {"n.py": "y = 2\n"}, "B2: someone else's change")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "main", origin.as_uri(), str(work))
    assert git(work, "rev-parse", "--is-shallow-repository").strip() == "true"
    return origin, work, commits


def test_a_pull_request_whose_base_moved_is_proven_from_a_depth_1_checkout(
    tmp_path: Path,
) -> None:
    _, work, commits = world(tmp_path)
    base_tip = fetch_tip(work, "main", {})
    head = fetch_tip(work, "opt", {})
    assert (base_tip, head) == (commits["B2"], commits["P"])
    cid = cid_of(commit_diff(work, commits["B1"], head))
    assert commit_problem(work, head, base_tip, cid, None) == ""
    assert git(work, "rev-parse", "--is-shallow-repository").strip() == "false"
    assert git(work, "rev-parse", "HEAD").strip() == commits["B2"]  # the checkout is untouched


def test_a_pull_request_on_a_commit_outside_the_base_history_is_still_refused(
    tmp_path: Path,
) -> None:
    _, work, commits = world(tmp_path)
    base_tip = fetch_tip(work, "main", {})
    head = fetch_tip(work, "bad", {})
    cid = cid_of(commit_diff(work, commits["S"], head))
    problem = commit_problem(work, head, base_tip, cid, None)
    assert f"based on {commits['S'][:12]}, which is not in the base branch's history" in problem
