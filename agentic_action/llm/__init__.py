"""LLMs for the methods: one router over litellm (fallbacks, retries, budgets, cache), prompt
templates per method, and parsing of answers into candidates or recorded rejections.

litellm is imported only when a call is about to be made, so importing this package is cheap
and a run without any model configured never loads it; the router, prompts and parsers load on
first use, so reading the configuration (``LLMConfig``) costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_action.lazy import lazy_exports
from agentic_action.llm.config import Effort, LLMConfig, Price, Priority
from agentic_action.model import LLM_METHODS as METHODS

if TYPE_CHECKING:
    from agentic_action.llm.budget import JsonSpendStore, MemorySpendStore, SpendStore
    from agentic_action.llm.cache import ResponseCache
    from agentic_action.llm.parse import (
        ParsedCode,
        ParseRejection,
        RejectReason,
        Review,
        parse_candidate,
        parse_edge_cases,
        parse_review,
        parse_tests,
    )
    from agentic_action.llm.prompts import (
        TEMPLATES,
        PatternExample,
        PromptTarget,
        prompt_target,
        render_prompt,
    )
    from agentic_action.llm.router import (
        Attempt,
        FailureReason,
        LLMAnswer,
        LLMFailure,
        Router,
        open_router,
    )
    from agentic_action.llm.usage import CallRecord, Outcome, Totals, UsageReport

# name -> the module that defines it; loaded on first use (the configuration above is read
# by the settings at every start, and must stay cheap to import)
_LAZY = {
    **dict.fromkeys(("JsonSpendStore", "MemorySpendStore", "SpendStore"), "budget"),
    "ResponseCache": "cache",
    **dict.fromkeys(
        ("ParsedCode", "ParseRejection", "RejectReason", "Review", "parse_candidate",
         "parse_edge_cases", "parse_review", "parse_tests"),
        "parse",
    ),
    **dict.fromkeys(
        ("TEMPLATES", "PatternExample", "PromptTarget", "prompt_target", "render_prompt"),
        "prompts",
    ),
    **dict.fromkeys(
        ("Attempt", "FailureReason", "LLMAnswer", "LLMFailure", "Router", "open_router"), "router"
    ),
    **dict.fromkeys(("CallRecord", "Outcome", "Totals", "UsageReport"), "usage"),
}  # fmt: skip


__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "METHODS",
    "TEMPLATES",
    "Attempt",
    "CallRecord",
    "Effort",
    "FailureReason",
    "JsonSpendStore",
    "LLMAnswer",
    "LLMConfig",
    "LLMFailure",
    "MemorySpendStore",
    "Outcome",
    "ParseRejection",
    "ParsedCode",
    "PatternExample",
    "Price",
    "Priority",
    "PromptTarget",
    "RejectReason",
    "ResponseCache",
    "Review",
    "Router",
    "SpendStore",
    "Totals",
    "UsageReport",
    "open_router",
    "parse_candidate",
    "parse_edge_cases",
    "parse_review",
    "parse_tests",
    "prompt_target",
    "render_prompt",
]
