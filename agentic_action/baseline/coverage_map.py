"""Which tests execute which lines, from one baseline run with per-test coverage contexts.

The baseline suite runs once under pytest-cov with ``--cov-context=test``; every covered line
then knows the pytest node ids that executed it. A candidate's affected tests are the tests that
executed any line of its function, and its changed lines must have been executed by at least one
test before the candidate can be trusted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coverage import CoverageData
from coverage.parser import PythonParser


@dataclass
class CoverageMap:
    # relative file -> line -> node ids of the tests that executed it
    lines: dict[str, dict[int, set[str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, data_file: Path, root: Path) -> CoverageMap:
        data = CoverageData(basename=str(data_file))
        data.read()
        root_text = str(root.resolve()) + "/"
        result = cls()
        for measured in data.measured_files():
            if not measured.startswith(root_text):
                continue
            rel = measured[len(root_text) :]
            by_line = data.contexts_by_lineno(measured)
            result.lines[rel] = {
                line: {_node_id(c) for c in contexts if c} for line, contexts in by_line.items()
            }
        return result

    def executed(self, file: str) -> set[int]:
        return set(self.lines.get(file, {}))

    def tests_for(self, file: str, lines: Iterable[int]) -> set[str]:
        by_line = self.lines.get(file, {})
        tests: set[str] = set()
        for line in lines:
            tests |= by_line.get(line, set())
        return tests


def _node_id(context: str) -> str:
    """pytest-cov contexts look like ``tests/test_x.py::test_a|run``."""
    return context.rsplit("|", 1)[0]


def statement_lines(source: str, start: int, end: int) -> set[int]:
    """The statement lines of the function defined at ``start``..``end``, as coverage.py counts
    them: its own parser's statements of the file (docstrings are not statements), from the
    first line of the body on (the ``def`` line and decorators run at import, not when the
    function is called)."""
    parser = PythonParser(text=source)
    parser.parse_source()
    body = _body_start(ast.parse(source), start) or start
    return {line for line in parser.statements if body <= line <= end}


def _body_start(tree: ast.AST, start: int) -> int | None:
    """The first line of the body of the function whose definition starts at ``start``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if first == start and node.body:
                return node.body[0].lineno
    return None


def statements_containing(tree: ast.AST, changed: Iterable[int]) -> set[int]:
    """For each changed line, the first line of the innermost statement that holds it."""
    spans = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt)
        and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    result: set[int] = set()
    for line in changed:
        holding = [span for span in spans if span[0] <= line <= span[1]]
        if holding:
            result.add(max(holding, key=lambda span: span[0])[0])
    return result


@dataclass(frozen=True)
class CoverageVerdict:
    function_percent: float
    changed_statements: int
    uncovered_changed: tuple[int, ...]
    tests: tuple[str, ...]

    def describe(self) -> str:
        text = (
            f"tests execute {self.function_percent:.0f}% of the function; "
            f"{len(self.tests)} test(s) exercise it"
        )
        if self.uncovered_changed:
            text += f"; changed line(s) never executed by tests: {list(self.uncovered_changed)}"
        return text


def judge_coverage(
    cmap: CoverageMap, file: str, source: str, start: int, end: int, changed: Iterable[int]
) -> CoverageVerdict:
    """How much of the function the tests execute (coverage.py's statements of ``source``, the
    file on the base), and which of the ``changed`` lines they never executed."""
    statements = statement_lines(source, start, end)
    tree = ast.parse(source)
    executed = cmap.executed(file)
    percent = 100.0 * len(statements & executed) / len(statements) if statements else 0.0
    changed_statements = statements_containing(tree, changed) & statements
    uncovered = tuple(sorted(changed_statements - executed))
    tests = tuple(sorted(cmap.tests_for(file, range(start, end + 1))))
    return CoverageVerdict(percent, len(changed_statements), uncovered, tests)
