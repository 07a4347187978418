"""Smaller versions of a differing input, to show the least one that still differs (standard
library only: runs in the sandboxed generator).

``smaller_calls(args, kwargs)`` lists calls with one argument made smaller: containers with an
element (or half of them) left out or one element made smaller, strings cut, numbers moved
toward zero. The parent keeps the smallest call that still differs and asks again, a few rounds.
"""

from __future__ import annotations

import collections.abc
from typing import Any

POSITIONS = 8  # elements tried for removal or shrinking, per container


def smaller_values(value: Any, depth: int = 0) -> list[Any]:
    """Values like ``value`` but smaller (none for unknown types or the smallest ones)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return [v for v in (0, value // 2) if abs(v) < abs(value)]
    if isinstance(value, float):
        return [0.0] if value not in (0.0,) and value == value else []
    if isinstance(value, str | bytes):
        return _cut(value)
    if type(value) in (list, tuple):
        return _sequence(value, depth)
    if type(value) is dict:
        return _mapping(value, depth)
    if type(value) in (set, frozenset):
        items = list(value)
        return [type(value)(items[:i] + items[i + 1 :]) for i in range(min(len(items), POSITIONS))]
    return []


def _cut(value: Any) -> list[Any]:
    if not value:
        return []
    found = [value[:0], value[: len(value) // 2]]
    found += [value[:i] + value[i + 1 :] for i in range(min(len(value), POSITIONS))]
    return [v for v in dict.fromkeys(found) if len(v) < len(value)]


def _sequence(value: list[Any] | tuple[Any, ...], depth: int) -> list[Any]:
    make = type(value)
    items = list(value)
    if not items:
        return []
    half = len(items) // 2
    found = [make(items[:half]), make(items[half:])] if len(items) > 1 else [make([])]
    found += [make(items[:i] + items[i + 1 :]) for i in range(min(len(items), POSITIONS))]
    if depth < 2:
        for i in range(min(len(items), POSITIONS)):
            found += [make([*items[:i], s, *items[i + 1 :]]) for s in smaller_values(items[i])[:2]]
    return found


def _mapping(value: dict[Any, Any], depth: int) -> list[Any]:
    keys = list(value)[:POSITIONS]
    found: list[Any] = [{k: v for k, v in value.items() if k != key} for key in keys]
    if depth < 2:
        for key in keys:
            found += [{**value, key: s} for s in smaller_values(value[key], depth + 1)[:2]]
    return found


def smaller_calls(
    args: tuple[Any, ...], kwargs: dict[str, Any], first: int = 0
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Calls with one argument made smaller; one-shot iterators are shrunk as the lists they
    would yield, and each call gets its own fresh iterator."""
    plain_args = tuple(_listed(a) for a in args)
    plain_kwargs = {k: _listed(v) for k, v in kwargs.items()}
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for i in range(first, len(args)):
        calls += [
            ((*plain_args[:i], v, *plain_args[i + 1 :]), plain_kwargs)
            for v in smaller_values(plain_args[i])
        ]
    for name, value in plain_kwargs.items():
        calls += [(plain_args, {**plain_kwargs, name: v}) for v in smaller_values(value)]
    return [_restored(call, args, kwargs) for call in calls]


def _one_shot(value: Any) -> bool:
    return isinstance(value, collections.abc.Iterator) and not isinstance(value, str | bytes)


def _listed(value: Any) -> Any:
    return list(value) if _one_shot(value) else value


def _restored(
    call: tuple[tuple[Any, ...], dict[str, Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    new_args = tuple(
        iter(list(v)) if _one_shot(a) else v for v, a in zip(call[0], args, strict=True)
    )
    new_kwargs = {k: iter(list(v)) if _one_shot(kwargs[k]) else v for k, v in call[1].items()}
    return new_args, new_kwargs
