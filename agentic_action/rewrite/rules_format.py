"""AO114: `"...".format(a, b)` on a string literal -> an f-string, where both provably agree."""

from __future__ import annotations

import re
import string

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._fstring import f_prefix, f_string, field_source, inert, template_text
from agentic_action.rewrite._loops import has_comments
from agentic_action.rewrite._types import Rewrite, RuleInfo

_SPEC = re.compile(r"[^{}\\'\"]*")

Field = tuple[str, str | None, str | None, str | None]  # literal, field name, spec, conversion


class FormatToFString:
    """AO114. `"{} has {:>3} items".format(name, n)` -> `f"{name} has {n:>3} items"`.

    Both call `format(value, spec)` on each value (after `repr`/`str`/`ascii` for `!r`/`!s`/`!a`)
    and join the pieces into a new exact str. What differs is timing: `.format` evaluates every
    argument before formatting any, the f-string formats each value right after evaluating it.
    So every argument after the first must be inert - a literal or a parameter of the function
    that is never deleted - and the fields must use the arguments once each, in the order they
    are written.
    """

    info = RuleInfo(
        "AO114",
        "str.format on a string literal -> f-string",
        "the template is one plain string literal (no bytes, no `\\N{...}` escape, no comments); "
        "its fields are `{}`, `{0}` or `{name}` (no attribute or index lookups, no nested "
        "fields in the spec), with an optional !r/!s/!a conversion and a spec; every argument "
        "is used by exactly one field, in the order the arguments are written (so each is "
        "evaluated once, in the same order); no `*`/`**`; every argument after the first is a "
        "literal or a parameter that is never deleted (evaluating it cannot run code or fail, "
        "so formatting the previous value first changes nothing); each argument's source has no "
        "quotes, braces, backslash, `:`, `!`, `#` or line break.",
        'label = "{} has {:>3} items".format(name, count)',
        'label = f"{name} has {count:>3} items"',
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            if isinstance(node, cst.Call):
                new = _f_string(node, ctx)
                if new is not None:
                    why = "the fields use each argument once, in order; later arguments are inert"
                    return Rewrite(replace_nodes(ctx.func, {node: constant(new)}), node, why)
        return None


def _f_string(call: cst.Call, ctx: FunctionContext) -> cst.FormattedString | None:
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value == "format"
        and isinstance(func.value, cst.SimpleString)
    ):
        return None
    template = func.value
    new_prefix = f_prefix(template)
    if new_prefix is None or has_comments(call):
        return None
    fields = _fields(template)
    args = _arguments(call, ctx)
    names = None if fields is None or args is None else _ordered(fields, args)
    if fields is None or args is None or names is None:
        return None
    numbered = iter(names)
    body = "".join(_piece(f, None if f[1] is None else next(numbered), args) for f in fields)
    return f_string(new_prefix, template.quote, body, call)


def _fields(template: cst.SimpleString) -> list[Field] | None:
    """The template's pieces, read from its source text (escapes kept as written), when they
    mean the same as the pieces of its value."""
    raw = template_text(template)
    value = template.evaluated_value
    if not isinstance(value, str):
        return None
    try:
        pieces = list(string.Formatter().parse(raw))
        meaning = list(string.Formatter().parse(value))
    except ValueError:
        return None
    if [p[1:] for p in pieces] != [m[1:] for m in meaning]:
        return None
    for _literal, name, spec, _conversion in pieces:
        if name is None:
            continue
        if "." in name or "[" in name or not _SPEC.fullmatch(spec or ""):
            return None
    return [(literal, name, spec, conversion) for literal, name, spec, conversion in pieces]


def _arguments(call: cst.Call, ctx: FunctionContext) -> list[tuple[str, str]] | None:
    """(keyword or '', source) of each argument, in the order written; None when not usable."""
    found: list[tuple[str, str]] = []
    for index, arg in enumerate(call.args):
        source = None if arg.star else field_source(arg.value, arg)
        if source is None or (index > 0 and not inert(arg.value, ctx)):
            return None
        found.append((arg.keyword.value if arg.keyword else "", source))
    return found


def _ordered(fields: list[Field], args: list[tuple[str, str]]) -> list[str] | None:
    """The fields' argument names ('0', '1', ..., keywords) when each argument is used by one
    field, in the order written (auto or explicit numbering); None otherwise."""
    names = [f[1] for f in fields if f[1] is not None]
    positional = sum(1 for keyword, _ in args if not keyword)
    expected = [str(i) for i in range(positional)] + [k for k, _ in args if k]
    if all(name == "" for name in names[:positional]):
        names = [str(i) if i < positional and n == "" else n for i, n in enumerate(names)]
    return names if names == expected else None


def _piece(field: Field, name: str | None, args: list[tuple[str, str]]) -> str:
    literal, _field_name, spec, conversion = field
    text = literal.replace("{", "{{").replace("}", "}}")
    if name is None:
        return text
    source = _source_for(name, args)
    return text + "{" + source + (f"!{conversion}" if conversion else "") + _spec(spec) + "}"


def _source_for(name: str, args: list[tuple[str, str]]) -> str:
    if name.isdigit():
        return [s for k, s in args if not k][int(name)]
    return next(s for k, s in args if k == name)


def _spec(spec: str | None) -> str:
    return f":{spec}" if spec else ""
