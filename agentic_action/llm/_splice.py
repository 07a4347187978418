"""Put a function from a code block into the original file, keeping every other byte.

The block may hold the function alone, the function inside its class, or the whole file. Only
the target function (re-indented to its place), new imports and new top-level helpers are taken
from it; statements equal to the original's are context, anything else is a rejection.
"""

from __future__ import annotations

import ast

from agentic_action.llm._code import (
    AnswerForm,
    FuncDef,
    Reject,
    RejectReason,
    bound_names,
    check_added,
    describe,
    find_path,
    first_line,
    last_line,
    parse_module,
)


def defines_target(block: str, qualname: str) -> bool:
    try:
        tree = ast.parse(block)
    except SyntaxError:
        return False
    return _block_path(tree, qualname) is not None


def _block_path(tree: ast.Module, qualname: str) -> list[ast.stmt] | None:
    """Where the target sits in the block: its full path, or a bare method at top level."""
    path = find_path(tree.body, qualname)
    if path is None and "." in qualname:
        path = find_path(tree.body, qualname.rsplit(".", 1)[1])
    return path


def splice(original: str, qualname: str, block: str) -> tuple[str, AnswerForm]:
    """(new file source, form) where form is "function" or "file"; Reject on a bad block."""
    old_tree = ast.parse(original)
    tree = parse_module(block, "the code block")
    path = _block_path(tree, qualname)
    old_path = find_path(old_tree.body, qualname)
    if old_path is None:
        raise ValueError(f"qualname={qualname!r} is not defined in the original file")
    if path is None:
        found = ", ".join(
            sorted(n.name for n in ast.walk(tree) if isinstance(n, FuncDef | ast.ClassDef))
        )
        raise Reject(
            RejectReason.FUNCTION_MISSING,
            f"the code has no definition of {qualname} (it defines: {found or 'nothing'})",
        )
    if len(path) > 1:
        _check_classes(path, old_path, qualname)
    old_dumps = {ast.dump(s) for s in old_tree.body}
    extras = [s for s in tree.body if s is not path[0] and ast.dump(s) not in old_dumps]
    context = len(tree.body) - 1 - len(extras)
    extras = _worth_copying(extras, path[-1])
    for stmt in extras:
        names = bound_names(stmt) & {n for s in old_tree.body for n in bound_names(s)}
        if names and not isinstance(stmt, ast.Import | ast.ImportFrom):
            raise Reject(
                RejectReason.OTHER_CODE_CHANGED,
                f"the code changes {', '.join(sorted(names))}, not only {qualname}",
            )
        check_added(stmt, old_tree, old_path[-1])
    lines = block.splitlines()
    new_source = _assemble(original, old_tree, old_path, lines, path[-1], extras)
    _check_splice(new_source, qualname, path[-1])
    return new_source, "file" if context > 0 else "function"


def _worth_copying(extras: list[ast.stmt], new_fn: ast.stmt) -> list[ast.stmt]:
    """Leave out what the answer adds only for show: an ``if __name__ == "__main__":`` demo, the
    ``edge_cases()`` the prompt asks for in a block of its own (inputs for the gate, never code
    for the user's module) when the function does not call it, and imports that neither the
    function nor a new helper uses."""
    called = {n.id for n in ast.walk(new_fn) if isinstance(n, ast.Name)}
    kept = [s for s in extras if not _is_main_guard(s) and not _is_edge_cases(s, called)]
    used = {
        n.id
        for s in [new_fn, *(s for s in kept if not isinstance(s, ast.Import | ast.ImportFrom))]
        for n in ast.walk(s)
        if isinstance(n, ast.Name)
    }
    return [
        s for s in kept if not isinstance(s, ast.Import | ast.ImportFrom) or bound_names(s) & used
    ]


def _is_edge_cases(stmt: ast.stmt, called: set[str]) -> bool:
    return isinstance(stmt, FuncDef) and stmt.name == "edge_cases" and "edge_cases" not in called


def _is_main_guard(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _check_classes(path: list[ast.stmt], old_path: list[ast.stmt], qualname: str) -> None:
    """A class in the block must equal the original's, except the target and elided members."""
    for new_cls, old_cls in zip(path[:-1], old_path[:-1], strict=False):
        assert isinstance(new_cls, ast.ClassDef) and isinstance(old_cls, ast.ClassDef)
        header = ("bases", "keywords", "decorator_list")
        if any(
            [ast.dump(x) for x in getattr(new_cls, f)] != [ast.dump(x) for x in getattr(old_cls, f)]
            for f in header
        ):
            raise Reject(RejectReason.OTHER_CODE_CHANGED, f"the code changes class {old_cls.name}")
        old_members = {ast.dump(m) for m in old_cls.body}
        child = path[path.index(new_cls) + 1]
        for member in new_cls.body:
            if member is not child and ast.dump(member) not in old_members:
                raise Reject(
                    RejectReason.OTHER_CODE_CHANGED,
                    f"the code changes {old_cls.name}.{describe(member)}, not only {qualname}",
                )


def _assemble(
    original: str,
    old_tree: ast.Module,
    old_path: list[ast.stmt],
    block_lines: list[str],
    new_fn: ast.stmt,
    extras: list[ast.stmt],
) -> str:
    lines = original.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    old_fn = old_path[-1]
    start, end = first_line(old_fn) - 1, last_line(old_fn)
    def_line = lines[old_fn.lineno - 1]
    fn_lines = _reindent(
        block_lines[first_line(new_fn) - 1 : last_line(new_fn)],
        block_lines[new_fn.lineno - 1][: new_fn.col_offset],
        def_line[: old_fn.col_offset],
    )
    replacement = [line + newline for line in fn_lines]
    if end == len(lines) and not lines[-1].endswith(("\n", "\r")):
        replacement[-1] = replacement[-1].rstrip("\r\n")
    lines[start:end] = replacement
    helpers = [s for s in extras if not isinstance(s, ast.Import | ast.ImportFrom)]
    imports = [s for s in extras if isinstance(s, ast.Import | ast.ImportFrom)]
    if helpers:
        at = first_line(old_path[0]) - 1
        lines[at:at] = [
            text + newline
            for stmt in helpers
            for text in [*_reindent(_source(block_lines, stmt), "", ""), "", ""]
        ]
    if imports:
        at = _import_anchor(old_tree, old_path[0], lines)
        new = [text + newline for s in imports for text in _source(block_lines, s)]
        following = lines[at] if at < len(lines) else ""
        if following.strip() and not following.startswith(("import ", "from ")):
            # PEP 8 (and ruff format): two blank lines before a top-level def or class.
            top_level = following.startswith(("def ", "class ", "async def ", "@"))
            new += [newline] * (2 if top_level else 1)
        previous = lines[at - 1] if at > 0 else ""
        if previous.strip() and not previous.startswith(("import ", "from ", "#")):
            new.insert(0, newline)  # after a module docstring
        lines[at:at] = new
    return "".join(lines)


def _source(block_lines: list[str], stmt: ast.stmt) -> list[str]:
    return block_lines[first_line(stmt) - 1 : last_line(stmt)]


def _import_anchor(tree: ast.Module, container: ast.stmt, lines: list[str]) -> int:
    """The line index for new imports: after the last import above the target, else after the
    module docstring, else after leading comments (shebang, encoding)."""
    above = [s for s in tree.body if s.lineno < container.lineno]
    imports = [s for s in above if isinstance(s, ast.Import | ast.ImportFrom)]
    if imports:
        return last_line(imports[-1])
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return last_line(first)
    at = 0
    while at < len(lines) and lines[at].lstrip().startswith("#"):
        at += 1
    return at


def _reindent(lines: list[str], old_indent: str, new_indent: str) -> list[str]:
    """Move a block from one indentation to another; lines less indented (inside multi-line
    strings) are left alone, and _check_splice notices if that changed the code."""
    out = []
    for line in lines:
        text = line.rstrip("\r\n")
        if not text.strip():
            out.append("")
        elif text.startswith(old_indent):
            out.append(new_indent + text[len(old_indent) :])
        else:
            out.append(text)
    return out


def _check_splice(new_source: str, qualname: str, block_fn: ast.stmt) -> None:
    tree = parse_module(new_source, "the spliced file")
    path = find_path(tree.body, qualname)
    if path is None or ast.dump(path[-1]) != ast.dump(block_fn):
        raise Reject(
            RejectReason.SPLICE_FAILED,
            f"moving {qualname} to its place in the file changed its code (indentation inside a "
            "multi-line string?); send the whole function with its original indentation",
        )
