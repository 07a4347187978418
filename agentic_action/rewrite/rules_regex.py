"""AO103: `re.match(CONSTANT, ...)` and friends inside a loop -> compile once before the loop."""

from __future__ import annotations

import re
import warnings

import libcst as cst

from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._edit import Replacer, constant, replace_nodes
from agentic_action.rewrite._loops import has_comments
from agentic_action.rewrite._types import Rewrite, RuleInfo

# re function -> (position of `flags` among positional args, keywords that map 1:1 to the
# compiled pattern's method)
_FUNCTIONS: dict[str, tuple[int, frozenset[str]]] = {
    "compile": (1, frozenset()),
    "match": (2, frozenset({"string"})),
    "search": (2, frozenset({"string"})),
    "fullmatch": (2, frozenset({"string"})),
    "findall": (2, frozenset({"string"})),
    "finditer": (2, frozenset({"string"})),
    "split": (3, frozenset({"string", "maxsplit"})),
    "sub": (4, frozenset({"repl", "string", "count"})),
    "subn": (4, frozenset({"repl", "string", "count"})),
}


class RegexHoist:
    """AO103. A regex function called with a constant pattern in a loop -> compiled once.

    `re.F(p, *args, flags=f)` is defined as `re.compile(p, f).F(*args)`, so hoisting the
    compile changes nothing but when the (cached) compile happens — provided it cannot fail or
    warn, which we check by compiling the pattern ourselves before rewriting.
    """

    info = RuleInfo(
        "AO103",
        "regex with a constant pattern in a loop -> compiled once before the loop",
        "`re` is the standard module (bound once, by a top-level `import re`); the call is "
        "re.compile/match/search/fullmatch/findall/finditer/split/sub/subn with a string "
        "literal pattern and literal flags (re.X names or ints, never re.DEBUG, which "
        "prints), no other keywords than the method's own, no comments inside; the pattern "
        "compiles without error or warning "
        "(so compiling early cannot raise where the loop would not have run); the loop is "
        "not inside a nested function. The compiled pattern goes in a new local just before "
        "the outermost loop that repeats the call.",
        'for line in lines:\n    m = re.match(r"(\\d+)-(\\d+)", line)',
        'compiled_re = re.compile(r"(\\d+)-(\\d+)")\n'
        "for line in lines:\n    m = compiled_re.match(line)",
    )

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None:
        if not ctx.facts.re_is_stdlib:
            return None
        for node in ctx.body_nodes:
            if isinstance(node, cst.Call):
                found = _hoist(node, ctx)
                if found is not None:
                    return found
        return None


def _hoist(call: cst.Call, ctx: FunctionContext) -> Rewrite | None:
    parsed = _parse_call(call)
    if parsed is None or has_comments(call):
        return None
    function, pattern, flags, rest = parsed
    if not _compiles_cleanly(pattern, flags):
        return None
    anchor = _anchor_statement(call, ctx)
    if anchor is None:
        return None
    block, index = anchor
    name, new_line = _compiled_name(block, index, pattern, flags, ctx)
    replacement: cst.BaseExpression
    if function == "compile":
        replacement = cst.Name(name, lpar=call.lpar, rpar=call.rpar)
    else:
        method = cst.Attribute(value=cst.Name(name), attr=cst.Name(function))
        replacement = call.with_changes(func=method, args=_fix_last_comma(rest))
    replacements: dict[cst.CSTNode, Replacer] = {call: constant(replacement)}
    if new_line is not None:
        replacements[block] = lambda updated: _insert(updated, index, new_line)
    new_func = replace_nodes(ctx.func, replacements)
    why = f"constant pattern compiled once into `{name}` before the loop instead of per call"
    return Rewrite(new_func, call, why)


def _parse_call(
    call: cst.Call,
) -> tuple[str, cst.BaseExpression, cst.BaseExpression | None, list[cst.Arg]] | None:
    func = call.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == "re"
        and func.attr.value in _FUNCTIONS
    ):
        return None
    flags_at, keywords = _FUNCTIONS[func.attr.value]
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or not positional or positional[0] is not call.args[0]:
        return None
    if len(positional) > flags_at + 1:
        return None
    flags = positional[flags_at].value if len(positional) == flags_at + 1 else None
    rest: list[cst.Arg] = list(positional[1:flags_at])
    for arg in call.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "flags" and flags is None:
            flags = arg.value
        elif arg.keyword.value in keywords:
            rest.append(arg)
        else:
            return None
    return func.attr.value, call.args[0].value, flags, rest


def _compiles_cleanly(pattern: cst.BaseExpression, flags: cst.BaseExpression | None) -> bool:
    if not isinstance(pattern, cst.SimpleString | cst.ConcatenatedString):
        return False
    value = pattern.evaluated_value
    flag_value = 0 if flags is None else _flag_value(flags)
    if value is None or flag_value is None or flag_value & re.DEBUG:
        return False  # re.DEBUG prints at every (uncached) compile: hoisting would change output
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            re.compile(value, flag_value)
        except (re.error, Warning, TypeError, ValueError, OverflowError, RecursionError):
            return False
    return True


def _flag_value(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        if node.value.value == "re" and isinstance(
            getattr(re, node.attr.value, None), re.RegexFlag
        ):
            return int(getattr(re, node.attr.value))
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = _flag_value(node.left), _flag_value(node.right)
        return None if left is None or right is None else left | right
    return None


def _anchor_statement(call: cst.Call, ctx: FunctionContext) -> tuple[cst.IndentedBlock, int] | None:
    """The block and index of the statement holding the outermost loop that repeats `call`."""
    loop = ctx.outermost_loop(call)
    if loop is None:
        return None
    statement: cst.CSTNode = loop
    while True:
        parent = ctx.parent(statement)
        if parent is None:
            return None
        if isinstance(parent, cst.IndentedBlock) and isinstance(statement, cst.BaseStatement):
            index = next(i for i, s in enumerate(parent.body) if s is statement)
            return parent, index
        statement = parent


def _compiled_name(
    block: cst.IndentedBlock,
    index: int,
    pattern: cst.BaseExpression,
    flags: cst.BaseExpression | None,
    ctx: FunctionContext,
) -> tuple[str, cst.SimpleStatementLine | None]:
    """Reuse `NAME = re.compile(same)` right before the loop, or make a new line for it."""
    compile_call = _compile_call(pattern, flags)
    wanted = cst.Module([]).code_for_node(compile_call)
    probe = index - 1
    while probe >= 0:
        existing = _hoisted(block.body[probe], ctx)
        if existing is None:
            break
        name, value = existing
        if cst.Module([]).code_for_node(value) == wanted:
            return name, None
        probe -= 1
    name = ctx.fresh_name("compiled_re")
    line = cst.SimpleStatementLine(
        [cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=compile_call)]
    )
    return name, line


def _insert(block: cst.CSTNode, index: int, line: cst.SimpleStatementLine) -> cst.CSTNode:
    assert isinstance(block, cst.IndentedBlock)
    return block.with_changes(body=[*block.body[:index], line, *block.body[index:]])


def _hoisted(stmt: cst.BaseStatement, ctx: FunctionContext) -> tuple[str, cst.Call] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    assign = stmt.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    target, value = assign.targets[0].target, assign.value
    if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
        return None
    if len(ctx.stores_of(target.value)) != 1:
        return None
    return target.value, value


def _compile_call(pattern: cst.BaseExpression, flags: cst.BaseExpression | None) -> cst.Call:
    args = [cst.Arg(pattern)]
    if flags is not None:
        args = [
            cst.Arg(pattern, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(flags),
        ]
    return cst.Call(func=cst.Attribute(cst.Name("re"), cst.Name("compile")), args=args)


def _fix_last_comma(args: list[cst.Arg]) -> list[cst.Arg]:
    if args and args[-1].comma is not cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args
