"""The pattern-rules rewrite engine (no LLM): safe, proven speed rewrites of one function.

    outcome = rewrite_function(source, "Class.method")
    outcome.new_source, outcome.edits
    outcomes = rewrite_file(source, ["f", "Class.method"])  # one parse, one ruff run per file

Every rule documents its precondition (docs/rules.md) and stays silent unless it holds.
"""

from __future__ import annotations

from agentic_action.model import Edit
from agentic_action.rewrite._engine import rewrite_file, rewrite_function
from agentic_action.rewrite._registry import RULES
from agentic_action.rewrite._ruff import ruff_executable
from agentic_action.rewrite._types import TIERS, RewriteOutcome, RuleInfo, Tier

__all__ = [
    "RULES",
    "TIERS",
    "Edit",
    "RewriteOutcome",
    "RuleInfo",
    "Tier",
    "rewrite_file",
    "rewrite_function",
    "ruff_executable",
]
