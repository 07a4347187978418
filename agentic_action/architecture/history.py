"""Change hotspots: files that change together often, from ``git log``.

Every commit's changed Python files (commits touching more than ``MAX_FILES`` files - renames,
reformatting - say nothing about coupling and are left out); a pair of files is a hotspot when
they changed together at least ``MIN_TOGETHER`` times and in at least ``MIN_SHARE`` of the
commits that changed the less-changed of the two.
"""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from pathlib import Path

from agentic_action.architecture.findings import Evidence, Finding, Kind

MAX_COMMITS = 2000
MAX_FILES = 30
MIN_TOGETHER = 3
MIN_SHARE = 0.5
MAX_FINDINGS = 8
_MARK = "@@commit "


def commits(root: Path) -> list[frozenset[str]]:
    """The Python files of each of the last MAX_COMMITS commits, newest first."""
    done = subprocess.run(
        ["git", "log", f"-n{MAX_COMMITS}", "--no-renames", "--name-only", f"--format={_MARK}%H"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[frozenset[str]] = []
    current: set[str] | None = None
    for line in done.stdout.splitlines():
        if line.startswith(_MARK):
            if current is not None:
                found.append(frozenset(current))
            current = set()
        elif line.strip().endswith(".py") and current is not None:
            current.add(line.strip())
    if current is not None:
        found.append(frozenset(current))
    return found


def hotspots(root: Path, history: list[frozenset[str]]) -> list[Finding]:
    changes: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for files in history:
        if len(files) > MAX_FILES:
            continue
        changes.update(files)
        together.update(itertools.combinations(sorted(files), 2))
    found = []
    for (a, b), count in together.items():
        share = count / min(changes[a], changes[b])
        if count >= MIN_TOGETHER and share >= MIN_SHARE and (root / a).exists():
            found.append(_finding(a, b, count, share, changes))
    return sorted(found, key=lambda f: -f.score)[:MAX_FINDINGS]


def _finding(a: str, b: str, count: int, share: float, changes: Counter[str]) -> Finding:
    return Finding(
        kind=Kind.HOTSPOT,
        subject=f"{a}|{b}",
        title=f"{a} and {b} change together ({count} commits)",
        summary=(
            f"{count} commits changed both {a} ({changes[a]} changes in all) and {b} "
            f"({changes[b]}): {share:.0%} of the changes to the less-changed one."
        ),
        proposal=(
            f"What {a} and {b} keep changing together is one concept split over two files: "
            "move it to one module (or give it one owner that the other calls through a small "
            "interface), so that the next change touches one file."
        ),
        evidence=(Evidence(a), Evidence(b)),
        figures={
            "together": count,
            "share": round(share, 3),
            "changes_a": changes[a],
            "changes_b": changes[b],
        },
        score=count * share,
    )
