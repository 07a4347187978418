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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.learning.selector import PRICE, TOKENS_PER_MINUTE
from agentic_action.learning.store import Observation, parse_state, state_file

if TYPE_CHECKING:
    from agentic_action.learning.session import LearningSession

POLICY = (
    "Thompson sampling (stdlib random.betavariate) over Beta posteriors built from the "
    "outcomes of each method / rule family / model on the most similar functions seen before; "
    f"value = drawn chance - {PRICE} x cost units (a unit: 1 CPU minute or "
    f"{TOKENS_PER_MINUTE:.0f} tokens); functions in order of expected value (mean chance - "
    "the same price); the rules engine is not weighed where no rule applies."
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


def markdown(section: Mapping[str, Any]) -> list[str]:
    """The summary's learning lines: the selector's choices and why (collapsed)."""
    if not section:
        return []
    decisions = section.get("decisions") or []
    share = section.get("overhead_share")
    overhead = f"{section.get('overhead_seconds', 0):.3f} s" + (
        f" ({share:.2%} of the run)" if isinstance(share, float) else ""
    )
    lines = [
        "",
        f"<details><summary>Learning: {len(decisions)} decision(s), "
        f"{section.get('observations', 0)} observation(s) kept</summary>",
        "",
        f"- Policy: {section.get('policy', '')}",
        f"- History: {section.get('state', '')}; ledger {section.get('ledger', '')}",
        f"- The selector's own time: {overhead}",
    ]
    if decisions:
        lines += ["", "| Function | Method | Model | Chance | Why |", "|---|---|---|---|---|"]
        lines += [
            f"| `{d['function']}` | {d['method']} | {d.get('model') or '—'} | "
            f"{d['chance']:.0%} | {' '.join(str(d['reason']).split())[:200]} |"
            for d in decisions[:50]
        ]
    lines += ["", "</details>"]
    return lines


def dashboard(state_dir: Path, report: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The dashboard's learning data: success by task type over time and the estimates
    against outcomes from the whole kept history (read only: a bad state file is left alone),
    and the latest run's decisions; None when there is neither history nor a section."""
    section = (report or {}).get("learning") or {}
    try:
        state = parse_state(state_file(state_dir).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        state = None
    if state is None and not section:
        return None
    return {
        "by_task_type": by_task_type(state.observations.values())
        if state
        else section.get("by_task_type", {}),
        "calibration": calibration(state.decisions) if state else section.get("calibration", []),
        "decisions": list(section.get("decisions") or []),
        "observations": len(state.observations) if state else section.get("observations", 0),
    }
