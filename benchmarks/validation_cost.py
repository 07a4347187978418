"""Cost of proving one candidate vs its floor: affected tests once + the benchmark budget.

Usage: python benchmarks/validation_cost.py [--level standard] [--budget 3.0]

On the bundled example (copied into a temporary git repository) it prepares a run once (the
baseline suite with per-test coverage, recorded inputs, static findings on HEAD), then for each
candidate the rules engine proposes it times:

- ``affected``: the candidate's affected tests run once, alone (the floor's first half);
- ``gate``: the whole proof gate for that candidate in a fresh worktree (syntax, coverage,
  import, affected tests + static checks, behaviour, benchmark, full suite); as in a run,
  semgrep has scanned every candidate once beforehand (shown under "once per run"), and the
  original's replays and differential inputs of a target are made for its first candidate;
- ``measuring``: the benchmark's own measuring time (bounded by the budget).

and prints ``ratio = gate / (affected + budget)``: how far validation is above its floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from agentic_action.baseline.suite import run_baseline
from agentic_action.methods.rules import rules_candidate
from agentic_action.plan.discover import discover
from agentic_action.prove.checks import affected_tests, check_tests
from agentic_action.prove.gate import GateConfig, run_gate
from agentic_action.prove.plan import ProofPlan, prefetch_static, prepare_proof
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.workspace import Repository, Worktrees

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shop"


def make_example(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "example"]):
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.invalid", *args],
            cwd=root,
            check=True,
        )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="standard", choices=["quick", "standard", "thorough"])
    parser.add_argument("--budget", type=float, default=3.0, help="benchmark seconds")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        rows, once = _measure(Path(tmp), args.level, args.budget)
    print(f"level={args.level} budget={args.budget}s  once per run: {once}")
    print(f"load average (1 min): before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    _print_candidates(rows)
    _print_steps(rows)


def _measure(work: Path, level: str, budget: float) -> tuple[list[Row], str]:
    repo = Repository(make_example(work / "shop"))
    found = discover(repo, ["shop/**/*.py"])
    options = PytestOptions(python=sys.executable, timeout=300)
    worktrees = Worktrees(repo, work / "wt")
    scratch = work / "scratch"
    scratch.mkdir()
    rows: list[Row] = []
    with worktrees.checkout("baseline") as base:
        started = time.perf_counter()
        baseline = run_baseline(base, options, scratch)
        baseline_s = time.perf_counter() - started
        candidates = [
            c
            for t in found.functions
            if not isinstance(c := rules_candidate(t, found.sources[t.file]), str)
        ]
        plan = ProofPlan(level, base, sys.executable, benchmark_seconds=budget)
        started = time.perf_counter()
        plan = prepare_proof(plan, [c.target for c in candidates], [], scratch)
        prepare_s = time.perf_counter() - started
        started = time.perf_counter()  # as a run does: every rules candidate in one semgrep run
        prefetch_static(plan, [(c.target.file, c.new_source.encode()) for c in candidates])
        prefetch_s = time.perf_counter() - started
        config = GateConfig(options, 80.0, scratch, proof=plan)
        for candidate in candidates:
            original = found.sources[candidate.target.file]
            tests = affected_tests(baseline.coverage, [candidate.target])
            with worktrees.checkout("affected") as root:
                (root / candidate.target.file).write_text(candidate.new_source)
                affected = check_tests(root, options, scratch, "affected", "bench", tests)
            with worktrees.checkout("gate") as root:
                started = time.perf_counter()
                verdict = run_gate(root, candidate, original, baseline, config)
                gate_s = time.perf_counter() - started
            steps: dict[str, float] = {}
            for check in verdict.checks:
                steps[_step(check.name)] = steps.get(_step(check.name), 0.0) + check.seconds
            bench = next((c for c in verdict.checks if c.name == "benchmark"), None)
            measuring = float(bench.data.get("measuring_seconds", 0.0)) if bench else 0.0
            floor = affected.seconds + (budget if plan.measures else 0.0)
            rows.append(Row(candidate.target.key, affected.seconds, gate_s, measuring, floor,
                            "accepted" if verdict.accepted else "rejected", steps))  # fmt: skip
    worktrees.close()
    once = f"baseline {baseline_s:.2f}s, recording + static baseline {prepare_s:.2f}s"
    once += f", semgrep on every candidate {prefetch_s:.2f}s"
    return rows, once


def _step(name: str) -> str:
    """The full suite's second run (thorough) is the same step as its first."""
    return "full-suite" if name.startswith("full-suite") else name


def _print_candidates(rows: list[Row]) -> None:
    header = (
        f"{'candidate':<44}{'affected s':>11}{'gate s':>9}{'measuring s':>13}{'ratio':>7}  verdict"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row.key:<44}{row.affected:>11.2f}{row.gate:>9.2f}{row.measuring:>13.2f}"
              f"{row.gate / row.floor:>7.2f}  {row.verdict}")  # fmt: skip
    ratios = sorted(row.gate / row.floor for row in rows)
    if ratios:
        print(f"ratio: min {ratios[0]:.2f}, median {statistics.median(ratios):.2f}, "
              f"max {ratios[-1]:.2f}")  # fmt: skip
    print("ratio = gate seconds / (affected tests once + benchmark budget)")


def _print_steps(rows: list[Row]) -> None:
    """Seconds per step of the gate, summed over the candidates. Steps of one stage run at
    the same time, so the steps add up to more than the gate's wall time by the overlap."""
    names = sorted({name for row in rows for name in row.steps}, key=_rank)
    print(f"\nper step, summed over {len(rows)} candidates (accepted ones ran every step)")
    print(f"{'step':<18}{'runs':>6}{'seconds':>10}{'mean s':>9}")
    for name in names:
        values = [row.steps[name] for row in rows if name in row.steps]
        print(f"{name:<18}{len(values):>6}{sum(values):>10.2f}{sum(values) / len(values):>9.2f}")
    steps_s = sum(sum(row.steps.values()) for row in rows)
    gate_s = sum(row.gate for row in rows)
    print(f"{'steps, summed':<24}{steps_s:>10.2f}")
    print(f"{'gate wall time':<24}{gate_s:>10.2f}  (steps - wall = time run side by side, "
          f"less the gate's own overhead: {steps_s - gate_s:.2f}s)")  # fmt: skip


def _rank(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


_ORDER = ["syntax", "coverage", "import", "affected-tests", "ruff", "mypy", "semgrep", "method",
          "behaviour", "benchmark", "full-suite"]  # fmt: skip


@dataclass(frozen=True)
class Row:
    key: str
    affected: float
    gate: float
    measuring: float
    floor: float
    verdict: str
    steps: dict[str, float]


if __name__ == "__main__":
    main()
