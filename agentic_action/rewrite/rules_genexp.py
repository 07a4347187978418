"""AO120: a builtin that consumes a generator expression whole -> a comprehension; AO121
(evidence tier): the same where the generator's own code might raise StopIteration."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._fstring import inert
from agentic_action.rewrite._loops import generator_evaluates, generator_movable, has_comments
from agentic_action.rewrite._stopiteration import cannot_raise_stopiteration
from agentic_action.rewrite._types import Rewrite, RuleInfo

Consumer = Literal["list", "set", "dict", "tuple", "sorted", "join"]
_BUILTIN_CONSUMERS: tuple[Consumer, ...] = ("list", "set", "dict", "tuple", "sorted")
_SORTED_KEYWORDS = frozenset({"key", "reverse"})
_SCOPE_NAMES = frozenset({"super", "__class__"})  # differ between a generator and its caller
_EMPTY = cst.SimpleWhitespace("")

_PRECONDITION = (
    "the call is `list(G)`, `set(G)`, `tuple(G)`, `dict(G)`, `sorted(G, key=..., reverse=...)` "
    "with the real builtin (nothing in the file binds the name), or `'literal'.join(G)` on a "
    "plain str literal (not bytes, not an f-string); G, a generator expression, is the only "
    "positional argument and there is no other argument (sorted: only `key=`/`reverse=`, whose "
    "values are literals, real builtins, attributes of builtin types, lambdas without defaults "
    "or parameters that are never deleted, so evaluating them after the elements instead of "
    "before cannot fail or see a change); for dict(), G's element is a 2-element tuple display "
    "(the dict comprehension evaluates its key, then its value, then stores the pair, in the "
    "order dict() does it for the tuple); no `async for`, `await`, `:=`, `yield`, `super` or "
    "`__class__` inside, no comments inside the call. Each builtin consumes G at once and runs "
    "no code between its elements but the hashing and comparing the comprehension also does "
    "at the same moment; a comprehension has its own scope in 3.11 as G has, so no loop "
    "variable leaks and the first iterable is still evaluated in the enclosing scope."
)


class GeneratorToComprehension:
    """AO120. `list(e for x in xs)` -> `[e for x in xs]`; set, dict, tuple, sorted, str.join.

    A generator costs an object and one resume per element; the comprehension builds the
    same container in one frame. Each consumer takes the generator whole: list(), set() and
    dict() add each element as it comes, exactly as the comprehension's LIST_APPEND/SET_ADD/
    MAP_ADD does (the same hashing and comparing, at the same moments); tuple(), sorted() and
    str.join first collect every element, then work on them, which they do alike on a list.
    The one difference is PEP 479: a StopIteration raised by the generator's code (the element,
    a condition, an inner iterable) becomes RuntimeError leaving a generator, but leaves a
    comprehension as it is. AO120 fires only where none of these can raise it
    (`_stopiteration.cannot_raise_stopiteration`); AO121 is the same rewrite otherwise.

    timeit, CPython 3.11.7, best of 7 interleaved rounds, loaded 2-core machine, n = 0, 1, 3,
    10, 100 elements of `x * 2` and of `str(x)` (the table is in docs/rules.md): every form is
    faster at every n: list 1.2-2.1x, set 1.1-1.6x, tuple 1.1-1.6x, sorted 1.1-1.5x, join
    1.15-1.9x, dict 1.4-2.1x; the fixed gain is 60-100 ns a call.
    """

    info = RuleInfo(
        "AO120",
        "builtin over a generator expression -> comprehension",
        _PRECONDITION + " The element, every condition and every inner iterable cannot raise "
        "StopIteration (no calls but allow-listed builtins and str methods of an exact str), "
        "which a generator turns into RuntimeError and a comprehension lets through.",
        "keys = set(str(n) for n in ids if n)",
        "keys = {str(n) for n in ids if n}",
    )

    proven = True
    why = (
        "the builtin consumes the whole generator; its element, conditions and inner iterables "
        "cannot raise StopIteration, so the comprehension behaves the same"
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            site = _site(node, ctx)
            if site is None or _proven(site.gen, ctx) != self.proven:
                continue
            new_func = replace_nodes(ctx.func, {site.call: constant(_replacement(site))})
            return Rewrite(new_func, site.call, self.why)
        return None


class GeneratorToComprehensionEvidence(GeneratorToComprehension):
    """AO121, evidence tier. AO120 where StopIteration is not ruled out.

    When the element, a condition or an inner iterable calls code the rule cannot see into (a
    user function, a method of an unknown object, next()), a StopIteration it raises becomes
    RuntimeError("generator raised StopIteration") in the original (PEP 479) and propagates
    as StopIteration from the comprehension, where a caller's loop or next() default may take
    it for the end of an iteration. Real code rarely lets StopIteration out of such a call on
    purpose; no static check rules it out, so the rewrite rests on the gate's evidence. Where
    AO120's proof holds this rule stays silent (the site is AO120's).
    """

    info = RuleInfo(
        "AO121",
        "[evidence tier] builtin over a generator expression -> comprehension "
        "(StopIteration not ruled out)",
        "As AO120, except that the element, a condition or an inner iterable calls code that "
        "could raise StopIteration: the original turns it into RuntimeError (PEP 479), the "
        "comprehension lets StopIteration through. Otherwise the same for every input. Used "
        "only in the evidence tier, where the gate's tests and recorded inputs are the evidence.",
        "rows = list(parse(line) for line in lines)",
        "rows = [parse(line) for line in lines]",
        tier="evidence",
    )
    proven = False
    why = (
        "evidence tier: the builtin consumes the whole generator, but its code may call "
        "something that raises StopIteration, which the comprehension would let through "
        "where the generator raised RuntimeError (PEP 479)"
    )


@dataclass(frozen=True)
class _Site:
    call: cst.Call
    gen: cst.GeneratorExp
    consumer: Consumer


def _site(node: cst.CSTNode, ctx: FunctionContext) -> _Site | None:
    if not isinstance(node, cst.Call) or not node.args:
        return None
    first, rest = node.args[0], node.args[1:]
    gen = first.value
    if first.keyword is not None or first.star or not isinstance(gen, cst.GeneratorExp):
        return None
    consumer = _consumer(node, ctx)
    if consumer is None or not _arguments_allowed(consumer, rest, ctx):
        return None
    if consumer == "dict" and _pair(gen.elt) is None:
        return None
    if not generator_movable(gen, _SCOPE_NAMES) or has_comments(node):
        return None
    return _Site(node, gen, consumer)


def _consumer(call: cst.Call, ctx: FunctionContext) -> Consumer | None:
    func = call.func
    if isinstance(func, cst.Name):
        for name in _BUILTIN_CONSUMERS:
            if func.value == name and ctx.facts.is_builtin(name):
                return name
        return None
    if isinstance(func, cst.Attribute) and func.attr.value == "join":
        receiver = func.value
        if isinstance(receiver, cst.SimpleString) and "b" not in receiver.prefix.lower():
            return "join"
    return None


def _arguments_allowed(consumer: Consumer, rest: Sequence[cst.Arg], ctx: FunctionContext) -> bool:
    """No argument after G, except sorted()'s key=/reverse= with values whose evaluation can
    move after the elements' (they were evaluated after G was created, before it ran)."""
    if consumer != "sorted":
        return not rest
    return all(
        arg.keyword is not None
        and arg.keyword.value in _SORTED_KEYWORDS
        and not arg.star
        and _evaluation_free(arg.value, ctx)
        for arg in rest
    )


def _evaluation_free(expr: cst.BaseExpression, ctx: FunctionContext) -> bool:
    """Evaluating `expr` runs no code, cannot fail and reads nothing the elements could change."""
    if inert(expr, ctx) or _builtin_value(expr, ctx):
        return True
    if isinstance(expr, cst.Name):
        return expr.value in ("True", "False", "None")
    if isinstance(expr, cst.Lambda):
        return not any(p.default is not None for p in _parameters(expr.params))
    return False


def _builtin_value(expr: cst.BaseExpression, ctx: FunctionContext) -> bool:
    """A real builtin (`len`), or an attribute a builtin type has (`str.lower`)."""
    if isinstance(expr, cst.Name):
        return ctx.facts.is_builtin(expr.value)
    if not isinstance(expr, cst.Attribute) or not isinstance(expr.value, cst.Name):
        return False
    owner = expr.value.value
    if not ctx.facts.is_builtin(owner):
        return False
    kind = getattr(builtins, owner)
    return isinstance(kind, type) and hasattr(kind, expr.attr.value)


def _parameters(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    yield from params.kwonly_params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    if params.star_kwarg is not None:
        yield params.star_kwarg


def _pair(elt: cst.BaseExpression) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    if not isinstance(elt, cst.Tuple) or len(elt.elements) != 2:
        return None
    key, value = elt.elements
    if not isinstance(key, cst.Element) or not isinstance(value, cst.Element):
        return None
    return key.value, value.value


def _proven(gen: cst.GeneratorExp, ctx: FunctionContext) -> bool:
    """Nothing the generator's own frame evaluates can raise StopIteration (its first
    iterable is evaluated by the caller, before the generator starts, on both sides)."""
    return all(cannot_raise_stopiteration(part, ctx) for part in generator_evaluates(gen))


def _replacement(site: _Site) -> cst.BaseExpression:
    """The call rewritten; the whitespace inside the call's (or G's) parentheses goes inside
    the new brackets, so a multi-line call keeps its lines."""
    call, gen = site.call, site.gen
    first = call.args[0]
    if gen.lpar:
        inside = gen.lpar[0].whitespace_after, gen.rpar[-1].whitespace_before
    else:
        inside = call.whitespace_before_args, first.whitespace_after_arg
    if site.consumer in ("list", "set", "dict"):
        return _display(site.consumer, gen, *inside).with_changes(lpar=call.lpar, rpar=call.rpar)
    comp = _display("list", gen, *inside)
    if gen.lpar:
        return call.with_changes(args=[first.with_changes(value=comp), *call.args[1:]])
    only = first.with_changes(value=comp, whitespace_after_arg=_EMPTY)
    return call.with_changes(whitespace_before_args=_EMPTY, args=[only])


def _display(
    kind: Consumer,
    gen: cst.GeneratorExp,
    opening: cst.BaseParenthesizableWhitespace,
    closing: cst.BaseParenthesizableWhitespace,
) -> cst.ListComp | cst.SetComp | cst.DictComp:
    if kind == "list":
        return cst.ListComp(
            gen.elt,
            gen.for_in,
            lbracket=cst.LeftSquareBracket(whitespace_after=opening),
            rbracket=cst.RightSquareBracket(whitespace_before=closing),
        )
    lbrace = cst.LeftCurlyBrace(whitespace_after=opening)
    rbrace = cst.RightCurlyBrace(whitespace_before=closing)
    if kind == "set":
        return cst.SetComp(gen.elt, gen.for_in, lbrace=lbrace, rbrace=rbrace)
    pair = _pair(gen.elt)
    assert pair is not None
    return cst.DictComp(pair[0], pair[1], gen.for_in, lbrace=lbrace, rbrace=rbrace)
