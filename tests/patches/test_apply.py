"""diff_worktree, apply and rollback against real git repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from gitrepos import commit_files, git
from patchkit import (
    FAST_TOTAL,
    head,
    make_project,
    meta_for,
    optimized_diffs,
    porcelain,
    simple_diff,
    snapshot,
)

from agentic_action.patches import (
    CorruptPatchError,
    InvalidCidError,
    NotAGitRepositoryError,
    PatchDoesNotApplyError,
    PatchError,
    PatchRejectedError,
    PatchStore,
    StoredPatch,
    UnknownCidError,
    apply_patch,
    diff_worktree,
)
from agentic_action.patches.cid import cid_of


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_project(tmp_path / "repo")


@pytest.fixture
def store(tmp_path: Path) -> PatchStore:
    return PatchStore(tmp_path / "patches")


@pytest.fixture
def stored(repo: Path, store: PatchStore) -> StoredPatch:
    return store.put(*optimized_diffs(repo), meta_for(repo))


def _clone(source: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True)
    return target


def _git_apply(repo: Path, diff: str) -> None:
    subprocess.run(["git", "apply", "-"], cwd=repo, input=diff.encode(), check=True)


def test_diff_worktree_output_applies_with_git_apply_on_a_fresh_clone(
    repo: Path, tmp_path: Path
) -> None:
    (repo / "pkg" / "mod.py").write_text(FAST_TOTAL, encoding="utf-8")
    (repo / "pkg" / "new_helper.py").write_text("FAST = True\n", encoding="utf-8")
    (repo / "pkg" / "table.bin").write_bytes(bytes(range(256)) * 3)
    (repo / "README.md").unlink()
    paths = ["pkg/mod.py", "pkg/new_helper.py", "pkg/table.bin", "README.md"]
    forward, reverse = diff_worktree(repo, paths)
    assert forward.startswith("diff --git a/")
    assert "GIT binary patch" in forward
    clone = _clone(repo, tmp_path / "clone")
    original = snapshot(clone)
    _git_apply(clone, forward)
    assert snapshot(clone) == snapshot(repo)
    _git_apply(clone, reverse)
    assert snapshot(clone) == original


def test_diff_worktree_leaves_the_worktree_index_untouched(repo: Path) -> None:
    (repo / "pkg" / "mod.py").write_text(FAST_TOTAL, encoding="utf-8")
    (repo / "pkg" / "new.py").write_text("x = 1\n", encoding="utf-8")
    index_before = (repo / ".git" / "index").read_bytes()
    status_before = porcelain(repo)
    forward, _ = diff_worktree(repo, ["pkg/mod.py", "pkg/new.py"])
    assert "+++ b/pkg/new.py" in forward
    assert (repo / ".git" / "index").read_bytes() == index_before
    assert porcelain(repo) == status_before


def test_diff_worktree_counts_staged_changes_and_only_named_paths(repo: Path) -> None:
    (repo / "pkg" / "mod.py").write_text(FAST_TOTAL, encoding="utf-8")
    git(repo, "add", "pkg/mod.py")
    (repo / "pkg" / "util.py").write_text("changed = True\n", encoding="utf-8")
    forward, reverse = diff_worktree(repo, ["pkg/mod.py"])
    assert "+    return sum(values)" in forward
    assert "-    return sum(values)" in reverse
    assert "util.py" not in forward


def test_diff_worktree_of_unchanged_paths_is_empty(repo: Path) -> None:
    assert diff_worktree(repo, ["pkg/mod.py"]) == ("", "")


def test_diff_worktree_refuses_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepositoryError, match="not a git work tree"):
        diff_worktree(tmp_path, ["x.py"])


def test_apply_then_rollback_returns_the_repo_to_byte_identical_state(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    before, status_before = snapshot(repo), porcelain(repo)
    outcome = apply_patch(repo, store, stored.cid)
    assert outcome.files == ("pkg/mod.py",)
    assert outcome.direction == "apply" and outcome.applied_cid == stored.cid
    assert (repo / "pkg" / "mod.py").read_text(encoding="utf-8") == FAST_TOTAL
    back = apply_patch(repo, store, stored.cid, reverse=True)
    assert back.direction == "rollback" and back.applied_cid == stored.reverse_cid
    assert snapshot(repo) == before
    assert porcelain(repo) == status_before


def test_apply_and_rollback_are_recorded_in_the_index(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    apply_patch(repo, store, stored.cid)
    assert store.get(stored.cid).status == "applied"
    apply_patch(repo, store, stored.cid, reverse=True)
    entry = store.get(stored.cid)
    assert entry.status == "rolled-back"
    assert [e.action for e in entry.history] == ["stored", "applied", "rolled-back"]
    for event in entry.history[1:]:
        assert event.head == head(repo)
        assert event.repo == str(repo.resolve())
        assert event.at.endswith("Z")
    raw = json.loads((store.root / "index.json").read_text(encoding="utf-8"))
    assert raw["entries"][0]["history"][1]["head"] == head(repo)


def test_a_reverse_cid_is_accepted_for_apply(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    before = snapshot(repo)
    apply_patch(repo, store, stored.cid)
    outcome = apply_patch(repo, store, stored.reverse_cid)  # applying the reversal undoes it
    assert outcome.applied_cid == stored.reverse_cid
    assert outcome.entry_status == "rolled-back"
    assert snapshot(repo) == before


def test_rollback_of_unknown_cid_changes_nothing(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    apply_patch(repo, store, stored.cid)
    before, status_before = snapshot(repo), porcelain(repo)
    index_before = (store.root / "index.json").read_bytes()
    with pytest.raises(UnknownCidError, match="nothing was changed"):
        apply_patch(repo, store, cid_of(b"not a stored patch"), reverse=True)
    assert snapshot(repo) == before
    assert porcelain(repo) == status_before
    assert (store.root / "index.json").read_bytes() == index_before


@pytest.mark.parametrize("bad", ["", "bafkrei", "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"])
def test_malformed_cid_changes_nothing(
    repo: Path, store: PatchStore, stored: StoredPatch, bad: str
) -> None:
    before = snapshot(repo)
    with pytest.raises(InvalidCidError):
        apply_patch(repo, store, bad)
    assert snapshot(repo) == before


def test_a_patch_that_no_longer_applies_changes_nothing(
    repo: Path, store: PatchStore, tmp_path: Path
) -> None:
    # A two-file patch whose second file was edited since: the first must not change either.
    (repo / "README.md").write_text("# demo, faster\n", encoding="utf-8")
    (repo / "pkg" / "mod.py").write_text(FAST_TOTAL, encoding="utf-8")
    forward, reverse = diff_worktree(repo, ["README.md", "pkg/mod.py"])
    git(repo, "checkout", "--", ".")
    stored = store.put(forward, reverse, meta_for(repo))
    commit_files(repo, {"pkg/mod.py": "def total(values):\n    return 0\n"}, "edited meanwhile")
    (repo / "scratch.txt").write_text("untracked\n", encoding="utf-8")
    before, status_before = snapshot(repo), porcelain(repo)
    with pytest.raises(PatchDoesNotApplyError) as caught:
        apply_patch(repo, store, stored.cid)
    message = str(caught.value)
    assert "pkg/mod.py" in message and "nothing was changed" in message
    assert snapshot(repo) == before
    assert porcelain(repo) == status_before
    assert store.get(stored.cid).status == "stored"


def test_rollback_of_a_patch_that_is_not_applied_changes_nothing(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    before = snapshot(repo)
    with pytest.raises(PatchDoesNotApplyError, match="it is not applied"):
        apply_patch(repo, store, stored.cid, reverse=True)
    assert snapshot(repo) == before


def test_applying_twice_is_refused_the_second_time(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    apply_patch(repo, store, stored.cid)
    after_first = snapshot(repo)
    with pytest.raises(PatchDoesNotApplyError, match="already patched"):
        apply_patch(repo, store, stored.cid)
    assert snapshot(repo) == after_first


def test_apply_refuses_a_folder_that_is_not_a_git_repository(
    tmp_path: Path, store: PatchStore, stored: StoredPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "pkg").mkdir()
    (plain / "pkg" / "mod.py").write_text("x\n", encoding="utf-8")
    with pytest.raises(NotAGitRepositoryError, match="nothing was changed"):
        apply_patch(plain, store, stored.cid)
    assert (plain / "pkg" / "mod.py").read_text(encoding="utf-8") == "x\n"
    with pytest.raises(NotAGitRepositoryError, match="does not exist"):
        apply_patch(tmp_path / "missing", store, stored.cid)


def test_a_tampered_patch_file_is_not_applied(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    stored.path.write_bytes(stored.path.read_bytes().replace(b"sum(values)", b"0"))
    before = snapshot(repo)
    with pytest.raises(CorruptPatchError):
        apply_patch(repo, store, stored.cid)
    assert snapshot(repo) == before


def test_a_patch_whose_reversal_would_not_undo_it_is_taken_back(
    repo: Path, store: PatchStore
) -> None:
    forward, _ = optimized_diffs(repo)
    wrong_reverse = simple_diff("pkg/mod.py", "not in the file", "whatever")
    entry = store.put(forward, wrong_reverse, meta_for(repo))
    before, status_before = snapshot(repo), porcelain(repo)
    with pytest.raises(PatchError, match="stored reversal would not undo it"):
        apply_patch(repo, store, entry.cid)
    assert snapshot(repo) == before
    assert porcelain(repo) == status_before
    assert store.get(entry.cid).status == "stored"


def test_apply_from_a_subdirectory_patches_at_the_repository_root(
    repo: Path, store: PatchStore, stored: StoredPatch
) -> None:
    outcome = apply_patch(repo / "pkg", store, stored.cid)
    assert outcome.repo == repo.resolve()
    assert (repo / "pkg" / "mod.py").read_text(encoding="utf-8") == FAST_TOTAL


def test_diff_worktree_ignores_user_diff_settings_that_would_break_git_apply(
    repo: Path, tmp_path: Path
) -> None:
    for key, value in [
        ("diff.noprefix", "true"),
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("diff.renames", "copies"),
    ]:
        git(repo, "config", key, value)
    (repo / "pkg" / "mod.py").write_text(FAST_TOTAL, encoding="utf-8")
    forward, _ = diff_worktree(repo, ["pkg/mod.py"])
    assert "\x1b[" not in forward
    assert "--- a/pkg/mod.py\n+++ b/pkg/mod.py\n" in forward
    clone = _clone(repo, tmp_path / "clone")
    _git_apply(clone, forward)
    assert (clone / "pkg" / "mod.py").read_text(encoding="utf-8") == FAST_TOTAL


@pytest.mark.parametrize("path", ["../outside.py", "/etc/passwd", ".git/config"])
def test_diff_worktree_refuses_paths_outside_the_work_tree(repo: Path, path: str) -> None:
    with pytest.raises(PatchRejectedError, match="is refused"):
        diff_worktree(repo, [path])


def test_diff_worktree_refuses_text_that_is_not_utf8(repo: Path) -> None:
    (repo / "pkg" / "mod.py").write_bytes("# café\n".encode("latin-1"))
    with pytest.raises(PatchRejectedError, match="not UTF-8"):
        diff_worktree(repo, ["pkg/mod.py"])
