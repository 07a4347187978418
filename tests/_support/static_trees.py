"""A HEAD tree and candidate worktrees of it, for the static-check tests."""

from __future__ import annotations

from pathlib import Path

from gitrepos import git, make_repo


def head_and_candidate(
    tmp_path: Path, files: dict[str, str], changes: dict[str, str]
) -> tuple[Path, Path]:
    """A git repository holding ``files`` (HEAD) and a worktree of it where ``changes`` are
    written over HEAD's files, as the optimizer does for a candidate."""
    head = make_repo(tmp_path / "repo", files)
    return head, candidate_tree(head, tmp_path / "candidate", changes)


def candidate_tree(head: Path, where: Path, changes: dict[str, str]) -> Path:
    """A detached worktree of ``head`` at ``where`` with ``changes`` written into it."""
    git(head, "worktree", "add", "-q", "--detach", str(where))
    for rel, text in changes.items():
        path = where / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return where
