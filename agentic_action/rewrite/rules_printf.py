"""AO116: `"..." % args` on a string literal -> an f-string, where both provably agree and the
compiled code really changes; AO117 (evidence tier): the same for one operand of unknown type."""

from __future__ import annotations

import ast
import dis
import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from agentic_action.rewrite._collections import exact_type
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import constant, replace_nodes
from agentic_action.rewrite._fstring import f_prefix, f_string, field_source, inert, template_text
from agentic_action.rewrite._loops import has_comments
from agentic_action.rewrite._types import Rewrite, RuleInfo

# `%%`, or `%s`/`%r`/`%a` with an optional `-` flag, a width and a precision (at most 4 digits
# each, so both sides accept them). Any other `%` (`%d`, `%(key)s`, `%*s`, `%05s`, `%ls`, a
# lone `%`) leaves a `%` in the literal text between directives, and the rule stays silent.
_DIRECTIVE = re.compile(
    r"%(?:(?P<percent>%)"
    r"|(?P<left>-?)(?P<width>[1-9][0-9]{0,3})?(?:\.(?P<precision>[0-9]{1,4}))?(?P<conv>[sra]))"
)


@dataclass(frozen=True)
class _Field:
    conversion: str  # "s", "r" or "a": the f-string's !s/!r/!a
    spec: str  # the f-string's format spec: "", ">10", "<10", ".3", ">10.3"


_Piece = str | _Field  # literal text (as written in the source, `%%` already `%`) or a field
_CONSTANT_CODE = frozenset({"RESUME", "LOAD_CONST", "RETURN_VALUE"})


class PrintfToFString:
    """AO116. `"%s: %r" % (name, n)` -> `f"{name!s}: {n!r}"`, where that changes the bytecode.

    CPython 3.11+ already compiles `"literal" % (a, b)` (a tuple display, only `%s`/`%r`/`%a`,
    widths and precisions below 100) into exactly this f-string, so there a rewrite is the same
    code and cannot be faster: the rule stays silent wherever the compiled original does no `%`
    at run time. What is left:

    - One operand that is an exact str or int (see `_collections.exact_type`): `%` cannot read
      it as a tuple or a mapping, so it is the one argument; `str`/`repr`/`ascii` of an exact
      str or int is an exact str, made without user code (an int's decimal digit limit raises
      ValueError on both sides); and `format(exact str, spec)` pads and truncates exactly as `%`
      does with that width and precision (`-` is `<`, no flag is `>`). Proven for every input.
    - A tuple display with a width or precision of 100 or more, which the compiler does not
      fold (asked of `compile()` itself, not re-implemented). `%`
      evaluates every element before formatting any, the f-string formats each right after
      evaluating it, so every element after the first must be inert (AO114's rule). The f-string
      formats the text `str`/`repr`/`ascii` returned with `format(text, spec)`, `%` copies it:
      they differ only when `__str__`/`__repr__` returns a str subclass with its own
      `__format__`, which the rule assumes away as CPython's own folding does for narrower
      widths (docs/rules.md, assumptions).

    The template's pieces are read from its source text (escapes kept as written) and must mean
    the same as the pieces of its value, and the f-string built must parse back to the same
    literal text, conversions, specs and argument expressions.
    """

    info = RuleInfo(
        "AO116",
        "printf-style % on a string literal -> f-string",
        "the template is one plain one-line string literal (no bytes, no `\\N{...}` escape, no "
        "comments); its only directives are `%%` and `%s`/`%r`/`%a` with an optional `-` flag, "
        "width and precision (no `%d`/`%f`/..., no `%(key)s`, no `*`); the compiled original "
        "still does `%` at run time (CPython 3.11+ already compiles `'...' % (a, b)` with "
        "narrow widths into this very f-string); the right operand is either one value that is "
        "an exact str or int, or a tuple display (no `*`) with exactly one element per "
        "directive, every element after the first a literal or a parameter that is never "
        "deleted; each operand's source has no quotes, braces, backslash, `:`, `!`, `#` or line "
        "break.",
        'label = "<%s items>" % len(items)',
        'label = f"<{len(items)!s} items>"',
    )

    proven = True  # a lone operand must be proven an exact str or int
    why = "the operand is formatted the same by % and by the f-string"

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        for node in ctx.body_nodes:
            if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
                new = _f_string(node, ctx, self.proven)
                if new is not None:
                    new_func = replace_nodes(ctx.func, {node: constant(new)})
                    return Rewrite(new_func, node, self.why)
        return None


class PrintfToFStringEvidence(PrintfToFString):
    """AO117, evidence tier. AO116 on one operand whose type is not proven.

    With one operand that is not a tuple display and one `%s`/`%r`/`%a` directive, CPython 3.11
    formats `str(x)`/`repr(x)`/`ascii(x)` on both sides (a mapping operand too: `%` only looks
    into it for `%(key)s`, which stays silent). They differ in exactly three cases:

    - x is a tuple, or an instance of a tuple subclass (namedtuple, `os.stat_result`,
      `time.struct_time`): `%` takes its elements as the arguments (a one-element tuple formats
      its element, any other length raises TypeError), the f-string formats the tuple itself;
    - x's type is a str subclass with an `__rmod__` of its own: `%` asks it first and returns
      what it returns (`__rmod__` of any other type is never asked: str's `%` answers first);
    - the conversion returns a str subclass: the f-string hands it to `format()` (its own
      `__format__`, if any, decides the text), and a template that is only the directive
      (`'%s'`) makes `%` return that very object where the f-string returns a plain str.

    No static check rules these out, so the rewrite rests on the gate's evidence; an operand
    that is certainly a tuple (the `*args` parameter, a local bound to a tuple display or
    `tuple(...)`) stays silent, and a proven exact str or int is AO116's.
    """

    info = RuleInfo(
        "AO117",
        "[evidence tier] printf-style % on a string literal -> f-string (operand type not proven)",
        "As AO116 with one right operand that is not a tuple display and is not proven an exact "
        "str or int: the template, directives and operand source as AO116 requires, with "
        "exactly one `%s`/`%r`/`%a` directive. Correct unless the operand is a tuple (of any "
        "tuple subclass: `%` formats its elements instead), a str subclass with its own "
        "`__rmod__`, or its str()/repr()/ascii() returns a str subclass (the f-string calls its "
        "`__format__`). An operand that is certainly a tuple (the `*args` parameter, a local "
        "bound to a tuple display or tuple() call) stays silent. Used only in the evidence "
        "tier, where the gate's tests and recorded inputs are the evidence.",
        'label = "<%s>" % name',
        'label = f"<{name!s}>"',
        tier="evidence",
    )
    proven = False
    why = (
        "evidence tier: the operand's type is not proven; % and the f-string differ only for "
        "a tuple, a str subclass with __rmod__ or a str()/repr() that returns a str subclass"
    )


def _f_string(
    node: cst.BinaryOperation, ctx: FunctionContext, proven: bool
) -> cst.FormattedString | None:
    template = node.left
    if not isinstance(template, cst.SimpleString) or has_comments(node):
        return None
    new_prefix = f_prefix(template)
    pieces = _pieces(template)
    sources = _operands(node.right, ctx, proven)
    if new_prefix is None or pieces is None or sources is None:
        return None
    count = len(_fields(pieces))
    if count != len(sources) or not count or _folded(template, node.right, count):
        return None
    operands = iter(sources)
    body = "".join(_text(piece, operands) for piece in pieces)
    new = f_string(new_prefix, template.quote, body, node)
    if new is None or not _means(new, template, sources):
        return None
    return new


def _pieces(template: cst.SimpleString) -> list[_Piece] | None:
    """The template's pieces from its source text, when its value has the same directives."""
    raw = template_text(template)
    value = template.evaluated_value
    if not isinstance(value, str) or "\n" in raw:
        return None
    pieces = _parse(raw)
    meaning = _parse(value)
    if pieces is None or meaning is None:
        return None
    return pieces if _fields(pieces) == _fields(meaning) else None


def _fields(pieces: list[_Piece]) -> list[_Field]:
    return [p for p in pieces if isinstance(p, _Field)]


def _parse(text: str) -> list[_Piece] | None:
    """Literal texts and fields, in order; None when a `%` starts a directive not handled."""
    pieces: list[_Piece] = []
    position = 0
    for match in [*_DIRECTIVE.finditer(text), None]:
        literal = text[position : match.start() if match else len(text)]
        if "%" in literal:
            return None
        pieces.append(literal)
        if match is None:
            return pieces
        position = match.end()
        if match["percent"]:
            pieces.append("%")
            continue
        width, precision = match["width"], match["precision"]
        align = ("<" if match["left"] else ">") + width if width else ""
        pieces.append(_Field(match["conv"], align + (f".{int(precision)}" if precision else "")))
    return pieces


def _operands(right: cst.BaseExpression, ctx: FunctionContext, proven: bool) -> list[str] | None:
    """The sources of the values `%` formats, in order; None when the rule cannot vouch for
    how `%` reads the right operand or for the order the values are evaluated in. Without
    `proven` (AO117) only a lone operand of unknown type, which `%` may read as a tuple."""
    if not isinstance(right, cst.Tuple):
        one = field_source(right, right)
        exact = exact_type(right, ctx) is not None
        fits = exact if proven else not exact and not _certainly_tuple(right, ctx)
        return [one] if one is not None and fits else None
    if not proven:
        return None  # a tuple display is AO116's (or already compiled into the f-string)
    sources = []
    for index, element in enumerate(right.elements):
        source = (
            None
            if isinstance(element, cst.StarredElement)
            else field_source(element.value, element)
        )
        if source is None or (index > 0 and not inert(element.value, ctx)):
            return None
        sources.append(source)
    return sources


_TUPLE_BUILTINS = frozenset({"tuple", "divmod"})


def _certainly_tuple(right: cst.BaseExpression, ctx: FunctionContext) -> bool:
    """Is the lone operand a tuple whatever the inputs? Then the f-string is wrong for every
    call (the gate would reject it), so AO117 does not offer it: a call of the builtin `tuple`
    or `divmod`, the `*args` parameter, or a local some binding of which is a tuple display or
    such a call."""
    if not isinstance(right, cst.Name):
        return _tuple_value(right, ctx)
    star = ctx.func.params.star_arg
    if isinstance(star, cst.Param) and star.name.value == right.value:
        return True
    for store in ctx.stores_of(right.value):
        target = ctx.parent(store.node)
        assign = ctx.parent(target) if isinstance(target, cst.AssignTarget) else target
        value = assign.value if isinstance(assign, cst.Assign | cst.AnnAssign) else None
        if value is not None and _tuple_value(value, ctx):
            return True
    return False


def _tuple_value(value: cst.BaseExpression, ctx: FunctionContext) -> bool:
    if isinstance(value, cst.Tuple):
        return True
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Name):
        return False
    return value.func.value in _TUPLE_BUILTINS and ctx.facts.is_builtin(value.func.value)


def _folded(template: cst.SimpleString, right: cst.BaseExpression, count: int) -> bool:
    """Does the compiler already do without this `%` at run time? It folds a constant
    expression into its value, and (3.11+) a tuple display with narrow widths into an f-string:
    placeholders stand for the elements, so their own operators do not count."""
    written = cst.Module([]).code_for_node(cst.BinaryOperation(template, cst.Modulo(), right))
    placeholders = "".join(f"_{i}, " for i in range(count))
    checks = [written]
    if isinstance(right, cst.Tuple):
        checks.append(template.value + " % (" + placeholders + ")")
    try:
        compiled = [
            dis.get_instructions(compile(c, "<AO116>", "eval", dont_inherit=True)) for c in checks
        ]
    except SyntaxError:  # `(yield x)` and `await x` compile only in a function: keep silent
        return True
    constant = all(i.opname in _CONSTANT_CODE for i in compiled[0])
    return constant or any(all(i.opname != "BINARY_OP" for i in c) for c in compiled[1:])


def _text(piece: _Piece, operands: Iterator[str]) -> str:
    if isinstance(piece, str):
        return piece.replace("{", "{{").replace("}", "}}")
    spec = f":{piece.spec}" if piece.spec else ""
    return "{" + next(operands) + "!" + piece.conversion + spec + "}"


def _means(new: cst.FormattedString, template: cst.SimpleString, sources: list[str]) -> bool:
    """The f-string, read back by Python, holds the template's literal text, conversions and
    specs, and the operands' expressions, in the same order."""
    value = template.evaluated_value
    meaning = _parse(value) if isinstance(value, str) else None
    try:
        parsed = ast.parse(cst.Module([]).code_for_node(new.with_changes(lpar=[], rpar=[])))
        expressions = [ast.dump(ast.parse(s, mode="eval").body) for s in sources]
    except SyntaxError:
        return False
    statement = parsed.body[0] if len(parsed.body) == 1 else None
    joined = statement.value if isinstance(statement, ast.Expr) else None
    if meaning is None or not isinstance(joined, ast.JoinedStr):
        return False
    expected = _merged(meaning)
    found: list[_Piece] = []
    values: list[str] = []
    for part in joined.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            found.append(part.value)
        elif isinstance(part, ast.FormattedValue):
            found.append(_Field(chr(part.conversion), _spec_text(part.format_spec)))
            values.append(ast.dump(part.value))
        else:
            return False
    return _merged(found) == expected and values == expressions


def _spec_text(spec: ast.expr | None) -> str:
    if spec is None:
        return ""
    if not isinstance(spec, ast.JoinedStr):
        return "\0"  # never equal to a spec we wrote
    texts = [p.value for p in spec.values if isinstance(p, ast.Constant)]
    if len(texts) != len(spec.values) or not all(isinstance(t, str) for t in texts):
        return "\0"
    return "".join(str(t) for t in texts)


def _merged(pieces: list[_Piece]) -> list[_Piece]:
    """Adjacent literal texts joined, empty ones dropped (the parser joins them the same way)."""
    out: list[_Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        elif piece != "":
            out.append(piece)
    return out
