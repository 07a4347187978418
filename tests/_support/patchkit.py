"""Helpers for patch-store tests: a small real project, tree snapshots, metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitrepos import git, make_repo

from agentic_action.patches import PatchMeta, diff_worktree

BASE_FILES = {
    "pkg/__init__.py": "",
    "pkg/mod.py": (
        "def total(values):\n"
        "    result = 0\n"
        "    for value in values:\n"
        "        result = result + value\n"
        "    return result\n"
        "\n"
        "\n"
        "def other():\n"
        "    return 1\n"
    ),
    "pkg/util.py": "def helper(x):\n    return [i for i in range(x)]\n",
    "README.md": "# demo\n",
}
FAST_TOTAL = "def total(values):\n    return sum(values)\n\n\ndef other():\n    return 1\n"


def make_project(root: Path) -> Path:
    """A real git repository holding BASE_FILES in one commit."""
    return make_repo(root, dict(BASE_FILES))


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every file of the work tree (not .git) with its exact bytes."""
    return {
        str(path.relative_to(repo)): path.read_bytes()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(repo).parts
    }


def porcelain(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def meta_for(repo: Path, file: str = "pkg/mod.py", **extra: Any) -> PatchMeta:
    return PatchMeta(
        file=file,
        qualname="total",
        method="rules",
        rationale="sum() replaces the manual loop",
        base_commit=head(repo),
        created_at="2026-11-21T09:30:00Z",
        extra=dict(extra) or {"speedup": 3.2, "ci": [2.9, 3.5]},
    )


def optimized_diffs(repo: Path, new_text: str = FAST_TOTAL) -> tuple[str, str]:
    """Edit pkg/mod.py in ``repo``, take the diffs, then restore the file."""
    path = repo / "pkg" / "mod.py"
    original = path.read_bytes()
    path.write_text(new_text, encoding="utf-8")
    try:
        return diff_worktree(repo, ["pkg/mod.py"])
    finally:
        path.write_bytes(original)


def simple_diff(path: str, old: str = "a", new: str = "b") -> str:
    """A hand-written one-line git diff of ``path`` (may name unsafe paths on purpose)."""
    return (
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-{old}\n+{new}\n"
    )
