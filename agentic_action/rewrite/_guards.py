"""Is a local collection certainly non-empty at this expression? (Only a few plain shapes.)"""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._collections import local_collection
from agentic_action.rewrite._context import FunctionContext


def proves_nonempty_before(expr: cst.BaseExpression, name: str, ctx: FunctionContext) -> bool:
    """True when `name` was just tested non-empty and nothing ran since.

    Shapes: `A if <non-empty test> else B` with expr being A; expr being the whole value of the
    first statement under `if <non-empty test>:`; or of the statement right after
    `if <empty test>: return/raise ...`.
    """
    parent = ctx.parent(expr)
    if isinstance(parent, cst.IfExp):
        return parent.body is expr and _nonempty(parent.test, name, ctx)
    small = _statement_with_value(expr, parent, ctx)
    if small is None:
        return False
    holder = ctx.parent(small)
    if isinstance(holder, cst.SimpleStatementSuite):
        return holder.body[0] is small and _guarded_by_if(holder, name, ctx)
    if not isinstance(holder, cst.SimpleStatementLine) or holder.body[0] is not small:
        return False
    block = ctx.parent(holder)
    if not isinstance(block, cst.IndentedBlock):
        return False
    index = next(i for i, s in enumerate(block.body) if s is holder)
    if index == 0:
        return _guarded_by_if(block, name, ctx)
    previous = block.body[index - 1]
    return _early_exit(previous, name, ctx)


def _statement_with_value(
    expr: cst.BaseExpression, parent: cst.CSTNode | None, ctx: FunctionContext
) -> cst.BaseSmallStatement | None:
    if isinstance(parent, cst.Return) and parent.value is expr:
        return parent
    if isinstance(parent, cst.Assign) and parent.value is expr and len(parent.targets) == 1:
        return parent if isinstance(parent.targets[0].target, cst.Name) else None
    return None


def _guarded_by_if(body: cst.CSTNode, name: str, ctx: FunctionContext) -> bool:
    statement = ctx.parent(body)
    return (
        isinstance(statement, cst.If)
        and statement.body is body
        and _nonempty(statement.test, name, ctx)
    )


def _early_exit(statement: cst.BaseStatement, name: str, ctx: FunctionContext) -> bool:
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    body = statement.body
    only: cst.CSTNode | None = None
    if isinstance(body, cst.SimpleStatementSuite) and len(body.body) == 1:
        only = body.body[0]
    elif isinstance(body, cst.IndentedBlock) and len(body.body) == 1:
        line = body.body[0]
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            only = line.body[0]
    return isinstance(only, cst.Return | cst.Raise) and _empty(statement.test, name, ctx)


def _nonempty(test: cst.BaseExpression, name: str, ctx: FunctionContext) -> bool:
    if _is_name(test, name):
        return local_collection(name, ctx) is not None  # truthiness == non-empty
    if _is_len(test, name, ctx):
        return True
    return _len_compare(test, name, ctx) in ("> 0", ">= 1", "!= 0")


def _empty(test: cst.BaseExpression, name: str, ctx: FunctionContext) -> bool:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _nonempty(test.expression, name, ctx)
    return _len_compare(test, name, ctx) in ("== 0", "< 1")


def _len_compare(test: cst.BaseExpression, name: str, ctx: FunctionContext) -> str:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return ""
    target = test.comparisons[0]
    if not _is_len(test.left, name, ctx) or not isinstance(target.comparator, cst.Integer):
        return ""
    symbols = {
        cst.GreaterThan: ">",
        cst.GreaterThanEqual: ">=",
        cst.NotEqual: "!=",
        cst.Equal: "==",
        cst.LessThan: "<",
    }
    symbol = symbols.get(type(target.operator))
    return f"{symbol} {target.comparator.evaluated_value}" if symbol else ""


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _is_len(node: cst.BaseExpression, name: str, ctx: FunctionContext) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "len"
        and ctx.facts.is_builtin("len")
        and len(node.args) == 1
        and node.args[0].keyword is None
        and not node.args[0].star
        and _is_name(node.args[0].value, name)
    )
