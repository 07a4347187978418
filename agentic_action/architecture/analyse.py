"""The architecture agent's analysis of one repository: every analysis, timed, each saying
whether it ran, found nothing, or could not run - an honest empty section beats a silent one.

Code analyses (length, complexity, duplicates) look at the repository's tracked Python files
outside test folders; import analyses at its top-level packages (in the root or ``src``); the
history at ``git log``; the slow-test analysis at a JUnit report of the baseline test run (given,
or made by running the repository's tests once in a worktree of HEAD).
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_action.architecture import code, history, imports, slow_tests
from agentic_action.architecture.findings import Analysis, AnalysisState, Finding
from agentic_action.extras import MissingExtraError, require
from agentic_action.sandbox.pytest_runner import PytestOptions, run_pytest
from agentic_action.workspace import Repository, Worktrees

log = logging.getLogger("agentic_action.architecture")
TEST_PARTS = frozenset({"tests", "test", "testing"})
Outcome = tuple[AnalysisState, str, list[Finding]]


@dataclass
class ArchitectureReport:
    repo: str
    commit: str
    analyses: list[Analysis] = field(default_factory=list)
    seconds: float = 0.0
    issues: list[dict[str, Any]] = field(default_factory=list)  # GitHub mode: what was done
    mode: str = "patch"
    mode_reason: str = ""

    @property
    def findings(self) -> list[Finding]:
        found = [f for a in self.analyses for f in a.findings]
        return sorted(found, key=lambda f: (-f.score, f.slug))

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "commit": self.commit,
            "seconds": round(self.seconds, 3),
            "mode": self.mode,
            "mode_reason": self.mode_reason,
            "analyses": [a.to_json() for a in self.analyses],
            "findings": [f.to_json() for f in self.findings],
            "issues": list(self.issues),
            "patches": "none: the architecture agent proposes designs, it never writes patches",
        }


@dataclass(frozen=True)
class SuiteProfile:
    """Where slow-test figures come from: a JUnit report, a test run, or nowhere."""

    junit: Path | None = None
    run: PytestOptions | None = None


def analyse(root: Path, tests: SuiteProfile = SuiteProfile()) -> ArchitectureReport:
    started = time.perf_counter()
    repo = Repository(root)
    report = ArchitectureReport(str(repo.root), repo.head_commit)
    sources = _sources(repo.root)
    steps: list[tuple[str, Callable[[], Outcome]]] = [
        ("import cycles and layers", lambda: _imports(repo.root)),
        ("long functions", lambda: _code(sources, code.long_functions)),
        ("complex functions", lambda: _complex(repo.root, sources)),
        ("duplicated blocks", lambda: _code(sources, code.duplicates)),
        ("change hotspots", lambda: _hotspots(repo.root)),
        ("slow test modules", lambda: _slow_tests(repo, tests)),
    ]
    for name, step in steps:
        report.analyses.append(_timed(name, step))
    report.seconds = time.perf_counter() - started
    return report


def _timed(name: str, step: Callable[[], Outcome]) -> Analysis:
    began = time.perf_counter()
    try:
        state, note, found = step()
    except MissingExtraError as error:
        state, note, found = AnalysisState.UNAVAILABLE, str(error), []
    except Exception as error:  # one analysis failing never hides the others
        log.exception("architecture analysis %r failed", name)
        state, note, found = AnalysisState.UNAVAILABLE, f"{type(error).__name__}: {error}", []
    return Analysis(name, state, note, time.perf_counter() - began, tuple(found))


def _sources(root: Path) -> dict[str, str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.py"], cwd=root, capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")
    found = {}
    for rel in filter(None, listed.split("\0")):
        parts = Path(rel).parts
        if TEST_PARTS & set(parts[:-1]) or parts[-1].startswith("test_"):
            continue
        try:
            found[rel] = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return found


def _code(sources: dict[str, str], analysis: Callable[[dict[str, str]], list[Finding]]) -> Outcome:
    if not sources:
        return AnalysisState.NOT_APPLICABLE, "no Python files outside tests", []
    found = analysis(sources)
    note = f"{len(sources)} file(s) read; {len(found)} finding(s)"
    return AnalysisState.RAN, note, found


def _complex(root: Path, sources: dict[str, str]) -> Outcome:
    from agentic_action.rewrite import ruff_executable

    if not sources:
        return AnalysisState.NOT_APPLICABLE, "no Python files outside tests", []
    found = code.complex_functions(sources, ruff_executable(), str(root))
    note = f"ruff C901 over {len(sources)} file(s), complexity > {code.COMPLEXITY}"
    return AnalysisState.RAN, note, found


def _imports(root: Path) -> Outcome:
    require("grimp", "architecture", "The import-cycle and layer analysis")
    base, names = imports.packages(root)
    if not names:
        return AnalysisState.NOT_APPLICABLE, "no top-level package (a folder with __init__.py)", []
    graph = imports.build_graph(base, names)
    found = imports.cycles(graph, base, root, names)
    contracts = imports.layer_contracts(root)
    for contract in contracts:
        found += imports.layer_violations(graph, base, root, contract)
    layers = (
        f"{len(contracts)} layers contract(s) checked"
        if contracts
        else "no import-linter layers contract declared, so no layering check"
    )
    note = f"packages {', '.join(names)}: {len(graph.modules)} modules; {layers}"
    return AnalysisState.RAN, note, found


def _hotspots(root: Path) -> Outcome:
    seen = history.commits(root)
    if len(seen) < 2:
        return AnalysisState.NOT_APPLICABLE, f"{len(seen)} commit(s): no history to compare", []
    found = history.hotspots(root, seen)
    return AnalysisState.RAN, f"{len(seen)} commit(s) read", found


def _slow_tests(repo: Repository, tests: SuiteProfile) -> Outcome:
    if tests.junit is not None:
        return _from_junit(tests.junit)
    if tests.run is None:
        return AnalysisState.NOT_APPLICABLE, "the tests were not run (--no-tests)", []
    if not _has_tests(repo.root):
        return AnalysisState.NOT_APPLICABLE, "no tests: no test_*.py or *_test.py file", []
    with tempfile.TemporaryDirectory(prefix="ao-arch-") as scratch:
        worktrees = Worktrees(repo)
        try:
            with worktrees.checkout("architecture") as checkout:
                outcome, _ = run_pytest(
                    checkout, tests.run, scratch=Path(scratch), name="architecture"
                )
        finally:
            worktrees.close()
        junit = Path(scratch) / "architecture.junit.xml"
        if outcome.no_tests or not junit.is_file():
            return AnalysisState.NOT_APPLICABLE, f"no test profile: {outcome.describe()}", []
        return _from_junit(junit)


def _has_tests(root: Path) -> bool:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.py"], cwd=root, capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")
    names = (Path(rel).name for rel in listed.split("\0") if rel)
    return any(name.startswith("test_") or name.endswith("_test.py") for name in names)


def _from_junit(junit: Path) -> Outcome:
    seconds, counts = slow_tests.module_times(junit)
    if not seconds:
        return AnalysisState.NOT_APPLICABLE, f"{junit}: no tests in the report", []
    found = slow_tests.slow_modules(seconds, counts)
    note = (
        f"{sum(counts.values())} test(s) in {len(seconds)} module(s), {sum(seconds.values()):.1f} s"
    )
    return AnalysisState.RAN, note, found
