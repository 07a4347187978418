"""Loops that can become comprehensions: the clause chain, and the checks every such rule needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._tree import walk

# Names whose meaning depends on the scope they are read in: code that reads one cannot move
# between a function and a comprehension (or generator) frame.
SCOPE_BREAKERS = frozenset({"super", "__class__", "locals", "vars", "dir", "eval", "exec"})


@dataclass(frozen=True)
class Filter:
    """`if test:` around the rest of the chain, or (negated) `if test: continue` before it."""

    test: cst.BaseExpression
    negated: bool


@dataclass(frozen=True)
class Bind:
    """`target = value` before the rest of the chain: `for target in [value]` in a comprehension
    (CPython 3.9+ compiles that clause to a plain assignment)."""

    target: cst.BaseAssignTargetExpression
    value: cst.BaseExpression


Clause = cst.For | Filter | Bind


@dataclass(frozen=True)
class LoopChain:
    """`for ...:` then, level by level, temporaries (`t = e`) and `if c: continue` guards, each
    level ending in one `for`/`if` (no else) or in the LEAF statement. The last level may end
    instead in `if t1: LEAF elif t2: ... else: ...` with one statement per branch: then `tests`
    holds t1, t2, ... and `others` the statements of the later branches."""

    outer: cst.For
    clauses: tuple[Clause, ...]  # in source (and evaluation) order, starting with `outer`
    leaf: cst.BaseSmallStatement
    tests: tuple[cst.BaseExpression, ...] = ()
    others: tuple[cst.BaseSmallStatement, ...] = ()

    @property
    def tail(self) -> tuple[cst.CSTNode, ...]:
        """What runs after the clauses: the branch tests and every leaf."""
        return (*self.tests, self.leaf, *self.others)

    @property
    def loops(self) -> tuple[cst.For, ...]:
        return tuple(c for c in self.clauses if isinstance(c, cst.For))

    @property
    def bound_names(self) -> set[str]:
        """Every name the chain binds: loop targets and temporaries."""
        targets = [c.target for c in self.clauses if isinstance(c, cst.For | Bind)]
        return set().union(*(target_names(t) for t in targets))


def loop_chain(loop: cst.For) -> LoopChain | None:
    clauses: list[Clause] = []
    node: cst.BaseStatement = loop
    while True:
        if isinstance(node, cst.For):
            if node.orelse is not None or node.asynchronous is not None:
                return None
            clauses.append(node)
        elif isinstance(node, cst.If) and node.orelse is None:
            clauses.append(Filter(node.test, negated=False))
        elif isinstance(node, cst.If):
            return _with_branches(loop, clauses, node)
        else:
            return None
        steps = _statements(node.body)
        if not steps:
            return None
        for step in steps[:-1]:
            clause = _prefix_clause(step)
            if clause is None:
                return None
            clauses.append(clause)
        last = steps[-1]
        if isinstance(last, cst.BaseSmallStatement):
            return LoopChain(loop, tuple(clauses), last)
        node = last


def _with_branches(loop: cst.For, clauses: list[Clause], node: cst.If) -> LoopChain | None:
    """The chain ending in `if/elif/else`, each branch one small statement (else required)."""
    tests: list[cst.BaseExpression] = []
    leaves: list[cst.BaseSmallStatement | None] = []
    branch: cst.If | cst.Else | None = node
    while isinstance(branch, cst.If):
        tests.append(branch.test)
        leaves.append(_only_small(branch.body))
        branch = branch.orelse
    if branch is None:
        return None
    leaves.append(_only_small(branch.body))
    found = [leaf for leaf in leaves if leaf is not None]
    if len(found) != len(leaves):
        return None  # a branch with more than one statement
    first, *rest = found
    return LoopChain(loop, tuple(clauses), first, tuple(tests), tuple(rest))


def _only_small(body: cst.BaseSuite) -> cst.BaseSmallStatement | None:
    steps = _statements(body)
    if steps is None or len(steps) != 1 or not isinstance(steps[0], cst.BaseSmallStatement):
        return None
    return steps[0]


def branch_value(chain: LoopChain, values: Sequence[cst.BaseExpression]) -> cst.BaseExpression:
    """`v1 if t1 else v2 if t2 else v3`: the value each branch's leaf would give, one per leaf
    (exactly one test is evaluated per branch passed, as in the if/elif chain)."""
    result = values[-1]
    for test, value in zip(reversed(chain.tests), reversed(values[:-1]), strict=True):
        result = cst.IfExp(
            test=_parenthesize_loose(test),
            body=_parenthesize_loose(value),
            orelse=_parenthesize_loose(result) if result is values[-1] else result,
        )
    return result


def _parenthesize_loose(expr: cst.BaseExpression) -> cst.BaseExpression:
    loose = cst.IfExp | cst.Lambda | cst.NamedExpr | cst.Tuple
    if isinstance(expr, loose) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


def _statements(body: cst.BaseSuite) -> list[cst.BaseStatement | cst.BaseSmallStatement] | None:
    """The statements of a level, a simple line unwrapped to its one small statement."""
    if isinstance(body, cst.SimpleStatementSuite):
        return [body.body[0]] if len(body.body) == 1 else None
    if not isinstance(body, cst.IndentedBlock):
        return None
    found: list[cst.BaseStatement | cst.BaseSmallStatement] = []
    for stmt in body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            if len(stmt.body) != 1:
                return None
            found.append(stmt.body[0])
        else:
            found.append(stmt)
    return found


def _prefix_clause(stmt: cst.BaseStatement | cst.BaseSmallStatement) -> Clause | None:
    """A statement before a level's last one: `t = e` (one plain target) or a continue guard."""
    if isinstance(stmt, cst.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0].target
        return Bind(target, stmt.value) if plain_target(target) else None
    if isinstance(stmt, cst.If) and stmt.orelse is None:
        body = _statements(stmt.body)
        if body is not None and len(body) == 1 and isinstance(body[0], cst.Continue):
            return Filter(stmt.test, negated=True)
    return None


def comprehension_for(chain: LoopChain) -> cst.CompFor:
    """The `for ... in ... if ...` clauses of a comprehension equivalent to the chain."""
    groups: list[
        tuple[cst.BaseAssignTargetExpression, cst.BaseExpression, list[cst.BaseExpression]]
    ]
    groups = []
    for clause in chain.clauses:
        if isinstance(clause, cst.For):
            groups.append((clause.target, clause.iter, []))
        elif isinstance(clause, Bind):
            value = _parenthesize_tuple(clause.value)
            groups.append((clause.target, cst.List([cst.Element(value)]), []))
        else:
            groups[-1][2].append(_negated(clause.test) if clause.negated else clause.test)
    inner: cst.CompFor | None = None
    for target, iterable, tests in reversed(groups):
        inner = cst.CompFor(
            target=target,
            iter=_parenthesize_if_needed(iterable),
            ifs=[cst.CompIf(test=_parenthesize_if_needed(t)) for t in tests],
            inner_for_in=inner,
        )
    assert inner is not None  # a chain starts with a loop
    return inner


def _negated(test: cst.BaseExpression) -> cst.BaseExpression:
    """A test true exactly when `test` is false (only its truth is used, and `not`, `is not`
    and `not in` are exact inverses): `not x` -> `x`, `a is b` -> `a is not b`, `a in b` ->
    `a not in b`; anything else `not (...)`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return test.expression
    inverse = _inverse_comparison(test)
    if inverse is not None:
        return inverse
    loose = cst.BooleanOperation | cst.Comparison | cst.IfExp | cst.Lambda | cst.NamedExpr
    if isinstance(test, loose | cst.Tuple) and not test.lpar:
        test = test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.UnaryOperation(operator=cst.Not(), expression=test)


# `is`/`is not` and `in`/`not in` are exact inverses: CPython computes one as the other negated.
_INVERSE: dict[type[cst.BaseCompOp], type[cst.Is | cst.IsNot | cst.In | cst.NotIn]] = {
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
}


def _inverse_comparison(test: cst.BaseExpression) -> cst.Comparison | None:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1 or test.lpar:
        return None
    target = test.comparisons[0]
    op = target.operator
    inverse = _INVERSE.get(type(op))
    if inverse is None or not isinstance(op, cst.Is | cst.IsNot | cst.In | cst.NotIn):
        return None
    new_op = inverse(whitespace_before=op.whitespace_before, whitespace_after=op.whitespace_after)
    return test.with_changes(comparisons=[target.with_changes(operator=new_op)])


def _parenthesize_tuple(expr: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(expr, cst.Tuple) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


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
    parts = [*moved, *(evaluated(c) for c in chain.clauses)]
    if any(_contains(p, (cst.Yield, cst.Await, cst.NamedExpr)) for p in parts):
        return "yield, await or := cannot move into a comprehension"
    if any(SCOPE_BREAKERS & names_in(p) for p in parts):
        return "super(), locals() and friends behave differently inside a comprehension"
    targets = chain.bound_names
    binders = [c.target for c in chain.clauses if isinstance(c, cst.For | Bind)]
    if not targets or any(not plain_target(t) for t in binders):
        return "loop targets must be plain names"
    if _read_before_bound(chain, ctx):
        return "a name the loop binds is read before the loop binds it"
    if not targets_dead_after(chain.outer, targets, ctx):
        return "a loop variable is read outside the loop"
    return ""


def evaluated(clause: Clause) -> cst.BaseExpression:
    """What a clause evaluates: a loop's iterable, a filter's test, a temporary's value."""
    if isinstance(clause, cst.For):
        return clause.iter
    return clause.test if isinstance(clause, Filter) else clause.value


def _read_before_bound(chain: LoopChain, ctx: FunctionContext) -> bool:
    """A loop target or temporary read (in evaluation order) before the chain binds it: the
    loop would read the function's variable, the comprehension its own unbound one."""
    own = chain.bound_names
    loads = [u.node for name in own for u in ctx.uses_of(name) if u.kind == "load"]

    def read_in(node: cst.CSTNode) -> set[str]:
        return {n.value for n in loads if ctx.is_within(n, node)}

    bound: set[str] = set()
    for clause in chain.clauses:
        if read_in(evaluated(clause)) - bound:
            return True
        if not isinstance(clause, Filter):
            bound |= target_names(clause.target)
    return any(read_in(node) - bound for node in chain.tail)


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
            if not in_outer_iter and comprehension_binds(first, name):
                return True
        child = anc
    return False


def _loop_binds_here(anc: cst.CSTNode, child: cst.CSTNode, name: str) -> bool:
    """`anc` is a for loop binding `name`, and `child` is its target or body."""
    if not isinstance(anc, cst.For) or not (child is anc.target or child is anc.body):
        return False
    return name in target_names(anc.target)


def comprehension_binds(comp_for: cst.CompFor | None, name: str) -> bool:
    """Whether one of the comprehension's `for` clauses binds `name`."""
    return any(name in target_names(clause.target) for clause in comp_clauses(comp_for))


def comp_clauses(comp_for: cst.CompFor | None) -> list[cst.CompFor]:
    """A comprehension's `for` clauses, outermost first."""
    found: list[cst.CompFor] = []
    while comp_for is not None:
        found.append(comp_for)
        comp_for = comp_for.inner_for_in
    return found


def generator_evaluates(gen: cst.GeneratorExp) -> list[cst.BaseExpression]:
    """What a generator's own frame evaluates: its inner iterables, its conditions and its
    element (the first iterable is evaluated by the caller, before the generator starts)."""
    parts: list[cst.BaseExpression] = []
    for index, clause in enumerate(comp_clauses(gen.for_in)):
        parts += [clause.iter] if index else []
        parts += [cond.test for cond in clause.ifs]
    return [*parts, gen.elt]


def generator_movable(gen: cst.GeneratorExp, scope_names: frozenset[str]) -> bool:
    """No `async for`, `await`, `yield` or `:=` in the generator, and none of ``scope_names``
    (names that mean something else in the frame its code moves to)."""
    if any(clause.asynchronous is not None for clause in comp_clauses(gen.for_in)):
        return False
    if contains(gen, cst.Await, cst.Yield, cst.NamedExpr):
        return False
    return not (scope_names & names_in(gen))


def plain_target(target: cst.BaseExpression) -> bool:
    """A name, or a tuple/list of them (starred names too, nested): what a loop can bind."""
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, cst.Tuple | cst.List):
        return all(
            plain_target(e.value) for e in target.elements if isinstance(e, cst.Element)
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
