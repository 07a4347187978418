"""The one table from the name users type to the method class, and the factory over it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.methods.actor_critic import ActorCriticMethod
from agentic_action.methods.adversarial import AdversarialMethod
from agentic_action.methods.base import Method
from agentic_action.methods.chaos import ChaosMethod
from agentic_action.methods.history import open_pattern_store
from agentic_action.methods.llm_base import LLMMethod, MethodSettings
from agentic_action.methods.rules import RulesMethod
from agentic_action.methods.test_driven import TestDrivenMethod
from agentic_action.model import LLM_METHODS, METHODS, MethodName
from agentic_action.rewrite import Tier

if TYPE_CHECKING:
    from agentic_action.llm import Router

LLM_METHOD_CLASSES: dict[MethodName, type[LLMMethod]] = {
    "test-driven": TestDrivenMethod,
    "adversarial": AdversarialMethod,
    "actor-critic": ActorCriticMethod,
    "chaos": ChaosMethod,
}
assert tuple(LLM_METHOD_CLASSES) == LLM_METHODS, "the registry and model.LLM_METHODS disagree"


def get_method(
    name: str,
    *,
    router: Router | None = None,
    state_dir: Path | None = None,
    config: MethodSettings | Mapping[str, Any] | None = None,
    rules_tier: Tier = "proven",
) -> Method:
    """The method users call ``name``. An LLM method with ``router`` None (or without a model
    for the method) falls back to the rules engine; ``state_dir`` keeps the pattern history
    (``method-patterns.json``) across runs; ``config`` is a MethodSettings or a mapping."""
    if name == "rules":
        return RulesMethod(state_dir=state_dir, tier=rules_tier)
    if name not in LLM_METHOD_CLASSES:
        raise ValueError(f"unknown method {name!r}; available: {', '.join(METHODS)}")
    if config is None:
        settings = MethodSettings()
    elif isinstance(config, MethodSettings):
        settings = config
    else:
        settings = MethodSettings.from_mapping(config)
    cls = LLM_METHOD_CLASSES[name]
    return cls(router, settings, open_pattern_store(state_dir))
