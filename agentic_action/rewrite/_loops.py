"""Loops that can become comprehensions: the clause chain, and the checks every such rule needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._tree import walk

_SCOPE_BREAKERS = frozenset({"super", "__class__", "locals", "vars", "dir", "eval", "exec"})


@dataclass(frozen=True)
class LoopChain:
    """`for ...: [for ...: | if ...:]* LEAF` with one statement per level and no else."""

    outer: cst.For
    clauses: tuple[cst.For | cst.If, ...]  # in source order, starting with `outer`
    leaf: cst.BaseSmallStatement

    @property
    def loops(self) -> tuple[cst.For, ...]:
        return tuple(c for c in self.clauses if isinstance(c, cst.For))


def loop_chain(loop: cst.For) -> LoopChain | None:
    clauses: list[cst.For | cst.If] = []
    node: cst.BaseStatement = loop
    while True:
        if isinstance(node, cst.For):
            if node.orelse is not None or node.asynchronous is not None:
                return None
        elif isinstance(node, cst.If):
            if node.orelse is not None:
                return None
        else:
            break
        clauses.append(node)
        inner = _single_statement(node.body)
        if inner is None:
            return None
        if isinstance(inner, cst.BaseSmallStatement):
            return LoopChain(loop, tuple(clauses), inner)
        node = inner
    return None


def _single_statement(
    body: cst.BaseSuite,
) -> cst.BaseStatement | cst.BaseSmallStatement | None:
    if isinstance(body, cst.SimpleStatementSuite):
        return body.body[0] if len(body.body) == 1 else None
    if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
        return None
    stmt = body.body[0]
    if isinstance(stmt, cst.SimpleStatementLine):
        return stmt.body[0] if len(stmt.body) == 1 else None
    return stmt


def comprehension_for(chain: LoopChain) -> cst.CompFor:
    """The `for ... in ... if ...` clauses of a comprehension equivalent to the chain."""
    groups: list[tuple[cst.For, list[cst.BaseExpression]]] = []
    for clause in chain.clauses:
        if isinstance(clause, cst.For):
            groups.append((clause, []))
        else:
            groups[-1][1].append(clause.test)
    inner: cst.CompFor | None = None
    for loop, tests in reversed(groups):
        inner = cst.CompFor(
            target=loop.target,
            iter=_parenthesize_if_needed(loop.iter),
            ifs=[cst.CompIf(test=_parenthesize_if_needed(t)) for t in tests],
            inner_for_in=inner,
        )
    assert inner is not None  # a chain starts with a loop
    return inner


def _parenthesize_if_needed(expr: cst.BaseExpression) -> cst.BaseExpression:
    """Comprehension clauses take `or_test`: tuples, conditionals and lambdas need parentheses."""
    if isinstance(expr, cst.Tuple | cst.IfExp | cst.Lambda | cst.NamedExpr) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


def chain_is_movable(chain: LoopChain, moved: Sequence[cst.CSTNode], ctx: FunctionContext) -> str:
    """Why the chain cannot move into a comprehension ('' when it can)."""
    if has_comments(chain.outer.with_changes(leading_lines=())):
        return "comments inside the loop would be lost"
    if ctx.guarded_by_try_or_with(chain.outer):
        return "a try or with around the loop could observe a half-built result"
    parts = [*moved, *(c.test for c in chain.clauses if isinstance(c, cst.If))]
    parts += [loop.iter for loop in chain.loops]
    if any(_contains(p, (cst.Yield, cst.Await, cst.NamedExpr)) for p in parts):
        return "yield, await or := cannot move into a comprehension"
    if any(_SCOPE_BREAKERS & names_in(p) for p in parts):
        return "super(), locals() and friends behave differently inside a comprehension"
    targets = set().union(*(target_names(loop.target) for loop in chain.loops))
    if not targets or any(not _plain_target(loop.target) for loop in chain.loops):
        return "loop targets must be plain names"
    if not targets_dead_after(chain.outer, targets, ctx):
        return "a loop variable is read outside the loop"
    return ""


def targets_dead_after(loop: cst.For, names: set[str], ctx: FunctionContext) -> bool:
    """No use of these names outside `loop` can see the value the loop left behind.

    Allowed outside uses: inside another for loop (or comprehension) that binds the name
    itself, in its target or body, where the name always holds that loop's own value.
    """
    for name in names:
        for use in ctx.uses_of(name):
            if ctx.is_within(use.node, loop):
                if use.nested:
                    return False  # a closure created in the loop sees later rebindings
                continue
            if use.nested or not _rebound_by_enclosing_loop(use.node, name, ctx):
                return False
    return True


def _rebound_by_enclosing_loop(node: cst.CSTNode, name: str, ctx: FunctionContext) -> bool:
    child: cst.CSTNode = node
    for anc in ctx.ancestors(node):
        if _loop_binds_here(anc, child, name):
            return True
        if isinstance(anc, cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp):
            first = anc.for_in
            in_outer_iter = ctx.is_within(node, first.iter)
            if not in_outer_iter and _comprehension_binds(first, name):
                return True
        child = anc
    return False


def _loop_binds_here(anc: cst.CSTNode, child: cst.CSTNode, name: str) -> bool:
    """`anc` is a for loop binding `name`, and `child` is its target or body."""
    if not isinstance(anc, cst.For) or not (child is anc.target or child is anc.body):
        return False
    return name in target_names(anc.target)


def _comprehension_binds(comp_for: cst.CompFor | None, name: str) -> bool:
    while comp_for is not None:
        if name in target_names(comp_for.target):
            return True
        comp_for = comp_for.inner_for_in
    return False


def _plain_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, cst.Tuple | cst.List):
        return all(
            _plain_target(e.value) for e in target.elements if isinstance(e, cst.Element)
        ) and all(
            isinstance(e.value, cst.Name)
            for e in target.elements
            if isinstance(e, cst.StarredElement)
        )
    return False


def target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, cst.Tuple | cst.List):
        found: set[str] = set()
        for element in target.elements:
            found |= target_names(element.value)
        return found
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return set()


def names_in(node: cst.CSTNode) -> set[str]:
    """Every identifier written in the subtree (variables, attributes, keywords alike)."""
    return {n.value for n in walk(node) if isinstance(n, cst.Name)}


def has_comments(node: cst.CSTNode) -> bool:
    return any(isinstance(n, cst.Comment) for n in walk(node))


def _contains(node: cst.CSTNode, kinds: tuple[type[cst.CSTNode], ...]) -> bool:
    return any(isinstance(n, kinds) for n in walk(node))


def contains(node: cst.CSTNode, *kinds: type[cst.CSTNode]) -> bool:
    return _contains(node, kinds)
