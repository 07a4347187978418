"""The ``learning`` section of report.json, and the dashboard's learning charts' data.

* ``decisions``: per function, the method, model and rule order chosen, the estimate (chance,
  cost) and the reason, with what became of it;
* ``by_task_type``: success rate by task type over time (per day, from every observation kept);
* ``calibration``: the selector's estimated chance against the outcomes of its past decisions,
  in five bins.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from agentic_action.learning.selector import PRICE, TOKENS_PER_MINUTE
from agentic_action.learning.store import Observation

if TYPE_CHECKING:
    from agentic_action.learning.session import LearningSession

POLICY = (
    "Thompson sampling (stdlib random.betavariate) over Beta posteriors built from the "
    "outcomes of each method / rule family / model on the most similar functions seen before; "
    f"value = drawn chance - {PRICE} x cost units (a unit: 1 CPU minute or "
    f"{TOKENS_PER_MINUTE:.0f} tokens)."
)
BINS = 5


def learning_section(session: LearningSession, run_seconds: float) -> dict[str, Any]:
    state = session.state
    return {
        "policy": POLICY,
        "state": str(session.state_path),
        "warning": state.warning or None,
        "ledger": session.ledger_note,
        "observations": len(state.observations),
        "new_observations": session.new_observations,
        "auto": session.auto,
        "methods_considered": list(session.methods),
        "decisions": [d.to_json() for d in session.decisions],
        "overhead_seconds": round(session.seconds, 4),
        "overhead_share": round(session.seconds / run_seconds, 5) if run_seconds > 0 else None,
        "by_task_type": by_task_type(state.observations.values()),
        "calibration": calibration(state.decisions),
        "notes": list(session.notes),
    }


def by_task_type(observations: Iterable[Observation]) -> dict[str, list[dict[str, Any]]]:
    """task type -> [{day, tried, accepted, rate}], oldest day first (gate outcomes only)."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for o in observations:
        if o.outcome.weight != 1.0:  # maintainers' verdicts are not proof attempts
            continue
        day = dt.datetime.fromtimestamp(o.at, tz=dt.UTC).date().isoformat()
        cell = table[o.features.task_type][day]
        cell[0] += 1
        cell[1] += int(o.outcome.success)
    return {
        task: [
            {"day": day, "tried": n, "accepted": k, "rate": round(k / n, 4)}
            for day, (n, k) in sorted(days.items())
        ]
        for task, days in sorted(table.items())
    }


def calibration(decisions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Estimated chance against the observed rate of accepted changes, per bin."""
    bins: list[list[float]] = [[] for _ in range(BINS)]
    hits: list[int] = [0] * BINS
    for decision in decisions:
        if decision.get("outcome") == "no candidate":
            continue
        chance = float(decision.get("chance", 0.0))
        index = min(int(chance * BINS), BINS - 1)
        bins[index].append(chance)
        hits[index] += decision.get("outcome") == "accepted"
    return [
        {
            "bin": f"{i / BINS:.1f}-{(i + 1) / BINS:.1f}",
            "decisions": len(chances),
            "estimated": round(sum(chances) / len(chances), 4) if chances else None,
            "observed": round(hits[i] / len(chances), 4) if chances else None,
        }
        for i, chances in enumerate(bins)
    ]
