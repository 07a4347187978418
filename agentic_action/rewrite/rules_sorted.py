"""AO107 `sorted(x)[0]` -> `min(x)` (only when provably equal); AO110 `sorted(list(x))`."""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._collections import exact_elements
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._guards import proves_nonempty_before
from agentic_action.rewrite._loops import has_comments
from agentic_action.rewrite._types import Rewrite, RuleInfo


class SortedFirstToMin:
    """AO107. `sorted(x)[0]` -> `min(x)`, `sorted(x, key=len)[0]` -> `min(x, key=len)`.

    Equal only when (1) x is non-empty (else IndexError becomes ValueError) and (2) the order
    is total: with NaN or sets, the stable sort's first and min's pick differ. Under a total
    order both return the FIRST minimal element, the very same object. `sorted(x)[-1]` is never
    rewritten: max() returns the first maximal element, the stable sort the last.
    """

    info = RuleInfo(
        "AO107",
        "sorted(x)[0] -> min(x), only where provably the same",
        "x is a local name proven non-empty right where it is used: the expression is the whole "
        "value of the first statement under `if x:` / `if len(x) > 0:` (or of an "
        "`... if x else ...`), or follows `if not x: return/raise`; `if x:` counts only when x "
        "was bound once to a list/tuple/set/dict/str display, comprehension or builtin "
        "constructor. The order is total: key=len (exact int keys), or no key and x holds only "
        "exact ints or only exact strs (bound once to such a display or comprehension and "
        "never mutated). No reverse=. Never sorted(x)[-1] -> max(x): ties pick differently.",
        "lengths = [len(w) for w in words]\nif lengths:\n    best = sorted(lengths)[0]",
        "lengths = [len(w) for w in words]\nif lengths:\n    best = min(lengths)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        if not ctx.facts.all_builtin("sorted", "min", "len"):
            return None
        for node in ctx.body_nodes:
            if isinstance(node, cst.Subscript) and _is_first_of_sorted(node):
                call = node.value
                assert isinstance(call, cst.Call)
                if _safe(node, call, ctx):
                    new = call.with_changes(func=cst.Name("min"), lpar=node.lpar, rpar=node.rpar)
                    why = (
                        "argument proven non-empty and totally ordered: min picks the same element"
                    )
                    return Rewrite(replace_nodes(ctx.func, {node: constant(new)}), node, why)
        return None


class SortedOfCopy:
    """AO110. `sorted(list(x))` / `sorted(tuple(x))` -> `sorted(x)`: sorted() copies anyway.

    Precondition: `sorted`, `list` and `tuple` are the real builtins and the inner call is a
    plain one-argument copy; sorted(x) itself starts with list(x), so nothing else changes.
    Full text: `info.precondition` (docs/rules.md).
    """

    info = RuleInfo(
        "AO110",
        "sorted(list(x)) -> sorted(x)",
        "`sorted`, `list` and `tuple` are the builtins (nothing in the file binds them); the "
        "inner call has exactly one positional argument and no comments. sorted() builds its "
        "own list from any iterable, so the copy only costs time. (list(sorted(x)) is ruff's "
        "C413.)",
        "names = sorted(list(seen))",
        "names = sorted(seen)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        if not ctx.facts.all_builtin("sorted", "list", "tuple"):
            return None
        for node in ctx.body_nodes:
            inner = _copied_argument(node)
            if inner is not None and not has_comments(inner):
                copy = inner.value
                assert isinstance(copy, cst.Call)
                new_arg = inner.with_changes(value=copy.args[0].value)
                new_func = replace_nodes(ctx.func, {inner: constant(new_arg)})
                return Rewrite(new_func, node, "sorted() makes its own list from any iterable")
        return None


def _copied_argument(node: cst.CSTNode) -> cst.Arg | None:
    if not (_is_call_to(node, "sorted") and isinstance(node, cst.Call) and node.args):
        return None
    first = node.args[0]
    copy = first.value
    if first.keyword is not None or first.star or not isinstance(copy, cst.Call):
        return None
    if not (_is_call_to(copy, "list") or _is_call_to(copy, "tuple")) or len(copy.args) != 1:
        return None
    only = copy.args[0]
    return first if only.keyword is None and not only.star else None


def _is_call_to(node: cst.CSTNode, name: str) -> bool:
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == name
    )


def _is_first_of_sorted(node: cst.Subscript) -> bool:
    if len(node.slice) != 1 or not _is_call_to(node.value, "sorted"):
        return False
    index = node.slice[0].slice
    return (
        isinstance(index, cst.Index)
        and isinstance(index.value, cst.Integer)
        and index.value.evaluated_value == 0
    )


def _safe(node: cst.Subscript, call: cst.Call, ctx: FunctionContext) -> bool:
    if has_comments(node) or ctx.target_role(node) != "load" or not call.args:
        return False
    first, extra = call.args[0], call.args[1:]
    if first.keyword is not None or first.star or not isinstance(first.value, cst.Name):
        return False
    key = None
    for arg in extra:
        if arg.keyword is None or arg.keyword.value != "key" or key is not None:
            return False  # reverse=, or a second positional: leave it alone
        key = arg.value
    name = first.value.value
    by_len = isinstance(key, cst.Name) and key.value == "len"
    if key is not None and not by_len:
        return False
    if not by_len and exact_elements(name, ctx) is None:
        return False
    return proves_nonempty_before(node, name, ctx)
