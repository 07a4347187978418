"""AO113: `if k in d: v = d[k] else: v = D` -> `v = d.get(k, D)` (one lookup instead of two)."""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._collections import int_literal, local_collection, str_literal
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._loops import has_comments
from agentic_action.rewrite._types import Rewrite, RuleInfo

_CONSTANT_NAMES = ("None", "True", "False")


class MembershipLookupToGet:
    """AO113. The look-before-you-leap lookup of a local dict -> `d.get(k, default)`.

    `get` evaluates the default always, the if/else only on a miss: the default must be free to
    evaluate (a literal, an empty display, or a parameter, which is always bound).
    """

    info = RuleInfo(
        "AO113",
        "if k in d: v = d[k] else: v = D -> v = d.get(k, D)",
        "d is a local bound once to a dict display, comprehension or dict() call (an exact "
        "dict, whose get() is exactly `d[k] if k in d else D`); k is a plain name; both branches "
        "assign the same plain name (or both return); D is a literal, an empty []/{}/() or a "
        "parameter that is never deleted, so evaluating it always cannot fail or run code; no "
        "elif and no comments inside. Assumes k's __hash__/__eq__ have no side effects (they "
        "now run once instead of twice).",
        "cache = dict(entries)\nif name in cache:\n    hit = cache[name]\nelse:\n    hit = None",
        "cache = dict(entries)\nhit = cache.get(name, None)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            if isinstance(node, cst.If):
                line = _as_get(node, ctx)
                if line is not None:
                    why = "exact local dict, plain key, default free to evaluate"
                    return Rewrite(replace_nodes(ctx.func, {node: constant(line)}), node, why)
        return None


def _as_get(stmt: cst.If, ctx: FunctionContext) -> cst.SimpleStatementLine | None:
    if not isinstance(stmt.orelse, cst.Else) or not isinstance(ctx.parent(stmt), cst.IndentedBlock):
        return None
    if has_comments(stmt.with_changes(leading_lines=())):
        return None
    test = _membership(stmt.test)
    if test is None:
        return None
    key, dict_name, negated = test
    hit_branch, miss_branch = (
        (stmt.orelse.body, stmt.body) if negated else (stmt.body, stmt.orelse.body)
    )
    hit, miss = _only_statement(hit_branch), _only_statement(miss_branch)
    if hit is None or miss is None or type(hit) is not type(miss):
        return None
    coll = local_collection(dict_name, ctx)
    if coll is None or coll.kind != "dict":
        return None
    hit_value, miss_value = _value(hit), _value(miss)
    if hit_value is None or miss_value is None or _assigned(hit) != _assigned(miss):
        return None
    if not _is_lookup(hit_value, dict_name, key) or not _free_default(miss_value, ctx):
        return None
    call = cst.Call(
        func=cst.Attribute(cst.Name(dict_name), cst.Name("get")),
        args=[
            cst.Arg(cst.Name(key), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(miss_value),
        ],
    )
    new_small = hit.with_changes(value=call)
    return cst.SimpleStatementLine([new_small], leading_lines=stmt.leading_lines)


def _membership(test: cst.BaseExpression) -> tuple[str, str, bool] | None:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if not isinstance(test.left, cst.Name) or not isinstance(target.comparator, cst.Name):
        return None
    if not isinstance(target.operator, cst.In | cst.NotIn):
        return None
    return test.left.value, target.comparator.value, isinstance(target.operator, cst.NotIn)


def _only_statement(body: cst.BaseSuite) -> cst.Assign | cst.Return | None:
    small: cst.BaseSmallStatement | None = None
    if isinstance(body, cst.SimpleStatementSuite) and len(body.body) == 1:
        small = body.body[0]
    elif isinstance(body, cst.IndentedBlock) and len(body.body) == 1:
        line = body.body[0]
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            small = line.body[0]
    return small if isinstance(small, cst.Assign | cst.Return) else None


def _value(stmt: cst.Assign | cst.Return) -> cst.BaseExpression | None:
    return stmt.value


def _assigned(stmt: cst.Assign | cst.Return) -> str | None:
    if isinstance(stmt, cst.Return):
        return "<return>"
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0].target, cst.Name):
        return None
    return stmt.targets[0].target.value


def _is_lookup(value: cst.BaseExpression, dict_name: str, key: str) -> bool:
    if not isinstance(value, cst.Subscript) or len(value.slice) != 1:
        return False
    index = value.slice[0].slice
    return (
        isinstance(value.value, cst.Name)
        and value.value.value == dict_name
        and isinstance(index, cst.Index)
        and index.star is None
        and isinstance(index.value, cst.Name)
        and index.value.value == key
    )


def _free_default(value: cst.BaseExpression, ctx: FunctionContext) -> bool:
    if int_literal(value) or str_literal(value) or isinstance(value, cst.Float):
        return True
    if isinstance(value, cst.List | cst.Dict | cst.Tuple) and not value.elements:
        return True
    if not isinstance(value, cst.Name):
        return False
    if value.value in _CONSTANT_NAMES:
        return True
    uses = ctx.uses_of(value.value)
    stores = [u for u in uses if u.kind != "load"]
    is_param = len(stores) == 1 and isinstance(ctx.parent(stores[0].node), cst.Param)
    return is_param and not any(u.nested for u in uses)
