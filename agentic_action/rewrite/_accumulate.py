"""Shared shape of the "build a value in a loop" rules: `acc = EMPTY` right before `for ...`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._format import split_clauses, too_long
from agentic_action.rewrite._loops import LoopChain, chain_is_movable, has_comments, loop_chain


@dataclass(frozen=True)
class Accumulation:
    block: cst.IndentedBlock
    index: int  # of the loop in block.body
    init: cst.Assign | cst.AnnAssign
    name: str
    chain: LoopChain
    init_index: int  # of the initialisation in block.body: index - 1, or earlier when the
    # statements in between never mention the name


def loops_in(ctx: FunctionContext) -> Iterator[cst.For]:
    for node in ctx.body_nodes:
        if isinstance(node, cst.For):
            yield node


def accumulation(
    loop: cst.For, ctx: FunctionContext, empty: Callable[[cst.BaseExpression], bool]
) -> Accumulation | None:
    """`NAME = EMPTY` before the loop in the same block - right before it, or earlier with no
    mention of NAME in the statements between - NAME a plain local no closure can see."""
    block = ctx.parent(loop)
    if not isinstance(block, cst.IndentedBlock) or ctx.in_nested_scope(loop):
        return None
    index = next(i for i, stmt in enumerate(block.body) if stmt is loop)
    for init_index in range(index - 1, -1, -1):
        found = _initialisation(block.body[init_index], empty)
        if found is not None:
            init, name = found
            between = block.body[init_index + 1 : index]
            if any(_mentions(stmt, name, ctx) for stmt in between):
                return None
            break
    else:
        return None
    uses = ctx.uses_of(name)
    if any(u.nested or u.kind == "decl" for u in uses):
        return None
    initialisation = block.body[init_index]
    assert isinstance(initialisation, cst.SimpleStatementLine)
    if init_index < index - 1 and _has_comment(initialisation):
        return None  # the comments above a moved initialisation would lose their place
    chain = loop_chain(loop)
    if chain is None:
        return None
    return Accumulation(block, index, init, name, chain, init_index)


def _initialisation(
    stmt: cst.BaseStatement, empty: Callable[[cst.BaseExpression], bool]
) -> tuple[cst.Assign | cst.AnnAssign, str] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    init = stmt.body[0]
    name = _assigned_name(init)
    if name is None or not isinstance(init, cst.Assign | cst.AnnAssign) or init.value is None:
        return None
    return (init, name) if empty(init.value) else None


def _mentions(stmt: cst.BaseStatement, name: str, ctx: FunctionContext) -> bool:
    return any(ctx.is_within(u.node, stmt) for u in ctx.uses_of(name))


def _has_comment(stmt: cst.SimpleStatementLine) -> bool:
    return any(line.comment is not None for line in stmt.leading_lines) or has_comments(stmt)


def _assigned_name(stmt: cst.BaseSmallStatement) -> str | None:
    if isinstance(stmt, cst.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
        return stmt.target.value
    return None


def uses_inside(acc: Accumulation, ctx: FunctionContext) -> int:
    return sum(1 for u in ctx.uses_of(acc.name) if ctx.is_within(u.node, acc.chain.outer))


def why_not_movable(acc: Accumulation, moved: list[cst.CSTNode], ctx: FunctionContext) -> str:
    """'' when the loop can become one assignment; the reason otherwise."""
    if uses_inside(acc, ctx) != 1 + len(acc.chain.others):  # once in each branch's leaf
        return "the accumulator is used elsewhere in the loop"
    return chain_is_movable(acc.chain, moved, ctx)


def replace_with_assignment(
    acc: Accumulation, value: cst.BaseExpression, ctx: FunctionContext
) -> cst.FunctionDef:
    """Drop the loop; the initialisation now assigns `value` where the loop was (comments
    kept). An earlier initialisation is removed, its blank lines left to the next statement."""
    init_line = acc.block.body[acc.init_index]
    assert isinstance(init_line, cst.SimpleStatementLine)
    loop_comments = [line for line in acc.chain.outer.leading_lines if line.comment is not None]
    statement = acc.init.with_changes(value=value)
    if too_long(statement, init_line, ctx):
        statement = acc.init.with_changes(value=_split(value, ctx.default_indent))
    body = list(acc.block.body)
    if acc.init_index == acc.index - 1:
        new_line = init_line.with_changes(
            body=[statement], leading_lines=[*init_line.leading_lines, *loop_comments]
        )
        body[acc.index - 1 : acc.index + 1] = [new_line]
    else:
        loop_lines = acc.chain.outer.leading_lines
        body[acc.index] = init_line.with_changes(body=[statement], leading_lines=loop_lines)
        after = body[acc.init_index + 1]
        assert isinstance(after, cst.SimpleStatementLine | cst.BaseCompoundStatement)
        lines = [*init_line.leading_lines, *after.leading_lines]
        body[acc.init_index + 1] = after.with_changes(leading_lines=lines)
        del body[acc.init_index]
    new_func = ctx.func.deep_replace(acc.block, acc.block.with_changes(body=body))
    assert isinstance(new_func, cst.FunctionDef)
    return new_func


def _split(value: cst.BaseExpression, unit: str) -> cst.BaseExpression:
    """The comprehension (or a call's sole comprehension argument) one clause per line."""
    if isinstance(value, cst.ListComp | cst.SetComp | cst.DictComp):
        return split_clauses(value, unit)
    if isinstance(value, cst.Call) and len(value.args) == 1:
        inner = value.args[0].value
        if isinstance(inner, cst.ListComp):
            return value.with_changes(
                args=[value.args[0].with_changes(value=split_clauses(inner, unit))]
            )
    return value


def is_method_call(node: cst.CSTNode, receiver: str, method: str) -> cst.BaseExpression | None:
    """`receiver.method(ARG)` as an expression statement: returns ARG (one plain positional)."""
    if not isinstance(node, cst.Expr) or not isinstance(node.value, cst.Call):
        return None
    call = node.value
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == receiver
        and func.attr.value == method
        and len(call.args) == 1
    ):
        return None
    arg = call.args[0]
    return arg.value if not arg.star and arg.keyword is None else None
