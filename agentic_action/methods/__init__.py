"""Optimization methods, one module each, registered by the name users type."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.methods.base import Method, MethodContext, MethodOutcome, Proof

if TYPE_CHECKING:
    from agentic_action.llm import Router
    from agentic_action.methods.llm_base import MethodSettings

LLM_METHODS: tuple[str, ...] = ("test-driven", "adversarial", "actor-critic", "chaos")
METHODS: tuple[str, ...] = ("rules", *LLM_METHODS)


def get_method(
    name: str,
    *,
    router: Router | None = None,
    state_dir: Path | None = None,
    config: MethodSettings | Mapping[str, Any] | None = None,
) -> Method:
    """The method users call ``name``. LLM methods without a usable router fall back to rules."""
    if name == "rules":
        from agentic_action.methods.rules import RulesMethod

        return RulesMethod()
    if name in LLM_METHODS:
        from agentic_action.methods.llm_base import make_method

        return make_method(name, router=router, state_dir=state_dir, config=config)
    raise ValueError(f"unknown method {name!r}; available: {', '.join(METHODS)}")


__all__ = [
    "LLM_METHODS",
    "METHODS",
    "Method",
    "MethodContext",
    "MethodOutcome",
    "Proof",
    "get_method",
]
