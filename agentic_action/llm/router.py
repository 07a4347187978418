"""The router: one ``complete()`` for every method, over litellm.

For one call: the response cache first (every model of the method's chain), then each model in
turn — budget check, call, retries with exponential backoff on transient errors (5xx, 429,
timeouts, connection errors), fallback to the next model on anything else or when retries run
out. Expected failures come back as ``LLMFailure`` values; every attempt is recorded.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from agentic_action.llm import _litellm
from agentic_action.llm.budget import (
    Budget,
    JsonSpendStore,
    MemorySpendStore,
    SpendStore,
    token_price,
)
from agentic_action.llm.cache import ResponseCache, cache_key, new_entry
from agentic_action.llm.config import Effort, LLMConfig
from agentic_action.llm.usage import CallRecord, Outcome, UsageReport
from agentic_action.model import LLM_METHODS as METHODS

Message = Mapping[str, Any]


class FailureReason(StrEnum):
    NOT_CONFIGURED = "not-configured"  # no model for this method: use the rules engine
    BUDGET = "budget"  # the call could exceed a budget; spending stopped for the run
    UNAVAILABLE = "unavailable"  # every model failed (errors, timeouts), see attempts


@dataclass(frozen=True)
class Attempt:
    """One failed HTTP call."""

    model: str
    outcome: Outcome  # TIMEOUT or ERROR
    detail: str
    seconds: float


@dataclass(frozen=True)
class LLMAnswer:
    text: str
    model: str
    method: str
    prompt_tokens: int  # spent by this call: 0 for a cache hit
    completion_tokens: int
    cost_usd: float
    price_known: bool
    seconds: float
    cached: bool
    failed_attempts: tuple[Attempt, ...] = ()  # failures before this answer (fallbacks)


@dataclass(frozen=True)
class LLMFailure:
    reason: FailureReason
    detail: str
    method: str
    attempts: tuple[Attempt, ...] = ()


_TRANSIENT = (
    "Timeout",
    "APIConnectionError",
    "InternalServerError",
    "ServiceUnavailableError",
    "BadGatewayError",
    "RateLimitError",
)


class Router:
    """Shared by all agents of a run (thread-safe). litellm is imported at the first real call."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        cache: ResponseCache | None = None,
        spend_store: SpendStore | None = None,
        month: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if config.configured:
            config.check_models()
        self.config = config
        self.cache = cache
        self.budget = Budget(
            config.budget_usd, config.monthly_budget_usd, spend_store or MemorySpendStore(), month
        )
        self._sleep = sleep
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()

    # -- what methods ask before spending ------------------------------------------------------

    def models_for(self, method: str) -> tuple[str, ...]:
        return self.config.models_for(_checked_method(method))

    def available(self, method: str) -> bool:
        """False when no model is configured for the method or spending has stopped."""
        return bool(self.models_for(method)) and self.budget.stopped is None

    def effort(self, method: str) -> Effort:
        return self.config.effort(method)

    @property
    def stopped(self) -> str | None:
        return self.budget.stopped

    @property
    def records(self) -> tuple[CallRecord, ...]:
        with self._lock:
            return tuple(self._records)

    def usage(self) -> UsageReport:
        return UsageReport.build(
            self.records,
            budget_usd=self.config.budget_usd,
            monthly_budget_usd=self.config.monthly_budget_usd,
            month_spent_usd=self.budget.month_spent(),
            stopped=self.budget.stopped,
        )

    # -- the call ------------------------------------------------------------------------------

    def complete(
        self,
        method: str,
        messages: Sequence[Message],
        *,
        temperature: float = 0.2,
        max_tokens: int | None = None,
        variant: int = 0,
        prefer: str | None = None,
    ) -> LLMAnswer | LLMFailure:
        """Ask the method's models, in order, for one answer.

        ``variant`` asks the same question again for a different answer (it is part of the
        cache key); ``prefer`` puts one model of the chain first (e.g. one candidate per model).
        """
        chain = self._chain(method, prefer)
        _check_messages(messages)
        if not chain:
            return LLMFailure(
                FailureReason.NOT_CONFIGURED, f"no model configured for {method}", method
            )
        if max_tokens is not None and max_tokens <= 0:
            raise ValueError(f"max_tokens={max_tokens!r}: expected a whole number > 0, or None")
        cap = max_tokens or self.config.max_tokens
        params = {"temperature": temperature, "max_tokens": cap, "variant": variant}
        hit = self._from_cache(method, chain, messages, params)
        if hit is not None:
            return hit
        attempts: list[Attempt] = []
        for model in chain:
            result = self._try_model(method, model, messages, params, attempts)
            if result is not None:
                return result
        summary = "; ".join(f"{a.model}: {a.outcome.value} ({a.detail})" for a in attempts)
        return LLMFailure(FailureReason.UNAVAILABLE, summary, method, tuple(attempts))

    def _chain(self, method: str, prefer: str | None) -> tuple[str, ...]:
        chain = self.models_for(method)
        if prefer is not None:
            if prefer not in chain:
                raise ValueError(f"prefer={prefer!r} is not a model for {method}: {chain}")
            chain = (prefer, *(m for m in chain if m != prefer))
        return chain

    def _from_cache(
        self,
        method: str,
        chain: Sequence[str],
        messages: Sequence[Message],
        params: Mapping[str, Any],
    ) -> LLMAnswer | None:
        if self.cache is None:
            return None
        for model in chain:
            entry = self.cache.get(cache_key(model, messages, params))
            if entry is not None:
                self._record(CallRecord(method, model, Outcome.CACHED))
                return LLMAnswer(entry.text, model, method, 0, 0, 0.0, True, 0.0, cached=True)
        return None

    def _try_model(
        self,
        method: str,
        model: str,
        messages: Sequence[Message],
        params: Mapping[str, Any],
        attempts: list[Attempt],
    ) -> LLMAnswer | LLMFailure | None:
        """An answer, a budget refusal, or None to fall back (failures added to ``attempts``)."""
        price = token_price(model, self.config)
        worst = _worst_case(model, messages, int(params["max_tokens"]), price)
        refusal = self.budget.reserve(worst)
        if refusal is not None:
            self._record(CallRecord(method, model, Outcome.BUDGET, detail=refusal))
            return LLMFailure(FailureReason.BUDGET, refusal, method, tuple(attempts))
        try:
            for retry in range(self.config.max_retries + 1):
                if retry:
                    self._sleep(self.config.backoff_seconds * 2 ** (retry - 1))
                answer_or_attempt = self._call(method, model, messages, params, price)
                if isinstance(answer_or_attempt, LLMAnswer):
                    self.budget.settle(worst, answer_or_attempt.cost_usd)
                    worst = 0.0
                    return replace(answer_or_attempt, failed_attempts=tuple(attempts))
                attempt, transient = answer_or_attempt
                attempts.append(attempt)
                if not transient:
                    break
        finally:
            if worst:
                self.budget.settle(worst, 0.0)  # failed calls are assumed not billed
        return None

    def _call(
        self,
        method: str,
        model: str,
        messages: Sequence[Message],
        params: Mapping[str, Any],
        price: tuple[float, float] | None,
    ) -> LLMAnswer | tuple[Attempt, bool]:
        litellm = _litellm.load()
        started = time.perf_counter()
        try:
            response = litellm.completion(**self._request(model, messages, params))
        except Exception as error:  # litellm raises many types; all are a failed attempt
            seconds = time.perf_counter() - started
            transient = type(error).__name__ in _TRANSIENT or _status(error) >= 500
            outcome = Outcome.TIMEOUT if type(error).__name__ == "Timeout" else Outcome.ERROR
            detail = f"{type(error).__name__}: {str(error)[:300]}"
            self._record(CallRecord(method, model, outcome, seconds=seconds, detail=detail))
            return Attempt(model, outcome, detail, seconds), transient
        seconds = time.perf_counter() - started
        answer = self._answer(method, model, response, price, seconds)
        if self.cache is not None and answer.text.strip():
            entry = new_entry(
                model, answer.text, answer.prompt_tokens, answer.completion_tokens, answer.cost_usd
            )
            # a full or read-only disk costs the cache, not the answer
            with contextlib.suppress(OSError):
                self.cache.put(cache_key(model, messages, params), entry)
        return answer

    def _request(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": model,
            "messages": [dict(m) for m in messages],
            "temperature": params["temperature"],
            "max_tokens": params["max_tokens"],
            "timeout": self.config.timeout,
            "max_retries": 0,  # the OpenAI SDK's own retries: we retry ourselves
            "num_retries": 0,  # litellm's
        }
        if self.config.api_base:
            request["api_base"] = self.config.api_base
        if self.config.api_key:
            request["api_key"] = self.config.api_key
        return request

    def _answer(
        self,
        method: str,
        model: str,
        response: Any,
        price: tuple[float, float] | None,
        seconds: float,
    ) -> LLMAnswer:
        usage = getattr(response, "usage", None)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        reported = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
        if price is not None:
            cost, known = tokens_in * price[0] + tokens_out * price[1], True
        elif reported is not None:
            cost, known = float(reported), True
        else:
            cost, known = 0.0, False
        text = response.choices[0].message.content or "" if response.choices else ""
        detail = "" if known else "unknown price: cost recorded as 0"
        record = CallRecord(
            method, model, Outcome.OK, tokens_in, tokens_out, cost, known, seconds, detail
        )
        self._record(record)
        return LLMAnswer(text, model, method, tokens_in, tokens_out, cost, known, seconds, False)

    def _record(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)


def open_router(
    config: LLMConfig, state_dir: Path | None = None, *, spend_store: SpendStore | None = None
) -> Router:
    """A Router with its cache in ``state_dir/llm-cache/`` and, unless a spend store (the
    ledger) is given, the month's spend in ``state_dir/llm-spend.json``. No state_dir: no cache,
    and the month's spend is forgotten at exit."""
    if state_dir is None:
        return Router(config, spend_store=spend_store)
    store = spend_store or JsonSpendStore(Path(state_dir) / "llm-spend.json")
    return Router(config, cache=ResponseCache(Path(state_dir) / "llm-cache"), spend_store=store)


def _checked_method(method: str) -> str:
    if method.split(":", 1)[0] not in METHODS:
        raise ValueError(
            f"method={method!r}: expected one of {', '.join(METHODS)}, optionally with a role "
            "(e.g. 'actor-critic:critic')"
        )
    return method


def _check_messages(messages: Sequence[Message]) -> None:
    if not messages or not all(
        isinstance(m, Mapping)
        and isinstance(m.get("role"), str)
        and isinstance(m.get("content"), str)
        for m in messages
    ):
        raise ValueError(
            "messages: expected a non-empty list of {'role': str, 'content': str} dicts"
        )


def _status(error: Exception) -> int:
    status = getattr(error, "status_code", None)
    return status if isinstance(status, int) else 0


def _worst_case(
    model: str, messages: Sequence[Message], max_tokens: int, price: tuple[float, float] | None
) -> float:
    """The most a call can cost: prompt tokens (litellm's count, at least chars/3) + the cap."""
    if price is None:
        return 0.0
    chars = sum(len(str(m.get("content", ""))) for m in messages)
    estimate = math.ceil(chars / 3) + 8 * len(messages)
    counted = _litellm.count_tokens(model, [dict(m) for m in messages])
    return max(estimate, counted) * price[0] + max_tokens * price[1]
