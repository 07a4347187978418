"""AO111 any/all over a list comprehension -> generator, AO112 dict()/list()/tuple() -> literals."""

from __future__ import annotations

import libcst as cst

from agentic_action.rewrite._collections import int_literal, local_collection, str_literal
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._loops import has_comments, target_names
from agentic_action.rewrite._types import Rewrite, RuleInfo


class AnyAllGenerator:
    """AO111. `any([e for x in xs])` -> `any(e for x in xs)` (same for all).

    The generator stops at the first decisive element, so every element after it is never
    computed and the iterable never finished. That is invisible only when computing an element
    cannot run code or fail, and iterating cannot either.
    """

    info = RuleInfo(
        "AO111",
        "any()/all() over a list comprehension -> generator (short-circuits)",
        "`any`/`all` are the builtins; the comprehension has one `for` over a local bound once "
        "to a list/tuple/set/dict/str display, comprehension or builtin constructor (iterating "
        "it runs no code); the element and every `if` are a loop variable or an `is`/`is not` "
        "comparison between loop variables and literals — nothing that can call code or raise, "
        "so stopping early skips nothing observable.",
        "values = list(row)\nfound = any([v is None for v in values])",
        "values = list(row)\nfound = any(v is None for v in values)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        if not ctx.facts.all_builtin("any", "all"):
            return None
        for node in ctx.body_nodes:
            comp = _sole_list_comp(node)
            if comp is not None and _inert_comprehension(comp, ctx) and not has_comments(comp):
                gen = cst.GeneratorExp(elt=comp.elt, for_in=comp.for_in, lpar=[], rpar=[])
                why = "elements are identity tests on a local collection: nothing to skip"
                return Rewrite(replace_nodes(ctx.func, {comp: constant(gen)}), node, why)
        return None


class EmptyConstructorToLiteral:
    """AO112. `dict()` -> `{}`, `list()` -> `[]`, `tuple()` -> `()`, `dict(a=1)` -> `{"a": 1}`.

    The literal builds the same new object without a global lookup and a call; only valid when
    the name is the builtin.
    """

    info = RuleInfo(
        "AO112",
        "dict()/list()/tuple() call -> literal",
        "the name is the builtin (nothing in the file binds it and there is no star import); "
        "no positional arguments; for dict(), only plain keyword arguments (no **); no comments "
        "inside the call.",
        "counts = dict()\nitems = list()",
        "counts = {}\nitems = []",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            literal = _literal_for(node, ctx)
            if literal is not None:
                assert isinstance(node, cst.Call)
                why = f"`{cst.Module([]).code_for_node(node.func)}` is the builtin"
                return Rewrite(replace_nodes(ctx.func, {node: constant(literal)}), node, why)
        return None


def _sole_list_comp(node: cst.CSTNode) -> cst.ListComp | None:
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)):
        return None
    if node.func.value not in ("any", "all") or len(node.args) != 1:
        return None
    arg = node.args[0]
    if arg.keyword is not None or arg.star or not isinstance(arg.value, cst.ListComp):
        return None
    return arg.value


def _inert_comprehension(comp: cst.ListComp, ctx: FunctionContext) -> bool:
    loop = comp.for_in
    if loop.inner_for_in is not None or loop.asynchronous is not None:
        return False
    names = target_names(loop.target)
    if not names or not isinstance(loop.target, cst.Name | cst.Tuple):
        return False
    if not _runs_no_code_when_iterated(loop.iter, ctx):
        return False
    return _inert(comp.elt, names) and all(_inert(cond.test, names) for cond in loop.ifs)


def _runs_no_code_when_iterated(iterable: cst.BaseExpression, ctx: FunctionContext) -> bool:
    if not isinstance(iterable, cst.Name):
        return False
    coll = local_collection(iterable.value, ctx)
    return coll is not None


def _inert(expr: cst.BaseExpression, names: set[str]) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in names
    if isinstance(expr, cst.Comparison):
        operands = [expr.left, *(c.comparator for c in expr.comparisons)]
        identity = all(isinstance(c.operator, cst.Is | cst.IsNot) for c in expr.comparisons)
        return identity and all(_atom(o, names) for o in operands)
    return False


def _atom(expr: cst.BaseExpression, names: set[str]) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in names or expr.value in ("None", "True", "False")
    return int_literal(expr) or str_literal(expr)


def _literal_for(node: cst.CSTNode, ctx: FunctionContext) -> cst.BaseExpression | None:
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)):
        return None
    name = node.func.value
    if name not in ("dict", "list", "tuple") or not ctx.facts.is_builtin(name):
        return None
    if has_comments(node) or any(a.keyword is None for a in node.args):
        return None
    if name == "list" and not node.args:
        return cst.List([], lpar=node.lpar, rpar=node.rpar)
    if name == "tuple" and not node.args:
        return cst.Tuple(
            [], lpar=[*node.lpar, cst.LeftParen()], rpar=[cst.RightParen(), *node.rpar]
        )
    if name != "dict" or any(a.star for a in node.args):
        return None
    return _dict_display(node)


def _dict_display(call: cst.Call) -> cst.Dict:
    """`dict(a=1, b=x)` -> `{"a": 1, "b": x}`, keeping the call's line breaks and commas."""
    elements = []
    for arg in call.args:
        assert arg.keyword is not None
        key = cst.SimpleString(f'"{arg.keyword.value}"')
        elements.append(cst.DictElement(key, arg.value, comma=arg.comma))
    last_space = call.args[-1].whitespace_after_arg if call.args else cst.SimpleWhitespace("")
    return cst.Dict(
        elements,
        lbrace=cst.LeftCurlyBrace(whitespace_after=call.whitespace_before_args),
        rbrace=cst.RightCurlyBrace(whitespace_before=last_space),
        lpar=call.lpar,
        rpar=call.rpar,
    )
