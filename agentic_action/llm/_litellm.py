"""The one door to litellm: imported lazily (it takes seconds), quietly and offline.

Nothing else in the package imports litellm at module level; ``load()`` is called only when a
model is configured. Without the ``llm`` extra it raises MissingExtraError (the install command).
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from typing import Any

from agentic_action.extras import require

_lock = threading.Lock()
_module: Any = None

# Providers that serve arbitrary model names (self-hosted servers, Azure deployments): litellm
# cannot know their names in advance, so any name is accepted for them.
ANY_NAME_PROVIDERS = frozenset(
    {
        "ollama",
        "ollama_chat",
        "lm_studio",
        "hosted_vllm",
        "llamafile",
        "azure",
        "azure_ai",
        "openai_like",
        "custom_openai",
    }
)


def load() -> Any:
    """Import litellm once: local cost map (no fetch from the internet), no telemetry, no noise."""
    global _module
    with _lock:
        if _module is None:
            os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
            os.environ.setdefault("LITELLM_LOG", "ERROR")
            os.environ.setdefault("LITELLM_TELEMETRY", "False")
            litellm: Any = require("litellm", "llm", "LLM support")
            if hasattr(litellm, "telemetry"):
                litellm.telemetry = False
            litellm.suppress_debug_info = True
            litellm.set_verbose = False
            litellm.turn_off_message_logging = True
            litellm.drop_params = True  # drop parameters a provider does not accept
            # pydantic's note about litellm's own TypedDicts, once per process: not ours to fix
            warnings.filterwarnings(
                "ignore", message=r"Item '.*' on TypedDict class", category=UserWarning
            )
            for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
                logging.getLogger(name).setLevel(logging.ERROR)
            _module = litellm
        return _module


def _entry(model: str) -> dict[str, Any] | None:
    """litellm's model-map entry: the exact name, or "provider/name" with the name listed under
    that provider. (get_model_info is not used: it invents zero prices for some unknown names.)"""
    table: dict[str, Any] = load().model_cost
    if isinstance(table.get(model), dict):
        return dict(table[model])
    provider, _, name = model.partition("/")
    entry = table.get(name) if name else None
    if isinstance(entry, dict) and provider in str(entry.get("litellm_provider", "")):
        return dict(entry)
    return None


def token_prices(model: str) -> tuple[float, float] | None:
    """litellm's (input, output) USD per token for a model, or None when it has no price."""
    entry = _entry(model)
    if entry is None:
        return None
    inp, out = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
    if inp is None or out is None:
        return None
    return float(inp), float(out)


def provider_of(model: str) -> str | None:
    """The provider litellm routes a model name to, or None when it cannot tell."""
    litellm = load()
    try:
        return str(litellm.get_llm_provider(model)[1])
    except Exception:
        return None


def model_problem(model: str, api_base: str | None) -> str | None:
    """Why litellm cannot use ``model`` (None when it can).

    Known: litellm lists the model (it has its price and context window), or its provider serves
    arbitrary names (ollama, azure, ...), or an api_base points at a server of a known provider
    (``openai/<anything>`` with an OpenAI-compatible local server).
    """
    if token_prices(model) is not None:
        return None
    provider = provider_of(model)
    if provider is None:
        return "litellm does not know this model and cannot tell its provider"
    if provider in ANY_NAME_PROVIDERS or api_base:
        return None
    return f"litellm does not list this model (provider {provider!r} is known, the name is not)"


def count_tokens(model: str, messages: list[dict[str, Any]]) -> int:
    """litellm's count of prompt tokens (bundled tokenizers, offline); 0 when it cannot tell."""
    try:
        return int(load().token_counter(model=model, messages=messages))
    except Exception:
        return 0
