"""Temporaries of a loop chain read once, first thing: folded into the expression that reads them.

`for x in xs: t = f(x); out.append(t.strip())` could become `[t.strip() for x in xs for t in
[f(x)]]`, but `[f(x).strip() for x in xs]` reads better and runs the same operations in the same
order: when the one read of `t` is the first thing the next clause evaluates (the leftmost
operand down its chain of calls, attributes, subscripts and operators), nothing happens between
computing `f(x)` and using it, in the loop or in the folded expression. A temporary read more
than once, or read later, stays a `for t in [...]` clause.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._loops import Bind, Clause, Filter, LoopChain, evaluated, target_names

Fold = Callable[[cst.BaseExpression], cst.BaseExpression]
Table = dict[cst.Name, tuple[cst.BaseExpression, bool]]  # a read -> (value, read is the whole)

_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.SimpleString,
    cst.FormattedString,
    cst.List,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)


def inline_temporaries(
    chain: LoopChain, leaf_first: cst.BaseExpression | None, ctx: FunctionContext
) -> tuple[LoopChain, Fold]:
    """The chain without the temporaries that can be folded, and the fold for the leaf's
    expressions. `leaf_first` is what the leaf evaluates first (None: nothing may fold into it).
    """
    table: Table = {}
    kept: list[Clause] = []
    for index, clause in enumerate(chain.clauses):
        use = _single_first_read(chain, index, leaf_first, ctx)
        if use is None:
            kept.append(clause)
            continue
        assert isinstance(clause, Bind)
        later = chain.clauses[index + 1 :]
        whole = use is (evaluated(later[0]) if later else leaf_first)
        table[use] = (clause.value, whole)

    def fold(expr: cst.BaseExpression) -> cst.BaseExpression:
        return _substituted(expr, table)

    clauses = tuple(_folded_clause(c, fold) for c in kept)
    return dataclasses.replace(chain, clauses=clauses), fold


def _single_first_read(
    chain: LoopChain, index: int, leaf_first: cst.BaseExpression | None, ctx: FunctionContext
) -> cst.Name | None:
    """The one read of the temporary bound by clause `index`, when it can be folded."""
    clause = chain.clauses[index]
    if not isinstance(clause, Bind) or not isinstance(clause.target, cst.Name):
        return None
    name = clause.target.value
    later = chain.clauses[index + 1 :]
    if any(name in target_names(c.target) for c in later if not isinstance(c, Filter)):
        return None  # rebound further in: its reads there see another value
    next_part = evaluated(later[0]) if later else leaf_first
    if next_part is None:
        return None
    regions = [*(evaluated(c) for c in later), *chain.tail]
    reads = [
        u.node
        for u in ctx.uses_of(name)
        if u.kind == "load" and any(ctx.is_within(u.node, r) for r in regions)
    ]
    if len(reads) != 1 or first_evaluated(next_part) is not reads[0]:
        return None
    return reads[0]


def first_evaluated(expr: cst.BaseExpression) -> cst.BaseExpression:
    """The operand CPython evaluates first in `expr` (always evaluated: never a short-circuited
    or conditional branch)."""
    while True:
        if isinstance(expr, cst.Attribute | cst.Subscript):
            expr = expr.value
        elif isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, cst.BinaryOperation | cst.BooleanOperation | cst.Comparison):
            expr = expr.left
        elif isinstance(expr, cst.UnaryOperation):
            expr = expr.expression
        elif isinstance(expr, cst.IfExp):
            expr = expr.test
        elif (
            isinstance(expr, cst.Tuple | cst.List)
            and expr.elements
            and isinstance(expr.elements[0], cst.Element)
        ):
            expr = expr.elements[0].value
        else:
            return expr


def _parenthesized(value: cst.BaseExpression, *, tuple_only: bool) -> cst.BaseExpression:
    """`value` ready to stand where the temporary was: as a whole expression only a bare tuple
    needs parentheses; as an operand anything but an atom gets them."""
    if value.lpar:
        return value
    needs = isinstance(value, cst.Tuple) if tuple_only else not isinstance(value, _ATOMS)
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) if needs else value


def _folded_clause(clause: Clause, fold: Fold) -> Clause:
    if isinstance(clause, cst.For):
        return clause.with_changes(iter=fold(clause.iter))
    if isinstance(clause, Filter):
        return Filter(fold(clause.test), clause.negated)
    return Bind(clause.target, fold(clause.value))


def _substituted(expr: cst.BaseExpression, table: Table) -> cst.BaseExpression:
    if not table:
        return expr
    result = expr.visit(_Substitute(table))
    assert isinstance(result, cst.BaseExpression)
    return result


class _Substitute(cst.CSTTransformer):
    """Replaces each read in the table by its value (itself folded: temporaries chain)."""

    def __init__(self, table: Table) -> None:
        super().__init__()
        self.table = table

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        found = self.table.get(original_node)
        if found is None:
            return updated_node
        value, whole = found
        return _parenthesized(_substituted(value, self.table), tuple_only=whole)
