"""The embedded default method: pattern rules, no LLM, no configuration."""

from __future__ import annotations

from collections.abc import Collection

from agentic_action.methods.base import MethodContext, MethodOutcome
from agentic_action.model import Candidate, FunctionTarget
from agentic_action.rewrite import rewrite_function


def rules_candidate(
    target: FunctionTarget, source: str, exclude: Collection[str] = ()
) -> Candidate | str:
    """The rules engine's rewrite of ``target`` (rules ``exclude`` left out), or why there is
    none."""
    try:
        outcome = rewrite_function(source, target.qualname, exclude=exclude)
    except (ValueError, SyntaxError) as error:
        return f"rules engine could not read the function: {error}"
    if not outcome.edits or outcome.new_source == source:
        return "no rule applies"
    rules = sorted({edit.rule for edit in outcome.edits})
    rationale = "; ".join(f"{e.title} (line {e.line})" for e in outcome.edits)
    return Candidate(
        target=target,
        method="rules",
        new_source=outcome.new_source,
        edits=outcome.edits,
        rationale=f"rules {', '.join(rules)}: {rationale}",
    )


class RulesMethod:
    """``exclude``: rule ids left out (the learning selector's choice for one function)."""

    name = "rules"

    def __init__(self, exclude: Collection[str] = ()) -> None:
        self.exclude = tuple(exclude)

    def optimize(self, target: FunctionTarget, source: str, ctx: MethodContext) -> MethodOutcome:
        candidate = rules_candidate(target, source, self.exclude)
        if isinstance(candidate, str):
            return MethodOutcome(note=candidate)
        proof = ctx.prove(candidate)
        return MethodOutcome(attempts=[proof], chosen=proof if proof.accepted else None)
