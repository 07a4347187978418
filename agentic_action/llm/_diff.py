"""Unified diffs from LLM answers: parsed strictly about paths, leniently about line counts.

Hunk headers' counts are ignored (models often get them wrong); each hunk is located by its
exact old lines (context + removed) nearest the stated line, then, failing that, by the same
lines without trailing whitespace. The result is checked afterwards like any other candidate,
so leniency here cannot let a wrong change through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")
_FILE_OPS = ("new file mode", "deleted file mode", "rename ", "copy ", "similarity index")
_SKIPPED = ("diff --git", "index ", "old mode", "new mode")


class DiffError(Exception):
    """Why a diff is refused: ``kind`` is invalid | unsafe-path | other-file | does-not-apply."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass
class Hunk:
    old_start: int  # 1-based, as stated in the header
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" " | "-" | "+", text)

    def old(self) -> list[str]:
        return [text for op, text in self.lines if op in " -"]

    def new(self) -> list[str]:
        return [text for op, text in self.lines if op in " +"]


@dataclass
class FilePatch:
    old_path: str | None = None
    new_path: str | None = None
    hunks: list[Hunk] = field(default_factory=list)


def looks_like_diff(text: str) -> bool:
    lines = text.strip().splitlines()
    if not any(_HUNK.match(line) for line in lines):
        return False
    return any(line.startswith("+++ ") for line in lines) or lines[0].startswith("@@")


def parse_diff(text: str) -> list[FilePatch]:
    """The file sections of a diff; a diff without ---/+++ headers is one unnamed section."""
    patches: list[FilePatch] = []
    current: FilePatch | None = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            current = FilePatch(_path(line[4:]), _path(lines[i + 1][4:]))
            patches.append(current)
            i += 2
            continue
        elif line.startswith(_FILE_OPS):
            raise DiffError(
                "other-file", f"the diff renames, copies, creates or deletes a file: {line!r}"
            )
        elif (match := _HUNK.match(line)) is not None:
            if current is None:
                current = FilePatch()
                patches.append(current)
            hunk = Hunk(int(match.group(1)))
            i = _read_hunk(lines, i + 1, hunk)
            current.hunks.append(hunk)
            continue
        elif line.startswith("@@"):
            raise DiffError("invalid", f"malformed hunk header {line!r}")
        i += 1
    if not any(p.hunks for p in patches):
        raise DiffError("invalid", "the diff has no hunks (@@ -l,s +l,s @@ ...)")
    return patches


def _read_hunk(lines: list[str], i: int, hunk: Hunk) -> int:
    while i < len(lines):
        line = lines[i]
        if line.startswith("@@") or line.startswith(_SKIPPED) or _is_file_header(lines, i):
            break
        if line.startswith("\\"):  # "\ No newline at end of file"
            i += 1
            continue
        if line == "":
            hunk.lines.append((" ", ""))  # a blank context line whose space was stripped
        elif line[0] in " -+":
            hunk.lines.append((line[0], line[1:]))
        else:
            break  # prose after the diff
        i += 1
    while hunk.lines and hunk.lines[-1] == (" ", ""):
        hunk.lines.pop()  # trailing blank lines are padding, not context
    if not any(op in "-+" for op, _ in hunk.lines):
        raise DiffError("invalid", f"hunk at line {hunk.old_start} changes nothing")
    return i


def _is_file_header(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _path(raw: str) -> str | None:
    path = raw.split("\t", 1)[0].strip()
    if path == "/dev/null":
        return None
    if path.startswith(('"', "'")) and path.endswith(path[0]):
        path = path[1:-1]
    if path[:2] in ("a/", "b/"):
        path = path[2:]
    return path


def check_paths(patches: list[FilePatch], target_file: str) -> None:
    """Every section must patch exactly the target file, by a safe relative path."""
    target = PurePosixPath(target_file).as_posix()
    for patch in patches:
        if patch.old_path is None or patch.new_path is None:
            if patch.hunks and patch.old_path is None and patch.new_path is None:
                continue  # header-less hunks: they can only apply to the target
            raise DiffError("other-file", "the diff creates or deletes a file (/dev/null)")
        for path in (patch.old_path, patch.new_path):
            _check_safe(path)
            if PurePosixPath(path).as_posix().removeprefix("./") != target:
                raise DiffError("other-file", f"the diff touches {path!r}, not {target_file!r}")


def _check_safe(path: str) -> None:
    posix = path.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or posix.startswith("~"):
        raise DiffError("unsafe-path", f"absolute path {path!r} in the diff")
    if ".." in PurePosixPath(posix).parts:
        raise DiffError("unsafe-path", f"path {path!r} in the diff climbs out with '..'")


def apply_patches(patches: list[FilePatch], source: str) -> str:
    """Apply all hunks to ``source`` in memory; DiffError("does-not-apply") when one misses."""
    lines = source.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    hunks = [h for p in patches for h in p.hunks]
    floor, shift = 0, 0
    for number, hunk in enumerate(hunks, 1):
        old = hunk.old()
        at = _locate(lines, old, max(hunk.old_start - 1 + shift, 0), floor)
        if at is None:
            first = next((t for t in old if t.strip()), "")
            raise DiffError(
                "does-not-apply",
                f"hunk {number} (@@ -{hunk.old_start}) does not match the file near {first!r}",
            )
        replacement = _replacement(hunk, lines[at : at + len(old)], newline)
        if at + len(old) == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            replacement[-1] = replacement[-1].rstrip("\r\n") if replacement else ""
        lines[at : at + len(old)] = replacement
        shift += len(replacement) - len(old)
        floor = at + len(replacement)
    return "".join(lines)


def _replacement(hunk: Hunk, matched: list[str], newline: str) -> list[str]:
    """New lines: context keeps the file's own bytes, added lines take the file's newline."""
    out: list[str] = []
    old_index = 0
    for op, text in hunk.lines:
        if op == " ":
            out.append(matched[old_index])
            old_index += 1
        elif op == "-":
            old_index += 1
        else:
            out.append(text + newline)
    return out


def _locate(lines: list[str], old: list[str], hint: int, floor: int) -> int | None:
    if not old:
        return min(max(hint, floor), len(lines))
    for strip in (False, True):
        wanted = [_norm(t, strip) for t in old]
        candidates = range(floor, len(lines) - len(old) + 1)
        for at in sorted(candidates, key=lambda a: abs(a - hint)):
            if all(_norm(lines[at + k], strip) == wanted[k] for k in range(len(old))):
                return at
    return None


def _norm(line: str, strip: bool) -> str:
    line = line.rstrip("\r\n")
    return line.rstrip() if strip else line
