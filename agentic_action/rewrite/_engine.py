"""rewrite_file / rewrite_function: our pattern rules in a fixed order, then ruff's safe fixes, to a
fixpoint, for every definition of a file at once.

The file is parsed once by `ast` (module facts, where each definition sits); each definition is
parsed alone by libcst (see _segment) and only where a rule's textual pre-check passes; ruff runs
once per file and round, on the file with every definition's own-rule rewrites in place, and its
JSON diagnostics are shared out to the definitions they fall in.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from agentic_action.model import Edit
from agentic_action.rewrite._context import FunctionContext
from agentic_action.rewrite._facts import ModuleFacts, module_facts
from agentic_action.rewrite._lines import line_starts, original_line
from agentic_action.rewrite._locate import AstFunction, ast_functions, first_line, split_qualname
from agentic_action.rewrite._precheck import may_apply, possible
from agentic_action.rewrite._registry import OWN_RULES, RULES
from agentic_action.rewrite._ruff import fixes_within, run_ruff
from agentic_action.rewrite._segment import (
    Parsed,
    Segment,
    acceptable,
    future_flags,
    parse_alone,
    render,
    segment_of,
    statements_end,
)
from agentic_action.rewrite._types import TIERS, Rewrite, RewriteOutcome, Rule, Tier

MAX_REWRITES = 64  # per definition: a bound on passes, far above any real function's need


@dataclass
class _Job:
    """One definition being rewritten: its place in the file and its current text."""

    qualname: str
    segment: Segment
    text: str
    edits: list[Edit] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # rules whose output was refused here
    steps: int = 0

    def edit_line(self, line_in_text: int) -> int:
        """The original file's line for a line of the current text (1-based, relative)."""
        relative = original_line(self.segment.text, self.text, line_in_text)
        return self.segment.first_line - 1 + relative


def rewrite_function(
    source: str,
    qualname: str,
    *,
    only: Collection[str] | None = None,
    exclude: Collection[str] = (),
    line: int | None = None,
    tier: Tier = "proven",
) -> RewriteOutcome:
    """Rewrite one function of `source` for speed; every other byte of the file is kept.

    `only`/`exclude` filter by rule id ("AO101", "ruff:C413"). When the qualname is defined more
    than once (a property setter, a version-dependent definition), all definitions are
    rewritten unless `line` names the first line (decorators included) or the `def` line of one.
    `tier` "evidence" adds the evidence-tier rules (an evidence rule named in `only` is used
    whatever the tier).
    """
    selected = _select(only, exclude, tier)
    tree = _parse_ast(source, qualname)
    defs = ast_functions(tree, split_qualname(qualname))
    if not defs:
        raise ValueError(f"function {qualname!r} is not defined in the source (top level or class)")
    chosen = [defs[i] for i in _chosen(defs, line, qualname)]
    result = _rewrite(source, tree, {qualname: chosen}, selected)[qualname]
    if isinstance(result, ValueError):
        raise result
    return result


def rewrite_file(
    source: str,
    qualnames: Iterable[str],
    *,
    only: Collection[str] | None = None,
    exclude: Collection[str] = (),
    tier: Tier = "proven",
) -> dict[str, RewriteOutcome | ValueError]:
    """rewrite_function for each qualname (every definition of it), sharing one parse of the
    file and one ruff run per round. A qualname that is not defined maps to its ValueError; a
    file that does not parse raises SyntaxError (or ValueError) as rewrite_function does."""
    names = list(dict.fromkeys(qualnames))
    selected = _select(only, exclude, tier)
    tree = _parse_ast(source, names[0] if names else "?")
    found: dict[str, list[AstFunction] | ValueError] = {}
    for name in names:
        try:
            defs = ast_functions(tree, split_qualname(name))
        except ValueError as error:
            found[name] = error
            continue
        found[name] = defs or ValueError(
            f"function {name!r} is not defined in the source (top level or class)"
        )
    wanted = {n: d for n, d in found.items() if not isinstance(d, ValueError)}
    results: dict[str, RewriteOutcome | ValueError] = dict(_rewrite(source, tree, wanted, selected))
    results.update({n: d for n, d in found.items() if isinstance(d, ValueError)})
    return {name: results[name] for name in names}


def _rewrite(
    source: str,
    tree: ast.Module,
    definitions: dict[str, list[AstFunction]],
    selected: tuple[list[Rule], frozenset[str]],
) -> dict[str, RewriteOutcome | ValueError]:
    own, ruff_codes = selected
    facts = module_facts(tree)
    flags = future_flags(tree)
    jobs = [
        _Job(name, seg, seg.text)
        for name, defs in definitions.items()
        for seg in (segment_of(source, func, flags) for func in defs)
    ]
    failed: dict[str, ValueError] = {}
    active = jobs
    while active:
        for job in active:
            try:
                _own_rules(job, facts, own)
            except ValueError as error:
                failed.setdefault(job.qualname, error)
        live = [j for j in active if j.qualname not in failed]
        active = _ruff_round(source, live, ruff_codes) if ruff_codes else []
    return _outcomes(source, jobs, failed)


def _outcomes(
    source: str, jobs: list[_Job], failed: dict[str, ValueError]
) -> dict[str, RewriteOutcome | ValueError]:
    by_name: dict[str, list[_Job]] = {}
    for job in jobs:
        by_name.setdefault(job.qualname, []).append(job)
    results: dict[str, RewriteOutcome | ValueError] = {}
    for name, group in by_name.items():
        if name in failed:
            results[name] = failed[name]
            continue
        new_source = _spliced(source, group)
        edits = tuple(e for job in group for e in job.edits)
        results[name] = RewriteOutcome(new_source=new_source, edits=edits)
    return results


def _spliced(source: str, jobs: Sequence[_Job]) -> str:
    """`source` with each job's definition replaced by its current text."""
    parts, at = [], 0
    for job in sorted(jobs, key=lambda j: j.segment.start):
        parts += [source[at : job.segment.start], job.text]
        at = job.segment.end
    parts.append(source[at:])
    return "".join(parts)


def _select(
    only: Collection[str] | None, exclude: Collection[str], tier: Tier = "proven"
) -> tuple[list[Rule], frozenset[str]]:
    if tier not in TIERS:
        raise ValueError(f"unknown rules tier {tier!r}; known tiers: {', '.join(TIERS)}")
    known = {info.id for info in RULES}
    asked = set(only or ()) | set(exclude)
    unknown = sorted(asked - known)
    if unknown:
        raise ValueError(f"unknown rule id(s) {unknown}; known ids: {sorted(known)}")
    in_tier = {i.id for i in RULES if tier == "evidence" or i.tier == "proven"}
    wanted = (set(only) if only is not None else in_tier) - set(exclude)
    own = [rule for rule in OWN_RULES if rule.info.id in wanted]
    ruff = frozenset(i for i in wanted if i.startswith("ruff:"))
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


def _chosen(defs: Sequence[AstFunction], line: int | None, q: str) -> list[int]:
    if line is None:
        return list(range(len(defs)))
    for index, func in enumerate(defs):
        if line in (first_line(func), func.lineno):
            return [index]
    starts = [first_line(f) for f in defs]
    raise ValueError(f"no definition of {q!r} starts at line {line}; definitions start at {starts}")


def _own_rules(job: _Job, facts: ModuleFacts, own: list[Rule]) -> None:
    """Our rules, first firing rule first, until none fires (or the step bound is reached)."""
    while job.steps < MAX_REWRITES:
        usable = [r for r in own if r.info.id not in job.broken and may_apply(r.info.id, job.text)]
        if not usable:
            return
        parsed = _parse_alone(job)
        step = _own_step(parsed, facts, usable, job.segment.base_indent)
        if step is None:
            return
        rule, rewrite = step
        new_text = render(job.segment, parsed, rewrite.new_function, job.text)
        if not acceptable(job.segment, job.text, new_text):
            job.broken.add(rule.info.id)
            continue
        line = job.edit_line(_site_line(parsed.func, rewrite.site))
        job.edits.append(Edit(rule.info.id, rule.info.title, line, rewrite.rationale))
        job.text = new_text
        job.steps += 1


def _parse_alone(job: _Job) -> Parsed:
    try:
        return parse_alone(job.segment, job.text)
    except (cst.ParserSyntaxError, ValueError) as err:
        raise ValueError(
            f"libcst cannot parse the source, so {job.qualname!r} cannot be rewritten: {err}"
        ) from err


def _own_step(
    parsed: Parsed, facts: ModuleFacts, rules: list[Rule], indent: str
) -> tuple[Rule, Rewrite] | None:
    ctx = FunctionContext(
        parsed.func, facts, default_indent=parsed.module.default_indent, base_indent=indent
    )
    if ctx.introspects_frame:
        return None
    for rule in rules:
        rewrite = rule.rewrite(ctx)
        if rewrite is not None:
            return rule, rewrite
    return None


def _ruff_round(source: str, jobs: list[_Job], codes: frozenset[str]) -> list[_Job]:
    """One ruff run over the file with every job's current text; the jobs it changed."""
    wanted = frozenset(c for j in jobs for c in possible(codes, j.text))
    jobs = [j for j in jobs if j.steps < MAX_REWRITES and possible(wanted, j.text)]
    if not jobs:
        return []
    combined = _spliced(source, jobs)
    bare = frozenset(c.removeprefix("ruff:") for c in wanted)
    diagnostics = run_ruff(combined, bare)
    starts = line_starts(combined)
    changed, shift = [], 0
    for job in sorted(jobs, key=lambda j: j.segment.start):
        low = job.segment.start + shift
        shift += len(job.text) - (job.segment.end - job.segment.start)
        if _apply_ruff(job, diagnostics, combined, starts, low, bare):
            changed.append(job)
    return changed


def _apply_ruff(
    job: _Job,
    diagnostics: list[dict[str, Any]],
    combined: str,
    starts: list[int],
    low: int,
    codes: frozenset[str],
) -> bool:
    high = low + statements_end(job.segment, job.text)
    fixed = fixes_within(diagnostics, combined, starts, low, high, codes)
    if fixed is None:
        return False
    after = len(combined) - low - len(job.text)
    new_text = fixed.new_source[low : len(fixed.new_source) - after]
    if not acceptable(job.segment, job.text, new_text):
        return False
    first_row = bisect_right(starts, low)
    job.edits.extend(
        Edit(f"ruff:{f.code}", f.title, job.edit_line(f.line - first_row + 1), f.rationale)
        for f in fixed.fixes
    )
    job.text = new_text
    job.steps += 1
    return True


def _site_line(func: cst.FunctionDef, site: cst.CSTNode) -> int:
    """Line of `site` counted from the definition's first line (its first decorator)."""
    wrapper = MetadataWrapper(cst.Module(body=[func]), unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return positions[site].start.line
