"""cmd_apply / cmd_rollback / cmd_list: one line on success, clear errors, exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from gitrepos import commit_files
from patchkit import FAST_TOTAL, make_project, meta_for, optimized_diffs, snapshot

from agentic_action.commands.patches import cmd_apply, cmd_list, cmd_rollback
from agentic_action.patches import PatchStore, StoredPatch
from agentic_action.patches.cid import cid_of


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_project(tmp_path / "repo")


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "patches"


@pytest.fixture
def stored(repo: Path, store_dir: Path) -> StoredPatch:
    return PatchStore(store_dir).put(*optimized_diffs(repo), meta_for(repo))


def test_apply_prints_one_line_and_exits_0(
    repo: Path, store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_apply(stored.cid, repo, store_dir) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"applied patch {stored.cid} to {repo.resolve()}: 1 file changed (pkg/mod.py)"
    ]
    assert err == ""
    assert (repo / "pkg" / "mod.py").read_text(encoding="utf-8") == FAST_TOTAL


def test_rollback_prints_one_line_and_exits_0(
    repo: Path, store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(repo)
    cmd_apply(stored.cid, repo, store_dir)
    capsys.readouterr()
    assert cmd_rollback(stored.cid, repo, store_dir) == 0
    out, _ = capsys.readouterr()
    assert out.startswith(f"rolled back patch {stored.cid} in ")
    assert snapshot(repo) == before


def test_unknown_cid_exits_2_and_explains_on_stderr(
    repo: Path, store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_rollback(cid_of(b"unknown"), repo, store_dir) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("agentic-optimizer rollback: error: no patch with CID")
    assert "holds 1 patch(es)" in err


def test_malformed_cid_exits_2(
    repo: Path, store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_apply("12345", repo, store_dir) == 2
    assert "invalid patch CID '12345'" in capsys.readouterr().err


def test_not_a_repository_exits_2(
    tmp_path: Path, store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_apply(stored.cid, tmp_path / "nowhere", store_dir) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_patch_that_does_not_apply_exits_1_and_changes_nothing(
    repo: Path, store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_files(repo, {"pkg/mod.py": "def total(values):\n    return -1\n"}, "edited")
    before = snapshot(repo)
    assert cmd_apply(stored.cid, repo, store_dir) == 1
    err = capsys.readouterr().err
    assert "pkg/mod.py" in err and "nothing was changed" in err
    assert snapshot(repo) == before


def test_list_prints_one_line_per_patch(
    store_dir: Path, stored: StoredPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert cmd_list(store_dir, out) == 0
    [line] = out.getvalue().splitlines()
    assert line.split() == [
        stored.cid,
        "stored",
        "pkg/mod.py::total",
        "rules",
        stored.meta.created_at,
    ]


def test_list_of_an_empty_store_says_so(tmp_path: Path) -> None:
    out = io.StringIO()
    assert cmd_list(tmp_path / "empty", out) == 0
    assert out.getvalue().startswith("no patches in ")
