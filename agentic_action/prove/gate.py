"""The proof gate: every check a candidate must pass, cheapest first; the first failure stops it.

Stages (checks within one stage are independent and run concurrently):

1. ``syntax`` (in memory)
2. ``coverage`` (no process: were the changed lines executed by the tests on HEAD?)
3. ``import`` (one process: the module loads from the worktree, not an installed copy)
4. ``affected-tests`` (the tests that executed the function on HEAD) with ``ruff``,
   ``semgrep`` and ``mypy`` (by validation level) alongside
5. the method's own checks (generated tests, fault plans), if any
6. ``behaviour`` (recorded real inputs replayed on original and candidate)
7. ``benchmark`` (speed on the same inputs, interleaved, with a confidence interval)
8. ``full-suite`` (once; twice at the ``thorough`` level)

A candidate that is not accepted says which check stopped it and why.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from agentic_action.baseline.suite import Baseline
from agentic_action.model import Candidate, CheckOutcome, CheckResult, SpeedEvidence
from agentic_action.prove.checks import (
    changed_lines,
    check_coverage,
    check_import,
    check_syntax,
    check_tests,
    module_name,
)
from agentic_action.prove.plan import ProofPlan, behaviour_check, speed_check, static_checks
from agentic_action.sandbox.pytest_runner import PytestOptions

__all__ = ["GateConfig", "GateVerdict", "changed_lines", "module_name", "run_gate"]

Extra = Callable[[Path, Candidate], list[CheckResult]]
Stage = list[Callable[[], list[CheckResult]]]
FAILING = (CheckOutcome.FAILED, CheckOutcome.ERROR)


@dataclass(frozen=True)
class GateConfig:
    options: PytestOptions
    min_test_coverage: float
    scratch: Path
    proof: ProofPlan | None = None  # None: correctness only (syntax, coverage, import, tests)
    full_suite_runs: int = 1


@dataclass(frozen=True)
class GateVerdict:
    accepted: bool
    reason: str
    checks: tuple[CheckResult, ...]
    speed: SpeedEvidence | None = None


def run_gate(
    root: Path,
    candidate: Candidate,
    original: str,
    baseline: Baseline,
    config: GateConfig,
    *,
    extra_checks: Extra | None = None,
    label: str = "candidate",
) -> GateVerdict:
    """Write the candidate into ``root`` (a fresh worktree) and prove it, cheapest check first."""
    checks: list[CheckResult] = [check_syntax(candidate)]
    if checks[-1].outcome is not CheckOutcome.PASSED:
        return _stop(checks, "does not compile")
    coverage, tests = check_coverage(candidate, original, baseline, config.min_test_coverage)
    checks.append(coverage)
    if coverage.outcome is not CheckOutcome.PASSED:
        return _stop(checks, f"not provable by the repository's tests: {coverage.detail}")
    problem = _write(root, candidate)
    if problem:
        return _stop(checks, problem)
    speed: list[SpeedEvidence | None] = [None]
    for stage in _stages(root, candidate, config, tests, extra_checks, label, speed):
        results = _run_stage(stage)
        checks.extend(results)
        failed = next((c for c in results if c.outcome in FAILING), None)
        if failed is not None:
            reason = f"{failed.name} {failed.outcome.value}: {_first_line(failed)}"
            return _stop(checks, reason, speed[0])
    return GateVerdict(True, "all checks passed", tuple(checks), speed[0])


def _stages(
    root: Path,
    candidate: Candidate,
    config: GateConfig,
    tests: tuple[str, ...],
    extra: Extra | None,
    label: str,
    speed: list[SpeedEvidence | None],
) -> list[Stage]:
    options, scratch, plan = config.options, config.scratch, config.proof

    def affected() -> list[CheckResult]:
        return [check_tests(root, options, scratch, "affected-tests", f"{label}-affected", tests)]

    def static() -> list[CheckResult]:
        return static_checks(plan, root, candidate) if plan else []

    def behaviour() -> list[CheckResult]:
        check = behaviour_check(plan, root, candidate) if plan else None
        return [check] if check else []

    def benchmark() -> list[CheckResult]:
        if plan is None:
            return []
        check, speed[0] = speed_check(plan, root, candidate)
        return [check] if check else []

    def full(run: int) -> Callable[[], list[CheckResult]]:
        name = "full-suite" if run == 1 else f"full-suite-{run}"
        return lambda: [check_tests(root, options, scratch, name, f"{label}-full{run}", None)]

    stages: list[Stage] = [
        [lambda: [check_import(root, candidate, options)]],
        [affected, static],
    ]
    if extra is not None:
        stages.append([lambda: extra(root, candidate)])
    stages += [[behaviour], [benchmark]]
    stages += [[full(run)] for run in range(1, config.full_suite_runs + 1)]
    return stages


def _run_stage(stage: Stage) -> list[CheckResult]:
    if len(stage) == 1:
        return stage[0]()
    with ThreadPoolExecutor(max_workers=len(stage)) as pool:
        return [check for results in pool.map(lambda step: step(), stage) for check in results]


def _write(root: Path, candidate: Candidate) -> str | None:
    (root / candidate.target.file).write_text(candidate.new_source, encoding="utf-8")
    for rel, content in candidate.extra_files:
        path = (root / rel).resolve()
        if not path.is_relative_to(root.resolve()) or path.exists():
            return f"extra file {rel!r} is outside the worktree or already exists"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return None


def _first_line(check: CheckResult) -> str:
    lines = check.detail.strip().splitlines()
    return lines[0][:300] if lines else ""


def _stop(
    checks: list[CheckResult], reason: str, speed: SpeedEvidence | None = None
) -> GateVerdict:
    """A rejection keeps whatever speed was measured: the report shows why it fell short."""
    return GateVerdict(False, reason, tuple(checks), speed)
