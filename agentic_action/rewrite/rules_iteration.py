"""AO108 `for k in d: d[k]` -> `d.items()`; AO109 `for i in range(len(s)): s[i]` -> `for x in s`."""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._collections import (
    LocalCollection,
    changed_within,
    escapes,
    local_collection,
)
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import Replacer, constant, replace_nodes
from agentic_action.rewrite._loops import has_comments, targets_dead_after
from agentic_action.rewrite._types import Rewrite, RuleInfo


class DictKeysToItems:
    """AO108. `for k in d:` (or `d.keys()`) with `d[k]` reads in the body -> `d.items()`.

    `d[k]` during the loop equals the value `items()` yields for k only if nothing changes d
    in the meantime: d must be a dict the function created itself, that never escapes (so no
    alias can change it) and that the loop body does not change.
    """

    info = RuleInfo(
        "AO108",
        "loop over dict keys reading d[k] -> loop over d.items()",
        "d is a local bound once to a dict display, dict comprehension or dict() call (an "
        "exact dict, so d[k] is a plain lookup); d never escapes (it is only subscripted, "
        "iterated, tested, measured, returned, or called with its own methods), so no alias "
        "exists; the loop body does not change d nor rebind k; every d[k] read is outside "
        "nested functions and comprehensions. Each d[k] read becomes the new value variable.",
        "totals = dict(pairs)\nfor k in totals:\n    print(k, totals[k])",
        "totals = dict(pairs)\nfor k, value in totals.items():\n    print(k, value)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for loop in _loops(ctx):
            found = _items_site(loop, ctx)
            if found is not None:
                return found
        return None


class RangeLenToIteration:
    """AO109. `for i in range(len(s)):` where i only indexes s -> `for item in s:`.

    range(len(s)) with s[i] reads equals iterating s when s is an exact list/tuple/str that
    nothing changes during the loop, and i is not needed otherwise (nor after the loop).
    """

    info = RuleInfo(
        "AO109",
        "for i in range(len(seq)) used only as seq[i] -> iterate seq",
        "`range` and `len` are the builtins; seq is a local bound once to a list/tuple display, "
        "comprehension, list()/tuple()/sorted() call or exact str, which never escapes and is "
        "not changed in the loop; i is used in the loop only as seq[i] reads (outside nested "
        "functions and comprehensions, not in the loop's else) and is not read after the loop.",
        "names = sorted(seen)\nfor i in range(len(names)):\n    print(names[i])",
        "names = sorted(seen)\nfor item in names:\n    print(item)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        if not ctx.facts.all_builtin("range", "len"):
            return None
        for loop in _loops(ctx):
            found = _range_site(loop, ctx)
            if found is not None:
                return found
        return None


def _loops(ctx: FunctionContext) -> list[cst.For]:
    return [n for n in ctx.body_nodes if isinstance(n, cst.For) and n.asynchronous is None]


def _items_site(loop: cst.For, ctx: FunctionContext) -> Rewrite | None:
    dict_name = _iterated_dict(loop.iter)
    if dict_name is None or not isinstance(loop.target, cst.Name) or has_comments(loop.iter):
        return None
    coll = local_collection(dict_name, ctx)
    if coll is None or coll.kind != "dict" or escapes(coll, ctx):
        return None
    key = loop.target.value
    reads = _indexed_reads(loop.body, coll, key, ctx)
    if not reads or not _loop_is_plain(loop, coll, key, ctx):
        return None
    value_name = ctx.fresh_name("value", f"{key}_value")
    target = cst.Tuple(
        [cst.Element(cst.Name(key), comma=_comma()), cst.Element(cst.Name(value_name))],
        lpar=[],
        rpar=[],
    )
    items = cst.Call(cst.Attribute(cst.Name(dict_name), cst.Name("items")))
    replacements: dict[cst.CSTNode, Replacer] = {
        loop.target: constant(target),
        loop.iter: constant(items),
    }
    for read in reads:
        replacements[read] = constant(cst.Name(value_name, lpar=read.lpar, rpar=read.rpar))
    why = f"`{dict_name}` is a local dict that nothing changes during the loop"
    return Rewrite(replace_nodes(ctx.func, replacements), loop, why)


def _range_site(loop: cst.For, ctx: FunctionContext) -> Rewrite | None:
    seq_name = _range_len_of(loop.iter)
    if seq_name is None or not isinstance(loop.target, cst.Name) or has_comments(loop.iter):
        return None
    coll = local_collection(seq_name, ctx)
    if coll is None or coll.kind not in ("list", "tuple", "str") or escapes(coll, ctx):
        return None
    index = loop.target.value
    reads = _indexed_reads(loop.body, coll, index, ctx)
    index_uses = [u for u in ctx.uses_of(index) if ctx.is_within(u.node, loop)]
    if not reads or len(index_uses) != len(reads) + 1:  # + the loop target itself
        return None
    if not _loop_is_plain(loop, coll, index, ctx) or not targets_dead_after(loop, {index}, ctx):
        return None
    item = ctx.fresh_name("item", f"{seq_name}_item")
    replacements: dict[cst.CSTNode, Replacer] = {
        loop.target: constant(cst.Name(item)),
        loop.iter: constant(cst.Name(seq_name)),
    }
    for read in reads:
        replacements[read] = constant(cst.Name(item, lpar=read.lpar, rpar=read.rpar))
    why = f"`{index}` only indexes `{seq_name}`, a local sequence nothing changes in the loop"
    return Rewrite(replace_nodes(ctx.func, replacements), loop, why)


def _iterated_dict(iterable: cst.BaseExpression) -> str | None:
    if isinstance(iterable, cst.Name):
        return iterable.value
    if (
        isinstance(iterable, cst.Call)
        and not iterable.args
        and isinstance(iterable.func, cst.Attribute)
        and iterable.func.attr.value == "keys"
        and isinstance(iterable.func.value, cst.Name)
    ):
        return iterable.func.value.value
    return None


def _range_len_of(iterable: cst.BaseExpression) -> str | None:
    inner = _single_arg_of(iterable, "range")
    seq = _single_arg_of(inner, "len") if inner is not None else None
    return seq.value if isinstance(seq, cst.Name) else None


def _single_arg_of(node: cst.BaseExpression, name: str) -> cst.BaseExpression | None:
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)):
        return None
    if node.func.value != name or len(node.args) != 1:
        return None
    arg = node.args[0]
    return arg.value if arg.keyword is None and not arg.star else None


def _indexed_reads(
    body: cst.BaseSuite, coll: LocalCollection, index: str, ctx: FunctionContext
) -> list[cst.Subscript]:
    """Every `coll[index]` load in the body, or [] when one sits where it must not be."""
    reads: list[cst.Subscript] = []
    for use in ctx.uses_of(coll.name):
        if not ctx.is_within(use.node, body):
            continue
        parent = ctx.parent(use.node)
        if not (isinstance(parent, cst.Subscript) and _indexes_with(parent, index)):
            continue
        if use.nested or use.in_comprehension or ctx.target_role(parent) != "load":
            return []
        reads.append(parent)
    return reads


def _indexes_with(subscript: cst.Subscript, index: str) -> bool:
    if len(subscript.slice) != 1:
        return False
    element = subscript.slice[0].slice
    return (
        isinstance(element, cst.Index)
        and element.star is None
        and isinstance(element.value, cst.Name)
        and element.value.value == index
        and not has_comments(subscript)
    )


def _loop_is_plain(loop: cst.For, coll: LocalCollection, key: str, ctx: FunctionContext) -> bool:
    """Nothing in the loop changes the collection or rebinds the key; no closure sees them."""
    if changed_within(coll, loop.body, ctx):
        return False
    if loop.orelse is not None and any(
        ctx.is_within(u.node, loop.orelse) for u in ctx.uses_of(key)
    ):
        return False
    for use in ctx.uses_of(key):
        if not ctx.is_within(use.node, loop.body):
            continue
        if use.kind != "load" or use.nested:
            return False
    return not any(u.nested for u in ctx.uses_of(coll.name) if ctx.is_within(u.node, loop))


def _comma() -> cst.Comma:
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
