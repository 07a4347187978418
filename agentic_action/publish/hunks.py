"""Which lines of the base version a unified diff changes, hunk by hunk, without its context.

A change is kept in *edge coordinates* of the old file: edge ``k`` is the boundary just before
old line ``k``. Replacing or deleting old lines ``a..b`` covers edges ``[a, b + 1]``; inserting
lines between old lines ``k - 1`` and ``k`` covers the single edge ``[k, k]``. Two changes
*touch* when their edge intervals intersect: they overlap, or nothing but a boundary lies between
them (no unchanged line). That is exactly when git's three-way merge (``git merge-file``) calls
them a conflict; changes with at least one unchanged line between them merge cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
WHOLE_FILE_END = 1 << 40  # a binary patch is treated as changing every line


@dataclass(frozen=True)
class Change:
    """One run of changed lines (removed, replaced or inserted) in one file's old version."""

    file: str
    start: int  # first edge covered
    end: int  # last edge covered (== start for a pure insertion)

    def touches(self, other: Change) -> bool:
        return self.file == other.file and self.start <= other.end and other.start <= self.end

    def inside(self, first_line: int, last_line: int) -> bool:
        """Does this change alter lines ``first_line..last_line`` (or insert between two of them)?

        An insertion just before ``first_line`` or just after ``last_line`` is outside.
        """
        if self.start == self.end:  # insertion at edge `start`
            return first_line < self.start <= last_line
        return self.start <= last_line and self.end - 1 >= first_line

    def describe(self) -> str:
        if self.end >= WHOLE_FILE_END:
            return "the whole file (binary patch)"
        if self.start == self.end:
            return f"an insertion before line {self.start}"
        last = self.end - 1
        return f"line {self.start}" if last == self.start else f"lines {self.start}-{last}"


def changed_files(diff: str) -> list[str]:
    """Paths a git diff changes (new path for additions, old path otherwise), in order."""
    return list(dict.fromkeys(change.file for change in diff_changes(diff)))


def diff_changes(diff: str) -> list[Change]:
    """Every run of changed old lines in ``diff`` (a git diff with a/ b/ prefixes)."""
    changes: list[Change] = []
    parser = _Parser(changes)
    for line in diff.splitlines():
        parser.feed(line)
    parser.close_run()
    return changes


class _Parser:
    def __init__(self, out: list[Change]) -> None:
        self.out = out
        self.file = ""
        self.old_path = ""
        self.in_hunk = False
        self.old_line = 0
        self.run_start: int | None = None
        self.run_end = 0

    def feed(self, line: str) -> None:
        if line.startswith("diff --git "):
            self.close_run()
            self.in_hunk, self.file, self.old_path = False, "", ""
        elif not self.in_hunk and line.startswith("--- "):
            self.old_path = _path(line[4:], "a/")
        elif not self.in_hunk and line.startswith("+++ "):
            new_path = _path(line[4:], "b/")
            self.file = self.old_path or new_path
        elif line.startswith("GIT binary patch") or line.startswith("Binary files "):
            self.file = self.file or _binary_path(line)
            if self.file:
                self.out.append(Change(self.file, 1, WHOLE_FILE_END))
        elif match := _HUNK.match(line):
            self.close_run()
            self.in_hunk = True
            start, length = int(match.group(1)), int(match.group(2) or "1")
            self.old_line = start if length > 0 else start + 1
        elif self.in_hunk and self.file:
            self._hunk_line(line)

    def _hunk_line(self, line: str) -> None:
        kind = line[:1]
        if kind == "-":
            self._open()
            self.old_line += 1
            self.run_end = self.old_line
        elif kind == "+":
            self._open()
        elif kind == " " or line == "":
            self.close_run()
            self.old_line += 1
        # "\ No newline at end of file" changes nothing

    def _open(self) -> None:
        if self.run_start is None:
            self.run_start = self.old_line
            self.run_end = self.old_line

    def close_run(self) -> None:
        if self.run_start is not None and self.file:
            self.out.append(Change(self.file, self.run_start, self.run_end))
        self.run_start = None


def _path(text: str, prefix: str) -> str:
    text = text.split("\t", 1)[0]
    if text == "/dev/null":
        return ""
    return text[len(prefix) :] if text.startswith(prefix) else text


def _binary_path(line: str) -> str:
    match = re.search(r" b/(\S+) differ$", line)
    return match.group(1) if match else ""
