"""AO102, AO104, AO105, AO106: a value built element by element in a loop -> one comprehension."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeGuard

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
from agentic_action.rewrite._inline import inline_temporaries
from agentic_action.rewrite._loops import branch_value, comprehension_for
from agentic_action.rewrite._types import Rewrite, RuleInfo

_COMMON = (
    "the accumulator is assigned its empty value before the loop in the same block (right "
    "before it, or earlier when the statements in between never mention it and no comment "
    "sits on the initialisation) and is used nowhere else in the loop nor in any nested "
    "function; each level of the loop (and of any nested for/if) ends in one statement, a "
    "nested for/if without else or the accumulating statement (or, at the last level and "
    "except for AO105, an if/elif/else whose every branch is one accumulating statement: the "
    "element becomes `a if t else b`), and may start with temporaries `t = e` (plain-name "
    "targets; each becomes a `for t in [e]` clause, or is folded into the next clause when "
    "that reads it once and first of all) and `if c: continue` guards (each becomes an "
    "`if not c` filter); no for-else, no break, no other statement, no comments inside; the "
    "loop variables and temporaries are read nowhere after the loop, nor before the loop "
    "binds them; no try or with encloses the loop (so no half-built value can be observed); "
    "nothing moved contains yield, await, :=, super() or locals()"
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
    must be unable to run code: a literal or a name the loop binds (or a tuple of those).
    """

    info = RuleInfo(
        "AO105",
        "dict built by item assignment in a loop -> dict comprehension",
        f"{_COMMON}. The empty value is `{{}}` (or `dict()` with the real builtin); the key or "
        "the value is a literal or a name the loop binds (a loop variable or a temporary), "
        "since the comprehension evaluates the key before the value and the loop the value "
        "before the key.",
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
    elt = None if acc is None else _branch_arguments(acc, "append")
    if acc is None or elt is None or why_not_movable(acc, [elt], ctx):
        return None
    chain, fold = inline_temporaries(acc.chain, elt, ctx)
    value = cst.ListComp(elt=fold(elt), for_in=comprehension_for(chain))
    return acc, value, f"`{acc.name}` is only filled by append in this loop; " + _facts(acc)


def _set_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, lambda v: _is_call_of(v, "set", ctx))
    elt = None if acc is None else _branch_arguments(acc, "add")
    if acc is None or elt is None or why_not_movable(acc, [elt], ctx):
        return None
    chain, fold = inline_temporaries(acc.chain, elt, ctx)
    value = cst.SetComp(elt=fold(elt), for_in=comprehension_for(chain))
    return acc, value, f"`{acc.name}` is only filled by add in this loop; " + _facts(acc)


def _dict_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, lambda v: _empty_dict(v, ctx))
    item = None if acc is None or acc.chain.tests else _dict_store(acc)
    if acc is None or item is None:
        return None
    key, value = item
    if not (_inert(key, acc.chain.bound_names) or _inert(value, acc.chain.bound_names)):
        return None
    if why_not_movable(acc, [key, value], ctx):
        return None
    chain, _ = inline_temporaries(acc.chain, None, ctx)  # nothing folds into the key or value
    comp = cst.DictComp(key=key, value=value, for_in=comprehension_for(chain))
    return acc, comp, f"`{acc.name}` is only filled by item assignment here; " + _facts(acc)


def _join_site(loop: cst.For, ctx: FunctionContext) -> Found | None:
    acc = accumulation(loop, ctx, _empty_str)
    if acc is None:
        return None
    pieces = [_added_piece(leaf, acc.name) for leaf in (acc.chain.leaf, *acc.chain.others)]
    if not _all_found(pieces):
        return None
    piece = branch_value(acc.chain, pieces)
    if exact_type(piece, ctx) != "str" or why_not_movable(acc, [piece], ctx):
        return None
    empty = acc.init.value
    assert empty is not None
    chain, fold = inline_temporaries(acc.chain, piece, ctx)
    joined = cst.Call(
        func=cst.Attribute(value=empty, attr=cst.Name("join")),
        args=[cst.Arg(cst.ListComp(elt=fold(piece), for_in=comprehension_for(chain)))],
    )
    why = f"every piece added to `{acc.name}` is an exact str; " + _facts(acc)
    return acc, joined, why


def _added_piece(leaf: cst.BaseSmallStatement, name: str) -> cst.BaseExpression | None:
    """PIECE of `name += PIECE`."""
    if not isinstance(leaf, cst.AugAssign) or not isinstance(leaf.operator, cst.AddAssign):
        return None
    if not isinstance(leaf.target, cst.Name) or leaf.target.value != name:
        return None
    return leaf.value


def _branch_arguments(acc: Accumulation, method: str) -> cst.BaseExpression | None:
    """The element `acc.method(ARG)` adds, one ARG per branch joined as `a if t else b`."""
    leaves = (acc.chain.leaf, *acc.chain.others)
    found = [is_method_call(leaf, acc.name, method) for leaf in leaves]
    return branch_value(acc.chain, found) if _all_found(found) else None


def _all_found(
    values: list[cst.BaseExpression | None],
) -> TypeGuard[list[cst.BaseExpression]]:
    return all(v is not None for v in values)


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
    """Evaluating it cannot run code nor fail: a literal or a name the loop binds (a loop
    variable or a temporary, bound before the leaf runs), or a tuple of those."""
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
        "the loop has no else/break (continue only as a guard) and no try/with around it, "
        "and its variables and temporaries are not read after it"
    )
