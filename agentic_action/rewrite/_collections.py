"""Local collections the function builds itself: their exact type, and whether they escape.

A local bound once to a display (`[]`, `{}`, `(a, b)`), a comprehension, a call of the real
builtin `list`/`dict`/`set`/`tuple`/`sorted`, a `split()` of an exact str or a stdlib
`re.split()`/`re.findall()` is an exact builtin container. When every other use
is one of a few read or mutate forms listed here, no other reference to it can exist, so nothing
but the function's own visible code can change it.

With them, exact-type proofs (the two are mutually recursive: a collection's kind can rest on
an exact `str`, and an element's exact type on the collection): expressions whose value is
certainly an exact `int` or an exact `str`. "Exact" means the type itself, never a subclass:
only then are hashing, equality, ordering and `+` known not to run user code. Every case below
is a CPython guarantee, not a guess; anything else is "unknown" (None) and the rules that need
a proof stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

from agentic_action.rewrite._context import FunctionContext, NameUse

Exact = Literal["int", "str"]
_MAX_DEPTH = 12

_INT_OPS = (
    cst.Add,
    cst.Subtract,
    cst.Multiply,
    cst.FloorDivide,
    cst.Modulo,
    cst.BitAnd,
    cst.BitOr,
    cst.BitXor,
    cst.LeftShift,
    cst.RightShift,
)
_STR_TO_STR = frozenset(
    [
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "casefold",
        "title",
        "capitalize",
        "swapcase",
        "replace",
        "zfill",
        "center",
        "ljust",
        "rjust",
        "expandtabs",
        "format",
        "join",
        "removeprefix",
        "removesuffix",
    ]
)
_STR_TO_INT = frozenset(["count", "find", "rfind", "index", "rindex"])
_BUILTIN_INT = frozenset({"len", "ord"})
_BUILTIN_STR = frozenset({"chr", "hex", "oct", "bin"})
_BUILTIN_STR_OF_EXACT = frozenset({"str", "repr", "ascii"})


def exact_type(expr: cst.BaseExpression, ctx: FunctionContext, depth: int = 0) -> Exact | None:
    return _infer(expr, ctx, {}, depth)


def str_literal(expr: cst.BaseExpression) -> bool:
    """A plain (non-bytes, non-f) string literal, possibly implicitly concatenated."""
    if isinstance(expr, cst.SimpleString):
        return "b" not in expr.prefix.lower()
    if isinstance(expr, cst.ConcatenatedString):
        return str_literal(expr.left) and str_literal(expr.right)
    return False


def int_literal(expr: cst.BaseExpression) -> bool:
    """An integer literal, optionally negated: `3`, `-1`, `0x1F`."""
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        expr = expr.expression
    return isinstance(expr, cst.Integer)


def _infer(
    expr: cst.BaseExpression, ctx: FunctionContext, assuming: dict[str, Exact], depth: int
) -> Exact | None:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Integer):
        return "int"
    if str_literal(expr):
        return "str"
    if isinstance(expr, cst.FormattedString):
        return "str" if len(expr.parts) >= 2 else None  # BUILD_STRING makes a new exact str
    if isinstance(expr, cst.Name):
        return _infer_name(expr.value, ctx, assuming, depth + 1)
    if isinstance(expr, cst.Call):
        return _infer_call(expr, ctx, assuming, depth + 1)
    if isinstance(expr, cst.BinaryOperation):
        left = _infer(expr.left, ctx, assuming, depth + 1)
        right = _infer(expr.right, ctx, assuming, depth + 1)
        return _binary(left, expr.operator, right)
    if isinstance(expr, cst.UnaryOperation):
        inner = _infer(expr.expression, ctx, assuming, depth + 1)
        ok = isinstance(expr.operator, cst.Minus | cst.Plus | cst.BitInvert)
        return "int" if ok and inner == "int" else None
    if isinstance(expr, cst.Subscript):
        return "str" if _infer(expr.value, ctx, assuming, depth + 1) == "str" else None
    if isinstance(expr, cst.IfExp):
        body = _infer(expr.body, ctx, assuming, depth + 1)
        return body if body == _infer(expr.orelse, ctx, assuming, depth + 1) else None
    return None


def _binary(left: Exact | None, op: cst.BaseBinaryOp, right: Exact | None) -> Exact | None:
    if left == "int" and right == "int" and isinstance(op, _INT_OPS):
        return "int"
    if left == "str" and right == "str" and isinstance(op, cst.Add):
        return "str"
    if {left, right} == {"str", "int"} and isinstance(op, cst.Multiply):
        return "str"
    return None


def _infer_call(
    call: cst.Call, ctx: FunctionContext, assuming: dict[str, Exact], depth: int
) -> Exact | None:
    if any(a.star for a in call.args):
        return None
    func = call.func
    if isinstance(func, cst.Attribute):
        if _infer(func.value, ctx, assuming, depth) != "str":
            return None
        method = func.attr.value
        return "str" if method in _STR_TO_STR else "int" if method in _STR_TO_INT else None
    if not isinstance(func, cst.Name) or not ctx.facts.is_builtin(func.value):
        return None
    name = func.value
    if name in _BUILTIN_INT:
        return "int"
    if name in _BUILTIN_STR:
        return "str"
    arg_types = [_infer(a.value, ctx, assuming, depth) for a in call.args]
    first_exact = bool(arg_types) and arg_types[0] is not None
    if name in _BUILTIN_STR_OF_EXACT and len(call.args) == 1 and first_exact:
        return "str"
    if name == "str" and not call.args:
        return "str"
    if name == "int" and len(call.args) in (1, 2) and first_exact:
        return "int"
    if name == "abs" and arg_types == ["int"]:
        return "int"
    return None


def _infer_name(
    name: str, ctx: FunctionContext, assuming: dict[str, Exact], depth: int
) -> Exact | None:
    """A local is exact T when every binding of it in the function produces an exact T."""
    if name in assuming:
        return assuming[name]
    uses = ctx.uses_of(name)
    stores = [u for u in uses if u.kind in ("store", "augstore")]
    if not stores or any(u.nested or u.kind == "decl" for u in uses):
        return None
    for candidate in ("int", "str"):
        trial: dict[str, Exact] = {**assuming, name: candidate}
        if all(_store_type(u, ctx, trial, depth) == candidate for u in stores):
            return candidate
    return None


def _store_type(
    use: NameUse, ctx: FunctionContext, assuming: dict[str, Exact], depth: int
) -> Exact | None:
    parent = ctx.parent(use.node)
    if isinstance(parent, cst.AssignTarget):
        assign = ctx.parent(parent)
        if isinstance(assign, cst.Assign):
            return _infer(assign.value, ctx, assuming, depth)
        return None
    if isinstance(parent, cst.AnnAssign) and parent.value is not None:
        return _infer(parent.value, ctx, assuming, depth)
    if isinstance(parent, cst.NamedExpr):
        return _infer(parent.value, ctx, assuming, depth)
    if isinstance(parent, cst.AugAssign):
        value = _infer(parent.value, ctx, assuming, depth)
        return _binary(assuming.get(use.node.value), _aug_to_binary(parent.operator), value)
    if isinstance(parent, cst.For | cst.CompFor) and parent.target is use.node:
        return _element_type(parent.iter, ctx, assuming, depth)
    return _enumerate_index(use, parent, ctx)


def _element_type(
    iterable: cst.BaseExpression, ctx: FunctionContext, assuming: dict[str, Exact], depth: int
) -> Exact | None:
    """What iterating yields: `range(...)` gives exact ints, an exact str gives exact strs, a
    never-changed local list of exact values gives those."""
    if isinstance(iterable, cst.Name) and iterable.value not in assuming:
        found = exact_elements(iterable.value, ctx, depth + 1)
        if found is not None:
            return found
    if (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "range"
        and ctx.facts.is_builtin("range")
    ):
        return "int"
    return "str" if _infer(iterable, ctx, assuming, depth) == "str" else None


def _enumerate_index(
    use: NameUse, parent: cst.CSTNode | None, ctx: FunctionContext
) -> Exact | None:
    """`for i, x in enumerate(xs)` (no start, or an int literal start): i is an exact int."""
    tup = ctx.parent(parent) if isinstance(parent, cst.Element) else None
    loop = ctx.parent(tup) if isinstance(tup, cst.Tuple) else None
    if not isinstance(loop, cst.For | cst.CompFor) or loop.target is not tup:
        return None
    if not isinstance(tup, cst.Tuple) or tup.elements[0] is not parent:
        return None
    call = loop.iter
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Name)
        and call.func.value == "enumerate"
        and ctx.facts.is_builtin("enumerate")
    ):
        return None
    extra = call.args[1:]
    return "int" if all(int_literal(a.value) and not a.star for a in extra) else None


def _aug_to_binary(op: cst.BaseAugOp) -> cst.BaseBinaryOp:
    table: dict[type[cst.BaseAugOp], cst.BaseBinaryOp] = {
        cst.AddAssign: cst.Add(),
        cst.SubtractAssign: cst.Subtract(),
        cst.MultiplyAssign: cst.Multiply(),
        cst.FloorDivideAssign: cst.FloorDivide(),
        cst.ModuloAssign: cst.Modulo(),
        cst.BitAndAssign: cst.BitAnd(),
        cst.BitOrAssign: cst.BitOr(),
        cst.BitXorAssign: cst.BitXor(),
        cst.LeftShiftAssign: cst.LeftShift(),
        cst.RightShiftAssign: cst.RightShift(),
    }
    return table.get(type(op), cst.Power())


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
_STR_TO_LIST = frozenset(["split", "rsplit", "splitlines"])
_STR_TO_TUPLE = frozenset(["partition", "rpartition"])
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
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        return _split_kind(value.func, ctx)
    return "str" if exact_type(value, ctx) == "str" else None


def _split_kind(func: cst.Attribute, ctx: FunctionContext) -> Kind | None:
    """Calls that build a fresh exact container: `s.split()` and kin on an exact str (the
    str methods themselves), and `re.split()`/`re.findall()` of the stdlib `re` (a top-level
    `import re` bound nowhere else; the stdlib functions are assumed not to be replaced)."""
    method = func.attr.value
    owner = func.value
    if isinstance(owner, cst.Name) and owner.value == "re" and ctx.facts.re_is_stdlib:
        return "list" if method in ("split", "findall") else None
    if method not in _STR_TO_LIST and method not in _STR_TO_TUPLE:
        return None
    if exact_type(owner, ctx) != "str":
        return None
    return "list" if method in _STR_TO_LIST else "tuple"


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
