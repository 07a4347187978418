"""Fixtures for ledger tests: a ledger in a temp dir, a clock moved by hand, sample results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentic_action.ledger import Ledger
from agentic_action.model import (
    CheckOutcome,
    CheckResult,
    Destination,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    SpeedEvidence,
    Status,
)


class Clock:
    """A clock the test moves by hand (leases, months) instead of sleeping."""

    def __init__(self, now: float = 1_795_000_000.0) -> None:  # 2026-11-18 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def sample_result(
    file: str = "src/pkg/mod.py",
    function: str = "slow_sum",
    *,
    method: str = "rules",
    status: Status = Status.ACCEPTED,
    reason: str = "1.8x faster, behaviour identical on 40 recorded inputs",
    speedup: float | None = 1.8,
    cid: str | None = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
) -> OptimizationResult:
    target = FunctionTarget(file=file, qualname=function, start_line=1, end_line=9)
    speed = None
    if speedup is not None:
        speed = SpeedEvidence(
            speedup=speedup,
            ci_low=speedup - 0.1,
            ci_high=speedup + 0.1,
            samples=30,
            noise=0.02,
            method="paired interleaved",
            significant=True,
            original_seconds=1e-3,
            candidate_seconds=1e-3 / speedup,
        )
    patch = PatchRef(cid=cid, reverse_cid=cid, path=f"patches/{cid}.diff") if cid else None
    checks = (CheckResult("syntax", CheckOutcome.PASSED), CheckResult("tests", CheckOutcome.PASSED))
    return OptimizationResult(
        target=target,
        method=method,
        status=status,
        reason=reason,
        checks=checks,
        speed=speed,
        patch=patch,
        destination=Destination.PATCH if cid else Destination.NONE,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "ledger.db", clock=clock) as opened:
        yield opened


@pytest.fixture
def make_result() -> Callable[..., OptimizationResult]:
    return sample_result
