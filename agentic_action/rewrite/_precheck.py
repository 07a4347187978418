"""Cheap textual pre-checks: a rule whose words are absent from a definition cannot fire there.

Each entry lists regular expressions that must ALL match the definition's text for the rule to
have a chance (a necessary condition, never a sufficient one: a match in a comment or a string
only costs the real check). A rule is tried only where its pre-check passes, and ruff only runs
on a file where at least one listed code's pre-check passes. A test keeps this table in step
with the rules, and checks that every rule's own example passes its pre-check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORDS: dict[str, tuple[str, ...]] = {
    "AO101": (r"\bin\b",),
    "AO102": (r"\+=", r"\bfor\b"),
    "AO103": (r"\bre\b",),
    "AO104": (r"\bappend\b", r"\bfor\b"),
    "AO105": (r"\bfor\b", r"\{|\bdict\b"),
    "AO106": (r"\badd\b", r"\bfor\b", r"\bset\b"),
    "AO107": (r"\bsorted\b",),
    "AO108": (r"\bfor\b", r"\["),
    "AO109": (r"\brange\b", r"\blen\b"),
    "AO110": (r"\bsorted\b", r"\b(?:list|tuple)\b"),
    "AO111": (r"\b(?:any|all)\b", r"\bfor\b"),
    "AO112": (r"\b(?:dict|list|tuple)\b",),
    "AO113": (r"\bin\b", r"\belse\b"),
    "AO114": (r"\bformat\b",),
    "AO115": (r"\bin\b",),
    "AO116": (r"%",),
    "AO117": (r"%",),
    "AO118": (r"\b(?:any|all)\b", r"\bfor\b"),
    "AO119": (r"\b(?:any|all)\b", r"\bfor\b"),
    "AO120": (r"\bfor\b", r"\b(?:list|set|dict|tuple|sorted|join)\b"),
    "AO121": (r"\bfor\b", r"\b(?:list|set|dict|tuple|sorted|join)\b"),
    "ruff:C413": (r"\bsorted\b", r"\blist\b"),
    "ruff:C420": (r"\bfor\b", r"\{"),
    "ruff:SIM118": (r"\bkeys\b",),
    "ruff:SIM905": (r"split\b",),
    "ruff:SIM910": (r"\bget\b", r"\bNone\b"),
    "ruff:FURB110": (r"\bif\b", r"\belse\b"),
    "ruff:FURB168": (r"\bisinstance\b", r"\bNone\b"),
    "ruff:FURB181": (r"\bdigest\b", r"\bhex\b"),
}
PRECHECKS: dict[str, tuple[re.Pattern[str], ...]] = {
    rule: tuple(re.compile(word) for word in words) for rule, words in _WORDS.items()
}


def may_apply(rule: str, text: str) -> bool:
    """False only when `rule` certainly finds nothing in `text` (unknown rules: True)."""
    return all(pattern.search(text) for pattern in PRECHECKS.get(rule, ()))


def possible(rules: Iterable[str], text: str) -> list[str]:
    return [rule for rule in rules if may_apply(rule, text)]
