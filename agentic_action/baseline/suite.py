"""The repository's own test suite on the unmodified commit: is it green, and what covers what.

Nothing is accepted from a red baseline: when the suite fails on HEAD, a failing candidate could
not be told apart from the failures that were already there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from agentic_action.baseline.coverage_map import CoverageMap
from agentic_action.sandbox.pytest_runner import PytestOptions, TestOutcome, run_pytest

log = logging.getLogger("agentic_action")


@dataclass
class Baseline:
    outcome: TestOutcome
    coverage: CoverageMap | None
    note: str

    @property
    def usable(self) -> bool:
        """Candidates may only be accepted when the suite ran, had tests, and was green."""
        return self.outcome.green and not self.outcome.no_tests

    def describe(self) -> str:
        return f"{self.outcome.describe()}. {self.note}".strip()


def run_baseline(root: Path, options: PytestOptions, scratch: Path) -> Baseline:
    """One suite run on HEAD with per-test coverage contexts (pytest-cov).

    Our instrumentation never changes the verdict: coverage runs with a configuration of our
    own (``--cov-config``), so the repository's (``fail_under``, ``include`` that conflicts
    with our ``--cov``, which ``filterwarnings = error`` turns into a crash) does not apply;
    ``--cov-fail-under=0`` also overrides a threshold given in its addopts. The outcome is
    judged by the tests (see TestOutcome).
    """
    data_file = scratch / "baseline.coverage"
    config = scratch / "baseline.coveragerc"
    config.write_text("[run]\n", encoding="utf-8")
    extra = ["-p", "pytest_cov", f"--cov={root}", "--cov-context=test", "--cov-report="]
    extra += [f"--cov-config={config}", "--cov-fail-under=0"]
    outcome, result = run_pytest(
        root,
        options,
        scratch=scratch,
        name="baseline",
        extra=extra,
        extra_env={"COVERAGE_FILE": str(data_file)},
    )
    if not outcome.ran and "pytest_cov" in result.stderr:
        log.warning("pytest-cov is not available to %s; running without coverage", options.python)
        outcome, _ = run_pytest(root, options, scratch=scratch, name="baseline-plain")
        return Baseline(outcome, None, "No per-test coverage (pytest-cov missing).")
    if outcome.no_tests or not outcome.ran:
        return Baseline(outcome, None, "")
    if outcome.failed:
        outcome = _recheck_without_coverage(root, options, scratch, outcome)
    if not data_file.is_file():
        return Baseline(outcome, None, "No coverage data was written.")
    return Baseline(outcome, CoverageMap.read(data_file, root), "Per-test coverage recorded.")


def _recheck_without_coverage(
    root: Path, options: PytestOptions, scratch: Path, traced: TestOutcome
) -> TestOutcome:
    """A suite that fails under our coverage tracing runs once more without it. When it passes
    there, the failures were ours (a timing or complexity test slowed by the tracer, a plugin
    that clashes with pytest-cov): the verdict is green, and says which tests and why."""
    plain, _ = run_pytest(root, options, scratch=scratch, name="baseline-recheck")
    if not plain.green or plain.no_tests:
        return traced
    shown = ", ".join(traced.failed[:5]) + (" ..." if len(traced.failed) > 5 else "")
    note = (
        f"{len(traced.failed)} test(s) failed only under our coverage tracing and pass without "
        f"it: {shown}"
    )
    return replace(traced, failed=(), exit_note=note, exit_overruled=True)
