"""LLM configuration: which models, how much money, how much effort. Every default is here.

Sources, strongest first: environment (``OPTIMIZER_LLM_*``), then the config file table
``[tool.agentic-optimizer.llm]`` (passed in as a dict), then the defaults below. Empty strings
count as unset (GitHub Actions passes unset inputs as ""). Keys never come from a file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentic_action.errors import BadInput
from agentic_action.llm import _litellm
from agentic_action.model import LLM_METHODS as METHODS

DEFAULT_BUDGET_USD = 1.0  # per run
DEFAULT_MONTHLY_BUDGET_USD = 20.0  # per calendar month (UTC), all runs of the repository
DEFAULT_TIMEOUT_SECONDS = 120.0  # per HTTP call
DEFAULT_MAX_RETRIES = 2  # per model, on 5xx, 429, timeouts and connection errors
DEFAULT_BACKOFF_SECONDS = 1.0  # first retry pause; doubles each retry
DEFAULT_MAX_TOKENS = 4096  # answer cap sent with every call; bounds the worst-case cost

ENV = {
    "provider": "OPTIMIZER_LLM_PROVIDER",
    "fallback": "OPTIMIZER_LLM_FALLBACK",
    "api_base": "OPTIMIZER_LLM_API_BASE",
    "api_key": "OPTIMIZER_LLM_API_KEY",
    "budget_usd": "OPTIMIZER_LLM_BUDGET_USD",
    "monthly_budget_usd": "OPTIMIZER_LLM_MONTHLY_BUDGET_USD",
    "priority": "OPTIMIZER_LLM_PRIORITY",
    "timeout": "OPTIMIZER_LLM_TIMEOUT",
    "max_retries": "OPTIMIZER_LLM_MAX_RETRIES",
    "max_tokens": "OPTIMIZER_LLM_MAX_TOKENS",
}
FILE_KEYS = (*(k for k in ENV if k != "api_key"), "backoff_seconds", "methods", "prices")
FILE_TABLE = "[tool.agentic-optimizer.llm]"


class LLMConfigError(BadInput, ValueError):
    """An LLM setting (environment, action input or pyproject table) we cannot use; the message
    names it, where it came from, and the fix."""


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Effort:
    """How much one method may spend on one task."""

    candidates: int  # answers asked for per round (implementations, fixes, test files)
    rounds: int  # feedback rounds (critique → actor, failing fault → fix, tests → code)


# method → priority → effort. adversarial: candidates = alternative implementations (issue
# default 5); actor-critic: rounds = K; test-driven: rounds of test generation before the code;
# chaos: rounds = faults tried, candidates = fixes per fault.
EFFORT: Mapping[str, Mapping[Priority, Effort]] = {
    "test-driven": {
        Priority.LOW: Effort(1, 1),
        Priority.MEDIUM: Effort(2, 2),
        Priority.HIGH: Effort(4, 3),
    },
    "adversarial": {
        Priority.LOW: Effort(3, 1),
        Priority.MEDIUM: Effort(5, 1),
        Priority.HIGH: Effort(8, 2),
    },
    "actor-critic": {
        Priority.LOW: Effort(1, 2),
        Priority.MEDIUM: Effort(1, 3),
        Priority.HIGH: Effort(2, 5),
    },
    "chaos": {
        Priority.LOW: Effort(1, 1),
        Priority.MEDIUM: Effort(2, 2),
        Priority.HIGH: Effort(3, 3),
    },
}


@dataclass(frozen=True)
class Price:
    """USD per million tokens, for models litellm has no price for."""

    input_per_million: float
    output_per_million: float

    def per_token(self) -> tuple[float, float]:
        return self.input_per_million / 1e6, self.output_per_million / 1e6


@dataclass(frozen=True)
class LLMConfig:
    provider: str | None = None  # the main model, e.g. "openai/gpt-4o-mini"; None: no LLM
    fallbacks: tuple[str, ...] = ()
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)  # else the provider's own variables
    budget_usd: float | None = DEFAULT_BUDGET_USD  # per run; None: no per-run limit
    monthly_budget_usd: float | None = DEFAULT_MONTHLY_BUDGET_USD  # None: no monthly limit
    priority: Priority = Priority.MEDIUM
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
    max_tokens: int = DEFAULT_MAX_TOKENS
    # method (or "method:role", e.g. "actor-critic:critic") → models tried first for it
    method_models: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    prices: Mapping[str, Price] = field(default_factory=dict)  # our own price table
    # setting -> where its value came from (e.g. "OPTIMIZER_LLM_PROVIDER"), for error messages
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.provider or self.fallbacks or self.method_models)

    def models_for(self, method: str) -> tuple[str, ...]:
        """The chain tried for a method: its preferred models, then provider, then fallbacks."""
        role_key, base = method, method.split(":", 1)[0]
        chain = [*self.method_models.get(role_key, ()), *self.method_models.get(base, ())]
        chain += [m for m in (self.provider, *self.fallbacks) if m]
        return tuple(dict.fromkeys(chain))

    def effort(self, method: str) -> Effort:
        base = method.split(":", 1)[0]
        if base not in EFFORT:
            raise LLMConfigError(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")
        return EFFORT[base][self.priority]

    def check_models(self, where: Mapping[str, str] | None = None) -> None:
        """Raise ValueError for a model name litellm cannot use (imports litellm if any)."""
        names = where or self.sources
        for model, source in self._all_models(names):
            if model in self.prices:
                continue
            problem = _litellm.model_problem(model, self.api_base)
            if problem:
                raise LLMConfigError(
                    f"{source}={model!r}: {problem}. Use a model litellm lists (for example "
                    "'openai/gpt-4o-mini' or 'anthropic/claude-haiku-4-5'), "
                    f"'openai/<name>' with {ENV['api_base']} for an OpenAI-compatible server, "
                    f"or give the model a price under {FILE_TABLE} prices."
                )

    def _all_models(self, names: Mapping[str, str]) -> list[tuple[str, str]]:
        found = []
        if self.provider:
            found.append((self.provider, names.get("provider", "LLMConfig.provider")))
        found += [(m, names.get("fallback", "LLMConfig.fallbacks")) for m in self.fallbacks]
        for method, models in self.method_models.items():
            found += [(m, f"{FILE_TABLE} methods.{method}") for m in models]
        return found

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        file_config: Mapping[str, Any] | None = None,
        *,
        check_models: bool = True,
    ) -> LLMConfig:
        """Build and validate; a bad value raises ValueError naming it and what is allowed.

        ``check_models=False``: the model names are not looked up (that imports litellm);
        :meth:`check_models` does it when a model is about to be used."""
        merged, where = _merge(env, file_config or {})
        config = cls(
            provider=_text(merged.get("provider")),
            fallbacks=_models(merged.get("fallback"), where.get("fallback", "")),
            api_base=_text(merged.get("api_base")),
            api_key=_text(merged.get("api_key")),
            budget_usd=_money(merged, where, "budget_usd", DEFAULT_BUDGET_USD),
            monthly_budget_usd=_money(
                merged, where, "monthly_budget_usd", DEFAULT_MONTHLY_BUDGET_USD
            ),
            priority=_priority(merged.get("priority"), where.get("priority", "")),
            timeout=_number(merged, where, "timeout", DEFAULT_TIMEOUT_SECONDS, positive=True),
            max_retries=int(_number(merged, where, "max_retries", DEFAULT_MAX_RETRIES, whole=True)),
            backoff_seconds=_number(merged, where, "backoff_seconds", DEFAULT_BACKOFF_SECONDS),
            max_tokens=int(
                _number(merged, where, "max_tokens", DEFAULT_MAX_TOKENS, positive=True, whole=True)
            ),
            method_models=_method_models(merged.get("methods")),
            prices=_prices(merged.get("prices")),
            sources=where,
        )
        if check_models and config.configured:
            config.check_models()
        return config


def _merge(
    env: Mapping[str, str], file_config: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    unknown = sorted(set(file_config) - set(FILE_KEYS))
    if "api_key" in unknown:
        raise LLMConfigError(
            f"{FILE_TABLE} api_key: keys do not belong in a config file; set "
            f"{ENV['api_key']} or the provider's variable (e.g. OPENAI_API_KEY) as a secret."
        )
    if unknown:
        raise LLMConfigError(
            f"{FILE_TABLE}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(FILE_KEYS)}"
        )
    merged: dict[str, Any] = {}
    where: dict[str, str] = {}
    for key, value in file_config.items():
        if value is not None and value != "":
            merged[key], where[key] = value, f"{FILE_TABLE} {key}"
    for key, variable in ENV.items():
        value = env.get(variable, "").strip()
        if value:
            merged[key], where[key] = value, variable
    return merged, where


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _models(value: Any, source: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        raise LLMConfigError(f"{source}={value!r}: expected a comma-separated list of model names")
    return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))


def _number(
    merged: Mapping[str, Any],
    where: Mapping[str, str],
    key: str,
    default: float,
    *,
    positive: bool = False,
    whole: bool = False,
) -> float:
    if key not in merged:
        return default
    value, source = merged[key], where[key]
    kind = "a whole number" if whole else "a number"
    bound = "> 0" if positive else ">= 0"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LLMConfigError(f"{source}={value!r}: expected {kind} {bound}") from None
    bad = not math.isfinite(number) or number < 0 or (positive and number == 0)
    if bad or (whole and not number.is_integer()):
        raise LLMConfigError(f"{source}={value!r}: expected {kind} {bound}")
    return number


def _money(
    merged: Mapping[str, Any], where: Mapping[str, str], key: str, default: float
) -> float | None:
    if str(merged.get(key, "")).strip().lower() in {"unlimited", "none"}:
        return None
    try:
        return _number(merged, where, key, default)
    except ValueError as error:
        raise LLMConfigError(f"{error} (USD), or 'unlimited'; 0 disables LLM calls") from None


def _priority(value: Any, source: str) -> Priority:
    if value is None:
        return Priority.MEDIUM
    try:
        return Priority(str(value).strip().lower())
    except ValueError:
        allowed = " | ".join(p.value for p in Priority)
        raise LLMConfigError(f"{source}={value!r}: expected {allowed}") from None


def _method_models(value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise LLMConfigError(f"{FILE_TABLE} methods={value!r}: expected a table method = [models]")
    result = {}
    for method, models in value.items():
        if str(method).split(":", 1)[0] not in METHODS:
            raise LLMConfigError(
                f"{FILE_TABLE} methods.{method}: unknown method; expected one of "
                f"{', '.join(METHODS)} (optionally with a role, e.g. 'actor-critic:critic')"
            )
        result[str(method)] = _models(models, f"{FILE_TABLE} methods.{method}")
    return result


def _prices(value: Any) -> dict[str, Price]:
    if value is None:
        return {}
    shape = "a table model = {input = USD per million tokens, output = USD per million tokens}"
    if not isinstance(value, Mapping):
        raise LLMConfigError(f"{FILE_TABLE} prices={value!r}: expected {shape}")
    result = {}
    for model, price in value.items():
        try:
            result[str(model)] = Price(float(price["input"]), float(price["output"]))
        except (TypeError, KeyError, ValueError):
            raise LLMConfigError(
                f"{FILE_TABLE} prices.{model}={price!r}: expected {shape}"
            ) from None
        if min(result[str(model)].per_token()) < 0:
            raise LLMConfigError(f"{FILE_TABLE} prices.{model}={price!r}: prices must be >= 0")
    return result
