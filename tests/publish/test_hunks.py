"""Changed lines of a diff, and "touching" changes: exactly what git's three-way merge rejects."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepos import make_repo

from agentic_action.patches import diff_worktree
from agentic_action.publish.hunks import Change, diff_changes

BASE = [f"line {n}" for n in range(1, 11)]


def edit(lines: list[str], start: int, stop: int, new: list[str]) -> str:
    """Replace 1-based lines start..stop-1 (stop == start: insert before ``start``)."""
    return "\n".join(lines[: start - 1] + new + lines[stop - 1 :]) + "\n"


def changes(repo: Path, text: str) -> list[Change]:
    (repo / "f.txt").write_text(text)
    forward, _ = diff_worktree(repo, ["f.txt"])
    (repo / "f.txt").write_text("\n".join(BASE) + "\n")
    return diff_changes(forward)


def git_conflicts(tmp: Path, ours: str, theirs: str) -> bool:
    for name, text in (("base", "\n".join(BASE) + "\n"), ("ours", ours), ("theirs", theirs)):
        (tmp / name).write_text(text)
    done = subprocess.run(
        ["git", "merge-file", "-p", str(tmp / "ours"), str(tmp / "base"), str(tmp / "theirs")],
        capture_output=True, check=False,
    )  # fmt: skip
    return done.returncode != 0


CASES = {
    "same line": ((3, 4, ["x"]), (3, 4, ["y"])),
    "adjacent lines": ((3, 4, ["x"]), (4, 5, ["y"])),
    "one unchanged line between": ((3, 4, ["x"]), (5, 6, ["y"])),
    "insertions at one place": ((4, 4, ["x"]), (4, 4, ["y"])),
    "insertion just after a change": ((3, 4, ["x"]), (4, 4, ["y"])),
    "insertion one line after a change": ((3, 4, ["x"]), (5, 5, ["y"])),
    "deletion next to a change": ((3, 5, []), (5, 6, ["y"])),
    "far apart": ((1, 2, ["x"]), (9, 11, ["y", "z"])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_changes_touch_exactly_when_git_merge_file_conflicts(tmp_path: Path, case: str) -> None:
    repo = make_repo(tmp_path / "r", {"f.txt": "\n".join(BASE) + "\n"})
    one, two = (edit(BASE, *spec) for spec in CASES[case])
    touch = any(a.touches(b) for a in changes(repo, one) for b in changes(repo, two))
    assert touch == git_conflicts(tmp_path, one, two)


def test_a_change_is_placed_on_the_old_lines_it_replaces(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"f.txt": "\n".join(BASE) + "\n"})
    [change] = changes(repo, edit(BASE, 4, 7, ["new"]))
    assert (change.file, change.start, change.end) == ("f.txt", 4, 7)
    assert change.describe() == "lines 4-6"
    [insertion] = changes(repo, edit(BASE, 6, 6, ["new"]))
    assert insertion.describe() == "an insertion before line 6"
    assert insertion.inside(5, 8) and not insertion.inside(6, 8) and not insertion.inside(1, 5)


def test_new_and_deleted_files_are_changes_of_their_own_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"f.txt": "a\n", "gone.txt": "b\n"})
    (repo / "new.txt").write_text("fresh\n")
    (repo / "gone.txt").unlink()
    forward, _ = diff_worktree(repo, ["new.txt", "gone.txt"])
    assert sorted(c.file for c in diff_changes(forward)) == ["gone.txt", "new.txt"]
