"""The single checks of the proof gate that need nothing prepared on the base but the baseline."""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from agentic_action.baseline.coverage_map import CoverageMap, judge_coverage
from agentic_action.model import CheckOutcome, CheckResult, FunctionTarget
from agentic_action.prove.change import ChangedFile
from agentic_action.sandbox.pytest_runner import PytestOptions, run_pytest
from agentic_action.sandbox.runner import run_sandboxed

IMPORT_TIMEOUT = 120.0


def changed_lines(original: str, new: str) -> set[int]:
    """1-based lines of ``original`` that the new text replaces or deletes (or inserts beside)."""
    old_lines = original.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new.splitlines(), autojunk=False)
    changed: set[int] = set()
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            changed.update(range(i1 + 1, i2 + 1))
        elif tag == "insert":
            changed.add(min(i1 + 1, max(len(old_lines), 1)))
    return changed


def module_name(file: str) -> str:
    parts = file.removesuffix(".py").split("/")
    if parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def check_syntax(path: str, source: bytes) -> CheckResult:
    started = time.perf_counter()
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        detail = f"{path}: {error.msg} (line {error.lineno})"
        return CheckResult("syntax", CheckOutcome.FAILED, detail, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    return CheckResult("syntax", CheckOutcome.PASSED, f"{path} compiles", seconds)


def check_coverage(
    coverage: CoverageMap | None, target: FunctionTarget, change: ChangedFile | None, minimum: float
) -> CheckResult:
    """Are the lines ``change`` makes in ``target`` proven by tests that ran on the base?"""
    if coverage is None:
        detail = "no per-test coverage from the baseline run, so the change cannot be proven"
        return CheckResult("coverage", CheckOutcome.FAILED, detail)
    if change is None or change.original is None or change.new is None:
        detail = f"the source of {target.file} on the base is not known: nothing to judge"
        return CheckResult("coverage", CheckOutcome.FAILED, detail)
    original = change.original
    changed = changed_lines(original, change.new.decode("utf-8", "replace"))
    verdict = judge_coverage(
        coverage, target.file, original, target.start_line, target.end_line, changed
    )
    data = {
        "function_percent": round(verdict.function_percent, 1),
        "changed_statements": verdict.changed_statements,
        "uncovered_changed_lines": list(verdict.uncovered_changed),
        "tests": len(verdict.tests),
    }
    failed = not verdict.tests or verdict.uncovered_changed or verdict.function_percent < minimum
    detail = verdict.describe()
    if verdict.function_percent < minimum:
        detail += f" (below the required {minimum:.0f}%)"
    outcome = CheckOutcome.FAILED if failed else CheckOutcome.PASSED
    return CheckResult("coverage", outcome, detail, 0.0, data)


def affected_tests(
    coverage: CoverageMap | None, targets: Sequence[FunctionTarget]
) -> tuple[str, ...]:
    """The tests that executed any line of ``targets`` on the base (sorted)."""
    tests: set[str] = set()
    if coverage is not None:
        for target in targets:
            tests |= coverage.tests_for(target.file, range(target.start_line, target.end_line + 1))
    return tuple(sorted(tests))


def check_import(root: Path, file: str, options: PytestOptions) -> CheckResult:
    """Import the changed module from the worktree and prove it is the worktree's copy."""
    name = module_name(file)
    expected = str((root / file).resolve())
    code = (
        "import importlib, os, sys\n"
        f"module = importlib.import_module({name!r})\n"
        "where = os.path.realpath(module.__file__ or '')\n"
        f"sys.exit(0 if where == {expected!r} else 3)\n"
    )
    paths = [str(root / "src")] if (root / "src").is_dir() else []
    result = run_sandboxed(
        [options.python, "-c", code],
        cwd=root,
        timeout=IMPORT_TIMEOUT,
        extra_env={"PYTHONPATH": ":".join([*paths, str(root)])},
    )
    if result.ok:
        return CheckResult("import", CheckOutcome.PASSED, f"imports as {name}", result.seconds)
    if result.returncode == 3:
        detail = f"{name} resolved to an installed copy, not the worktree; cannot test the change"
        return CheckResult("import", CheckOutcome.ERROR, detail, result.seconds)
    return CheckResult("import", CheckOutcome.FAILED, result.tail(12), result.seconds)


def check_affected(
    root: Path, options: PytestOptions, scratch: Path, label: str, tests: tuple[str, ...]
) -> CheckResult:
    if not tests:
        detail = "no per-test coverage of these functions: the full suite below runs every test"
        return CheckResult("affected-tests", CheckOutcome.SKIPPED, detail)
    return check_tests(root, options, scratch, "affected-tests", f"{label}-affected", tests)


def check_suite_with_affected(
    root: Path, options: PytestOptions, scratch: Path, label: str, tests: tuple[str, ...]
) -> list[CheckResult]:
    """The ``affected-tests`` and ``full-suite`` checks from ONE run of the whole suite: one
    pytest start-up instead of two processes side by side (pytest and its plugins cost about a
    second of CPU to start). The affected tests are judged by their own outcomes in that run;
    a failure that cannot be told apart (pytest did not run, timed out, or a failure that is
    not a test's) is the affected tests' failure."""
    outcome, _ = run_pytest(root, options, scratch=scratch, name=label, test_ids=None)
    whole = {"tests": outcome.total, "failed": list(outcome.failed)}
    mine = {junit_id(test_id) for test_id in tests}
    failed_mine = [test_id for test_id in outcome.failed if test_id in mine]
    attributable = outcome.ran and not outcome.timed_out and not outcome.no_tests
    attributable = attributable and all("::" in test_id for test_id in outcome.failed)
    within = f"the {len(tests)} affected test(s), run within one run of the whole suite"
    if outcome.green and not outcome.no_tests:
        affected = CheckResult(
            "affected-tests", CheckOutcome.PASSED, f"{within}, passed", outcome.seconds,
            {"tests": len(tests), "failed": [], "with_whole_suite": True},
        )  # fmt: skip
        full = CheckResult("full-suite", CheckOutcome.PASSED, outcome.describe(), 0.0, whole)
        return [affected, full]
    detail = outcome.describe()
    if outcome.output_tail and outcome.failed:
        detail += "\n" + outcome.output_tail[-1500:]
    if failed_mine or not attributable:
        data = {"tests": len(tests), "failed": failed_mine, "with_whole_suite": True}
        if failed_mine:  # as a run of the affected tests alone would say it
            mine_only = replace(outcome, total=len(tests), failed=tuple(failed_mine))
            detail = mine_only.describe() + detail.removeprefix(outcome.describe())
        return [CheckResult("affected-tests", CheckOutcome.FAILED, detail, outcome.seconds, data)]
    affected = CheckResult(
        "affected-tests", CheckOutcome.PASSED, f"{within}, passed", outcome.seconds,
        {"tests": len(tests), "failed": [], "with_whole_suite": True},
    )  # fmt: skip
    return [affected, CheckResult("full-suite", CheckOutcome.FAILED, detail, 0.0, whole)]


def junit_id(node_id: str) -> str:
    """A pytest node id (``tests/test_x.py::TestC::test_y[1]``) as the junit report names the
    same test (``tests.test_x.TestC::test_y[1]``): pytest's own mangling of the address."""
    names = node_id.split("::")
    names[0] = names[0].replace("/", ".").removesuffix(".py")
    return f"{'.'.join(names[:-1])}::{names[-1]}" if len(names) > 1 else names[0]


def check_tests(
    root: Path,
    options: PytestOptions,
    scratch: Path,
    name: str,
    label: str,
    test_ids: tuple[str, ...] | None,
) -> CheckResult:
    """Run ``test_ids`` (None: the whole suite)."""
    outcome, _ = run_pytest(root, options, scratch=scratch, name=label, test_ids=test_ids)
    data = {"tests": outcome.total, "failed": list(outcome.failed)}
    if outcome.green and not outcome.no_tests:
        return CheckResult(name, CheckOutcome.PASSED, outcome.describe(), outcome.seconds, data)
    detail = outcome.describe()
    if outcome.output_tail and outcome.failed:
        detail += "\n" + outcome.output_tail[-1500:]
    return CheckResult(name, CheckOutcome.FAILED, detail, outcome.seconds, data)
