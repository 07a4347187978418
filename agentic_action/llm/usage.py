"""What the router did: a record per attempt or cache hit; totals per method, model and run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    OK = "ok"  # an HTTP call that answered
    CACHED = "cached"  # answered from the response cache: no HTTP call, no tokens
    TIMEOUT = "timeout"
    ERROR = "error"  # any other failed HTTP call (5xx, 4xx, garbage, connection)
    BUDGET = "budget"  # not made: it could have exceeded the budget


@dataclass(frozen=True)
class CallRecord:
    method: str
    model: str
    outcome: Outcome
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    price_known: bool = True  # False: cost recorded as 0, the model's price is unknown
    seconds: float = 0.0
    detail: str = ""

    @property
    def cached(self) -> bool:
        return self.outcome is Outcome.CACHED

    @property
    def http(self) -> bool:
        return self.outcome not in (Outcome.CACHED, Outcome.BUDGET)


@dataclass(frozen=True)
class Totals:
    calls: int = 0  # HTTP requests made
    answers: int = 0  # answers returned, cached or not
    cache_hits: int = 0
    failures: int = 0  # failed HTTP calls (retried or not)
    refused: int = 0  # calls not made for the budget
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    unknown_price_models: tuple[str, ...] = ()


def totals(records: Iterable[CallRecord]) -> Totals:
    rows = list(records)
    unknown = sorted({r.model for r in rows if r.http and not r.price_known})
    return Totals(
        calls=sum(r.http for r in rows),
        answers=sum(r.outcome in (Outcome.OK, Outcome.CACHED) for r in rows),
        cache_hits=sum(r.cached for r in rows),
        failures=sum(r.outcome in (Outcome.TIMEOUT, Outcome.ERROR) for r in rows),
        refused=sum(r.outcome is Outcome.BUDGET for r in rows),
        prompt_tokens=sum(r.prompt_tokens for r in rows),
        completion_tokens=sum(r.completion_tokens for r in rows),
        cost_usd=sum(r.cost_usd for r in rows),
        seconds=sum(r.seconds for r in rows),
        unknown_price_models=tuple(unknown),
    )


def _grouped(records: Iterable[CallRecord], key: str) -> dict[str, Totals]:
    groups: dict[str, list[CallRecord]] = {}
    for record in records:
        name = str(getattr(record, key))
        if key == "method":
            name = name.split(":", 1)[0]  # "actor-critic:critic" counts for actor-critic
        groups.setdefault(name, []).append(record)
    return {name: totals(rows) for name, rows in sorted(groups.items())}


@dataclass(frozen=True)
class UsageReport:
    """Everything the report needs to say about LLM spending in one run."""

    run: Totals
    by_method: Mapping[str, Totals]
    by_model: Mapping[str, Totals]
    budget_usd: float | None
    monthly_budget_usd: float | None
    month_spent_usd: float  # the month's spend so far, this run included
    stopped: str | None  # why the router stopped spending, if it did
    records: tuple[CallRecord, ...] = field(default=(), repr=False)

    @classmethod
    def build(
        cls,
        records: Iterable[CallRecord],
        *,
        budget_usd: float | None,
        monthly_budget_usd: float | None,
        month_spent_usd: float,
        stopped: str | None,
    ) -> UsageReport:
        rows = tuple(records)
        return cls(
            run=totals(rows),
            by_method=_grouped(rows, "method"),
            by_model=_grouped(rows, "model"),
            budget_usd=budget_usd,
            monthly_budget_usd=monthly_budget_usd,
            month_spent_usd=month_spent_usd,
            stopped=stopped,
            records=rows,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (records included) for the JSON report."""
        data = asdict(self)
        data["records"] = [{**asdict(r), "outcome": r.outcome.value} for r in self.records]
        return data
