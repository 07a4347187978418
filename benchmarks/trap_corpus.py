"""The trap corpus: subtly wrong and correct faster candidates, each through the real gate.

Usage: python benchmarks/trap_corpus.py [--level standard] [--budget 1.0] [--only NAME]
                                       [--no-differential]

Builds a git repository from ``trap_cases.MODULES`` (one module per category and its tests),
prepares the run once (baseline with per-test coverage, recorded inputs, static findings), then
proves every candidate of ``trap_cases.WRONG`` and ``trap_cases.CORRECT`` in a fresh worktree
with the whole gate (``run_gate``). Prints:

- per category, how many wrong candidates were caught and by which check, and the misses;
- how many correct candidates were rejected for behaviour reasons (tests, behaviour,
  differential), and for other reasons (the benchmark: not faster);
- the seconds the differential check added per candidate, and its share of the gate.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from trap_cases import CORRECT, MODULES, WRONG, Trap

from agentic_action.baseline.suite import Baseline, run_baseline
from agentic_action.model import Candidate, CheckOutcome, FunctionTarget
from agentic_action.prove.differential import DifferentialSettings
from agentic_action.prove.gate import GateConfig, run_gate
from agentic_action.prove.plan import ProofPlan, prepare_proof
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.workspace import Repository, Worktrees

BEHAVIOUR_CHECKS = ("affected-tests", "behaviour", "differential", "full-suite", "coverage")
FAILING = (CheckOutcome.FAILED, CheckOutcome.ERROR)


@dataclass(frozen=True)
class Outcome:
    trap: Trap
    accepted: bool
    stopped_by: str  # the check that rejected it, "" when accepted
    gate_seconds: float
    differential_seconds: float | None  # None: the check did not run
    detail: str


def make_repo(root: Path) -> Repository:
    import subprocess

    files = {"traps/__init__.py": "", "tests/__init__.py": ""}
    for name, (module, tests) in MODULES.items():
        files[f"traps/{name}.py"] = module
        files[f"tests/test_{name}.py"] = tests
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "traps"]):
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.invalid", *args],
            cwd=root,
            check=True,
        )
    return Repository(root)


def targets() -> dict[tuple[str, str], FunctionTarget]:
    found: dict[tuple[str, str], FunctionTarget] = {}
    for name, (module, _) in MODULES.items():
        for node in ast.parse(module).body:
            if isinstance(node, ast.FunctionDef):
                file = f"traps/{name}.py"
                end = node.end_lineno or node.lineno
                found[(name, node.name)] = FunctionTarget(file, node.name, node.lineno, end)
    return found


def candidate_source(trap: Trap, target: FunctionTarget) -> str:
    """The module with the function's definition replaced by the trap's."""
    lines = MODULES[trap.module][0].splitlines(keepends=True)
    new = [*lines[: target.start_line - 1], trap.candidate, *lines[target.end_line :]]
    return "".join(new)


def prove_all(
    work: Path, level: str, budget: float, only: str | None, differential: bool = True
) -> list[Outcome]:
    repo = make_repo(work / "repo")
    options = PytestOptions(python=sys.executable, timeout=300)
    worktrees = Worktrees(repo, work / "wt")
    scratch = work / "scratch"
    scratch.mkdir()
    found = targets()
    traps = [t for t in [*WRONG, *CORRECT] if only is None or t.function == only]
    outcomes = []
    with worktrees.checkout("baseline") as base:
        baseline = run_baseline(base, options, scratch)
        bounds = DifferentialSettings(max_inputs=150 if differential else 0)  # 0: check off
        plan = ProofPlan(level, base, sys.executable, benchmark_seconds=budget, differential=bounds)
        plan = prepare_proof(plan, sorted(set(found.values()), key=str), [], scratch)
        config = GateConfig(options, 80.0, scratch, proof=plan)
        for number, trap in enumerate(traps, start=1):
            outcome = prove(trap, found[(trap.module, trap.function)], worktrees, baseline, config)
            verdict = "accepted" if outcome.accepted else f"rejected by {outcome.stopped_by}"
            kind = "wrong" if trap.wrong else "correct"
            print(f"[{number}/{len(traps)}] {kind} {trap.function} ({trap.why}): {verdict} "
                  f"in {outcome.gate_seconds:.1f}s", flush=True)  # fmt: skip
            outcomes.append(outcome)
    worktrees.close()
    return outcomes


def prove(
    trap: Trap,
    target: FunctionTarget,
    worktrees: Worktrees,
    baseline: Baseline,
    config: GateConfig,
) -> Outcome:
    original = MODULES[trap.module][0]
    source = candidate_source(trap, target)
    candidate = Candidate(target, "trap-corpus", source, (), trap.why)
    with worktrees.checkout(f"trap-{trap.function}") as root:
        started = time.perf_counter()
        verdict = run_gate(root, candidate, original, baseline, config)
        seconds = time.perf_counter() - started
    failed = next((c for c in verdict.checks if c.outcome in FAILING), None)
    differential = next((c for c in verdict.checks if c.name == "differential"), None)
    return Outcome(
        trap,
        verdict.accepted,
        "" if failed is None else failed.name,
        seconds,
        None if differential is None else differential.seconds,
        verdict.reason,
    )


def print_wrong(outcomes: list[Outcome]) -> None:
    wrong = [o for o in outcomes if o.trap.wrong]
    categories = sorted({o.trap.category for o in wrong})
    print(f"\nwrong candidates: {len(wrong)} in {len(categories)} categories")
    print(f"{'category':<28}{'caught':>7}{'missed':>7}  caught by")
    for category in categories:
        mine = [o for o in wrong if o.trap.category == category]
        caught = [o for o in mine if not o.accepted]
        by: dict[str, int] = {}
        for o in caught:
            by[o.stopped_by] = by.get(o.stopped_by, 0) + 1
        checks = ", ".join(f"{name} {n}" for name, n in sorted(by.items()))
        print(f"{category:<28}{len(caught):>7}{len(mine) - len(caught):>7}  {checks}")
    caught_all = sum(1 for o in wrong if not o.accepted)
    if wrong:
        print(f"caught {caught_all}/{len(wrong)} ({100 * caught_all / len(wrong):.0f}%)")
    for o in wrong:
        if o.accepted:
            print(f"  MISSED {o.trap.module}.{o.trap.function}: {o.trap.why}")


def print_correct(outcomes: list[Outcome]) -> None:
    correct = [o for o in outcomes if not o.trap.wrong]
    behaviour = [o for o in correct if o.stopped_by in BEHAVIOUR_CHECKS]
    other = [o for o in correct if not o.accepted and o.stopped_by not in BEHAVIOUR_CHECKS]
    print(f"\ncorrect candidates: {len(correct)}; accepted {sum(o.accepted for o in correct)}")
    if correct:
        share = 100 * len(behaviour) / len(correct)
        print(f"rejected for behaviour reasons: {len(behaviour)} ({share:.1f}%)")
    print(f"rejected for other reasons (e.g. not measurably faster): {len(other)}")
    for o in behaviour:
        print(f"  REJECTED {o.trap.module}.{o.trap.function} by {o.stopped_by}: {o.detail[:300]}")


def print_cost(outcomes: list[Outcome]) -> None:
    ran = [o for o in outcomes if o.differential_seconds is not None]
    if not ran:
        return
    seconds = [o.differential_seconds or 0.0 for o in ran]
    share = [100 * (o.differential_seconds or 0.0) / o.gate_seconds for o in ran]
    passed = [o for o in ran if o.accepted]
    print(f"\ndifferential check: ran for {len(ran)} candidates")
    print(f"  seconds per candidate: median {statistics.median(seconds):.2f}, "
          f"max {max(seconds):.2f} (rejections include shrinking)")  # fmt: skip
    print(f"  share of the gate: median {statistics.median(share):.1f}%, max {max(share):.1f}%")
    if passed:
        accepted = [o.differential_seconds or 0.0 for o in passed]
        ratio = [100 * (o.differential_seconds or 0.0) / o.gate_seconds for o in passed]
        print(f"  accepted candidates ({len(passed)}): median {statistics.median(accepted):.2f}s, "
              f"{statistics.median(ratio):.1f}% of their gate")  # fmt: skip
    print(
        "  (the inputs and the original's runs are prepared once per function, for its first "
        "candidate; that time is counted in the first candidate's check)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="standard", choices=["standard", "thorough"])
    parser.add_argument("--budget", type=float, default=1.0, help="benchmark seconds")
    parser.add_argument("--only", help="only the candidates for this function")
    parser.add_argument(
        "--no-differential", action="store_true", help="the gate without the differential check"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trap-corpus-") as tmp:
        outcomes = prove_all(
            Path(tmp), args.level, args.budget, args.only, not args.no_differential
        )
    print(f"\ndifferential check {'off' if args.no_differential else 'on'}; "
          f"level={args.level} benchmark budget={args.budget}s; "
          f"{time.perf_counter() - started:.0f}s in all; load average before {load:.2f}, "
          f"after {os.getloadavg()[0]:.2f}")  # fmt: skip
    print_wrong(outcomes)
    print_correct(outcomes)
    print_cost(outcomes)


if __name__ == "__main__":
    main()
