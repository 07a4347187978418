"""AO101: membership tests against a constant list/tuple inside a loop -> set."""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._collections import exact_type, int_literal, str_literal
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._loops import has_comments
from agentic_action.rewrite._types import Rewrite, RuleInfo


class MembershipToSet:
    """AO101. `x in [c1, c2, ...]` (or a local name bound once to such a list/tuple) -> a set.

    A list tests `x == c` one by one; a set hashes `x`. They agree when hash and == of `x`
    agree with the constants' — true for an exact int or str, unknown for anything else
    (an unhashable `x` would even raise TypeError). So the probe must be proven exact.
    """

    info = RuleInfo(
        "AO101",
        "membership test against a constant list/tuple in a loop -> set",
        "The container is a list or tuple display of at least two int or str literals, either "
        "written in place or bound once to a local name whose every other use is the right side "
        "of `in`/`not in` (so it is never mutated, rebound or passed on); at least one test runs "
        "in a loop; every probe is proven an exact int or str (literal, len(), range() loop "
        "variable, f-string, str(<int>), ...), whose hash agrees with ==. Unknown probes stay "
        "silent: an unhashable or oddly-hashed value behaves differently with a set. A "
        "binding that is a statement of the function's body itself, tested at most twice "
        "after it, is removed and the set display written in the tests (one constant, built "
        "at compile time: a set built per call is slower than the list on tiny inputs).",
        "for w in words:\n    if len(w) in [3, 5, 8]:\n        n += 1",
        "for w in words:\n    if len(w) in {3, 5, 8}:\n        n += 1",
    )

    exact = True  # every probe must be proven an exact int or str

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
                continue
            target = node.comparisons[0]
            if not isinstance(target.operator, cst.In | cst.NotIn):
                continue
            found = _inline(node, target, ctx, self.exact) or _named(target, ctx, self.exact)
            if found is not None:
                return found
        return None


class MembershipToSetEvidence(MembershipToSet):
    """AO115, evidence tier. AO101 without the proof about the probe.

    For a probe of unknown type the set and the list/tuple agree whenever the probe is hashable
    and its hash agrees with its == (true of every str, int, float, None, tuple of those, enum
    member, ...). They differ for an unhashable probe (TypeError instead of False) or a class
    whose == accepts a constant its hash does not match. No static check rules that out, so
    the rewrite rests on the gate's evidence: the tests, the recorded inputs and the
    differential inputs.
    """

    info = RuleInfo(
        "AO115",
        "[evidence tier] membership test against a constant list/tuple in a loop -> set "
        "(probe type not proven)",
        "As AO101, except that the probe may be of any type: correct for every hashable probe "
        "whose hash agrees with == (str, int, float, None, tuples of them, enums, ...), wrong "
        "for an unhashable one (TypeError) or one whose == matches a constant its hash does "
        "not. Used only in the evidence tier, where the gate's tests, recorded inputs and "
        "differential inputs are the evidence.",
        "for w in words:\n    if w in ('a', 'an', 'the'):\n        n += 1",
        "for w in words:\n    if w in {'a', 'an', 'the'}:\n        n += 1",
        tier="evidence",
    )
    exact = False


def _inline(
    comparison: cst.Comparison, target: cst.ComparisonTarget, ctx: FunctionContext, exact: bool
) -> Rewrite | None:
    container = target.comparator
    if not _constant_display(container) or has_comments(container):
        return None
    if not ctx.in_loop(comparison) or (exact and not _exact_probe(comparison, ctx)):
        return None
    new_func = ctx.func.deep_replace(container, _as_set(container))
    assert isinstance(new_func, cst.FunctionDef)
    why = "the probe is an exact int/str and the constants are int/str literals"
    if not exact:
        why = "evidence tier: the constants are int/str literals; the probe is not proven"
    return Rewrite(new_func, comparison, why)


def _named(target: cst.ComparisonTarget, ctx: FunctionContext, exact: bool) -> Rewrite | None:
    name = target.comparator
    if not isinstance(name, cst.Name):
        return None
    uses = ctx.uses_of(name.value)
    stores = [u for u in uses if u.kind != "load"]
    if len(stores) != 1 or stores[0].kind != "store":
        return None
    assign_target = ctx.parent(stores[0].node)
    assign = ctx.parent(assign_target) if assign_target is not None else None
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    if not _constant_display(assign.value) or has_comments(assign.value):
        return None
    tests = [_membership_of(u.node, ctx) for u in uses if u.kind == "load"]
    if any(t is None for t in tests):
        return None  # some use is not `probe in NAME`: it could mutate or hand out the list
    comparisons = [t for t in tests if t is not None]
    if not any(ctx.in_loop(c) for c in comparisons):
        return None
    if exact and not all(_exact_probe(c, ctx) for c in comparisons):
        return None
    inlined = _inlined(ctx, assign, [c.comparisons[0].comparator for c in comparisons])
    built_once = inlined is not None
    new_func = inlined or ctx.func.deep_replace(assign.value, _as_set(assign.value))
    assert isinstance(new_func, cst.FunctionDef)
    why = f"`{name.value}` is bound once to int/str literals and only used by `in` tests whose " + (
        "probes are exact ints/strs" if exact else "probes are not proven (evidence tier)"
    )
    if built_once:
        why += "; the set display written in each test is one constant, built once at compile time"
    return Rewrite(new_func, assign, why)


def _inlined(
    ctx: FunctionContext, assign: cst.Assign, loads: list[cst.BaseExpression]
) -> cst.FunctionDef | None:
    """The function with the binding removed and the set display written in each `in` test.

    CPython compiles `x in {c1, c2}` with literal constants to one frozenset constant, so no
    call builds a set: faster than building it per call, which is slower than the list on tiny
    inputs (the binding, 18 hashes, costs more than one short scan). Only when the binding is a
    statement of its own directly in the function's body and every test comes after it in the
    body (so each test ran after the binding before too; no test can see it unbound).
    """
    line = ctx.parent(assign)
    body = ctx.func.body
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    if not isinstance(body, cst.IndentedBlock) or has_comments(line) or len(loads) > 2:
        return None  # (more tests than two would repeat the display too often to read well)
    at = next((i for i, stmt in enumerate(body.body) if stmt is line), None)
    if at is None:
        return None
    later = body.body[at + 1 :]
    if not all(any(ctx.is_within(load, stmt) for stmt in later) for load in loads):
        return None
    new_func = ctx.func.visit(_Inline(line, loads, _as_set(assign.value)))
    return new_func if isinstance(new_func, cst.FunctionDef) else None


class _Inline(cst.CSTTransformer):
    def __init__(
        self, line: cst.SimpleStatementLine, loads: list[cst.BaseExpression], display: cst.Set
    ) -> None:
        super().__init__()
        self.line = line
        self.loads = {id(load) for load in loads}
        self.display = display.with_changes(lpar=(), rpar=())

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.display if id(original_node) in self.loads else updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        return cst.RemoveFromParent() if original_node is self.line else updated_node


def _membership_of(node: cst.CSTNode, ctx: FunctionContext) -> cst.Comparison | None:
    target = ctx.parent(node)
    if not isinstance(target, cst.ComparisonTarget) or target.comparator is not node:
        return None
    if not isinstance(target.operator, cst.In | cst.NotIn):
        return None
    comparison = ctx.parent(target)
    if not isinstance(comparison, cst.Comparison) or len(comparison.comparisons) != 1:
        return None
    return comparison


def _exact_probe(comparison: cst.Comparison, ctx: FunctionContext) -> bool:
    return exact_type(comparison.left, ctx) is not None


def _constant_display(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.List | cst.Tuple) or len(node.elements) < 2:
        return False
    return all(
        isinstance(e, cst.Element) and (int_literal(e.value) or str_literal(e.value))
        for e in node.elements
    )


def _as_set(node: cst.BaseExpression) -> cst.Set:
    if isinstance(node, cst.List):
        return cst.Set(
            elements=node.elements,
            lbrace=cst.LeftCurlyBrace(whitespace_after=node.lbracket.whitespace_after),
            rbrace=cst.RightCurlyBrace(whitespace_before=node.rbracket.whitespace_before),
            lpar=node.lpar,
            rpar=node.rpar,
        )
    assert isinstance(node, cst.Tuple)
    if not node.lpar:
        return cst.Set(elements=node.elements)
    return cst.Set(
        elements=node.elements,
        lbrace=cst.LeftCurlyBrace(whitespace_after=node.lpar[0].whitespace_after),
        rbrace=cst.RightCurlyBrace(whitespace_before=node.rpar[-1].whitespace_before),
        lpar=node.lpar[1:],
        rpar=node.rpar[:-1],
    )
