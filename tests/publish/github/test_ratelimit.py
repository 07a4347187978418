"""The rate limiter's decisions, on the headers and answers GitHub sends."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fake_github_world import Sleeper

from agentic_action.publish.github import Tuning
from agentic_action.publish.github.ratelimit import RateLimiter


@dataclass
class Clock:
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(clock: Clock, **changes: float) -> RateLimiter:
    tuning = Tuning(clock=clock, sleep=clock.sleep, backoff=1.0, retries=3, max_wait=60.0)
    for key, value in changes.items():
        object.__setattr__(tuning, key, value)
    return RateLimiter(tuning, threshold=100)


def headers(remaining: int, reset: int = 4600) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Resource": "core",
    }


def test_headers_of_each_answer_update_the_known_budget() -> None:
    clock = Clock()
    limits = limiter(clock)
    limits.observe(headers(4321))

    assert limits.budget is not None and limits.budget.remaining == 4321
    assert limits.low_budget_reason() is None
    limits.observe(headers(99))
    reason = limits.low_budget_reason()
    assert reason is not None and "99 of 5000" in reason and "resets in 3600 s" in reason


def test_search_budget_headers_do_not_count_as_core() -> None:
    limits = limiter(Clock())
    limits.observe({**headers(1), "X-RateLimit-Resource": "search"})

    assert limits.budget is None


def test_known_budget_goes_stale_with_time_and_at_reset() -> None:
    clock = Clock()
    limits = limiter(clock)
    limits.observe(headers(4000, reset=1030))

    assert not limits.budget_is_stale()
    clock.now += 31
    assert limits.budget_is_stale()


def test_secondary_limit_waits_retry_after_and_widens_write_spacing() -> None:
    limits = limiter(Clock(), seconds_between_writes=1.0)

    verdict = limits.judge(403, {"Retry-After": "12"}, "secondary rate limit", 0, False)

    assert verdict is not None and verdict.retry and verdict.wait == 12.0
    assert limits.write_spacing == 2.0 and limits.secondary_hits == 1


def test_secondary_limit_without_retry_after_waits_the_default_minute() -> None:
    verdict = limiter(Clock()).judge(403, {}, "You have exceeded a secondary rate limit", 0, True)

    assert verdict is not None and verdict.wait == 60.0


def test_spent_primary_limit_waits_for_the_reset_only_if_short() -> None:
    clock = Clock()
    soon = limiter(clock).judge(403, headers(0, reset=1020), "API rate limit exceeded", 0, True)
    late = limiter(clock).judge(403, headers(0, reset=4600), "API rate limit exceeded", 0, True)

    assert soon is not None and soon.retry and soon.wait == 21.0
    assert late is not None and not late.retry and "3601 s" in late.reason


def test_plain_403_is_not_a_rate_limit() -> None:
    assert limiter(Clock()).judge(403, headers(4000), "Resource not accessible", 0, True) is None


def test_5xx_backs_off_exponentially_for_idempotent_requests_only() -> None:
    limits = limiter(Clock())

    waits = [limits.judge(502, {}, "", n, True) for n in range(4)]
    write = limits.judge(502, {}, "", 0, False)

    assert [v.wait for v in waits[:3] if v] == [1.0, 2.0, 4.0]
    assert waits[3] is not None and not waits[3].retry
    assert write is not None and not write.retry and "not repeated blindly" in write.reason


def test_writes_are_serialized_and_spaced() -> None:
    sleeper = Sleeper()
    limits = RateLimiter(Tuning(seconds_between_writes=0.5, sleep=sleeper), threshold=0)
    inside = []
    most = []

    def write() -> None:
        with limits.write_slot():
            inside.append(1)
            most.append(len(inside))
            inside.pop()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert max(most) == 1
    assert len([w for w in sleeper.waits if w > 0.4]) == 3  # every write after the first waited
