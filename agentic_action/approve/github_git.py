"""The git side of GitHub-mode approval and rollback: fetch what GitHub says, prove what it holds.

Everything runs in the Action's checkout without touching its branch, index or work tree:
``git fetch`` writes only objects and FETCH_HEAD; the proofs read commits and build trees in a
private index (``gitpush.build_commit``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import git

from agentic_action.approve.landing import LandingRefused, git_auth_env
from agentic_action.fileutil import environ_set
from agentic_action.patches.cid import cid_of
from agentic_action.patches.git import DIFF_OPTIONS, run_git, stderr_text
from agentic_action.publish.github.gitpush import build_commit


def fetch_tip(root: Path, branch: str, env: Mapping[str, str]) -> str:
    """The commit origin's ``branch`` points at now (its objects fetched into the checkout).

    A shallow checkout (``actions/checkout``'s default depth 1) is deepened to the whole
    history first: :func:`commit_problem` proves ancestry, which a depth-1 clone cannot once
    anything landed on the base branch after the pull request was made."""
    shallow = run_git(root, "rev-parse", "--is-shallow-repository").stdout.decode().strip()
    deepen = ("--unshallow",) if shallow == "true" else ()
    done = run_git(
        root, "fetch", "--quiet", "--no-tags", *deepen, "origin", f"refs/heads/{branch}",
        env=git_auth_env(env, root),
    )  # fmt: skip
    if done.returncode != 0:
        raise LandingRefused(f"could not fetch {branch} from origin: {stderr_text(done)}")
    return _rev(root, "FETCH_HEAD^{commit}")


def commit_problem(root: Path, head: str, base_tip: str, cid: str, stored: bytes | None) -> str:
    """Why ``head`` is not exactly patch ``cid`` on the base's history; "" when it is.

    The head must be one commit whose parent is in the base branch's history, and its diff
    must be the patch: byte for byte (the same CID), or, when it was committed on a later base
    (a revert), the stored diff applied to its parent must give the same tree.
    """
    listed = run_git(root, "rev-list", "--parents", "-n", "1", head).stdout.decode().split()
    parents = listed[1:]
    if len(parents) != 1:
        return f"its head {head[:12]} has {len(parents)} parents; the optimizer commits exactly one"
    parent = parents[0]
    inside = run_git(root, "merge-base", "--is-ancestor", parent, base_tip).returncode == 0
    if not inside:
        return (
            f"its commit is based on {parent[:12]}, which is not in the base branch's history "
            f"(tip {base_tip[:12]}); merging it would bring in other changes"
        )
    if cid_of(commit_diff(root, parent, head)) == cid:
        return ""
    if stored is not None and _same_tree(root, parent, head, stored):
        return ""
    return (
        f"its commit {head[:12]} is not patch {cid} (someone changed the branch since the "
        "optimizer pushed it); review the new commits and merge by hand, or close it"
    )


def commit_diff(root: Path, parent: str, head: str) -> bytes:
    """The diff of one commit, in the patch store's format (so its CID is comparable)."""
    done = run_git(root, "diff", *DIFF_OPTIONS, parent, head)
    if done.returncode != 0:
        raise LandingRefused(f"git diff {parent[:12]} {head[:12]} failed: {stderr_text(done)}")
    return done.stdout


def _same_tree(root: Path, parent: str, head: str, stored: bytes) -> bool:
    try:
        made = build_commit(
            git.Repo(root), parent, stored.decode("utf-8"), "agentic-optimizer check"
        )
    except (ValueError, UnicodeDecodeError):
        return False
    return _rev(root, f"{made}^{{tree}}") == _rev(root, f"{head}^{{tree}}")


def _rev(root: Path, spec: str) -> str:
    done = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", spec)
    if done.returncode != 0:
        raise LandingRefused(f"git cannot resolve {spec} in {root}: {stderr_text(done)}")
    return done.stdout.decode().strip()


@contextlib.contextmanager
def git_credentials(env: Mapping[str, str], root: Path) -> Iterator[None]:
    """The push credentials of ``landing.git_auth_env`` in this process's environment, for the
    duration (GitPython's git commands inherit it); restored afterwards."""
    with environ_set(git_auth_env(env, root)):
        yield
