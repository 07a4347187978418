"""rewrite_function: our pattern rules in a fixed order, then ruff's safe fixes, to a fixpoint."""

from __future__ import annotations

import ast
from collections.abc import Collection, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from agentic_action.model import Edit
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._facts import ModuleFacts, module_facts
from agentic_action.rewrite._lines import function_offsets, original_line, split_lines
from agentic_action.rewrite._locate import (
    ast_functions,
    cst_functions,
    first_line,
    split_qualname,
)
from agentic_action.rewrite._registry import OWN_RULES, RULES
from agentic_action.rewrite._ruff import apply_ruff_fixes
from agentic_action.rewrite._types import Rewrite, RewriteOutcome, Rule

MAX_REWRITES = 64  # per target function: a bound on passes, far above any real function's need


def rewrite_function(
    source: str,
    qualname: str,
    *,
    only: Collection[str] | None = None,
    exclude: Collection[str] = (),
    line: int | None = None,
) -> RewriteOutcome:
    """Rewrite one function of `source` for speed; every other byte of the file is kept.

    `only`/`exclude` filter by rule id ("AO101", "ruff:C413"). When the qualname is defined more
    than once (a property setter, a version-dependent definition), all definitions are
    rewritten unless `line` names the first line (decorators included) or the `def` line of one.
    """
    parts = split_qualname(qualname)
    own, ruff_codes = _select(only, exclude)
    tree = _parse_ast(source, qualname)
    module = _parse_cst(source, qualname)
    count = len(cst_functions(module, parts))
    defs = ast_functions(tree, parts)
    if count == 0 or count != len(defs):
        raise ValueError(f"function {qualname!r} is not defined in the source (top level or class)")
    indexes = _chosen(defs, line, qualname)
    facts = module_facts(tree)
    current, edits = source, []
    for index in indexes:
        current, found = _rewrite_target(source, current, parts, index, facts, own, ruff_codes)
        edits.extend(found)
    return RewriteOutcome(new_source=current, edits=tuple(edits))


def _select(
    only: Collection[str] | None, exclude: Collection[str]
) -> tuple[list[Rule], frozenset[str]]:
    known = {info.id for info in RULES}
    asked = set(only or ()) | set(exclude)
    unknown = sorted(asked - known)
    if unknown:
        raise ValueError(f"unknown rule id(s) {unknown}; known ids: {sorted(known)}")
    wanted = (set(only) if only is not None else known) - set(exclude)
    own = [rule for rule in OWN_RULES if rule.info.id in wanted]
    ruff = frozenset(i.removeprefix("ruff:") for i in wanted if i.startswith("ruff:"))
    return own, ruff


def _parse_ast(source: str, qualname: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as err:
        raise SyntaxError(
            f"source does not parse, so {qualname!r} cannot be rewritten: {err.msg} "
            f"(line {err.lineno}); fix the syntax error first",
            (err.filename, err.lineno, err.offset, err.text),
        ) from err
    except ValueError as err:  # e.g. null bytes
        raise ValueError(
            f"source cannot be parsed, so {qualname!r} cannot be rewritten: {err}"
        ) from err


def _parse_cst(source: str, qualname: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        raise ValueError(
            f"libcst cannot parse the source, so {qualname!r} cannot be rewritten: {err}"
        ) from err


def _chosen(
    defs: Sequence[ast.FunctionDef | ast.AsyncFunctionDef], line: int | None, q: str
) -> list[int]:
    if line is None:
        return list(range(len(defs)))
    for index, func in enumerate(defs):
        if line in (first_line(func), func.lineno):
            return [index]
    starts = [first_line(f) for f in defs]
    raise ValueError(f"no definition of {q!r} starts at line {line}; definitions start at {starts}")


def _rewrite_target(
    original: str,
    current: str,
    parts: list[str],
    index: int,
    facts: ModuleFacts,
    own: list[Rule],
    ruff_codes: frozenset[str],
) -> tuple[str, list[Edit]]:
    edits: list[Edit] = []
    broken: set[str] = set()  # rules whose output was refused: not tried again on this target
    for _ in range(MAX_REWRITES):
        module = cst.parse_module(current)
        func = cst_functions(module, parts)[index]
        ast_func = ast_functions(ast.parse(current), parts)[index]
        low, high = function_offsets(current, ast_func)
        def_line = split_lines(current)[ast_func.lineno - 1]
        indent = def_line[: len(def_line) - len(def_line.lstrip(" \t"))]
        usable = [r for r in own if r.info.id not in broken]
        step = _own_step(module, func, facts, usable, indent)
        if step is not None:
            rule, rewrite, new_code = step
            if not _acceptable(current, new_code, low, high):
                broken.add(rule.info.id)
                continue
            at = _site_line(func, rewrite.site, ast_func.lineno)
            line = original_line(original, current, at)
            edits.append(Edit(rule.info.id, rule.info.title, line, rewrite.rationale))
            current = new_code
            continue
        fixed = apply_ruff_fixes(current, low, high, ruff_codes) if ruff_codes else None
        if fixed is None or not _acceptable(current, fixed.new_source, low, high):
            break
        edits.extend(
            Edit(f"ruff:{f.code}", f.title, original_line(original, current, f.line), f.rationale)
            for f in fixed.fixes
        )
        current = fixed.new_source
    return current, edits


def _acceptable(current: str, new: str, low: int, high: int) -> bool:
    """The new text compiles and differs from `current` only inside [low, high)."""
    suffix = current[high:]
    outside_kept = (
        new.startswith(current[:low]) and new.endswith(suffix) and len(new) - len(suffix) >= low
    )
    return outside_kept and _compiles(new)


def _own_step(
    module: cst.Module, func: cst.FunctionDef, facts: ModuleFacts, rules: list[Rule], indent: str
) -> tuple[Rule, Rewrite, str] | None:
    ctx = FunctionContext(func, facts, default_indent=module.default_indent, base_indent=indent)
    if ctx.introspects_frame:
        return None
    for rule in rules:
        rewrite = rule.rewrite(ctx)
        if rewrite is not None:
            new_module = module.deep_replace(func, rewrite.new_function)
            assert isinstance(new_module, cst.Module)
            return rule, rewrite, new_module.code
    return None


def _compiles(code: str) -> bool:
    try:
        compile(code, "<rewrite>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _site_line(func: cst.FunctionDef, site: cst.CSTNode, def_line: int) -> int:
    """Line of `site` in the current file, from positions inside the function alone."""
    wrapper = MetadataWrapper(cst.Module(body=[func]), unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return def_line + positions[site].start.line - positions[func].start.line
