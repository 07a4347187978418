"""Pickling of ``re.Match`` objects by re-running the match (plain pickle refuses them).

A match is fully determined by its pattern, its subject and how it was found: ``match``,
``search`` or ``fullmatch`` over ``string[pos:endpos]``. :func:`reduce_match` finds which of
the three, run again with the same ``pos`` and ``endpos``, gives back a match with the same
spans of every group, ``lastindex`` and ``lastgroup``, and stores the arguments to run it
again. When none does (the second match of a ``finditer``, a match on an ``mmap``), it returns
None and pickle refuses the object as before. Regular-expression matching is deterministic,
so the loaded match is the same in everything a function can read from it: ``re``,
``string``, ``pos``, ``endpos``, ``regs``, ``lastindex``, ``lastgroup``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

How = Literal["match", "search", "fullmatch"]
_HOWS: tuple[How, ...] = ("match", "search", "fullmatch")


def reduce_match(found: re.Match[Any]) -> tuple[Any, ...] | None:
    """The reduce tuple that finds ``found`` again, or None when no rerun gives it back."""
    for how in _HOWS:
        try:
            again = rematch(found.re, found.string, found.pos, found.endpos, how)
        except (TypeError, ValueError):
            return None
        if again is not None and same_match(again, found):
            return (rematch, (found.re, found.string, found.pos, found.endpos, how))
    return None


def rematch(
    pattern: re.Pattern[Any], string: Any, pos: int, endpos: int, how: How
) -> re.Match[Any] | None:
    """``pattern.<how>(string, pos, endpos)``: what pickle calls to load a stored match."""
    return getattr(pattern, how)(string, pos, endpos)  # type: ignore[no-any-return]


def same_match(one: re.Match[Any], other: re.Match[Any]) -> bool:
    return _readable(one) == _readable(other)


def _readable(found: re.Match[Any]) -> tuple[Any, ...]:
    """Everything a function can read from a match (groups and spans derive from these)."""
    return (
        found.re,
        found.string,
        found.pos,
        found.endpos,
        found.lastindex,
        found.lastgroup,
        found.regs,
    )
