"""``landing.land`` when the push is refused: the commit, the work tree and the patch store's
record are taken back, and whether the branch moved (worth a re-fetch) is told apart from a
branch that refuses pushes. Real git: a bare origin, a clone as the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepos import git
from patchkit import make_project, meta_for, optimized_diffs

from agentic_action.approve.landing import PushRejected, catch_up, land
from agentic_action.patches import PatchStore
from agentic_action.workspace import Repository


def setup(tmp_path: Path) -> tuple[Path, Path, PatchStore, str]:
    source = make_project(tmp_path / "source")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    for key, value in (("user.name", "T"), ("user.email", "t@example.invalid")):
        git(work, "config", key, value)
    store = PatchStore(tmp_path / "patches")
    cid = store.put(*optimized_diffs(work), meta_for(work)).cid
    return origin, work, store, cid


def state(work: Path, store: PatchStore) -> tuple[str, str, str, bytes]:
    return (
        git(work, "rev-parse", "HEAD"), git(work, "status", "--porcelain"),
        git(work, "ls-remote", "origin", "refs/heads/main"), store.index_path.read_bytes(),
    )  # fmt: skip


def landing(work: Path, store: PatchStore, cid: str) -> tuple[tuple[str, ...], str, str]:
    return land(Repository(work), store, cid, rollback=False, message="perf: x",
                push_branch="main", env={})  # fmt: skip


def test_a_branch_that_refuses_the_push_leaves_nothing_behind(tmp_path: Path) -> None:
    origin, work, store, cid = setup(tmp_path)
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'GH006: Protected branch update failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = state(work, store)
    with pytest.raises(PushRejected) as refused:
        landing(work, store, cid)
    assert "GH006: Protected branch update failed" in str(refused.value)
    assert refused.value.moved is False
    assert state(work, store) == before


def test_a_branch_that_moved_is_told_apart_and_caught_up_with(tmp_path: Path) -> None:
    origin, work, store, cid = setup(tmp_path)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    (other / "NOTES.md").write_text("meanwhile\n")
    git(other, "add", "NOTES.md")
    git(other, "-c", "user.name=x", "-c", "user.email=x@example.invalid", "commit", "-qm", "m")
    git(other, "push", "-q", "origin", "main")
    before = state(work, store)
    with pytest.raises(PushRejected) as refused:
        landing(work, store, cid)
    assert refused.value.moved is True
    assert state(work, store)[:2] + state(work, store)[3:] == before[:2] + before[3:]
    tip = catch_up(Repository(work), "main", {})
    assert tip == git(other, "rev-parse", "HEAD").strip()
    files, sha, pushed = landing(work, store, cid)  # on the new tip the push goes through
    assert (files, pushed) == (("pkg/mod.py",), "main")
    assert git(work, "ls-remote", "origin", "refs/heads/main").split()[0] == sha
    assert git(work, "rev-parse", f"{sha}^").strip() == tip
