"""Watch what one replayed call does besides returning: files it writes, text it prints.

Standard library only (runs in the sandboxed replay worker). File writes are seen through a
``sys.addaudithook`` hook (``open`` for writing, ``os.remove``, ``os.rename``, ``os.mkdir`` ...),
so writes made by C code that bypasses Python's file API are not seen. Files the call created
inside the working directory are deleted after their content is hashed, so a replay leaves the
worktree as it found it and every call starts from the same files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MUTATING_EVENTS = frozenset(
    {
        "os.remove",
        "os.rename",
        "os.mkdir",
        "os.rmdir",
        "os.truncate",
        "os.symlink",
        "os.link",
        "os.chmod",
        "os.chown",
        "os.utime",
        "shutil.rmtree",
        "shutil.move",
        "shutil.copyfile",
    }
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_IGNORED_PREFIXES = ("/dev/", "/proc/")
HASH_LIMIT = 10_000_000
TEXT_LIMIT = 20_000


class WriteWatch:
    """Collects file-system changes made while :attr:`active` is true."""

    def __init__(self) -> None:
        self.active = False
        self.events: list[tuple[str, str, bool]] = []  # (event, absolute path, existed before)
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        self.active = False  # what the hook itself does is not watched
        try:
            path = _written_path(event, args)
            if path is not None and not path.startswith(_IGNORED_PREFIXES):
                self.events.append((event, path, os.path.lexists(path)))
        finally:
            self.active = True

    @contextlib.contextmanager
    def watching(self) -> Iterator[list[tuple[str, str, bool]]]:
        self.events = []
        self.active = True
        try:
            yield self.events
        finally:
            self.active = False

    def summarize_and_clean(self, cwd: Path) -> list[list[str]]:
        """[event, path, sha256-or-""] per change (paths relative to cwd when inside it)."""
        seen: dict[tuple[str, str], str] = {}
        created: list[str] = []
        for event, path, existed in self.events:
            shown = _display(path, cwd)
            digest = _digest(path) if event == "open" else ""
            seen[(event, shown)] = digest
            if not existed and _inside(path, cwd):
                created.append(path)
        _remove_created(created)
        return [[event, path, digest] for (event, path), digest in sorted(seen.items())]


def _written_path(event: str, args: tuple[Any, ...]) -> str | None:
    if event == "open":
        target, mode, flags = (*args, None, None, None)[:3]
        writing = (isinstance(flags, int) and flags & _WRITE_FLAGS) or (
            isinstance(mode, str) and any(c in mode for c in "wax+")
        )
        return _absolute(target) if writing else None
    if event in MUTATING_EVENTS and args:
        return _absolute(args[0])
    return None


def _absolute(target: Any) -> str | None:
    if isinstance(target, int) or target is None:
        return None
    try:
        return os.path.abspath(os.fsdecode(target))
    except (TypeError, ValueError):
        return None


def _inside(path: str, cwd: Path) -> bool:
    return path == str(cwd) or path.startswith(str(cwd) + os.sep)


def _display(path: str, cwd: Path) -> str:
    return os.path.relpath(path, cwd) if _inside(path, cwd) else path


def _digest(path: str) -> str:
    try:
        if os.path.isfile(path) and os.path.getsize(path) <= HASH_LIMIT:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        pass
    return ""


def _remove_created(paths: list[str]) -> None:
    for path in sorted(set(paths), key=len, reverse=True):
        with contextlib.suppress(OSError):
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)
            else:
                os.remove(path)


@contextlib.contextmanager
def captured_output() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Redirect ``sys.stdout`` and ``sys.stderr`` (print, warnings) into buffers."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err
    finally:
        sys.stdout, sys.stderr = saved
