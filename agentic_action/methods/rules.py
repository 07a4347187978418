"""The embedded default method: pattern rules, no LLM, no configuration."""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from agentic_action.methods.base import MethodContext, MethodOutcome, Proof
from agentic_action.model import Candidate, CheckOutcome, FunctionTarget
from agentic_action.rewrite import Tier
from agentic_action.rewrite.layout import format_like_head
from agentic_action.rewrite.rules_pass import RulesPass

RULES_CACHE_DIR = "rules"  # under the state directory: answers kept by file content

_PASSES: dict[Path | None, RulesPass] = {}
_PASSES_LOCK = threading.Lock()


def rules_pass(state_dir: Path | None = None) -> RulesPass:
    """The process's rules pass for ``state_dir`` (None: in memory only). One per directory, so
    every caller in a run shares each file's parse and answers."""
    cache_dir = None if state_dir is None else state_dir / RULES_CACHE_DIR
    with _PASSES_LOCK:
        if cache_dir not in _PASSES:
            _PASSES[cache_dir] = RulesPass(cache_dir)
        return _PASSES[cache_dir]


def rules_candidate(
    target: FunctionTarget,
    source: str,
    exclude: Collection[str] = (),
    rules: RulesPass | None = None,
    tier: Tier = "proven",
) -> Candidate | str:
    """The rules engine's rewrite of ``target`` (rules ``exclude`` left out; the rules of
    ``tier``), or why there is none. ``rules``: the pass that answers (default: the process's
    in-memory one)."""
    outcome = (rules or rules_pass()).outcome(source, target.qualname, exclude, tier)
    if isinstance(outcome, str):
        return outcome
    if not outcome.edits or outcome.new_source == source:
        return "no rule applies"
    names = sorted({edit.rule for edit in outcome.edits})
    rationale = "; ".join(f"{e.title} (line {e.line})" for e in outcome.edits)
    return Candidate(
        target=target,
        method="rules",
        new_source=outcome.new_source,
        edits=outcome.edits,
        rationale=f"rules {', '.join(names)}: {rationale}",
    )


class RulesMethod:
    """``exclude``: rule ids left out (the learning selector's choice for one function);
    ``state_dir``: where the rules pass keeps its answers between runs; ``tier``: "proven"
    (default) or "evidence" (adds the evidence-tier rules, docs/rules.md)."""

    name = "rules"

    def __init__(
        self,
        exclude: Collection[str] = (),
        state_dir: Path | None = None,
        tier: Tier = "proven",
    ) -> None:
        self.exclude = tuple(exclude)
        self.rules = rules_pass(state_dir)
        self.tier: Tier = tier

    def candidate(
        self, target: FunctionTarget, source: str, root: Path, without: Collection[str] = ()
    ) -> Candidate | str:
        """This method's rewrite of ``target`` (rules ``without`` left out too), or why there is
        none (answered once per file content by the rules pass: asking before the agents start
        costs nothing later), in the repository's ruff format when its file on HEAD (under
        ``root``) is in it."""
        exclude = (*self.exclude, *without)
        candidate = rules_candidate(target, source, exclude, self.rules, self.tier)
        if isinstance(candidate, str):
            return candidate
        new = format_like_head(root, target.file, source, candidate.new_source)
        return replace(candidate, new_source=new)

    def optimize(self, target: FunctionTarget, source: str, ctx: MethodContext) -> MethodOutcome:
        candidate = self.candidate(target, source, ctx.original_root)
        if isinstance(candidate, str):
            return MethodOutcome(note=candidate)
        attempts = [ctx.prove(candidate)]
        untested = _rules_on_untested_lines(attempts[0])
        if untested:
            narrower = self.candidate(target, source, ctx.original_root, untested)
            if isinstance(narrower, Candidate):
                attempts.append(ctx.prove(narrower))
        chosen = next((proof for proof in attempts if proof.accepted), None)
        return MethodOutcome(attempts=attempts, chosen=chosen)


def _rules_on_untested_lines(proof: Proof) -> tuple[str, ...]:
    """The rules whose edits lie on lines no test executes, when that (the coverage check) is
    what stopped the proof and other rules made edits too: those edits can never be proven, and
    the rest of the rewrite may be (one function gets one candidate from every rule that fires,
    so an f-string in an untested ``raise`` would otherwise sink a tested loop's rewrite)."""
    if proof.accepted:
        return ()
    coverage = next((c for c in proof.verdict.checks if c.name == "coverage"), None)
    if coverage is None or coverage.outcome is not CheckOutcome.FAILED:
        return ()
    untested = set(coverage.data.get("uncovered_changed_lines") or ())
    edits = proof.candidate.edits
    rules = {edit.rule for edit in edits if edit.line in untested}
    if not rules or rules >= {edit.rule for edit in edits}:
        return ()
    return tuple(sorted(rules))
