"""A tiny repository the rules method improves (one function), and a recorded run of it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from agentic_action.run import RunReport
from agentic_action.settings import Settings, load_settings

TINY = {
    "pkg/__init__.py": "",
    "pkg/calc.py": (
        "def squares(n):\n"
        "    out = []\n"
        "    for i in range(n):\n"
        "        out.append(i * i)\n"
        "    return out\n"
        "\n\n"
        "def total(values):\n"
        "    result = 0\n"
        "    for v in values:\n"
        "        result = result + v\n"
        "    return result\n"
    ),
    "tests/test_calc.py": (
        "from pkg.calc import squares, total\n\n\n"
        "def test_squares():\n    assert squares(4) == [0, 1, 4, 9]\n\n\n"
        "def test_total():\n    assert total([1, 2, 3]) == 6\n"
    ),
}


@dataclass(frozen=True)
class RecordedRun:
    repo: Path
    out: Path
    ledger: Path
    report: RunReport
    log_lines: list[str]

    def copy_ledger(self, to: Path) -> Path:
        """A private copy (tests that write must not change the shared one)."""
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.ledger, to)
        return to


def tiny_settings(repo: Path, out: Path, work: Path) -> Settings:
    return load_settings(
        {
            "repo": repo, "targets": ["pkg/**/*.py"], "validation_level": "quick",
            "mode": "patch", "out": out, "worktree_base": work / "wt",
        },
        {},
    )  # fmt: skip
