"""The embedded default method: pattern rules, no LLM, no configuration."""

from __future__ import annotations

from agentic_action.methods.base import NoCandidate
from agentic_action.model import Candidate, FunctionTarget
from agentic_action.rewrite import rewrite_function


class RulesMethod:
    name = "rules"

    def propose(self, target: FunctionTarget, source: str) -> list[Candidate] | NoCandidate:
        try:
            outcome = rewrite_function(source, target.qualname)
        except (ValueError, SyntaxError) as error:
            return NoCandidate(f"rules engine could not read the function: {error}")
        if not outcome.edits or outcome.new_source == source:
            return NoCandidate("no rule applies")
        rules = sorted({edit.rule for edit in outcome.edits})
        rationale = "; ".join(f"{e.title} (line {e.line})" for e in outcome.edits)
        return [
            Candidate(
                target=target,
                method=self.name,
                new_source=outcome.new_source,
                edits=outcome.edits,
                rationale=f"rules {', '.join(rules)}: {rationale}",
            )
        ]
