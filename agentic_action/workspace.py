"""The target repository and the git worktrees candidates are checked in (GitPython).

The user's working tree is never modified: every candidate gets its own detached worktree at the
commit being optimized, removed when its check ends. Worktrees left by a crashed run (their owner
process is gone) are pruned when the next run starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import git

from agentic_action.errors import BadInput

WORKTREE_PREFIX = "ao-"
_NAME = re.compile(rf"^{WORKTREE_PREFIX}(\d+)-")


class RepositoryError(BadInput):
    """The repository path cannot be optimized; the message says why and what to do."""


class Repository:
    """A git repository, read at one commit (HEAD when the run starts)."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise RepositoryError(f"repository path {path} does not exist")
        if not path.is_dir():
            raise RepositoryError(f"repository path {path} is not a directory")
        try:
            self._git = git.Repo(path, search_parent_directories=False)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise RepositoryError(
                f"{path} is not the root of a git repository (run `git init` and commit, "
                "or pass the repository's top-level directory with --repo)"
            ) from None
        if self._git.bare:
            raise RepositoryError(f"{path} is a bare repository; pass a checkout")
        try:
            self.head_commit = self._git.head.commit.hexsha
        except ValueError:
            raise RepositoryError(f"{path} has no commits yet; commit the code first") from None
        self.root = Path(self._git.working_tree_dir or path).resolve()
        self._tree = self._git.head.commit.tree

    @property
    def git(self) -> git.Repo:
        return self._git

    def is_dirty(self) -> bool:
        return self._git.is_dirty(untracked_files=False)

    def branch_name(self) -> str | None:
        try:
            return self._git.active_branch.name
        except TypeError:
            return None

    def tracked_files(self) -> list[str]:
        return [str(item.path) for item in self._tree.traverse() if isinstance(item, git.Blob)]

    def read_blob(self, path: str) -> bytes | None:
        """Bytes of ``path`` at the commit; None for symlinks, submodules and missing paths."""
        try:
            item = self._tree / path
        except KeyError:
            return None
        if not isinstance(item, git.Blob) or item.mode & 0o170000 != 0o100000:
            return None
        data: bytes = item.data_stream.read()
        return data


class Worktrees:
    """Creates and always removes the detached worktrees of one run."""

    def __init__(self, repo: Repository, base: Path | None = None) -> None:
        self.repo = repo
        default = Path(tempfile.gettempdir()) / "agentic-optimizer-worktrees"
        self.base = (base or default).resolve()
        self.base.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._counter = 0
        self._live: set[Path] = set()

    def prune_stale(self) -> list[str]:
        """Remove worktrees of this repository whose owning process no longer runs."""
        removed: list[str] = []
        for path in self._registered():
            match = _NAME.match(path.name)
            if path.parent != self.base or not match or process_alive(int(match.group(1))):
                continue
            self._delete(path)
            removed.append(str(path))
        with self._lock:
            self.repo.git.git.worktree("prune")
        return removed

    @contextlib.contextmanager
    def checkout(self, label: str, commit: str | None = None) -> Iterator[Path]:
        """A fresh detached worktree at ``commit`` (default: the run's commit), removed after."""
        with self._lock:
            self._counter += 1
            safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", label)[:60]
            path = self.base / f"{WORKTREE_PREFIX}{os.getpid()}-{self._counter}-{safe}"
            self._live.add(path)
        try:
            # Registering a worktree must not overlap another registration or removal: git reads
            # every registered worktree's folder and fails on one half written ("failed to read
            # .git/worktrees/<name>/commondir"). Writing its files touches only its own index
            # and folder, so agents do that at the same time.
            with self._lock:
                self.repo.git.git.worktree(
                    "add", "--detach", "--quiet", "--no-checkout", str(path),
                    commit or self.repo.head_commit,
                )  # fmt: skip
            git.Git(str(path)).reset("--hard", "--quiet")
            yield path
        finally:
            self._remove(path)

    def close(self) -> None:
        for path in list(self._live):
            self._remove(path)

    def _registered(self) -> list[Path]:
        listing = self.repo.git.git.worktree("list", "--porcelain")
        return [
            Path(line.split(" ", 1)[1])
            for line in listing.splitlines()
            if line.startswith("worktree ")
        ]

    def _remove(self, path: Path) -> None:
        """Remove a worktree of this run, once (``close`` and its ``checkout`` may both ask)."""
        with self._lock:
            if path not in self._live:
                return
            self._live.discard(path)
        self._delete(path)

    def _delete(self, path: Path) -> None:
        """The files first, at the same time as other agents; then, one at a time (see
        ``checkout``), what git registered."""
        if path.is_dir():
            for child in path.iterdir():
                if child.name != ".git":
                    _remove_path(child)
        with self._lock, contextlib.suppress(git.GitCommandError):
            self.repo.git.git.worktree("remove", "--force", str(path))
        shutil.rmtree(path, ignore_errors=True)


# Temp folders of a run (the sandbox's throw-away homes, the run's scratch), named with its pid.
STALE_TEMP = re.compile(r"^agentic-(?:home|run)-(\d+)-")


def remove_stale_temp(folder: Path | None = None) -> list[str]:
    """Remove the temp folders left by runs whose process is gone (killed by SIGKILL)."""
    removed: list[str] = []
    base = folder or Path(tempfile.gettempdir())
    for path in base.iterdir():
        match = STALE_TEMP.match(path.name)
        if match and path.is_dir() and not process_alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
    return removed


def _remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (one of another user's counts too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
