"""AO102, AO104, AO105, AO106: a value built element by element in a loop -> one comprehension."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from agentic_action.rewrite._accumulate import (
    Accumulation,
    accumulation,
    is_method_call,
    loops_in,
    replace_with_assignment,
    why_not_movable,
)
from agentic_action.rewrite._collections import exact_type
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._loops import comprehension_for, target_names
from agentic_action.rewrite._types import Rewrite, RuleInfo

_COMMON = (
    "the accumulator is assigned its empty value before the loop in the same block (right "
    "before it, or earlier when the statements in between never mention it and no comment "
    "sits on the initialisation) and is used nowhere else in the loop nor in any nested "
    "function; the loop (and any nested "
    "for/if levels) has one statement per level, no else, no break/continue, no comments "
    "inside; the loop variables are read nowhere after the loop; no try or with encloses the "
    "loop (so no half-built value can be observed); nothing moved contains yield, await, :=, "
    "super() or locals()"
)


class ListAppendToComprehension:
    """AO104. `out = []; for x in xs: [if c:] out.append(e)` -> `out = [e for x in xs [if c]]`.

    Precondition (see RuleInfo): `out` is a fresh empty list bound right before the loop, the
    loop only appends to it, and nothing can observe the list before the loop has finished.
    The comprehension then runs the same code in the same order and builds an equal list.
    """

    info = RuleInfo(
        "AO104",
        "list built with append in a loop -> list comprehension",
        f"{_COMMON}. The empty value is `[]` (or `list()` with the real builtin).",
        "out = []\nfor x in xs:\n    if x > 0:\n        out.append(x * 2)",
        "out = [x * 2 for x in xs if x > 0]",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        return _rewrite_each(ctx, self.info, _list_site)


class SetAddToComprehension:
    """AO106. `seen = set(); for x in xs: seen.add(e)` -> `seen = {e for x in xs}`.

    Precondition: as AO104, with `set()` (the real builtin) as the fresh empty value and
    `.add(e)` as the only use. Full text: `info.precondition` (docs/rules.md).
    """

    info = RuleInfo(
        "AO106",
        "set built with add in a loop -> set comprehension",
        f"{_COMMON}. The empty value is `set()` with the real builtin `set`.",
        "seen = set()\nfor x in xs:\n    seen.add(x.lower())",
        "seen = {x.lower() for x in xs}",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        return _rewrite_each(ctx, self.info, _set_site)


class DictStoreToComprehension:
    """AO105. `d = {}; for x in xs: d[k] = v` -> `d = {k: v for x in xs}`.

    A loop evaluates `v` before `k`; a dict comprehension evaluates `k` first. So one of them
    must be unable to run code: a literal or a loop variable (or a tuple of those).
    """

    info = RuleInfo(
        "AO105",
        "dict built by item assignment in a loop -> dict comprehension",
        f"{_COMMON}. The empty value is `{{}}` (or `dict()` with the real builtin); the key or "
        "the value is a literal or a loop variable, since the comprehension evaluates the key "
        "before the value and the loop the value before the key.",
        "index = {}\nfor row in rows:\n    index[row.id] = row",
        "index = {row.id: row for row in rows}",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        return _rewrite_each(ctx, self.info, _dict_site)


class StrConcatToJoin:
    """AO102. `s = ""; for x in xs: s += e` -> `s = "".join([e for x in xs])`.

    `+=` on strings can run user code (a str subclass's __radd__, an object's __radd__), so `e`
    must be proven an exact str (literal, f-string with two or more parts, str(<exact int>), ...).
    """

    info = RuleInfo(
        "AO102",
        'string built with += in a loop -> "".join',
        f'{_COMMON}. The empty value is the literal `""`; every added piece is proven to be an '
        "exact str (a literal, an f-string with at least two parts, str()/repr() of an exact "
        "int or str, a str method of an exact str, ...), so `+=` cannot call user code.",
        's = ""\nfor i in range(n):\n    s += f"{i},"',
        's = "".join([f"{i}," for i in range(n)])',
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        return _rewrite_each(ctx, self.info, _join_site)


Found = tuple[Accumulation, cst.BaseExpression, str]  # the loop, its new value, the rationale
SiteFinder = Callable[[cst.For, FunctionContext], Found | None]


def _rewrite_each(ctx: FunctionContext, info: RuleInfo, site_of: SiteFinder) -> Rewrite | None:
    for loop in loops_in(ctx):
        found = site_of(loop, ctx)
        if found is not None:
            acc, value, why = found
            return Rewrite(replace_with_assignment(acc, value, ctx), loop, why)
    return None


def _is_call_of(expr: cst.BaseExpression, name: str, ctx: FunctionContext) -> bool:
    return (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value == name
        and not expr.args
        and ctx.facts.is_builtin(name)
    )


def _list_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, lambda v: _empty_list(v, ctx))
    elt = None if acc is None else is_method_call(acc.chain.leaf, acc.name, "append")
    if acc is None or elt is None or why_not_movable(acc, [elt], ctx):
        return None
    value = cst.ListComp(elt=elt, for_in=comprehension_for(acc.chain))
    return acc, value, f"`{acc.name}` is only filled by append in this loop; " + _facts(acc)


def _set_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, lambda v: _is_call_of(v, "set", ctx))
    elt = None if acc is None else is_method_call(acc.chain.leaf, acc.name, "add")
    if acc is None or elt is None or why_not_movable(acc, [elt], ctx):
        return None
    value = cst.SetComp(elt=elt, for_in=comprehension_for(acc.chain))
    return acc, value, f"`{acc.name}` is only filled by add in this loop; " + _facts(acc)


def _dict_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, lambda v: _empty_dict(v, ctx))
    item = None if acc is None else _dict_store(acc)
    if acc is None or item is None:
        return None
    key, value = item
    targets = set().union(*(target_names(loop.target) for loop in acc.chain.loops))
    if not (_inert(key, targets) or _inert(value, targets)):
        return None
    if why_not_movable(acc, [key, value], ctx):
        return None
    comp = cst.DictComp(key=key, value=value, for_in=comprehension_for(acc.chain))
    return acc, comp, f"`{acc.name}` is only filled by item assignment here; " + _facts(acc)


def _join_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, _empty_str)
    leaf = None if acc is None else acc.chain.leaf
    if acc is None or not isinstance(leaf, cst.AugAssign):
        return None
    if not isinstance(leaf.operator, cst.AddAssign):
        return None
    if not isinstance(leaf.target, cst.Name) or leaf.target.value != acc.name:
        return None
    if exact_type(leaf.value, ctx) != "str" or why_not_movable(acc, [leaf.value], ctx):
        return None
    empty = acc.init.value
    assert empty is not None
    joined = cst.Call(
        func=cst.Attribute(value=empty, attr=cst.Name("join")),
        args=[cst.Arg(cst.ListComp(elt=leaf.value, for_in=comprehension_for(acc.chain)))],
    )
    why = f"every piece added to `{acc.name}` is an exact str; " + _facts(acc)
    return acc, joined, why


def _dict_store(acc: Accumulation) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    leaf = acc.chain.leaf
    if not isinstance(leaf, cst.Assign) or len(leaf.targets) != 1:
        return None
    target = leaf.targets[0].target
    if not (
        isinstance(target, cst.Subscript)
        and isinstance(target.value, cst.Name)
        and target.value.value == acc.name
        and len(target.slice) == 1
    ):
        return None
    index = target.slice[0].slice
    if not isinstance(index, cst.Index) or index.star is not None:
        return None
    return index.value, leaf.value


def _inert(expr: cst.BaseExpression, loop_names: set[str]) -> bool:
    """Evaluating it cannot run code nor fail: a literal or a loop variable (or a tuple)."""
    if isinstance(expr, cst.Name):
        return expr.value in loop_names or expr.value in ("None", "True", "False")
    if isinstance(expr, cst.Integer | cst.Float | cst.SimpleString):
        return True
    if isinstance(expr, cst.Tuple):
        return all(
            isinstance(e, cst.Element) and _inert(e.value, loop_names) for e in expr.elements
        )
    return False


def _empty_list(value: cst.BaseExpression, ctx: FunctionContext) -> bool:
    return (isinstance(value, cst.List) and not value.elements) or _is_call_of(value, "list", ctx)


def _empty_dict(value: cst.BaseExpression, ctx: FunctionContext) -> bool:
    return (isinstance(value, cst.Dict) and not value.elements) or _is_call_of(value, "dict", ctx)


def _empty_str(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.SimpleString)
        and value.evaluated_value in ("", b"")
        and ("b" not in value.prefix.lower())
    )


def _facts(_acc: Accumulation) -> str:
    return (
        "the loop has no else/break/continue and no try/with around it, and its variables "
        "are not read after it"
    )
