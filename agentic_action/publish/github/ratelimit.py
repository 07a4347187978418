"""The rate limiter: reads GitHub's rate-limit headers of every network answer, knows the primary
budget and its reset, decides how long to wait before a retry (Retry-After, secondary limits,
5xx backoff), serializes writes and spaces them, widening the spacing after a secondary limit.

GitHub's rules it follows (REST "best practices" and "rate limits" pages):
- x-ratelimit-remaining / -reset / -limit / -used / -resource on every answer; 304s are free.
- 403 or 429 with Retry-After: wait that long. A secondary limit without Retry-After: wait at
  least a minute. Primary limit spent (remaining 0): wait until x-ratelimit-reset.
- Make content-creating requests one at a time, about a second apart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from agentic_action.publish.github.config import Tuning

# Why an attempt failed: a 5xx or no answer, no answer in time, GitHub's secondary (abuse) limit,
# the primary (hourly) limit spent.
FailureKind = Literal["server", "timeout", "secondary", "primary"]

SECONDARY_WORDS = ("secondary rate limit", "abuse detection")


@dataclass(frozen=True)
class Budget:
    """The primary rate limit as last reported by GitHub."""

    limit: int
    remaining: int
    reset: float  # epoch seconds
    resource: str
    observed_at: float  # our clock when it was read


@dataclass(frozen=True)
class Verdict:
    """What to do with one failed attempt: wait this long and retry, or give up with a reason."""

    retry: bool
    wait: float
    reason: str
    kind: FailureKind


class RateLimiter:
    def __init__(self, tuning: Tuning, threshold: int) -> None:
        self.tuning = tuning
        self.threshold = threshold
        self.budget: Budget | None = None
        self.secondary_hits = 0
        self.waited = 0.0
        self._spacing = tuning.seconds_between_writes
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._last_write = 0.0
        self._last_request = 0.0

    # -- what GitHub told us ----------------------------------------------------------------
    def observe(self, headers: Mapping[str, str]) -> None:
        """Record the rate-limit headers of an answer that came over the network."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            remaining = int(float(lowered["x-ratelimit-remaining"]))
            limit = int(float(lowered["x-ratelimit-limit"]))
            reset = float(lowered.get("x-ratelimit-reset", "0"))
        except (KeyError, ValueError):
            return
        resource = lowered.get("x-ratelimit-resource", "core")
        if resource != "core":
            return
        with self._state_lock:
            self.budget = Budget(limit, remaining, reset, resource, self.tuning.clock())

    def observe_overview(self, limit: int, remaining: int, reset: float) -> None:
        with self._state_lock:
            self.budget = Budget(limit, remaining, reset, "core", self.tuning.clock())

    def budget_is_stale(self) -> bool:
        budget = self.budget
        if budget is None:
            return True
        now = self.tuning.clock()
        return now - budget.observed_at > self.tuning.budget_max_age or now >= budget.reset

    def low_budget_reason(self, cost: int = 0) -> str | None:
        """Why we must stop writing (``cost`` more requests would leave less than the
        threshold), or None."""
        budget = self.budget
        if budget is None or budget.remaining - cost >= self.threshold:
            return None
        return (
            f"GitHub API budget low: {budget.remaining} of {budget.limit} core requests left, "
            f"below the threshold {self.threshold} (OPTIMIZER_GITHUB_RATE_LIMIT_THRESHOLD); "
            f"it resets in {max(0, int(budget.reset - self.tuning.clock()))} s"
        )

    # -- retries ------------------------------------------------------------------------------
    def judge(
        self, status: int, headers: Mapping[str, str], text: str, attempt: int, idempotent: bool
    ) -> Verdict | None:
        """None when the answer is final; else a Verdict to retry after a wait or give up."""
        lowered = {k.lower(): v for k, v in headers.items()}
        if status in (403, 429):
            return self._judge_limit(status, lowered, text.lower(), attempt)
        if status >= 500:
            reason = f"GitHub answered {status}"
            return self._backoff(reason, "server", attempt, allowed=idempotent)
        return None

    def judge_error(self, error: Exception, attempt: int, idempotent: bool) -> Verdict:
        kind: FailureKind = "timeout" if "timeout" in type(error).__name__.lower() else "server"
        reason = f"no answer from GitHub ({type(error).__name__})"
        return self._backoff(reason, kind, attempt, allowed=idempotent)

    def _judge_limit(
        self, status: int, headers: Mapping[str, str], text: str, attempt: int
    ) -> Verdict | None:
        retry_after = headers.get("retry-after")
        secondary = any(word in text for word in SECONDARY_WORDS)
        if secondary or retry_after is not None:
            with self._state_lock:
                self.secondary_hits += 1
                self._spacing = min(self.tuning.max_write_spacing, max(self._spacing * 2, 1.0))
            wait = _seconds(retry_after, self.tuning.secondary_default_wait)
            return self._limited(f"secondary rate limit ({status})", "secondary", wait, attempt)
        if headers.get("x-ratelimit-remaining") == "0":
            reset = _seconds(headers.get("x-ratelimit-reset"), 0.0)
            wait = max(0.0, reset - self.tuning.clock()) + 1.0
            return self._limited("primary rate limit spent", "primary", wait, attempt)
        return None  # a plain 403: permissions, not pace

    def _limited(self, reason: str, kind: FailureKind, wait: float, attempt: int) -> Verdict:
        if wait > self.tuning.max_wait:
            why = (
                f"{reason}: GitHub asks to wait {wait:.0f} s, "
                f"more than the {self.tuning.max_wait:.0f} s allowed"
            )
            return Verdict(False, 0.0, why, kind)
        if attempt >= self.tuning.retries:
            return Verdict(
                False, 0.0, f"{reason}: still limited after {attempt + 1} attempts", kind
            )
        return Verdict(True, wait, reason, kind)

    def _backoff(self, reason: str, kind: FailureKind, attempt: int, allowed: bool) -> Verdict:
        if not allowed:
            return Verdict(False, 0.0, f"{reason} to a write; not repeated blindly", kind)
        if attempt >= self.tuning.retries:
            return Verdict(False, 0.0, f"{reason}, {attempt + 1} attempts", kind)
        wait = min(self.tuning.max_wait, self.tuning.backoff * (2**attempt))
        return Verdict(True, wait, reason, kind)

    def wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            self.tuning.sleep(seconds)

    # -- pacing ---------------------------------------------------------------------------------
    @contextmanager
    def write_slot(self) -> Iterator[None]:
        """One write at a time, spaced by the (adaptive) write spacing."""
        with self._write_lock:
            self._pace(self._last_write + self._spacing)
            try:
                yield
            finally:
                self._last_write = self._last_request = self.tuning.clock()

    def read_slot(self) -> None:
        self._pace(self._last_request + self.tuning.seconds_between_requests)
        self._last_request = self.tuning.clock()

    def write_succeeded(self) -> None:
        """Narrow the spacing back towards the configured one after a clean write."""
        with self._state_lock:
            self._spacing = max(self.tuning.seconds_between_writes, self._spacing / 2)

    @property
    def write_spacing(self) -> float:
        return self._spacing

    def _pace(self, not_before: float) -> None:
        delay = not_before - self.tuning.clock()
        if delay > 0:
            self.wait(delay)


def _seconds(raw: str | None, default: float) -> float:
    if raw is None:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        return default
