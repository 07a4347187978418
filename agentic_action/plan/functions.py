"""Functions and methods of one parsed file, with static signals of how much work they do."""

from __future__ import annotations

import ast
import re

from agentic_action.model import FunctionTarget

SKIP_COMMENT = re.compile(r"#\s*agentic-optimizer:\s*skip\b")
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def find_functions(file: str, source: str, tree: ast.Module) -> list[FunctionTarget]:
    """Top-level functions and methods of top-level classes (nested defs belong to their parent)."""
    lines = source.splitlines()
    found: list[FunctionTarget] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(_target(file, node.name, node, lines))
        elif isinstance(node, ast.ClassDef):
            found.extend(
                _target(file, f"{node.name}.{item.name}", item, lines)
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return found


def _target(
    file: str, qualname: str, node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]
) -> FunctionTarget:
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    end = node.end_lineno or node.lineno
    return FunctionTarget(
        file=file,
        qualname=qualname,
        start_line=start,
        end_line=end,
        static_score=static_score(node),
        skip_reason=_skip_reason(node, start, lines),
    )


def _skip_reason(
    node: ast.FunctionDef | ast.AsyncFunctionDef, start: int, lines: list[str]
) -> str | None:
    header_end = node.body[0].lineno - 1 if node.body else node.lineno
    window = lines[max(start - 2, 0) : header_end]
    if any(SKIP_COMMENT.search(line) for line in window):
        return "marked '# agentic-optimizer: skip'"
    if isinstance(node, ast.AsyncFunctionDef):
        return "async functions are not optimized by this version"
    return None


def static_score(node: ast.AST) -> float:
    """Loops weigh by nesting depth; calls and comprehensions inside loops add to it."""
    score = 0.0

    def visit(current: ast.AST, depth: int) -> None:
        nonlocal score
        for child in ast.iter_child_nodes(current):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, depth)
                continue
            inner = depth
            if isinstance(child, _LOOPS):
                inner = depth + 1
                score += 2.0**inner
            elif isinstance(child, _COMPREHENSIONS):
                inner = depth + 1
                score += 1.5**inner
            elif isinstance(child, ast.Call) and depth > 0:
                score += 0.5 * depth
            elif isinstance(child, ast.Compare) and depth > 0:
                score += 0.25 * depth
            visit(child, inner)

    visit(node, 0)
    return round(score, 2)
