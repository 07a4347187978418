"""The filter for generated tests (after Meta's TestGen-LLM): a generated test is kept (shipped
with the change) only when it passes on the original code, passes again when rerun, and covers
statements of the target function that neither the repository's tests nor the tests kept before
it cover. Every test that passes twice on the original, kept or not, still serves as an oracle
for the candidates (``oracle``): it pins down behaviour even when it adds no coverage.

All runs happen in the sandbox on the method's private copy of the original tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coverage import CoverageData

from agentic_action.baseline.coverage_map import CoverageMap, statement_lines
from agentic_action.methods._workspace import Workspace, run_tests
from agentic_action.model import FunctionTarget

COVERAGE_ARGS = ("-p", "pytest_cov", "--cov-report=")
TestKey = tuple[str, str]  # (class name or "", function name)


@dataclass
class Screening:
    """What the filter did with the generated tests of one answer."""

    rel: str
    generated: int = 0
    failed_on_original: int = 0
    flaky: int = 0
    no_new_coverage: int = 0
    kept: list[str] = field(default_factory=list)
    gained: set[int] = field(default_factory=set)
    content: str = ""  # the kept tests, shipped with the change (empty when none is kept)
    oracle: str = ""  # every test that passed twice on the original (empty when none did)
    problem: str = ""  # the file as a whole could not run
    oracle_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.rel,
            "generated": self.generated,
            "failed_on_original": self.failed_on_original,
            "flaky": self.flaky,
            "no_new_coverage": self.no_new_coverage,
            "kept": list(self.kept),
            "oracle_tests": self.oracle_count,
            "lines_gained": sorted(self.gained),
            **({"problem": self.problem} if self.problem else {}),
        }


class Screen:
    def __init__(
        self,
        workspace: Workspace,
        target: FunctionTarget,
        source: str,
        python: str,
        timeout: float,
        covered: set[int],
    ) -> None:
        self.ws = workspace
        self.target = target
        self.python = python
        self.timeout = timeout
        self.statements = statement_lines(source, target.start_line, target.end_line)
        self.covered_before = covered & self.statements
        self.covered = set(self.covered_before)

    def screen(self, code: str, rel: str) -> Screening:
        result = Screening(rel)
        path = self.ws.tree / rel
        path.write_text(code, encoding="utf-8")
        names = _test_names(code)
        result.generated = len(names)
        passed, per_test, problem = self._first_run(rel)
        if problem:
            result.problem = problem
        result.failed_on_original = len(set(names) - passed)
        stable, result.flaky = self._rerun(path, code, [k for k in names if k in passed])
        if stable:
            result.oracle = prune(code, set(stable))
            result.oracle_count = len(stable)
        kept: list[TestKey] = []
        for key in stable:
            new = (per_test.get(key, set()) & self.statements) - self.covered
            if not new:
                result.no_new_coverage += 1
                continue
            kept.append(key)
            self.covered |= new
            result.gained |= new
        if kept:
            result.content = prune(code, set(kept))
            result.kept = [f"{c}::{n}" if c else n for c, n in kept]
            path.write_text(result.content, encoding="utf-8")
        else:
            path.unlink(missing_ok=True)
        return result

    def _first_run(self, rel: str) -> tuple[set[TestKey], dict[TestKey, set[int]], str]:
        """Tests that passed, the function statements each executed, and a whole-file problem."""
        scratch = self.ws.new_dir("gen")
        data_file = scratch / "generated.coverage"
        extra = [*COVERAGE_ARGS, f"--cov={self.ws.tree}", "--cov-context=test"]
        outcome, _ = run_tests(
            self.ws.tree, self.python, self.timeout, scratch, "generated", [rel],
            extra=extra, env={"COVERAGE_FILE": str(data_file)},
        )  # fmt: skip
        if not outcome.ran or outcome.no_tests:
            return set(), {}, outcome.describe()
        failed = {_junit_key(t) for t in outcome.failed}
        passed = {_junit_key(t) for t in outcome.passed_ids} - failed
        per_test: dict[TestKey, set[int]] = {}
        if data_file.is_file():
            lines = CoverageMap.read(data_file, self.ws.tree).lines.get(self.target.file, {})
            for line, contexts in lines.items():
                for context in contexts:
                    key = _context_key(context, rel)
                    if key is not None:
                        per_test.setdefault(key, set()).add(line)
        return passed, per_test, ""

    def _rerun(self, path: Path, code: str, kept: list[TestKey]) -> tuple[list[TestKey], int]:
        """Run the passing tests again (twice at most): drop any that fail now (flaky)."""
        flaky = 0
        for _ in range(2):
            if not kept:
                break
            path.write_text(prune(code, set(kept)), encoding="utf-8")
            scratch = self.ws.new_dir("rerun")
            rel = path.relative_to(self.ws.tree).as_posix()
            outcome, _ = run_tests(self.ws.tree, self.python, self.timeout, scratch, "rerun", [rel])
            passed = {_junit_key(t) for t in outcome.passed_ids} - {
                _junit_key(t) for t in outcome.failed
            }
            if outcome.green and set(kept) <= passed:
                return kept, flaky
            still = [k for k in kept if k in passed]
            flaky += len(kept) - len(still)
            kept = still
        return [], flaky + len(kept)


def baseline_lines(ws: Workspace, target: FunctionTarget, python: str, timeout: float) -> set[int]:
    """Lines of the target file the repository's own suite executes (one sandboxed run)."""
    scratch = ws.new_dir("existing")
    data_file = scratch / "existing.coverage"
    run_tests(
        ws.tree, python, timeout, scratch, "existing", None,
        extra=[*COVERAGE_ARGS, f"--cov={ws.tree}"], env={"COVERAGE_FILE": str(data_file)},
    )  # fmt: skip
    if not data_file.is_file():
        return set()
    data = CoverageData(basename=str(data_file))
    data.read()
    wanted = str((ws.tree / target.file).resolve())
    for measured in data.measured_files():
        if str(Path(measured).resolve()) == wanted:
            return set(data.lines(measured) or [])
    return set()


def _test_names(code: str) -> list[TestKey]:
    names: list[TestKey] = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names.append(("", node.name))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names += [
                (node.name, item.name)
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and item.name.startswith("test")
            ]
    return names


def prune(code: str, keep: set[TestKey]) -> str:
    """The module without the test functions (and emptied test classes) not in ``keep``."""
    drop: list[tuple[int, int]] = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            if ("", node.name) not in keep:
                drop.append(_span(node))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            tests = [
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and item.name.startswith("test")
            ]
            gone = [t for t in tests if (node.name, t.name) not in keep]
            if tests and len(gone) == len(tests):
                drop.append(_span(node))
            else:
                drop += [_span(t) for t in gone]
    lines = code.splitlines(keepends=True)
    dropped = {n for start, end in drop for n in range(start, end + 1)}
    return "".join(line for n, line in enumerate(lines, start=1) if n not in dropped)


def _span(node: ast.stmt) -> tuple[int, int]:
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *(d.lineno for d in decorators)])
    return start, node.end_lineno or node.lineno


def _junit_key(test_id: str) -> TestKey:
    """``tests.test_x.TestA::test_b[1]`` or ``tests.test_x::test_b`` -> (class, function)."""
    classname, _, name = test_id.rpartition("::")
    last = classname.rsplit(".", 1)[-1]
    cls = last if last[:1].isupper() and last.startswith("Test") else ""
    return cls, name.split("[", 1)[0]


def _context_key(context: str, rel: str) -> TestKey | None:
    """``tests/test_x.py::TestA::test_b[1]`` -> (class, function), for the file ``rel`` only."""
    parts = context.split("::")
    if parts[0] != rel or len(parts) < 2:
        return None
    cls = parts[1] if len(parts) == 3 else ""
    return cls, parts[-1].split("[", 1)[0]
