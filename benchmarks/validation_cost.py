"""Cost of proving one candidate vs its floor: affected tests once + the benchmark budget.

Usage: python benchmarks/validation_cost.py [--level standard] [--budget 3.0]

On the bundled example (copied into a temporary git repository) it prepares a run once (the
baseline suite with per-test coverage, recorded inputs, static findings on HEAD), then for each
candidate the rules engine proposes it times:

- ``affected``: the candidate's affected tests run once, alone (the floor's first half);
- ``gate``: the whole proof gate for that candidate in a fresh worktree (syntax, coverage,
  import, affected tests + static checks, behaviour, benchmark, full suite);
- ``measuring``: the benchmark's own measuring time (bounded by the budget).

and prints ``ratio = gate / (affected + budget)``: how far validation is above its floor.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agentic_action.baseline.suite import run_baseline
from agentic_action.methods.rules import rules_candidate
from agentic_action.plan.discover import discover
from agentic_action.prove.checks import check_coverage, check_tests
from agentic_action.prove.gate import GateConfig, run_gate
from agentic_action.prove.plan import ProofPlan, prepare_proof
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
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        repo = Repository(make_example(work / "shop"))
        found = discover(repo, ["shop/**/*.py"])
        options = PytestOptions(python=sys.executable, timeout=300)
        worktrees = Worktrees(repo, work / "wt")
        scratch = work / "scratch"
        scratch.mkdir()
        with worktrees.checkout("baseline") as base:
            started = time.perf_counter()
            baseline = run_baseline(base, options, scratch)
            baseline_s = time.perf_counter() - started
            candidates = [
                c
                for t in found.functions
                if not isinstance(c := rules_candidate(t, found.sources[t.file]), str)
            ]
            plan = ProofPlan(args.level, base, sys.executable, benchmark_seconds=args.budget)
            started = time.perf_counter()
            plan = prepare_proof(plan, [c.target for c in candidates], [], scratch)
            prepare_s = time.perf_counter() - started
            config = GateConfig(options, 80.0, scratch, proof=plan)
            rows = []
            for candidate in candidates:
                original = found.sources[candidate.target.file]
                _, tests = check_coverage(candidate, original, baseline, 0.0)
                with worktrees.checkout("affected") as root:
                    (root / candidate.target.file).write_text(candidate.new_source)
                    affected = check_tests(root, options, scratch, "affected", "bench", tests)
                with worktrees.checkout("gate") as root:
                    started = time.perf_counter()
                    verdict = run_gate(root, candidate, original, baseline, config)
                    gate_s = time.perf_counter() - started
                bench = next((c for c in verdict.checks if c.name == "benchmark"), None)
                measuring = float(bench.data.get("measuring_seconds", 0.0)) if bench else 0.0
                floor = affected.seconds + (args.budget if plan.measures else 0.0)
                rows.append((candidate.target.key, affected.seconds, gate_s, measuring, floor,
                             "accepted" if verdict.accepted else "rejected"))  # fmt: skip
        worktrees.close()
    print(f"level={args.level} budget={args.budget}s  once per run: baseline {baseline_s:.2f}s, "
          f"recording + static baseline {prepare_s:.2f}s")  # fmt: skip
    header = (
        f"{'candidate':<44}{'affected s':>11}{'gate s':>9}{'measuring s':>13}{'ratio':>7}  verdict"
    )
    print(header)
    print("-" * len(header))
    for key, affected_s, gate_s, measuring, floor, verdict_text in rows:
        print(f"{key:<44}{affected_s:>11.2f}{gate_s:>9.2f}{measuring:>13.2f}"
              f"{gate_s / floor:>7.2f}  {verdict_text}")  # fmt: skip
    print("ratio = gate seconds / (affected tests once + benchmark budget)")


if __name__ == "__main__":
    main()
