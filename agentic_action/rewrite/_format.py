"""Keeping generated code readable: long comprehensions are split one clause per line."""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._context import FunctionContext

MIN_LINE_BUDGET = 79  # we never write a line longer than this or the function's longest line

Comprehension = cst.ListComp | cst.SetComp | cst.DictComp


def too_long(statement: cst.BaseSmallStatement, at: cst.CSTNode, ctx: FunctionContext) -> bool:
    """Would `statement`, written where `at` stands, have a line over the budget?"""
    indent = ctx.indentation(at)
    code = cst.Module([], default_indent=ctx.default_indent).code_for_node(statement)
    budget = max(MIN_LINE_BUDGET, ctx.longest_line)
    return any(len(indent) + len(line) > budget for line in code.splitlines())


def split_clauses(comp: Comprehension, unit: str) -> Comprehension:
    """One clause per line: `[\\n    elt\\n    for ...\\n    if ...\\n]` (black's layout)."""
    for_in = _split_for(comp.for_in, unit)
    if isinstance(comp, cst.ListComp):
        return comp.with_changes(
            for_in=for_in,
            lbracket=cst.LeftSquareBracket(whitespace_after=_newline(unit)),
            rbracket=cst.RightSquareBracket(whitespace_before=_newline("")),
        )
    return comp.with_changes(
        for_in=for_in,
        lbrace=cst.LeftCurlyBrace(whitespace_after=_newline(unit)),
        rbrace=cst.RightCurlyBrace(whitespace_before=_newline("")),
    )


def _split_for(clause: cst.CompFor, unit: str) -> cst.CompFor:
    inner = clause.inner_for_in
    return clause.with_changes(
        whitespace_before=_newline(unit),
        ifs=[c.with_changes(whitespace_before=_newline(unit)) for c in clause.ifs],
        inner_for_in=_split_for(inner, unit) if inner is not None else None,
    )


def _newline(extra: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=True,
        last_line=cst.SimpleWhitespace(extra),
    )
