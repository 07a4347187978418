"""Rule families: the rules engine's rules grouped by the module that defines them (``build``,
``calls``, ``dictget``, ``iteration``, ``membership``, ``regex``, ``sorted``), and ``ruff`` for the
ruff autofixes it accepts. The selector orders and leaves out families, not single rules."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from agentic_action.rewrite import RULES

RUFF = "ruff"


@cache
def _table() -> dict[str, str]:
    # The registry module is the one place that knows which class implements which rule id.
    from agentic_action.rewrite._registry import OWN_RULES

    table = {rule.info.id: type(rule).__module__.rsplit(".", 1)[-1] for rule in OWN_RULES}
    table = {rule_id: module.removeprefix("rules_") for rule_id, module in table.items()}
    table |= {info.id: RUFF for info in RULES if info.id.startswith("ruff:")}
    return table


def family_of(rule_id: str) -> str:
    return _table().get(rule_id, RUFF if rule_id.startswith("ruff:") else "")


def families() -> tuple[str, ...]:
    return tuple(sorted(set(_table().values())))


def rule_ids(families_: Iterable[str]) -> tuple[str, ...]:
    wanted = set(families_)
    return tuple(sorted(rule for rule, family in _table().items() if family in wanted))


def family_of_edits(rules: Iterable[str]) -> str:
    """The family of a candidate's edits: the one family, or the first in order when several."""
    found = sorted({family_of(rule) for rule in rules} - {""})
    return found[0] if found else ""
