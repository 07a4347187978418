"""Which paths a patch may name: relative, inside the repository, never under ``.git``."""

from __future__ import annotations

import re

from agentic_action.patches.errors import NOTHING_CHANGED, PatchRejectedError

_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_reason(path: str) -> str | None:
    """Why ``path`` may not be written by a patch, or None when it is a safe relative path."""
    if not path:
        return "it is empty"
    if "\0" in path or "\\" in path:
        return "it contains a NUL or a backslash"
    if path.startswith("/") or _DRIVE.match(path):
        return "it is absolute"
    parts = path.split("/")
    if ".." in parts:
        return "it climbs out of the repository with '..'"
    if any(part.rstrip(". ").casefold() == ".git" for part in parts):
        return "it is inside a .git folder"
    return None


def check_relative_path(path: str, what: str = "path") -> str:
    """Return ``path`` when it is a safe repository-relative path, else PatchRejectedError."""
    reason = unsafe_reason(path)
    if reason is not None:
        raise PatchRejectedError(
            f"{what} {path!r} is refused: {reason}; patches may only change files inside "
            f"the repository, named relative to its root: {NOTHING_CHANGED}"
        )
    return path
