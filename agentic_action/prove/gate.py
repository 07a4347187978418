"""The proof gate: every check a change must pass, cheapest first; the first failure stops it.

Checks (those within one stage are independent and run concurrently):

1. ``syntax`` (in memory, every changed module)
2. ``coverage`` (no process: were the changed lines executed by the tests on the base?)
3. ``import`` (one process per changed module: it loads from the worktree, not an installed
   copy), with ``affected-tests`` (the tests that executed the changed functions on the base),
   ``behaviour`` (recorded real inputs replayed on original and candidate) beside them. When the
   whole suite took at most ``SUITE_BESIDE_SECONDS`` on the base, the affected tests are not run
   alone: one run of the whole suite is both ``affected-tests`` (judged by those tests'
   outcomes in it) and ``full-suite`` (one pytest start-up instead of two; a candidate failing
   its tests wastes at most that much). Their processes share the cores; a failure of
   ``import`` is the one reported first
4. the method's own checks (generated tests, fault plans), if any
5. ``differential`` (original and candidate on inputs built around the recorded ones)
6. ``ruff``, ``semgrep`` and ``mypy`` (by validation level): started in a thread as soon as the
   change is written, so they run while stages 3-5 do; waited for here, and a failure they
   report earlier stops the proof at the end of the stage it finished in
7. ``benchmark`` (speed on the same inputs, interleaved, with a confidence interval; nothing of
   this proof runs beside it)
8. ``full-suite`` (once, unless it ran in stage 3; twice at the ``thorough`` level). When the
   affected tests that passed were every test of the suite, its first run is not repeated.

A candidate runs all of them (``run_gate``). Every other proof asks the same gate
(``prove_change``) for a named subset, in the same order: ``AFTER_MERGE`` for patches merged
together (``revalidate.py``), ``AT_LANDING`` for a patch approved on the current base. A change
that is not accepted says which check stopped it and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
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
    check_suite_with_affected,
    check_syntax,
    check_tests,
    module_name,
)
from agentic_action.prove.plan import (
    ProofPlan,
    behaviour_check,
    differential_check,
    speed_check,
    static_checks,
)
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
    DIFFERENTIAL = "differential"  # inputs built around the recorded ones (prove/differential)
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
# A suite that took at most this long on the base runs once, as the affected tests' check too.
SUITE_BESIDE_SECONDS = 10.0


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
    static = _static_alongside(config, checks, root, change)
    try:
        context = _Context(root, change, config, checks, baseline, extra, label, speed, done)
        for stage in _stages(context, static):
            results = _run_stage(stage)
            done.extend(results)
            failed = next((c for c in results if c.outcome in FAILING), None)
            if failed is None and static is not None:
                early = static.failed_early()
                done.extend(early)
                failed = next((c for c in early if c.outcome in FAILING), None)
            if failed is not None:
                return _stop(done, _reason(failed), speed[0])
    finally:
        if static is not None:
            static.close()
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


@dataclass(frozen=True)
class _Context:
    """One proof: the tree, the change, what to check and what was checked so far."""

    root: Path
    change: Change
    config: GateConfig
    checks: frozenset[Check]
    baseline: Baseline | None
    extra: MethodChecks | None
    label: str
    speed: list[SpeedEvidence | None]
    done: list[CheckResult]


def _stages(ctx: _Context, static: _Alongside | None) -> list[list[Step]]:
    """The checks in order. The static tools started with the first stage (``static``) and are
    waited for before the benchmark, which must have the cores to itself."""
    root, change, config = ctx.root, ctx.change, ctx.config
    options, scratch, plan = config.options, config.scratch, config.proof
    coverage = ctx.baseline.coverage if ctx.baseline is not None else None
    modules = [m.path for m in change.modules]
    tests = affected_tests(coverage, change.targets) if Check.AFFECTED_TESTS in ctx.checks else ()

    def imports() -> list[CheckResult]:
        return _until_failure(partial(check_import, root, m, options) for m in modules)

    def affected() -> list[CheckResult]:
        return [check_affected(root, options, scratch, ctx.label, tests)]

    def behaviour() -> list[CheckResult]:
        if plan is None:
            return []
        return _until_failure(partial(behaviour_check, plan, root, t) for t in change.targets)

    def differential() -> list[CheckResult]:
        if plan is None:
            return []
        edge = change.edge_cases
        return _until_failure(
            partial(differential_check, plan, root, t, edge) for t in change.targets
        )

    def benchmark() -> list[CheckResult]:
        results, ctx.speed[0] = _benchmark(plan, root, change) if plan else ([], None)
        return results

    def method() -> list[CheckResult]:
        return ctx.extra(root) if ctx.extra is not None else []

    together, fulls = _suite_steps(ctx, tests)
    ordered: list[list[tuple[Check, Step]]] = [
        [
            (Check.IMPORT, imports),
            *(together or [(Check.AFFECTED_TESTS, affected)]),
            (Check.BEHAVIOUR, behaviour),
        ],
        [(Check.METHOD, method)] if ctx.extra is not None else [],
        [(Check.DIFFERENTIAL, differential)],
        [(Check.STATIC, static.take)] if static is not None else [],
        [(Check.BENCHMARK, benchmark)],
        *fulls,
    ]
    stages = [[step for check, step in stage if check in ctx.checks] for stage in ordered]
    return [stage for stage in stages if stage]


def _suite_steps(
    ctx: _Context, tests: tuple[str, ...]
) -> tuple[list[tuple[Check, Step]], list[list[tuple[Check, Step]]]]:
    """The full suite's runs: the first, when the suite is quick, as one run of the whole suite
    that is the affected tests' check too (in the first stage); and the stages of those that
    run after the benchmark."""
    together = _suite_runs_once(ctx, tests)
    runs = range(2 if together else 1, ctx.config.full_suite_runs + 1)
    fulls: list[list[tuple[Check, Step]]] = [
        [(Check.FULL_SUITE, partial(_full_suite, ctx, run))] for run in runs
    ]
    if not together:
        return [], fulls
    options, scratch, label = ctx.config.options, ctx.config.scratch, f"{ctx.label}-suite"
    step = partial(check_suite_with_affected, ctx.root, options, scratch, label, tests)
    return [(Check.AFFECTED_TESTS, step)], fulls


def _suite_runs_once(ctx: _Context, tests: tuple[str, ...]) -> bool:
    """Do the affected tests run within one run of the whole suite (instead of alone, with the
    suite after the benchmark)? When the whole suite was quick on the base: a candidate that
    fails the affected tests then wastes at most that much. Only when both checks are asked
    for, and not when the affected tests are the whole suite (the affected tests alone are it)."""
    baseline = ctx.baseline
    if baseline is None or not tests or Check.FULL_SUITE not in ctx.checks:
        return False
    outcome = baseline.outcome
    return len(tests) < outcome.total and outcome.seconds <= SUITE_BESIDE_SECONDS


def _full_suite(ctx: _Context, run: int) -> list[CheckResult]:
    """The whole suite. Its first run is not needed at all when the affected tests that passed
    were the whole suite (a second run, at the thorough level, still runs)."""
    name = "full-suite" if run == 1 else f"full-suite-{run}"
    whole = _affected_were_whole_suite(ctx.done, ctx.baseline)
    if run == 1 and whole is not None:
        detail = f"not run again: the affected tests above were the whole suite ({whole} tests)"
        return [CheckResult(name, CheckOutcome.PASSED, detail, 0.0, {"tests": whole, "failed": []})]
    options, scratch, label = ctx.config.options, ctx.config.scratch, f"{ctx.label}-full{run}"
    return [check_tests(ctx.root, options, scratch, name, label, None)]


def _affected_were_whole_suite(done: list[CheckResult], baseline: Baseline | None) -> int | None:
    """How many tests the passed affected-tests run ran, when that is every test the baseline
    ran (same markers, same tree); None otherwise."""
    if baseline is None or baseline.outcome.total <= 0:
        return None
    affected = next((c for c in done if c.name == Check.AFFECTED_TESTS.value), None)
    if affected is None or affected.outcome is not CheckOutcome.PASSED:
        return None
    ran = int(affected.data.get("tests", 0))
    return ran if ran >= baseline.outcome.total else None


def _static_alongside(
    config: GateConfig, checks: frozenset[Check], root: Path, change: Change
) -> _Alongside | None:
    """The static tools, started now in a thread: they need no process of ours to finish."""
    plan = config.proof
    if Check.STATIC not in checks or plan is None or not plan.static_tools:
        return None
    modules = [m.path for m in change.modules]
    return _Alongside(partial(static_checks, plan, root, modules))


class _Alongside:
    """A step that runs in a thread while the stages before its place in the order run. Its
    results are taken once: at its place, or earlier when it has finished with a failure."""

    def __init__(self, step: Step) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._future: Future[list[CheckResult]] = self._pool.submit(step)
        self._taken = False

    def take(self) -> list[CheckResult]:
        if self._taken:
            return []
        self._taken = True
        return self._future.result()

    def failed_early(self) -> list[CheckResult]:
        """Its results, when it has already finished and one of them failed; else nothing."""
        if self._taken or not self._future.done():
            return []
        if any(c.outcome in FAILING for c in self._future.result()):
            return self.take()
        return []

    def close(self) -> None:
        """Wait for it (a stopped proof must not leave a tool running in a tree being removed)."""
        self._pool.shutdown(wait=True)


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
