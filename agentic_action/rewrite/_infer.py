"""Exact-type proofs: expressions whose value is certainly an exact `int` or an exact `str`.

"Exact" means the type itself, never a subclass: only then are hashing, equality, ordering and
`+` known not to run user code. Every case below is a CPython guarantee, not a guess; anything
else is "unknown" (None) and the rules that need a proof stay silent.
"""

from __future__ import annotations

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
        from agentic_action.rewrite._collections import exact_elements

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
