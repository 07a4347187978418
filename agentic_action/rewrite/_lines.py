"""Line bookkeeping: map lines of the rewritten text back to the original; split like Python."""

from __future__ import annotations

import ast
import difflib
import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split only at \\n, \\r\\n and \\r (as Python and ruff do)."""
    return _LINE.findall(text)


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (1-based line n starts at result[n-1])."""
    starts, offset = [], 0
    for line in split_lines(text):
        starts.append(offset)
        offset += len(line)
    starts.append(offset)  # one past the end: where a final empty line would start
    return starts


def original_line(original: str, current: str, line: int) -> int:
    """The line of `original` that line `line` of `current` comes from (or replaced)."""
    if original == current:
        return line
    matcher = difflib.SequenceMatcher(None, split_lines(original), split_lines(current), False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        if j1 <= line - 1 < j2 or (tag == "delete" and j1 == line - 1):
            return i1 + (line - 1 - j1) + 1 if tag == "equal" else i1 + 1
    return max(1, len(split_lines(original)))


def function_offsets(text: str, func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, int]:
    """[start, end) character offsets of a definition: decorators' line start to its last char."""
    first = min([func.lineno, *(d.lineno for d in func.decorator_list)])
    last = func.end_lineno or func.lineno
    starts = line_starts(text)
    last_line = split_lines(text)[last - 1]
    end_bytes = func.end_col_offset or 0
    end_chars = len(last_line.encode("utf-8")[:end_bytes].decode("utf-8", "replace"))
    return starts[first - 1], starts[last - 1] + end_chars
