"""Time the architecture agent on this project's own repository and on a generated one.

Usage: python benchmarks/architecture_agent.py [--repo PATH] [--lines 20000] [--repeat 3]

The generated repository is plan_and_rules.py's (``--lines`` lines of generated modules), given
a history (30 commits, each changing two modules together) and one import cycle, so that every
analysis has work to do. The tests are not run (``--no-tests``: the slow-test analysis reads
the baseline's JUnit times, a test run the optimizer makes anyway); every other analysis is timed,
and the median of ``--repeat`` runs is printed per analysis and in all.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_and_rules import make_generated

from agentic_action.architecture.analyse import ArchitectureReport, SuiteProfile, analyse

ROOT = Path(__file__).resolve().parents[1]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


def make_repo(root: Path, lines: int) -> Path:
    repo = make_generated(root, lines)
    modules = sorted((repo / "gen").glob("mod_*.py"))
    first, second = modules[0], modules[1]
    first.write_text(f"from gen import {second.stem}\n" + first.read_text())
    second.write_text(f"from gen import {first.stem}\n" + second.read_text())
    _git(repo, "commit", "-qam", "a cycle")
    for n in range(30):
        for module in (modules[n % 7], modules[(n % 7) + 7]):
            module.write_text(module.read_text() + f"\n# change {n}\n")
        _git(repo, "commit", "-qam", f"change {n}")
    return repo


def measure(repo: Path, repeat: int) -> tuple[list[float], ArchitectureReport]:
    times, last = [], None
    for _ in range(repeat):
        last = analyse(repo, SuiteProfile())
        times.append(last.seconds)
    assert last is not None
    return times, last


def _lines(repo: Path) -> int:
    listed = subprocess.run(
        ["git", "ls-files", "--", "*.py"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    return sum((repo / name).read_text(encoding="utf-8", errors="replace").count("\n")
               for name in listed)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arch-bench-") as scratch:
        generated = make_repo(Path(scratch) / "generated", args.lines)
        for name, repo in (("this repository", args.repo), ("generated", generated)):
            times, report = measure(repo, args.repeat)
            print(
                f"{name}: {repo} ({_lines(repo)} lines of Python), "
                f"median {statistics.median(times):.2f} s over {args.repeat} runs "
                f"(min {min(times):.2f}, max {max(times):.2f}); {len(report.findings)} findings"
            )
            for analysis in report.analyses:
                print(
                    f"  {analysis.name:26} {analysis.seconds:7.2f} s  {analysis.state.value:15} "
                    f"{len(analysis.findings):3d} finding(s)  {analysis.note[:70]}"
                )


if __name__ == "__main__":
    main()
