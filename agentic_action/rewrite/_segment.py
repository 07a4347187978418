"""One definition cut out of its file: parsed alone, rendered, and spliced back.

A definition's lines (first decorator line to the line its last statement ends on) parse on
their own: a top-level function as a module, a method (or any indented definition) under a
one-line `class _:` header that keeps its indentation. Nothing is dedented, so string literals
keep every character. Parsing a few dozen lines instead of the whole file is what lets the rules
pass scale with the repository: each file is parsed once by `ast`, each definition once by
libcst, and a rewrite re-parses only its own definition.
"""

from __future__ import annotations
import __future__

import ast
from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._lines import line_starts, split_lines
from agentic_action.rewrite._locate import AstFunction, first_line

WRAPPER = "class _:"


@dataclass(frozen=True)
class Segment:
    """Where one definition sits in the original file, and what surrounds its statements."""

    start: int  # offset of the first line (decorators included)
    end: int  # offset just past its last line (line ending included)
    first_line: int  # 1-based line number of `start`
    base_indent: str  # leading whitespace of the `def` line
    text: str  # source[start:end]
    tail: str  # what follows the last statement on its line: a comment, the line ending
    head: str  # the wrapper line parsed before the text ('' at top level)
    future_flags: int  # the file's `from __future__` compiler flags


def segment_of(source: str, func: AstFunction, future_flags: int) -> Segment:
    lines = split_lines(source)
    starts = line_starts(source)
    first = first_line(func)
    last = func.end_lineno or func.lineno
    start, end = starts[first - 1], starts[last]
    last_line = lines[last - 1]
    end_chars = len(
        last_line.encode("utf-8")[: func.end_col_offset or 0].decode("utf-8", "replace")
    )
    text = source[start:end]
    def_line = lines[func.lineno - 1]
    indent = def_line[: len(def_line) - len(def_line.lstrip(" \t\f"))]
    newline = lines[first - 1][len(lines[first - 1].rstrip("\r\n")) :] or "\n"
    return Segment(
        start=start,
        end=end,
        first_line=first,
        base_indent=indent,
        text=text,
        tail=last_line[end_chars:],
        head=WRAPPER + newline if indent else "",
        future_flags=future_flags,
    )


def future_flags(tree: ast.Module) -> int:
    """The compiler flags of the file's `from __future__ import ...` statements."""
    flags = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            for alias in stmt.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


@dataclass(frozen=True)
class Parsed:
    """A definition's text parsed alone: the mini module and the definition in it."""

    module: cst.Module
    func: cst.FunctionDef


def parse_alone(segment: Segment, text: str) -> Parsed:
    """Parse `text` (the definition, maybe rewritten) the way `segment` sits in its file."""
    module = cst.parse_module(segment.head + _terminated(text))
    outer: cst.CSTNode = module.body[0]
    if segment.head:
        assert isinstance(outer, cst.ClassDef) and isinstance(outer.body, cst.IndentedBlock)
        outer = outer.body.body[0]
    if not isinstance(outer, cst.FunctionDef):
        raise ValueError("the definition's lines do not parse as one definition")
    return Parsed(module, outer)


def render(segment: Segment, parsed: Parsed, new_func: cst.FunctionDef, text: str) -> str:
    """The definition's text with `new_func` in place of `parsed.func`."""
    new_module = parsed.module.deep_replace(parsed.func, new_func)
    assert isinstance(new_module, cst.Module)
    code = new_module.code[len(segment.head) :]
    return code if text.endswith(("\n", "\r")) else code.rstrip("\r\n")


def acceptable(segment: Segment, text: str, new: str) -> bool:
    """The rewritten definition keeps what follows its last statement, and compiles in place."""
    if new == text or not new.endswith(segment.tail) or len(new) < len(segment.tail):
        return False
    try:
        compile(
            segment.head + _terminated(new),
            "<rewrite>",
            "exec",
            flags=segment.future_flags,
            dont_inherit=True,
        )
    except (SyntaxError, ValueError):
        return False
    return True


def statements_end(segment: Segment, text: str) -> int:
    """Offset in `text` just past the definition's last statement."""
    return len(text) - len(segment.tail)


def _terminated(text: str) -> str:
    return text if text.endswith(("\n", "\r")) else text + "\n"
