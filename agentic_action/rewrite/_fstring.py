"""What AO114 and AO116 share when they turn a formatted string literal into an f-string.

Both rules rebuild the template's source text as an f-string body and move argument sources
into its braces. That is only sound when the argument's text means the same inside the braces
(`field_source`), when later arguments cannot notice that the f-string formats each value
right after evaluating it (`inert`), and when the template is a literal whose prefix can take
an `f` (`f_prefix`).
"""

from __future__ import annotations

import re

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._loops import has_comments

# The source of an argument that may sit inside an f-string's braces unchanged: no quotes, no
# backslash, no braces, no `:`/`!`/`#`/`=` that the f-string would read as its own syntax, and no
# line break (a one-line f-string in 3.11 allows none of these in its expressions).
_PLAIN_EXPRESSION = re.compile(r"[A-Za-z0-9_.()\[\], +\-*/%<>]+")


def field_source(expr: cst.BaseExpression, owner: cst.CSTNode) -> str | None:
    """`expr`'s source, stripped, when it can go between an f-string's braces as it is;
    `owner` (the argument or element holding it) must carry no comment either."""
    source = cst.Module([]).code_for_node(expr)
    if not _PLAIN_EXPRESSION.fullmatch(source) or has_comments(owner):
        return None
    return source.strip()


def inert(expr: cst.BaseExpression, ctx: FunctionContext) -> bool:
    """Evaluating `expr` runs no code, cannot fail and cannot see what ran before it: a number
    literal, or a parameter that is never deleted and never touched by a nested scope (a
    `nonlocal` there could rebind it while an earlier value is being formatted)."""
    if isinstance(expr, cst.Integer | cst.Float | cst.Imaginary):
        return True
    if not isinstance(expr, cst.Name):
        return False
    uses = ctx.uses_of(expr.value)
    is_parameter = any(isinstance(ctx.parent(u.node), cst.Param) for u in uses)
    return is_parameter and not any(u.kind == "del" or u.nested for u in uses)


def f_prefix(template: cst.SimpleString) -> str | None:
    """The prefix of the f-string that replaces `template` (`f` or `rf`), or None when the
    template cannot become one: bytes, or a `\\N{...}` escape whose braces an f-string would
    read as a field."""
    prefix = template.prefix.lower()
    if set(prefix) - {"r", "u"} or "\\N" in template.value:
        return None
    return ("r" if "r" in prefix else "") + "f"


def template_text(template: cst.SimpleString) -> str:
    """The characters between the quotes, escapes kept as written."""
    return template.value[len(template.prefix) + len(template.quote) : -len(template.quote)]


def f_string(
    prefix: str, quote: str, body: str, like: cst.BaseExpression
) -> cst.FormattedString | None:
    """The f-string `prefix quote body quote`, in the parentheses of `like`; None when it does
    not parse as one."""
    try:
        parsed = cst.parse_expression(prefix + quote + body + quote)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(parsed, cst.FormattedString):
        return None
    return parsed.with_changes(lpar=like.lpar, rpar=like.rpar)
