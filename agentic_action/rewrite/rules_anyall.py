"""AO118/AO119: `any()`/`all()` over a generator expression -> an explicit loop.

On CPython 3.11 the generator costs a frame creation and a resume per element; the loop does
the same work inline (timeit figures in docs/rules.md). Two statement forms only:

- `return any(GEN)` -> `for T in IT: [clauses] if ELT: return True` then `return False`
  (`all`: `if not (ELT): return False` ... `return True`);
- `if any(GEN): BODY` (no elif/else; BODY ends in `return`/`raise` and has no `break` or
  `continue` of its own) -> `for T in IT: [clauses] if ELT: BODY`, and `if not all(GEN):`
  with `if not (ELT):`.

Both evaluate the first iterable once at the same point, call bool() on the same elements in
the same order and stop at the same one. What differs: a StopIteration raised while computing
an element, a condition or an inner iterable is RuntimeError inside a generator (PEP 479) and
StopIteration in the loop; and in the `if` form BODY runs before any() drops the half-used
iterators (a generator's `finally` or `with` exit runs first), the loop drops them after BODY.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._collections import exact_type, local_collection
from agentic_action.rewrite._context import FunctionContext, NameUse
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._loops import (
    SCOPE_BREAKERS,
    comp_clauses,
    comprehension_binds,
    generator_evaluates,
    generator_movable,
    has_comments,
    names_in,
    plain_target,
    target_names,
)
from agentic_action.rewrite._stopiteration import cannot_raise_stopiteration
from agentic_action.rewrite._tree import walk
from agentic_action.rewrite._types import Rewrite, RuleInfo

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_SCOPES = (
    cst.Lambda,
    cst.FunctionDef,
    cst.ClassDef,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)


@dataclass(frozen=True)
class _Site:
    """`return any(GEN)` (body None) or `if any(GEN): BODY` / `if not all(GEN): BODY`."""

    statement: cst.SimpleStatementLine | cst.If
    gen: cst.GeneratorExp
    is_any: bool
    body: cst.BaseSuite | None

    @property
    def clauses(self) -> list[cst.CompFor]:
        return comp_clauses(self.gen.for_in)

    @property
    def evaluated(self) -> list[cst.BaseExpression]:
        """What runs inside the generator: inner iterables, conditions, the element."""
        return generator_evaluates(self.gen)

    @property
    def moved(self) -> list[cst.CSTNode]:
        """The generator's own scope: everything but the first iterable."""
        return [*(comp.target for comp in self.clauses), *self.evaluated]


class AnyAllToLoop:
    """AO118. `return any(x > 5 for x in xs)` -> `for x in xs: if x > 5: return True` +
    `return False`; `if any(GEN): BODY` -> the loop with BODY inside (all: `not (...)`).

    The loop does what any()/all() and the generator do, in the same order, without a frame
    per call and a resume per element. The one difference the generator makes, a StopIteration
    from the element, a condition or an inner iterable turning into RuntimeError (PEP 479), is
    ruled out: those contain no call but builtins that run no user callable and str methods on
    a proven exact str (special methods are assumed never to leak StopIteration). In the `if`
    form, every iterable is a local collection, a range() or an exact str, so dropping its
    iterator after BODY instead of before runs no code.
    """

    info = RuleInfo(
        "AO118",
        "return any()/all() or if any()/not all() over a generator -> explicit loop",
        "`any`/`all` are the builtins, called with one generator expression (no `async for`, "
        "no await, :=, yield, super(), locals() or comments); `return any/all(GEN)`, or "
        "`if any(GEN):`/`if not all(GEN):` without elif/else whose body ends in return or "
        "raise, has no break/continue outside its own loops and does not mention the "
        "generator's variables; the generator's variables are used nowhere else in the "
        "function but as the own variables of other comprehensions and of for loops not around "
        "the site (else they are renamed to fresh names in the loop) and no lambda, def or "
        "comprehension inside it mentions them; nothing the generator evaluates (element, "
        "conditions, inner iterables) calls anything but builtins that run no user callable "
        "(isinstance, len, getattr, str, min/max/sorted without key=, ...) and str methods on "
        "an exact str, so no StopIteration can arise where PEP 479 would make it RuntimeError; "
        "in the `if` form every iterable is a local bound once to a fresh container (a "
        "display, a comprehension, list()/sorted()/..., a split() of an exact str, a stdlib "
        "re.split()/re.findall()), range() or an exact str (dropping its iterator after the "
        "body runs no code).",
        "return any(x > 5 for x in xs)",
        "for x in xs:\n    if x > 5:\n        return True\nreturn False",
    )
    evidence = False
    why = "the loop does what any()/all() over the generator does, without the generator"

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            site = _site(node, ctx)
            if site is None or ctx.in_nested_scope(node) or not _movable(site, ctx):
                continue
            if _proven(site, ctx) == self.evidence:
                continue
            renames = _renames(site, ctx)
            if renames is None:
                continue
            return Rewrite(_rewritten(site, renames, ctx), node, self.why)
        return None


class AnyAllToLoopEvidence(AnyAllToLoop):
    """AO119, evidence tier. AO118 where the generator calls other code, or where the `if`
    form's iterables may hold code that runs when they are dropped.

    Two differences, both only for code that real programs rarely write:

    - a StopIteration raised while computing an element, a condition or an inner iterable (a
      stray `next()` on an exhausted iterator, in the code the generator calls) is RuntimeError
      out of the generator (PEP 479) and StopIteration out of the loop;
    - in the `if` form, any() drops the half-used iterators before BODY runs, the loop when
      BODY returns or raises: a generator's `finally`, or the exit of a `with` it is suspended
      in (a lock, a file), runs after BODY instead of before.

    No static check rules these out, so the rewrite rests on the gate's evidence.
    """

    info = RuleInfo(
        "AO119",
        "[evidence tier] return any()/all() or if any()/not all() over a generator -> "
        "explicit loop (the generator calls other code)",
        "As AO118, except that the element, the conditions and the inner iterables may call "
        "any code, and in the `if` form the iterables may be of any kind. Differs when that "
        "code lets a StopIteration escape (the generator turns it into RuntimeError, PEP 479; "
        "the loop lets it through), and in the `if` form when dropping a half-used iterator "
        "runs code (a generator's `finally` or `with` exit runs after the body instead of "
        "before). Used only in the evidence tier, where the gate's tests and recorded inputs "
        "are the evidence.",
        "return all(is_valid(x) for x in xs)",
        "for x in xs:\n    if not is_valid(x):\n        return False\nreturn True",
        tier="evidence",
    )
    evidence = True
    why = (
        "evidence tier: the loop does what any()/all() over the generator does, unless the code "
        "it calls leaks a StopIteration (PEP 479) or dropping an iterator runs code"
    )


def _site(node: cst.CSTNode, ctx: FunctionContext) -> _Site | None:
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        ret = node.body[0]
        if isinstance(ret, cst.Return) and ret.value is not None:
            found = _call(ret.value, ("any", "all"), ctx)
            if found is not None:
                return _Site(node, found[0], found[1] == "any", None)
    if isinstance(node, cst.If) and node.orelse is None and not _is_elif(node, ctx):
        test = node.test
        negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
        if isinstance(test, cst.UnaryOperation) and negated:
            found = _call(test.expression, ("all",), ctx)
        else:
            found = _call(test, ("any",), ctx)
        if found is not None:
            return _Site(node, found[0], not negated, node.body)
    return None


def _is_elif(node: cst.If, ctx: FunctionContext) -> bool:
    """libcst writes `elif` as an If in the previous If's orelse: not a statement of its own."""
    parent = ctx.parent(node)
    return isinstance(parent, cst.If) and parent.orelse is node


def _call(
    expr: cst.BaseExpression, names: Sequence[str], ctx: FunctionContext
) -> tuple[cst.GeneratorExp, str] | None:
    """`any(GEN)` (also `any((GEN))`) with the builtin: the generator and the name."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name)):
        return None
    name = expr.func.value
    if name not in names or not ctx.facts.all_builtin(name) or len(expr.args) != 1:
        return None
    arg = expr.args[0]
    if arg.keyword is not None or arg.star or not isinstance(arg.value, cst.GeneratorExp):
        return None
    return arg.value, name


def _movable(site: _Site, ctx: FunctionContext) -> bool:
    """The structural precondition both tiers share (everything but the proof)."""
    if has_comments(site.statement.with_changes(leading_lines=())):
        return False
    if not generator_movable(site.gen, SCOPE_BREAKERS):
        return False
    if not all(plain_target(comp.target) for comp in site.clauses):
        return False
    targets = _targets(site)
    for part in site.moved:
        for scope in walk(part):
            if isinstance(scope, _SCOPES) and names_in(scope) & targets:
                return False  # a closure over a loop variable would see the function's cell
    return site.body is None or _body_fits(site, targets, ctx)


def _targets(site: _Site) -> set[str]:
    found: set[str] = set()
    for comp in site.clauses:
        found |= target_names(comp.target)
    return found


def _body_fits(site: _Site, targets: set[str], ctx: FunctionContext) -> bool:
    """BODY always leaves the function, never leaves the new loop otherwise, and does not
    read the loop's variables."""
    body = site.body
    assert body is not None
    if isinstance(body, cst.SimpleStatementSuite):
        last: cst.CSTNode = body.body[-1]
    else:
        final = body.body[-1]
        if not isinstance(final, cst.SimpleStatementLine):
            return False
        last = final.body[-1]
    if not isinstance(last, cst.Return | cst.Raise):
        return False
    if any(ctx.is_within(u.node, body) for name in targets for u in ctx.uses_of(name)):
        return False
    return not any(
        isinstance(node, cst.Break | cst.Continue) and not _own_jump(node, body, ctx)
        for node in walk(body)
    )


def _own_jump(node: cst.CSTNode, body: cst.BaseSuite, ctx: FunctionContext) -> bool:
    """A break/continue that belongs to a loop (or function) inside BODY."""
    child = node
    for anc in ctx.ancestors(node):
        if anc is body:
            return False
        if isinstance(anc, cst.For | cst.While) and child is anc.body:
            return True
        if isinstance(anc, cst.FunctionDef | cst.ClassDef):
            return True
        child = anc
    return False


def _proven(site: _Site, ctx: FunctionContext) -> bool:
    if not all(cannot_raise_stopiteration(part, ctx) for part in site.evaluated):
        return False
    if site.body is None:
        return True
    return all(_drops_silently(comp.iter, ctx) for comp in site.clauses)


def _drops_silently(iterable: cst.BaseExpression, ctx: FunctionContext) -> bool:
    """Dropping a half-used iterator of this runs no code: a local collection (still held by
    its name), a range() of the builtin, or an exact str."""
    if isinstance(iterable, cst.Name) and local_collection(iterable.value, ctx) is not None:
        return True
    func = iterable.func if isinstance(iterable, cst.Call) else None
    if isinstance(func, cst.Name) and func.value == "range" and ctx.facts.is_builtin("range"):
        return True
    return exact_type(iterable, ctx) == "str"


def _renames(site: _Site, ctx: FunctionContext) -> dict[str, str] | None:
    """Fresh names for the generator's variables that the function uses elsewhere (None when
    a use inside the generator cannot be renamed)."""
    renames: dict[str, str] = {}
    for name in sorted(_targets(site)):
        for use in ctx.uses_of(name):
            inside = any(ctx.is_within(use.node, part) for part in site.moved)
            if inside and use.nested:
                return None
            if not inside and name not in renames and not _own_variable(use, site, ctx):
                renames[name] = ctx.fresh_name(name)
    return renames


def _own_variable(use: NameUse, site: _Site, ctx: FunctionContext) -> bool:
    """A use that names another loop's own variable, which the new loop cannot change: inside a
    comprehension that binds the name (not in its first iterable), or in the target or body of
    a for loop that binds it and does not hold the site."""
    if use.nested:
        return False
    name = use.node.value
    child: cst.CSTNode = use.node
    for anc in ctx.ancestors(use.node):
        if isinstance(anc, _COMPREHENSIONS) and comprehension_binds(anc.for_in, name):
            if not ctx.is_within(use.node, anc.for_in.iter):
                return True
        elif (
            isinstance(anc, cst.For)
            and (child is anc.target or child is anc.body)
            and name in target_names(anc.target)
        ):
            return not ctx.is_within(site.statement, anc)
        child = anc
    return False


class _Rename(cst.CSTTransformer):
    def __init__(self, nodes: dict[cst.CSTNode, str]) -> None:
        super().__init__()
        self.nodes = nodes

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.nodes.get(original_node)
        return updated_node if new is None else updated_node.with_changes(value=new)


def _rewritten(site: _Site, renames: dict[str, str], ctx: FunctionContext) -> cst.FunctionDef:
    nodes: dict[cst.CSTNode, str] = {
        use.node: renames[name]
        for name in renames
        for use in ctx.uses_of(name)
        if any(ctx.is_within(use.node, part) for part in site.moved)
    }

    def moved(expr: cst.BaseExpression) -> cst.BaseExpression:
        result = expr.visit(_Rename(nodes))
        assert isinstance(result, cst.BaseExpression)
        return _one_line(result)

    decisive = moved(site.gen.elt)
    test = _parenthesized(decisive) if site.is_any else _negated(decisive)
    leaf = site.body if site.body is not None else _block(_return(site.is_any))
    node: cst.BaseCompoundStatement = cst.If(test=test, body=_indented(leaf))
    for comp in reversed(site.clauses):
        for cond in reversed(comp.ifs):
            node = cst.If(test=_parenthesized(moved(cond.test)), body=_block(node))
        target = moved(comp.target)
        assert isinstance(target, cst.BaseAssignTargetExpression)
        iterable = comp.iter if comp is site.gen.for_in else moved(comp.iter)
        node = cst.For(target=target, iter=_one_line(iterable), body=_block(node))
    loop = node.with_changes(leading_lines=site.statement.leading_lines)
    if isinstance(site.statement, cst.If):
        return replace_nodes(ctx.func, {site.statement: constant(loop)})
    block = ctx.parent(site.statement)
    assert isinstance(block, cst.IndentedBlock)  # a SimpleStatementLine sits in a block
    statements: list[cst.BaseStatement] = []
    for statement in block.body:
        if statement is site.statement:
            statements += [loop, cst.SimpleStatementLine([_return(not site.is_any)])]
        else:
            statements.append(statement)
    return replace_nodes(ctx.func, {block: constant(block.with_changes(body=statements))})


def _return(value: bool) -> cst.Return:
    return cst.Return(cst.Name("True" if value else "False"))


def _block(statement: cst.BaseStatement | cst.BaseSmallStatement) -> cst.IndentedBlock:
    if isinstance(statement, cst.BaseSmallStatement):
        return cst.IndentedBlock([cst.SimpleStatementLine([statement])])
    return cst.IndentedBlock([statement])


def _indented(body: cst.BaseSuite) -> cst.BaseSuite:
    """`if c: return x` (one line) as an indented block; a block as it is."""
    if isinstance(body, cst.SimpleStatementSuite):
        return cst.IndentedBlock([cst.SimpleStatementLine(body.body)])
    return body


def _one_line(expr: cst.BaseExpression) -> cst.BaseExpression:
    """Code that spanned lines inside the call's parentheses keeps its own parentheses."""
    text = cst.Module([]).code_for_node(expr)
    if "\n" in text and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


def _parenthesized(expr: cst.BaseExpression) -> cst.BaseExpression:
    """An `if` test: conditional expressions and lambdas in parentheses, to read plainly."""
    if isinstance(expr, cst.IfExp | cst.Lambda) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


# `is`/`is not` and `in`/`not in` are exact inverses: CPython computes one as the other negated.
_INVERSE: dict[type[cst.BaseCompOp], type[cst.Is | cst.IsNot | cst.In | cst.NotIn]] = {
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
}


def _negated(test: cst.BaseExpression) -> cst.BaseExpression:
    """True exactly when `test` is false (only its truth is used): `not x` -> `x`, `a is b` ->
    `a is not b`, `a in b` -> `a not in b`, anything else `not (...)` or `not x`."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _parenthesized(test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and not test.lpar:
        target = test.comparisons[0]
        op = target.operator
        inverse = _INVERSE.get(type(op))
        if inverse is not None and isinstance(op, cst.Is | cst.IsNot | cst.In | cst.NotIn):
            new_op = inverse(
                whitespace_before=op.whitespace_before, whitespace_after=op.whitespace_after
            )
            return test.with_changes(comparisons=[target.with_changes(operator=new_op)])
    loose = cst.BooleanOperation | cst.Comparison | cst.IfExp | cst.Lambda | cst.BinaryOperation
    if isinstance(test, loose) and not test.lpar:
        test = test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.UnaryOperation(operator=cst.Not(), expression=test)
