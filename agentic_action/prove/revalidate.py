"""Prove a combination of patches again: the merged files, in a fresh worktree of the base commit.

Checks, cheapest first; the first failure stops:

1. ``syntax`` — every changed Python file compiles;
2. ``import`` — every changed module imports from the worktree;
3. ``affected-tests`` — the union of the tests that executed any of the combined functions on the
   base commit (from the baseline's per-test coverage);
4. ``full-suite`` — the repository's whole suite.

Behaviour and speed are not measured again: each part keeps the evidence it was accepted with,
and a combination whose parts could have changed each other's evidence (one patch editing lines
inside another's function) is escalated before it gets here (see ``conflicts.py``).

Without a baseline from the run, one is made here (a suite run with coverage on the base commit),
once, the first time a combination needs proving. A base whose suite is not green here proves
nothing, and every combination is escalated.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from agentic_action.baseline.suite import Baseline, run_baseline
from agentic_action.model import Candidate, CheckOutcome, CheckResult, FunctionTarget
from agentic_action.patches import diff_worktree
from agentic_action.prove.checks import check_import, check_tests
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.workspace import Repository, Worktrees

log = logging.getLogger("agentic_action")
FAILING = (CheckOutcome.FAILED, CheckOutcome.ERROR)


@dataclass(frozen=True)
class Proof:
    accepted: bool
    reason: str
    checks: tuple[CheckResult, ...]
    forward: str = ""
    reverse: str = ""


@dataclass
class Revalidator:
    """Proves merged files against ``base_commit``; one per conflict resolution."""

    repo_root: Path
    base_commit: str
    options: PytestOptions
    baseline: Baseline | None = None
    worktree_base: Path | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    _worktrees: Worktrees | None = None
    _scratch: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        self._stack.close()
        if self._worktrees is not None:
            self._worktrees.close()

    def prove(
        self, files: dict[str, bytes | None], targets: Sequence[FunctionTarget], label: str
    ) -> Proof:
        baseline = self._baseline()
        if not baseline.usable:
            reason = (
                "cannot re-validate the combination: the test suite is not green on the base "
                f"commit here ({baseline.describe()})"
            )
            return Proof(False, reason, ())
        with self._checkout(label) as root:
            _write(root, files)
            checks = self._checks(root, files, targets, baseline, label)
            failed = next((c for c in checks if c.outcome in FAILING), None)
            if failed is not None:
                detail = failed.detail.strip().splitlines()
                reason = (
                    f"{failed.name} {failed.outcome.value}: {detail[0][:300] if detail else ''}"
                )
                return Proof(False, reason, tuple(checks))
            forward, reverse = diff_worktree(root, sorted(files))
        return Proof(True, "re-validated after a three-way merge", tuple(checks), forward, reverse)

    def _checks(
        self,
        root: Path,
        files: dict[str, bytes | None],
        targets: Sequence[FunctionTarget],
        baseline: Baseline,
        label: str,
    ) -> list[CheckResult]:
        python = [path for path, data in files.items() if path.endswith(".py") and data]
        checks: list[CheckResult] = []
        for path in python:
            checks.append(_syntax(path, files[path] or b""))
            if checks[-1].outcome in FAILING:
                return checks
        for path in python:
            checks.append(check_import(root, _candidate(path, files[path] or b""), self.options))
            if checks[-1].outcome in FAILING:
                return checks
        scratch = self._scratch_dir()
        checks.append(self._affected(root, targets, baseline, scratch, label))
        if checks[-1].outcome in FAILING:
            return checks
        checks.append(check_tests(root, self.options, scratch, "full-suite", f"{label}-full", None))
        return checks

    def _affected(
        self,
        root: Path,
        targets: Sequence[FunctionTarget],
        baseline: Baseline,
        scratch: Path,
        label: str,
    ) -> CheckResult:
        tests: set[str] = set()
        if baseline.coverage is not None:
            for target in targets:
                lines = range(target.start_line, target.end_line + 1)
                tests |= baseline.coverage.tests_for(target.file, lines)
        if not tests:
            detail = "no per-test coverage of these functions: the full suite below runs every test"
            return CheckResult("affected-tests", CheckOutcome.SKIPPED, detail)
        ids = tuple(sorted(tests))
        return check_tests(root, self.options, scratch, "affected-tests", f"{label}-aff", ids)

    # -- lazily made: worktrees, scratch, baseline ----------------------------------------
    @contextmanager
    def _checkout(self, label: str) -> Iterator[Path]:
        with self._lock:
            if self._worktrees is None:
                self._worktrees = Worktrees(Repository(self.repo_root), self.worktree_base)
        with self._worktrees.checkout(label, commit=self.base_commit) as root:
            yield root

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            tmp = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="ao-reval-"))
            self._scratch = Path(tmp)
        return self._scratch

    def _baseline(self) -> Baseline:
        if self.baseline is None:
            log.info("conflicts: running the tests on the base commit to re-validate merges")
            with self._checkout("conflict-baseline") as root:
                self.baseline = run_baseline(root, self.options, self._scratch_dir())
        return self.baseline


def _write(root: Path, files: dict[str, bytes | None]) -> None:
    for rel, data in files.items():
        path = root / rel
        if data is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _syntax(path: str, data: bytes) -> CheckResult:
    started = time.perf_counter()
    try:
        compile(data, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        detail = f"{path}: {error.msg} (line {error.lineno})"
        return CheckResult("syntax", CheckOutcome.FAILED, detail, time.perf_counter() - started)
    return CheckResult("syntax", CheckOutcome.PASSED, f"{path} compiles")


def _candidate(path: str, data: bytes) -> Candidate:
    target = FunctionTarget(path, "<module>", 1, max(1, data.count(b"\n")))
    return Candidate(target, "merge", data.decode("utf-8", "replace"), (), "combined patches")
