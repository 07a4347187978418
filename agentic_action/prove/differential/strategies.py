"""Hypothesis strategies from the runtime types of recorded values, not from type hints.

A recorded ``[3, 1, 2]`` becomes ``lists(integers())``, ``{"a": 1.5}`` becomes
``dictionaries(text(), floats())``, a 2-tuple ``("x", 4)`` becomes ``tuples(text(), integers())``;
values of other types are passed as recorded. Runs inside the sandboxed generator, with the
hypothesis of the repository's interpreter (the generator reports when it is missing).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

MAX_SIZE = 8  # drawn containers hold at most this many elements
TEXT_SIZE = 12
SAMPLED = 5  # elements of a recorded container whose types shape the drawn elements


def strategy_for(value: Any, depth: int = 0) -> Any:
    """A hypothesis strategy drawing values of the same runtime shape as ``value``."""
    from hypothesis import strategies as st

    scalars: dict[type, Callable[[], Any]] = {
        bool: st.booleans,
        int: st.integers,
        float: st.floats,
        str: lambda: st.text(max_size=TEXT_SIZE),
        bytes: lambda: st.binary(max_size=TEXT_SIZE),
        type(None): st.none,
    }
    kind = type(value)
    if kind in scalars:
        return scalars[kind]()
    if depth >= 3:
        return st.just(value).map(copy.deepcopy)
    if kind is list:
        return st.lists(_elements(value, depth), max_size=MAX_SIZE)
    if kind is tuple:
        return st.tuples(*(strategy_for(v, depth + 1) for v in value[:MAX_SIZE]))
    if kind in (set, frozenset):
        make = st.sets if kind is set else st.frozensets
        return make(_elements(list(value), depth), max_size=MAX_SIZE)
    if kind is dict:
        keys, values = list(value), list(value.values())
        return st.dictionaries(_elements(keys, depth), _elements(values, depth), max_size=MAX_SIZE)
    return st.just(value).map(copy.deepcopy)


def _elements(items: list[Any], depth: int) -> Any:
    from hypothesis import strategies as st

    if not items:
        return st.integers()
    return st.one_of(*(strategy_for(v, depth + 1) for v in _distinct_types(items)))


def _distinct_types(items: list[Any]) -> list[Any]:
    by_type: dict[type, Any] = {}
    for item in items[: SAMPLED * 4]:
        by_type.setdefault(type(item), item)
    return list(by_type.values())[:SAMPLED]


def draw_calls(
    args: tuple[Any, ...], kwargs: dict[str, Any], count: int, first: int = 0
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """``count`` calls drawn like the recorded one (derandomized: the same recorded call gives
    the same draws). Positional arguments before ``first`` (a method's instance) are kept."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    kept = args[:first]
    drawn: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    strategy = st.tuples(
        st.tuples(*(strategy_for(a) for a in args[first:])),
        st.fixed_dictionaries({k: strategy_for(v) for k, v in kwargs.items()}),
    )

    @settings(
        max_examples=count, database=None, derandomize=True, deadline=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.generate],
    )  # fmt: skip
    @given(strategy)
    def collect(call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
        drawn.append(((*kept, *call[0]), call[1]))

    collect()
    return drawn[:count]
