"""Mutations of recorded values: what the tests never exercised (standard library only).

``value_variants(v)`` lists ``(kind, mutated value)`` pairs for one recorded value, most telling
first. Two families:

- shape-keeping: the same types and sizes with other contents (``shape:...``);
- boundary: empty, one element, duplicates, reversed order, unhashable elements (list, dict,
  set) and mixed types inside containers, ``None`` in place of an element, NaN, inf, -0.0, huge
  ints, bools standing in for ints, empty and non-ASCII strings, subclasses of str, int, list and
  dict that define ``__eq__``/``__hash__`` themselves, tuples where a list was passed, and one-shot
  iterators where an iterable was passed, and nesting deeper than the recursion limit.

A mutation never changes the value it is given: it builds new containers around the same
elements (the caller pickles each variant at once).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from agentic_action.prove.differential.oddities import OddDict, OddInt, OddList, OddStr

Variant = tuple[str, Any]
HUGE_INT = 10**30
NON_ASCII = "é日本\u0301ß"
ELEMENT_DEPTH = 2  # containers inside containers are mutated this deep
ELEMENT_LIMIT = 200  # longer containers get their container mutations only
DEEP_NESTING = 1200  # levels of nested lists (recursive code exceeds the recursion limit)


def value_variants(value: Any, depth: int = 0) -> list[Variant]:
    """The mutations of ``value`` (none for types this module does not know)."""
    for kinds, build in _BY_TYPE:
        if type(value) in kinds:
            return build(value, depth)
    return []


def _bool(value: bool, depth: int) -> list[Variant]:
    return [("shape:negated", not value), ("int-for-bool", int(value)), ("none", None)]


def _int(value: int, depth: int) -> list[Variant]:
    return [
        ("shape:plus-one", value + 1),
        ("zero", 0),
        ("negative", -value if value else -1),
        ("huge-int", HUGE_INT + value),
        ("bool-for-int", value != 0),
        ("float-for-int", float(value)),
        ("subclass", OddInt(value)),
        ("none", None),
    ]


def _float(value: float, depth: int) -> list[Variant]:
    found: list[Variant] = [
        ("shape:half", value / 2),
        ("nan", math.nan),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("-0.0", -0.0),
        ("huge-float", 1e308),
        ("none", None),
    ]
    if math.isfinite(value):
        found.append(("int-for-float", int(value)))
    return found


def _str(value: str, depth: int) -> list[Variant]:
    return [
        ("shape:reversed", value[::-1]),
        ("empty-str", ""),
        ("non-ascii", value + NON_ASCII),
        ("non-ascii-only", NON_ASCII),
        ("shape:upper", value.upper()),
        ("subclass", OddStr(value)),
        ("none", None),
    ]


def _bytes(value: bytes, depth: int) -> list[Variant]:
    return [("empty-bytes", b""), ("non-ascii-bytes", value + b"\x00\xff\xc3"), ("none", None)]


def _sequence(value: list[Any] | tuple[Any, ...], depth: int) -> list[Variant]:
    make: Callable[[list[Any]], Any] = type(value)
    items = list(value)
    found: list[Variant] = [
        ("empty", make([])),
        ("one-element", make(items[:1])),
        ("duplicates", make([x for x in items for _ in (0, 1)])),
        ("reversed", make(items[::-1])),
        ("shape:rotated", make(items[1:] + items[:1])),
        ("unhashable-elements", make([[x] for x in items] + [[x] for x in items[:1]])),
        ("dict-elements", make([{"k": x} for x in items[:3]] * 2)),
        ("set-elements", make([{x} if _hashable(x) else [x] for x in items[:3]])),
        ("mixed-types", make([*items, "x", 1, 1.5, None])),
        ("none-element", make([None, *items])),
    ]
    if isinstance(value, list):
        found += [
            ("tuple-for-list", tuple(items)),
            ("one-shot-iterator", iter(items)),
            ("empty-one-shot-iterator", iter([])),
            ("subclass", OddList(items)),
        ]
    else:
        found += [("list-for-tuple", items), ("one-shot-iterator", iter(items))]
    if depth == 0:
        found.append(("deep-nesting", make([_nested(items)])))
    return found + _element_variants(items, make, depth)


def _nested(items: list[Any]) -> list[Any]:
    """``items`` inside DEEP_NESTING lists: deeper than the default recursion limit."""
    value = items
    for _ in range(DEEP_NESTING):
        value = [value]
    return value


def _element_variants(
    items: list[Any], make: Callable[[list[Any]], Any], depth: int
) -> list[Variant]:
    """Each mutation of the first element, applied to every element (``NaN`` everywhere) and to
    the first only (one odd element among ordinary ones)."""
    if not items or depth >= ELEMENT_DEPTH or len(items) > ELEMENT_LIMIT:
        return []
    found: list[Variant] = []
    for kind, _ in value_variants(items[0], depth + 1):
        mutated = [_same_kind(x, kind, depth + 1) for x in items]
        if all(m is not _MISSING for m in mutated):
            found.append((f"elements:{kind}", make(mutated)))
    for kind, first in value_variants(items[0], depth + 1)[:4]:
        found.append((f"first-element:{kind}", make([first, *items[1:]])))
    return found


_MISSING = object()


def _same_kind(value: Any, kind: str, depth: int) -> Any:
    return next((v for k, v in value_variants(value, depth) if k == kind), _MISSING)


def _dict(value: dict[Any, Any], depth: int) -> list[Variant]:
    items = list(value.items())
    found: list[Variant] = [
        ("empty", {}),
        ("one-element", dict(items[:1])),
        ("reversed", dict(items[::-1])),
        ("none-value", dict.fromkeys(value)),
        ("unhashable-values", {k: [v] for k, v in items}),
        ("mixed-keys", {**value, 1: "x", None: "y"}),
        ("subclass", OddDict(value)),
    ]
    if items and depth < ELEMENT_DEPTH:
        key, first = items[0]
        for kind, mutated in value_variants(first, depth + 1)[:6]:
            found.append((f"first-value:{kind}", {**value, key: mutated}))
    return found


def _set(value: set[Any] | frozenset[Any], depth: int) -> list[Variant]:
    make: Callable[[list[Any]], Any] = type(value)
    items = list(value)
    other = frozenset(items) if isinstance(value, set) else set(items)
    return [
        ("empty", make([])),
        ("one-element", make(items[:1])),
        ("none-element", make([*items, None])),
        ("mixed-types", make([*items, "x", 1.5])),
        ("frozenset-for-set" if isinstance(value, set) else "set-for-frozenset", other),
        ("list-for-set", items),
    ]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_BY_TYPE: tuple[tuple[tuple[type, ...], Callable[[Any, int], list[Variant]]], ...] = (
    ((bool,), _bool),
    ((int,), _int),
    ((float,), _float),
    ((str,), _str),
    ((bytes,), _bytes),
    ((list, tuple), _sequence),
    ((dict,), _dict),
    ((set, frozenset), _set),
)


# Mutations that keep the value and change its type (or only its nesting): the candidate must
# treat the substitute as the original does, but only where the original itself treats it like
# the value it replaces.
SUBSTITUTIONS = frozenset(
    {
        "tuple-for-list", "list-for-tuple", "one-shot-iterator", "empty-one-shot-iterator",
        "subclass", "float-for-int", "int-for-float", "bool-for-int", "int-for-bool",
        "frozenset-for-set", "set-for-frozenset", "list-for-set", "deep-nesting",
    }
)  # fmt: skip


def substitutes(label: str) -> bool:
    """Whether the mutation ``label`` (``argument 0: elements:float-for-int``) only swaps types."""
    return label.rsplit(":", 1)[-1].strip() in SUBSTITUTIONS


def reference_call(
    label: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The call a substitution stands in for: the recorded one, or (an empty one-shot iterator)
    the recorded one with an empty container of the argument's type."""
    if not label.endswith("empty-one-shot-iterator"):
        return args, kwargs
    where = label.split(":", 1)[0].removeprefix("argument ").strip()
    if where.endswith("="):
        name = where[:-1]
        return args, {**kwargs, name: type(kwargs[name])()}
    i = int(where)
    return (*args[:i], type(args[i])(), *args[i + 1 :]), kwargs


def call_variants(
    args: tuple[Any, ...], kwargs: dict[str, Any], first: int = 0
) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """Calls with one argument mutated at a time (positional from index ``first``: 1 skips the
    instance of a method), labelled ``argument N: kind`` or ``argument name=: kind``."""
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    for i in range(first, len(args)):
        for kind, value in value_variants(args[i]):
            calls.append((f"argument {i}: {kind}", (*args[:i], value, *args[i + 1 :]), kwargs))
    for name, original in kwargs.items():
        for kind, value in value_variants(original):
            calls.append((f"argument {name}=: {kind}", args, {**kwargs, name: value}))
    return calls
