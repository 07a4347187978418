from __future__ import annotations

import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gitrepos import git, make_repo

from agentic_action.workspace import Repository, Worktrees


def test_worktree_is_detached_at_head_and_removed_after(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    worktrees = Worktrees(Repository(repo_dir), tmp_path / "wt")
    with worktrees.checkout("one") as root:
        assert (root / "a.py").read_text() == "x = 1\n"
        (root / "a.py").write_text("x = 2\n")
    assert not root.exists()
    assert (repo_dir / "a.py").read_text() == "x = 1\n"
    assert str(root) not in git(repo_dir, "worktree", "list")


def test_worktree_is_removed_even_when_the_check_raises(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    worktrees = Worktrees(Repository(repo_dir), tmp_path / "wt")
    try:
        with worktrees.checkout("boom") as root:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not root.exists()


def test_stale_worktrees_of_a_crashed_run_are_pruned(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    base = tmp_path / "wt"
    base.mkdir()
    # A worktree left by a process that no longer exists.
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = base / f"ao-{dead.pid}-1-c1"
    git(repo_dir, "worktree", "add", "--detach", "-q", str(stale))
    alive = base / f"ao-{os.getppid()}-1-c1"
    git(repo_dir, "worktree", "add", "--detach", "-q", str(alive))
    removed = Worktrees(Repository(repo_dir), base).prune_stale()
    assert removed == [str(stale)]
    assert not stale.exists()
    assert alive.exists()


def test_dirty_working_tree_is_detected_and_left_alone(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    (repo_dir / "a.py").write_text("x = 99\n")
    repo = Repository(repo_dir)
    assert repo.is_dirty()
    with Worktrees(repo, tmp_path / "wt").checkout("c") as root:
        assert (root / "a.py").read_text() == "x = 1\n"
    assert (repo_dir / "a.py").read_text() == "x = 99\n"


def test_agents_make_and_remove_worktrees_at_the_same_time(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    worktrees = Worktrees(Repository(repo_dir), tmp_path / "wt")
    together = threading.Barrier(6)

    def agent(index: int) -> tuple[Path, str]:
        together.wait()
        with worktrees.checkout(f"agent-{index}") as root:
            (root / "a.py").write_text(f"x = {index}\n")
            together.wait()  # every worktree is there at once
            text = (root / "a.py").read_text()
        return root, text

    with ThreadPoolExecutor(max_workers=6) as pool:  # git fails on a half-registered one
        made = [m for _ in range(3) for m in pool.map(agent, range(6))]
    assert [text for _, text in made] == [f"x = {i}\n" for i in range(6)] * 3
    assert len({root for root, _ in made}) == 18
    assert not any(root.exists() for root, _ in made)
    assert git(repo_dir, "worktree", "list", "--porcelain").count("worktree ") == 1
    worktrees.close()  # nothing left to remove, and closing twice is harmless
