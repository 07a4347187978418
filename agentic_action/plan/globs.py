"""Glob patterns with ``**`` over repository-relative POSIX paths (3.11 has no full_match)."""

from __future__ import annotations

import functools
import re

from agentic_action.errors import BadInput


@functools.cache
class GlobError(BadInput, ValueError):
    """A target glob that cannot be used (also a ValueError, for settings validators)."""


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """``**`` spans directories; ``*``, ``?`` stay inside one path segment; ``[...]`` is a class."""
    pattern = pattern.strip().removeprefix("./")
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                raise GlobError(f"glob {pattern!r} has an unclosed '['")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, pattern: str) -> bool:
    return glob_to_regex(pattern).match(path) is not None


def validate_glob(pattern: str) -> None:
    """Raise GlobError naming the pattern when it cannot be used."""
    try:
        glob_to_regex(pattern)
    except (ValueError, re.error) as error:
        raise GlobError(f"bad glob {pattern!r}: {error}") from None
