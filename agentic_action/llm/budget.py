"""Money: model prices, the run and monthly budgets, and where the month's spend is kept.

A call is made only when its worst case (estimated prompt tokens + the max_tokens cap, at the
model's price) fits in what is left of both budgets, counting calls in flight. The first refusal
stops all spending for the rest of the run: a run never ends up half-funded in a random order.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from agentic_action.fileutil import atomic_write, file_lock
from agentic_action.llm import _litellm
from agentic_action.llm.config import LLMConfig, Price

# Providers that run on the user's own machine: their price is known, and it is zero.
LOCAL_FREE_PROVIDERS = ("ollama/", "ollama_chat/", "lm_studio/", "llamafile/")


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


class SpendStore(Protocol):
    """Where the month's LLM spend is kept across runs (the ledger implements it too)."""

    def month_spent(self, month: str) -> float:
        """USD spent in the month ("YYYY-MM", UTC) by all runs so far."""
        ...

    def add_spend(self, month: str, usd: float) -> None:
        """Add the cost of one call; called after every paid call."""
        ...


class MemorySpendStore:
    """A SpendStore that forgets at exit (for a run without history, and for tests)."""

    def __init__(self, spent: dict[str, float] | None = None) -> None:
        self._spent = dict(spent or {})
        self._lock = threading.Lock()

    def month_spent(self, month: str) -> float:
        with self._lock:
            return self._spent.get(month, 0.0)

    def add_spend(self, month: str, usd: float) -> None:
        with self._lock:
            self._spent[month] = self._spent.get(month, 0.0) + usd


class JsonSpendStore:
    """A SpendStore in one JSON file: {"months": {"2026-11": 1.25}}, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def month_spent(self, month: str) -> float:
        with self._lock:
            return float(self._read().get(month, 0.0))

    def add_spend(self, month: str, usd: float) -> None:
        with self._lock, file_lock(self.path.with_name(self.path.name + ".lock")):
            months = self._read()
            months[month] = float(months.get(month, 0.0)) + usd
            atomic_write(
                self.path, json.dumps({"months": months}, indent=1, sort_keys=True), private=True
            )

    def _read(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise ValueError(
                f"spend file {self.path} is unreadable ({error}); fix or delete it "
                "(deleting it forgets this month's LLM spend)"
            ) from error
        months = data.get("months", {}) if isinstance(data, dict) else None
        if not isinstance(months, dict):
            raise ValueError(f"spend file {self.path}: expected {{'months': {{...}}}}")
        return {str(k): float(v) for k, v in months.items()}


def token_price(model: str, config: LLMConfig) -> tuple[float, float] | None:
    """USD per (input, output) token: the config's prices, then litellm's, then local = 0.

    None means unknown: such calls are recorded at 0 USD and flagged "unknown price".
    """
    if model in config.prices:
        return config.prices[model].per_token()
    known = _litellm.token_prices(model)
    if known is not None:
        return known
    if model.startswith(LOCAL_FREE_PROVIDERS):
        return Price(0.0, 0.0).per_token()
    return None


class Budget:
    """The run and monthly limits, with reservations for calls in flight. Thread-safe."""

    def __init__(
        self,
        run_limit: float | None,
        monthly_limit: float | None,
        store: SpendStore,
        month: str | None = None,
    ) -> None:
        self.run_limit = run_limit
        self.monthly_limit = monthly_limit
        self.store = store
        self.month = month or current_month()
        self.run_spent = 0.0
        self.stopped: str | None = None
        self._in_flight = 0.0
        self._lock = threading.Lock()

    def reserve(self, worst_case_usd: float) -> str | None:
        """Reserve money for one call. None: go ahead. A string: refused, and why (it stops)."""
        with self._lock:
            if self.stopped is None:
                self.stopped = self._refusal(worst_case_usd)
            if self.stopped is not None:
                return self.stopped
            self._in_flight += worst_case_usd
            return None

    def settle(self, reserved_usd: float, actual_usd: float) -> None:
        """Replace a reservation by what the call really cost, and persist the spend."""
        with self._lock:
            self._in_flight -= reserved_usd
            self.run_spent += actual_usd
        if actual_usd > 0:
            self.store.add_spend(self.month, actual_usd)

    def month_spent(self) -> float:
        return self.store.month_spent(self.month)

    def _refusal(self, worst: float) -> str | None:
        if self.run_limit is not None:
            left = self.run_limit - self.run_spent - self._in_flight
            if left <= 0 or worst > left:
                return (
                    f"run budget: a call costing up to ${worst:.4f} would exceed the "
                    f"${self.run_limit:.2f} per-run budget (${max(left, 0.0):.4f} left)"
                )
        if self.monthly_limit is not None:
            left = self.monthly_limit - self.month_spent() - self._in_flight
            if left <= 0 or worst > left:
                return (
                    f"monthly budget: a call costing up to ${worst:.4f} would exceed the "
                    f"${self.monthly_limit:.2f} budget for {self.month} "
                    f"(${max(left, 0.0):.4f} left)"
                )
        return None
