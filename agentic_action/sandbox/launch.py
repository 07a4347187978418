"""How the parent starts our sandboxed workers (the parent side only; never imported by them)."""

from __future__ import annotations

import os
from pathlib import Path

import agentic_action

# Every process that runs target code (recording, replay, comparison, benchmark) gets the same
# string hashing, so set and dict orders of str/bytes keys are the same in all of them.
HASH_SEED = "0"


def package_parent() -> Path:
    """The folder that holds the ``agentic_action`` package (a checkout or site-packages)."""
    return Path(agentic_action.__file__).resolve().parent.parent


def worktree_pythonpath(root: Path, *, with_package: bool = False) -> str:
    """The worktree first (its ``src/`` folder too), so whatever imports the repository's
    modules, the tests, their conftest files or pytest itself (``packaging``, ``pluggy``),
    gets the worktree's code and never an installed copy; our package last, for our plugins."""
    paths = [str(root / "src")] if (root / "src").is_dir() else []
    paths.append(str(root))
    if with_package:
        paths.append(str(package_parent()))
    return os.pathsep.join(paths)


def worker_env(**extra: str) -> dict[str, str]:
    """Variables added to the sandbox's scrubbed environment for a worker process.

    ``PYTHONPATH`` lets the sandboxed interpreter import our stdlib-only worker modules even when
    this package is not installed into it; the worktree still comes first on ``sys.path``
    (``python -m`` puts the working directory first), so the repository's modules win.
    """
    paths = [str(package_parent())]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    return {"PYTHONPATH": os.pathsep.join(paths), "PYTHONHASHSEED": HASH_SEED, **extra}
