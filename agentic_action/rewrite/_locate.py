"""Finding the target function by qualname, the same way in libcst and in ast trees."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

import libcst as cst


def split_qualname(qualname: str) -> list[str]:
    parts = qualname.split(".")
    if not qualname or any(not p.isidentifier() for p in parts):
        raise ValueError(
            f"qualname {qualname!r} is not 'func' or 'Class.method'; nested functions are "
            "rewritten as part of their enclosing function, so pass that one's qualname"
        )
    return parts


def cst_functions(module: cst.Module, parts: Sequence[str]) -> list[cst.FunctionDef]:
    return list(_cst_search(module.body, parts))


def _cst_search(body: Sequence[cst.CSTNode], parts: Sequence[str]) -> Iterator[cst.FunctionDef]:
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            if len(parts) == 1 and stmt.name.value == parts[0]:
                yield stmt
        elif isinstance(stmt, cst.ClassDef):
            if len(parts) > 1 and stmt.name.value == parts[0]:
                yield from _cst_search(_cst_block(stmt.body), parts[1:])
        else:
            for block in _cst_blocks(stmt):
                yield from _cst_search(block, parts)


def _cst_block(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def _cst_blocks(stmt: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    """Bodies of module- or class-level if/try/with statements, in source order."""
    if isinstance(stmt, cst.If):
        yield _cst_block(stmt.body)
        if isinstance(stmt.orelse, cst.If):
            yield from _cst_blocks(stmt.orelse)
        elif isinstance(stmt.orelse, cst.Else):
            yield _cst_block(stmt.orelse.body)
    elif isinstance(stmt, cst.Try | cst.TryStar):
        yield _cst_block(stmt.body)
        for handler in stmt.handlers:
            yield _cst_block(handler.body)
        if stmt.orelse is not None:
            yield _cst_block(stmt.orelse.body)
        if stmt.finalbody is not None:
            yield _cst_block(stmt.finalbody.body)
    elif isinstance(stmt, cst.With):
        yield _cst_block(stmt.body)


AstFunction = ast.FunctionDef | ast.AsyncFunctionDef


def ast_functions(tree: ast.Module, parts: Sequence[str]) -> list[AstFunction]:
    return list(_ast_search(tree.body, parts))


def _ast_search(body: Sequence[ast.stmt], parts: Sequence[str]) -> Iterator[AstFunction]:
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if len(parts) == 1 and stmt.name == parts[0]:
                yield stmt
        elif isinstance(stmt, ast.ClassDef):
            if len(parts) > 1 and stmt.name == parts[0]:
                yield from _ast_search(stmt.body, parts[1:])
        elif isinstance(stmt, ast.If):
            yield from _ast_search(stmt.body, parts)
            yield from _ast_search(stmt.orelse, parts)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            yield from _ast_search(stmt.body, parts)
            for handler in stmt.handlers:
                yield from _ast_search(handler.body, parts)
            yield from _ast_search(stmt.orelse, parts)
            yield from _ast_search(stmt.finalbody, parts)
        elif isinstance(stmt, ast.With):
            yield from _ast_search(stmt.body, parts)


def first_line(func: AstFunction) -> int:
    """The first line of the definition, decorators included."""
    return min([func.lineno, *(d.lineno for d in func.decorator_list)])
