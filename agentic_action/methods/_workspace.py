"""A private copy of the original tree for a method's own sandboxed runs, and the pytest call
those runs use.

Generated tests, LLM edge-case code and fault-injected test runs are untrusted: they run in the
sandbox with their working directory writable. Running them in ``ctx.original_root`` would let
them alter the tree every other agent compares against, so each method works on its own copy.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from agentic_action.sandbox.launch import HASH_SEED, worktree_pythonpath
from agentic_action.sandbox.pytest_runner import PytestOptions, TestOutcome, run_pytest
from agentic_action.sandbox.runner import SandboxResult

IGNORED = (".git", "__pycache__", ".venv", "venv", "node_modules", ".tox", ".nox", ".mypy_cache")


@dataclass
class Workspace:
    tree: Path  # the private copy of the original tree
    scratch: Path  # junit files, coverage data, reports
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_dir(self, name: str) -> Path:
        path = self.scratch / f"{name}-{next(self._ids)}"
        path.mkdir(parents=True)
        return path


@contextmanager
def private_copy(original_root: Path) -> Iterator[Workspace]:
    """A copy of ``original_root`` (without .git and caches), removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="agentic-method-"))
    try:
        tree = base / "tree"
        shutil.copytree(original_root, tree, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED))
        scratch = base / "scratch"
        scratch.mkdir()
        yield Workspace(tree, scratch)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_tests(
    root: Path,
    python: str,
    timeout: float,
    scratch: Path,
    name: str,
    test_ids: Sequence[str] | None,
    *,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    with_package: bool = False,
) -> tuple[TestOutcome, SandboxResult]:
    """pytest in the sandbox on ``root`` (writable: ``root`` and ``scratch``)."""
    extra_env = {
        "PYTHONPATH": worktree_pythonpath(root, with_package=with_package),
        "PYTHONHASHSEED": HASH_SEED,
        **(env or {}),
    }
    return run_pytest(
        root,
        PytestOptions(python, timeout),
        scratch=scratch,
        name=name,
        test_ids=test_ids,
        extra=extra,
        extra_env=extra_env,
    )


def tests_folder(tree: Path) -> str:
    """Where generated test files go: ``tests/`` when the repository has it, else the root."""
    for name in ("tests", "test"):
        if (tree / name).is_dir():
            return name + "/"
    return ""
