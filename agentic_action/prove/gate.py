"""The proof gate: every check a change must pass, cheapest first; the first failure stops it.

Checks (those within one stage are independent and run concurrently):

1. ``syntax`` (in memory, every changed module)
2. ``coverage`` (no process: were the changed lines executed by the tests on the base?)
3. ``import`` (one process per changed module: it loads from the worktree, not an installed copy)
4. ``affected-tests`` (the tests that executed the changed functions on the base) with ``ruff``,
   ``semgrep`` and ``mypy`` (by validation level) alongside
5. the method's own checks (generated tests, fault plans), if any
6. ``behaviour`` (recorded real inputs replayed on original and candidate)
7. ``benchmark`` (speed on the same inputs, interleaved, with a confidence interval)
8. ``full-suite`` (once; twice at the ``thorough`` level)

A candidate runs all of them (``run_gate``). Every other proof asks the same gate
(``prove_change``) for a named subset, in the same order: ``AFTER_MERGE`` for patches merged
together (``revalidate.py``), ``AT_LANDING`` for a patch approved on the current base. A change
that is not accepted says which check stopped it and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path

from agentic_action.baseline.suite import Baseline
from agentic_action.model import Candidate, CheckOutcome, CheckResult, SpeedEvidence
from agentic_action.prove.change import Change, write_change
from agentic_action.prove.checks import (
    affected_tests,
    changed_lines,
    check_affected,
    check_coverage,
    check_import,
    check_syntax,
    check_tests,
    module_name,
)
from agentic_action.prove.plan import ProofPlan, behaviour_check, speed_check, static_checks
from agentic_action.sandbox.pytest_runner import PytestOptions

__all__ = [
    "AFTER_MERGE",
    "AT_LANDING",
    "EVERY_CHECK",
    "Check",
    "GateConfig",
    "GateVerdict",
    "changed_lines",
    "module_name",
    "prove_change",
    "run_gate",
]


class Check(Enum):
    """The gate's checks, as a selection names them."""

    SYNTAX = "syntax"
    COVERAGE = "coverage"
    IMPORT = "import"
    AFFECTED_TESTS = "affected-tests"
    STATIC = "static"  # ruff, semgrep, mypy: which ones is the proof plan's level
    METHOD = "method"  # the method's own checks, when it has some
    BEHAVIOUR = "behaviour"
    BENCHMARK = "benchmark"
    FULL_SUITE = "full-suite"


EVERY_CHECK = frozenset(Check)
# Each merged part keeps the behaviour and speed evidence it was accepted with (a merge whose
# parts could change each other's evidence is escalated before it is proven).
AFTER_MERGE = frozenset({Check.SYNTAX, Check.IMPORT, Check.AFFECTED_TESTS, Check.FULL_SUITE})
# An approved patch on the base as it is now: its whole test suite.
AT_LANDING = frozenset({Check.FULL_SUITE})

MethodChecks = Callable[[Path], list[CheckResult]]
Extra = Callable[[Path, Candidate], list[CheckResult]]
Step = Callable[[], list[CheckResult]]
FAILING = (CheckOutcome.FAILED, CheckOutcome.ERROR)


@dataclass(frozen=True)
class GateConfig:
    options: PytestOptions
    min_test_coverage: float  # read by the coverage check only
    scratch: Path
    proof: ProofPlan | None = None  # None: no static, behaviour or benchmark checks
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
    """Write the candidate into ``root`` (a fresh worktree) and prove it with every check."""
    change = Change.of_candidate(candidate, original)
    method = _of_candidate(extra_checks, candidate)
    return prove_change(root, change, config, baseline=baseline, extra=method, label=label)


def _of_candidate(extra: Extra | None, candidate: Candidate) -> MethodChecks | None:
    if extra is None:
        return None
    checks = extra

    def method(root: Path) -> list[CheckResult]:
        return checks(root, candidate)

    return method


def prove_change(
    root: Path,
    change: Change,
    config: GateConfig,
    *,
    checks: frozenset[Check] = EVERY_CHECK,
    baseline: Baseline | None = None,
    extra: MethodChecks | None = None,
    label: str = "candidate",
) -> GateVerdict:
    """Write ``change`` into ``root`` (a fresh worktree of the base) and run the ``checks``
    selected, cheapest first. ``baseline``: the base's per-test coverage (coverage and
    affected tests); ``extra``: the method's own checks."""
    done: list[CheckResult] = []
    for step in _in_memory(change, config, checks, baseline):
        done.append(step())
        if done[-1].outcome in FAILING:
            return _stop(done, _reason(done[-1]))
    problem = write_change(root, change)
    if problem:
        return _stop(done, problem)
    speed: list[SpeedEvidence | None] = [None]
    for stage in _stages(root, change, config, checks, baseline, extra, label, speed):
        results = _run_stage(stage)
        done.extend(results)
        failed = next((c for c in results if c.outcome in FAILING), None)
        if failed is not None:
            return _stop(done, _reason(failed), speed[0])
    return GateVerdict(True, "all checks passed", tuple(done), speed[0])


def _in_memory(
    change: Change, config: GateConfig, checks: frozenset[Check], baseline: Baseline | None
) -> list[Callable[[], CheckResult]]:
    """Syntax of every changed module, then coverage of every changed function."""
    steps: list[Callable[[], CheckResult]] = []
    if Check.SYNTAX in checks:
        steps += [partial(check_syntax, m.path, m.new or b"") for m in change.modules]
    if Check.COVERAGE in checks:
        coverage = baseline.coverage if baseline is not None else None
        minimum = config.min_test_coverage
        steps += [
            partial(check_coverage, coverage, t, change.file(t.file), minimum)
            for t in change.targets
        ]
    return steps


def _stages(
    root: Path,
    change: Change,
    config: GateConfig,
    checks: frozenset[Check],
    baseline: Baseline | None,
    extra: MethodChecks | None,
    label: str,
    speed: list[SpeedEvidence | None],
) -> list[list[Step]]:
    options, scratch, plan = config.options, config.scratch, config.proof
    coverage = baseline.coverage if baseline is not None else None
    modules = [m.path for m in change.modules]

    def imports() -> list[CheckResult]:
        return _until_failure(partial(check_import, root, m, options) for m in modules)

    def affected() -> list[CheckResult]:
        tests = affected_tests(coverage, change.targets)
        return [check_affected(root, options, scratch, label, tests)]

    def static() -> list[CheckResult]:
        return static_checks(plan, root, modules) if plan else []

    def behaviour() -> list[CheckResult]:
        if plan is None:
            return []
        return _until_failure(partial(behaviour_check, plan, root, t) for t in change.targets)

    def benchmark() -> list[CheckResult]:
        results, speed[0] = _benchmark(plan, root, change) if plan else ([], None)
        return results

    def method() -> list[CheckResult]:
        return extra(root) if extra is not None else []

    def full(run: int) -> Step:
        name = "full-suite" if run == 1 else f"full-suite-{run}"
        return lambda: [check_tests(root, options, scratch, name, f"{label}-full{run}", None)]

    ordered: list[list[tuple[Check, Step]]] = [
        [(Check.IMPORT, imports)],
        [(Check.AFFECTED_TESTS, affected), (Check.STATIC, static)],
        [(Check.METHOD, method)] if extra is not None else [],
        [(Check.BEHAVIOUR, behaviour)],
        [(Check.BENCHMARK, benchmark)],
        *([(Check.FULL_SUITE, full(run))] for run in range(1, config.full_suite_runs + 1)),
    ]
    stages = [[step for check, step in stage if check in checks] for stage in ordered]
    return [stage for stage in stages if stage]


def _benchmark(
    plan: ProofPlan, root: Path, change: Change
) -> tuple[list[CheckResult], SpeedEvidence | None]:
    """One benchmark per changed function, first failure stops; the speed claimed for the
    change is the least one measured."""
    results: list[CheckResult] = []
    measured: list[SpeedEvidence] = []
    for target in change.targets:
        check, evidence = speed_check(plan, root, target, change.purpose)
        if evidence is not None:
            measured.append(evidence)
        if check is not None:
            results.append(check)
            if check.outcome in FAILING:
                break
    return results, min(measured, key=lambda e: e.speedup, default=None)


def _until_failure(steps: Iterable[Callable[[], CheckResult | None]]) -> list[CheckResult]:
    results: list[CheckResult] = []
    for step in steps:
        check = step()
        if check is not None:
            results.append(check)
            if check.outcome in FAILING:
                break
    return results


def _run_stage(stage: list[Step]) -> list[CheckResult]:
    if len(stage) == 1:
        return stage[0]()
    with ThreadPoolExecutor(max_workers=len(stage)) as pool:
        return [check for results in pool.map(lambda step: step(), stage) for check in results]


def _reason(failed: CheckResult) -> str:
    if failed.name == Check.COVERAGE.value:
        return f"not provable by the repository's tests: {failed.detail}"
    lines = failed.detail.strip().splitlines()
    return f"{failed.name} {failed.outcome.value}: {lines[0][:300] if lines else ''}"


def _stop(
    checks: list[CheckResult], reason: str, speed: SpeedEvidence | None = None
) -> GateVerdict:
    """A rejection keeps whatever speed was measured: the report shows why it fell short."""
    return GateVerdict(False, reason, tuple(checks), speed)
