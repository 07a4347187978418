"""Local collections the function builds itself: their exact type, and whether they escape.

A local bound once to a display (`[]`, `{}`, `(a, b)`), a comprehension, or a call of the real
builtin `list`/`dict`/`set`/`tuple`/`sorted` is an exact builtin container. When every other use
is one of a few read or mutate forms listed here, no other reference to it can exist, so nothing
but the function's own visible code can change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

from agentic_action.rewrite._context import FunctionContext, NameUse
from agentic_action.rewrite._infer import Exact, exact_type

Kind = Literal["list", "tuple", "dict", "set", "str"]

_DISPLAYS: dict[type[cst.CSTNode], Kind] = {
    cst.List: "list",
    cst.ListComp: "list",
    cst.Tuple: "tuple",
    cst.Dict: "dict",
    cst.DictComp: "dict",
    cst.Set: "set",
    cst.SetComp: "set",
}
_CONSTRUCTORS: dict[str, Kind] = {
    "list": "list",
    "sorted": "list",
    "tuple": "tuple",
    "dict": "dict",
    "set": "set",
}
READ_METHODS: dict[Kind, frozenset[str]] = {
    "list": frozenset({"index", "count", "copy"}),
    "tuple": frozenset({"index", "count"}),
    "dict": frozenset({"get", "items", "keys", "values", "copy"}),
    "set": frozenset(
        [
            "copy",
            "union",
            "intersection",
            "difference",
            "symmetric_difference",
            "issubset",
            "issuperset",
            "isdisjoint",
        ]
    ),
    "str": frozenset(),  # immutable: every method is a read
}
_MUTATE_METHODS: dict[Kind, frozenset[str]] = {
    "list": frozenset(["append", "extend", "insert", "pop", "remove", "sort", "reverse", "clear"]),
    "tuple": frozenset(),
    "dict": frozenset(["setdefault", "pop", "popitem", "update", "clear"]),
    "set": frozenset(
        [
            "add",
            "discard",
            "remove",
            "pop",
            "clear",
            "update",
            "intersection_update",
            "difference_update",
            "symmetric_difference_update",
        ]
    ),
    "str": frozenset(),
}
READING_BUILTINS = frozenset(
    [
        "len",
        "sorted",
        "list",
        "tuple",
        "set",
        "frozenset",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "enumerate",
        "zip",
        "reversed",
        "bool",
    ]
)


@dataclass(frozen=True)
class LocalCollection:
    name: str
    kind: Kind
    value: cst.BaseExpression
    store: NameUse


def local_collection(name: str, ctx: FunctionContext) -> LocalCollection | None:
    """The single binding of `name` to a fresh exact container, or None."""
    uses = ctx.uses_of(name)
    stores = [u for u in uses if u.kind != "load"]
    if len(stores) != 1 or stores[0].kind != "store" or any(u.nested for u in uses):
        return None
    value = _bound_value(stores[0], ctx)
    kind = collection_kind(value, ctx) if value is not None else None
    if value is None or kind is None:
        return None
    return LocalCollection(name, kind, value, stores[0])


def collection_kind(value: cst.BaseExpression, ctx: FunctionContext) -> Kind | None:
    kind = _DISPLAYS.get(type(value))
    if kind is not None:
        return kind
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in _CONSTRUCTORS
        and ctx.facts.is_builtin(value.func.value)
    ):
        return _CONSTRUCTORS[value.func.value]
    return "str" if exact_type(value, ctx) == "str" else None


def _bound_value(store: NameUse, ctx: FunctionContext) -> cst.BaseExpression | None:
    parent = ctx.parent(store.node)
    if isinstance(parent, cst.AssignTarget):
        assign = ctx.parent(parent)
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
            return assign.value
    if isinstance(parent, cst.AnnAssign) and parent.target is store.node:
        return parent.value
    return None


def use_role(use: NameUse, coll: LocalCollection, ctx: FunctionContext) -> str:
    """read, mutate or escape: what one load of the collection can do to it."""
    node: cst.CSTNode = use.node
    parent = ctx.parent(node)
    if isinstance(parent, cst.Subscript) and parent.value is node:
        return "read" if ctx.target_role(parent) == "load" else "mutate"
    if isinstance(parent, cst.Attribute) and parent.value is node:
        call = ctx.parent(parent)
        method = parent.attr.value
        if not isinstance(call, cst.Call) or call.func is not parent:
            return "escape"
        if coll.kind == "str" or method in READ_METHODS[coll.kind]:
            return "read"
        return "mutate" if method in _MUTATE_METHODS[coll.kind] else "escape"
    return "read" if _plain_read(node, parent, ctx) else "escape"


def _plain_read(node: cst.CSTNode, parent: cst.CSTNode | None, ctx: FunctionContext) -> bool:
    """Iterated, tested, measured, returned: uses that never hand out a reference."""
    if isinstance(parent, cst.Arg) and not parent.star and parent.keyword is None:
        call = ctx.parent(parent)
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value in READING_BUILTINS
            and ctx.facts.is_builtin(call.func.value)
        )
    if isinstance(parent, cst.ComparisonTarget):
        return parent.comparator is node and isinstance(parent.operator, cst.In | cst.NotIn)
    if isinstance(parent, cst.For | cst.CompFor):
        return parent.iter is node
    if isinstance(parent, cst.If | cst.While | cst.IfExp):
        return parent.test is node
    if isinstance(parent, cst.UnaryOperation):
        return isinstance(parent.operator, cst.Not)
    holder = ctx.parent(parent) if isinstance(parent, cst.Element) else None
    if isinstance(holder, cst.Tuple):
        parent = ctx.parent(holder)  # `return a, b`: handed out as the call ends
    return isinstance(parent, cst.Return)


def exact_elements(name: str, ctx: FunctionContext, depth: int = 0) -> Exact | None:
    """A local list/tuple/set, bound once to a display or comprehension of exact ints (or of
    exact strs) and only ever read: every element it can hold is of that exact type."""
    coll = local_collection(name, ctx)
    if coll is None or coll.kind not in ("list", "tuple", "set"):
        return None
    loads = [u for u in ctx.uses_of(name) if u.kind == "load"]
    if any(use_role(u, coll, ctx) != "read" for u in loads):
        return None
    value = coll.value
    if isinstance(value, cst.ListComp | cst.SetComp):
        return exact_type(value.elt, ctx, depth + 1)
    if isinstance(value, cst.List | cst.Tuple | cst.Set) and value.elements:
        kinds = {
            exact_type(e.value, ctx, depth + 1) if isinstance(e, cst.Element) else None
            for e in value.elements
        }
        return kinds.pop() if len(kinds) == 1 else None
    return None


def escapes(coll: LocalCollection, ctx: FunctionContext) -> bool:
    loads = [u for u in ctx.uses_of(coll.name) if u.kind == "load"]
    return any(use_role(u, coll, ctx) == "escape" for u in loads)


def changed_within(coll: LocalCollection, region: cst.CSTNode, ctx: FunctionContext) -> bool:
    """True when some use inside `region` may change (or rebind) the collection."""
    for use in ctx.uses_of(coll.name):
        if not ctx.is_within(use.node, region):
            continue
        if use.kind != "load" or use_role(use, coll, ctx) != "read":
            return True
    return False
