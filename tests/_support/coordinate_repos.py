"""Tiny real repositories and helpers for the coordination tests (conflicts, merge, waves).

The repositories' own tests need no pytest plugin, so the optimizer's pytest runs use
``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`` (set by the ``fast_repository_pytest`` fixture and ``env()``):
pytest then starts in well under a second instead of several (this venv has many plugins),
and the baseline still loads pytest-cov explicitly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepos import git, make_repo

from agentic_action.model import Destination, FunctionTarget, OptimizationResult, PatchRef, Status
from agentic_action.patches import PatchMeta, PatchStore, diff_worktree, utc_now

FAST_PYTEST = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


@pytest.fixture(autouse=True)
def fast_repository_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autouse where imported: the tiny repositories need no pytest plugin, so their pytest
    starts fast."""
    for name, value in FAST_PYTEST.items():
        monkeypatch.setenv(name, value)


# Four functions the rules engine rewrites (AO104). With --shard K/2: double, squares and
# evens are shard 1, names is shard 2. names and squares touch (one unchanged line between).
CALC = """def double(xs):
    out = []
    for x in xs:
        out.append(x * 2)
    return out


def names(rows):
    result = []
    for row in rows:
        result.append(row["name"])
    return result
def squares(xs):
    out = []
    for x in xs:
        out.append(x * x)
    return out


def evens(xs):
    out = []
    for x in xs:
        if x % 2 == 0:
            out.append(x)
    return out
"""
CALC_TESTS = """from calc import double, evens, names, squares


def test_double():
    assert double([1, 2]) == [2, 4]


def test_names():
    assert names([{"name": "a"}]) == ["a"]


def test_squares():
    assert squares([3]) == [9]


def test_evens():
    assert evens([1, 2, 4]) == [2, 4]
"""


def make_calc_repo(root: Path, extra: dict[str, str] | None = None) -> Path:
    return make_repo(root, {"calc.py": CALC, "test_calc.py": CALC_TESTS, **(extra or {})})


def many_functions_repo(root: Path, count: int) -> Path:
    """``count`` functions the rules engine rewrites, in one module, each with its test."""
    loop = "    out = []\n    for x in xs:\n        out.append(x + {i})\n    return out\n"
    body = "\n\n".join(f"def f{i}(xs):\n" + loop.format(i=i) for i in range(count))
    tests = "import mod\n\n\n" + "\n\n".join(
        f"def test_f{i}():\n    assert mod.f{i}([1]) == [{1 + i}]\n" for i in range(count)
    )
    return make_repo(root, {"mod.py": body, "test_mod.py": tests})


def env(**extra: str) -> dict[str, str]:
    """This process's environment without GitHub or optimizer settings (no test reaches
    GitHub by accident), fast pytest for the tiny repositories, and ``extra``."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "OPTIMIZER_"))}
    return full | FAST_PYTEST | extra


def cli(
    *args: str, cwd: Path | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", *args],
        capture_output=True, text=True, env=env(**(extra_env or {})), timeout=300, check=False,
        cwd=cwd,
    )  # fmt: skip


def optimize_args(repo: Path, out: Path, *more: str) -> list[str]:
    return [
        "optimize", "--repo", str(repo), "--targets", "calc.py", "--mode", "patch",
        "--out", str(out), "--validation-level", "quick",
        "--worktree-base", str(out.parent / "wt"), *more,
    ]  # fmt: skip


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def stored(
    repo: Path,
    store: PatchStore,
    file: str,
    qualname: str,
    lines: tuple[int, int],
    new_text: str,
) -> OptimizationResult:
    """An accepted result whose patch changes ``file`` to ``new_text`` (made with git in the
    repository's work tree, which is restored after)."""
    path = repo / file
    old = path.read_text(encoding="utf-8")
    path.write_text(new_text, encoding="utf-8")
    try:
        forward, reverse = diff_worktree(repo, [file])
    finally:
        path.write_text(old, encoding="utf-8")
    meta = PatchMeta(file, qualname, "rules", "test patch", head(repo), utc_now())
    entry = store.put(forward, reverse, meta)
    target = FunctionTarget(file, qualname, lines[0], lines[1])
    patch = PatchRef(entry.cid, entry.reverse_cid, f"patches/{entry.path.name}")
    return OptimizationResult(
        target,
        "rules",
        Status.ACCEPTED,
        "all checks passed",
        patch=patch,
        destination=Destination.PATCH,
    )
