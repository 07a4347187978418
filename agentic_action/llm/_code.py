"""What a candidate may change: the target function's body, plus new imports and new helpers.

``check_change`` is the one gate every parsed candidate passes (spliced code and applied diffs
alike): the new file parses, still defines the target with the same signature (parameters,
defaults, annotations, decorators, async-ness), changes its body, and leaves every other byte of
the file as it was, except inserted top-level imports and new helper definitions that shadow
nothing (no builtin, no existing name, no name other code reads).
"""

from __future__ import annotations

import ast
import builtins
import difflib
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

FuncDef = ast.FunctionDef | ast.AsyncFunctionDef
# What an answer gave: the function alone, the whole file (or more than the function), a diff.
AnswerForm = Literal["function", "file", "diff"]
_NEW_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


class RejectReason(StrEnum):
    EMPTY = "empty"
    NO_CODE = "no-code"  # prose, or no python code block
    INVALID_DIFF = "invalid-diff"
    DIFF_DOES_NOT_APPLY = "diff-does-not-apply"
    OTHER_FILE = "other-file"  # a diff for another file, or creating/deleting/renaming files
    UNSAFE_PATH = "unsafe-path"  # absolute path or '..' in a diff
    SYNTAX_ERROR = "syntax-error"
    FUNCTION_MISSING = "function-missing"  # the candidate deletes (or renames) the target
    SIGNATURE_CHANGED = "signature-changed"
    OTHER_CODE_CHANGED = "other-code-changed"
    UNCHANGED = "unchanged"  # same code as the original (comments/formatting at most)
    SPLICE_FAILED = "splice-failed"
    NO_TESTS = "no-tests"
    INVALID_REVIEW = "invalid-review"


class Reject(Exception):
    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse_module(source: str, what: str, *, compile_too: bool = False) -> ast.Module:
    """The AST, or Reject. ``compile_too`` also runs the compiler, which catches what the parser
    lets through ('return' outside a function, a late __future__ import, ...)."""
    try:
        tree = ast.parse(source)
        if compile_too:
            compile(tree, "<candidate>", "exec", dont_inherit=True)
        return tree
    except SyntaxError as error:
        raise Reject(
            RejectReason.SYNTAX_ERROR, f"{what} does not parse: line {error.lineno}: {error.msg}"
        ) from None


def find_path(body: list[ast.stmt], qualname: str) -> list[ast.stmt] | None:
    """[outer class, ..., function] for "A.B.f", or None."""
    path: list[ast.stmt] = []
    parts = qualname.split(".")
    for depth, part in enumerate(parts):
        found: list[ast.stmt] = [
            n
            for n in body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.name == part
            and isinstance(n, ast.ClassDef) == (depth < len(parts) - 1)
        ]
        if not found:
            return None
        node = found[-1]  # the binding that wins at runtime
        path.append(node)
        body = node.body if isinstance(node, ast.ClassDef) else []
    return path


def find_def(body: list[ast.stmt], qualname: str) -> FuncDef | None:
    path = find_path(body, qualname)
    last = path[-1] if path else None
    return last if isinstance(last, ast.FunctionDef | ast.AsyncFunctionDef) else None


def first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def last_line(node: ast.stmt) -> int:
    return int(node.end_lineno or node.lineno)


def signature_changes(old: FuncDef, new: FuncDef) -> list[str]:
    changes = []
    if type(old) is not type(new):
        changes.append("async-ness")
    if _param_names(old.args) != _param_names(new.args):
        changes.append(f"parameters {_param_names(old.args)} -> {_param_names(new.args)}")
    if _dumps([*old.args.defaults, *old.args.kw_defaults]) != _dumps(
        [*new.args.defaults, *new.args.kw_defaults]
    ):
        changes.append("default values")
    if _annotations(old) != _annotations(new):
        changes.append("annotations")
    if _dumps(old.decorator_list) != _dumps(new.decorator_list):
        changes.append("decorators")
    return changes


def _param_names(args: ast.arguments) -> list[str]:
    names = [f"{a.arg}/" for a in args.posonlyargs] + [a.arg for a in args.args]
    names += [f"*{args.vararg.arg}"] if args.vararg else (["*"] if args.kwonlyargs else [])
    names += [f"{a.arg}=" for a in args.kwonlyargs]
    return names + ([f"**{args.kwarg.arg}"] if args.kwarg else [])


def _annotations(fn: FuncDef) -> list[str]:
    a = fn.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *(p for p in (a.vararg, a.kwarg) if p)]
    return _dumps(
        [p.annotation for p in params if p.annotation] + ([fn.returns] if fn.returns else [])
    )


def _dumps(nodes: Iterable[ast.AST | None]) -> list[str]:
    return [ast.dump(n) if n is not None else "None" for n in nodes]


def bound_names(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else []
    if isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def describe(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return ast.unparse(stmt)
    kind = {ast.ClassDef: "class", ast.AsyncFunctionDef: "async def"}.get(type(stmt), "def")
    if isinstance(stmt, ast.Assign | ast.AnnAssign):
        return f"{', '.join(sorted(bound_names(stmt)))} = ..."
    return f"{kind} {', '.join(sorted(bound_names(stmt)))}"


def loads_outside(tree: ast.Module, target: ast.AST) -> set[str]:
    """Names read anywhere in the module except inside the target function."""
    names: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if node is target:
            continue
        if isinstance(node, ast.Name):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names


def check_added(stmt: ast.stmt, old_tree: ast.Module, old_target: ast.AST) -> str:
    """The description of an allowed new top-level statement, or Reject."""
    taken = {n for s in old_tree.body for n in bound_names(s)}
    if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
        raise Reject(RejectReason.OTHER_CODE_CHANGED, "adds a __future__ import (whole module)")
    if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
        raise Reject(RejectReason.OTHER_CODE_CHANGED, f"adds a star import: {ast.unparse(stmt)}")
    if not isinstance(stmt, (ast.Import, ast.ImportFrom, *_NEW_DEFS)):
        raise Reject(
            RejectReason.OTHER_CODE_CHANGED,
            f"adds top-level code that is not an import or a definition: "
            f"{ast.unparse(stmt).splitlines()[0][:80]!r}",
        )
    names = bound_names(stmt)
    clash = names & (taken | set(dir(builtins)) | loads_outside(old_tree, old_target))
    if clash:
        raise Reject(
            RejectReason.OTHER_CODE_CHANGED,
            f"changes or shadows existing name(s) {', '.join(sorted(clash))} outside the target",
        )
    return describe(stmt)


def check_change(original: str, new: str, qualname: str) -> tuple[str, ...]:
    """The gate. Returns descriptions of added statements; raises Reject with the reason."""
    old_tree = ast.parse(original)
    new_tree = parse_module(new, "the candidate", compile_too=True)
    old_path, new_path = find_path(old_tree.body, qualname), find_path(new_tree.body, qualname)
    if not old_path:
        raise ValueError(f"qualname={qualname!r} is not defined in the original file")
    if not new_path:
        raise Reject(RejectReason.FUNCTION_MISSING, f"the candidate no longer defines {qualname}")
    old_fn, new_fn = old_path[-1], new_path[-1]
    assert isinstance(old_fn, FuncDef) and isinstance(new_fn, FuncDef)
    changes = signature_changes(old_fn, new_fn)
    if changes:
        raise Reject(RejectReason.SIGNATURE_CHANGED, f"{qualname}: {'; '.join(changes)} changed")
    if ast.dump(old_fn) == ast.dump(new_fn):
        raise Reject(RejectReason.UNCHANGED, f"{qualname} is the same code as the original")
    if ast.get_docstring(old_tree, clean=False) != ast.get_docstring(new_tree, clean=False):
        raise Reject(RejectReason.OTHER_CODE_CHANGED, "changes or moves the module docstring")
    old_dumps = {ast.dump(s) for s in old_tree.body}
    new_dumps = {ast.dump(s) for s in new_tree.body}
    gone = [s for s in old_tree.body if s is not old_path[0] and ast.dump(s) not in new_dumps]
    if gone:
        raise Reject(
            RejectReason.OTHER_CODE_CHANGED,
            f"changes or removes code outside {qualname}: {describe(gone[0])} "
            f"(line {gone[0].lineno})",
        )
    added = [s for s in new_tree.body if s is not new_path[0] and ast.dump(s) not in old_dumps]
    descriptions = tuple(_check_added_or_changed(s, old_tree, old_fn) for s in added)
    allowed = {n for s in added for n in _lines_with_comments(s, new.splitlines())}
    _check_text_outside(original, new, old_fn, new_fn, allowed, qualname)
    return descriptions


def _lines_with_comments(stmt: ast.stmt, lines: list[str]) -> range:
    """The statement's lines, with the comment lines right above it."""
    start = first_line(stmt)
    while start > 1 and lines[start - 2].lstrip().startswith("#"):
        start -= 1
    return range(start, last_line(stmt) + 1)


def _check_added_or_changed(stmt: ast.stmt, old_tree: ast.Module, old_fn: ast.AST) -> str:
    names = bound_names(stmt) & {n for s in old_tree.body for n in bound_names(s)}
    if names and not isinstance(stmt, ast.Import | ast.ImportFrom):
        raise Reject(
            RejectReason.OTHER_CODE_CHANGED, f"changes {', '.join(sorted(names))} (not the target)"
        )
    return check_added(stmt, old_tree, old_fn)


def _check_text_outside(
    original: str, new: str, old_fn: ast.stmt, new_fn: ast.stmt, allowed: set[int], qualname: str
) -> None:
    """Outside the target: only inserted blank lines and lines of added statements."""
    old_lines, new_lines = original.splitlines(), new.splitlines()
    o0, o1 = first_line(old_fn) - 1, last_line(old_fn)
    n0, n1 = first_line(new_fn) - 1, last_line(new_fn)
    for old_part, new_part, old_base, new_base in (
        (old_lines[:o0], new_lines[:n0], 0, 0),
        (old_lines[o1:], new_lines[n1:], o1, n1),
    ):
        matcher = difflib.SequenceMatcher(None, old_part, new_part, autojunk=False)
        for op, i1, _i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            inserted = range(new_base + j1 + 1, new_base + j2 + 1)  # 1-based new lines
            harmless = all(n in allowed or not new_lines[n - 1].strip() for n in inserted)
            if op != "insert" or not harmless:
                line = old_base + i1 + 1
                raise Reject(
                    RejectReason.OTHER_CODE_CHANGED,
                    f"changes line {line} of the original, outside {qualname}: "
                    f"{(old_lines[line - 1] if line <= len(old_lines) else '').strip()[:80]!r}",
                )
