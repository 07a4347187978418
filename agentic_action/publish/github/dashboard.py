"""The one dashboard issue: what is open, what was proven, what was rejected, and why.

Rendered deterministically from the run's results and GitHub's state, so an unchanged rerun
renders the same body and writes nothing. A dashboard a maintainer closed is left closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agentic_action.model import Destination, OptimizationResult, Status
from agentic_action.publish.github.bodies import speed_phrase
from agentic_action.publish.github.items import PublishOutcome
from agentic_action.publish.github.markers import DASHBOARD_MARKER, cap, neutral, one_line
from agentic_action.publish.github.state import RemoteState

TITLE = "Agentic optimizer dashboard"


@dataclass(frozen=True)
class DashboardOutcome:
    url: str | None
    written: bool  # created or updated in this call
    reason: str


def render(
    state: RemoteState,
    results: Sequence[OptimizationResult],
    outcomes: Mapping[str, PublishOutcome],
) -> str:
    lines = [
        DASHBOARD_MARKER,
        "This issue lists what agentic-optimizer has proposed and why. It is updated by each run;",
        "label an issue or PR `agentic-optimizer:skip` to keep the optimizer away from it.",
        "",
        "## Open",
    ]
    open_items = state.open_items()
    lines += [
        f"- #{k.number} ({'pull request' if k.is_pull else 'issue'}) `{k.marker.slug}`"
        for k in open_items
    ] or ["_Nothing open._"]
    accepted = sorted(
        (r for r in results if r.status is Status.ACCEPTED), key=lambda r: r.target.key
    )
    lines += ["", "## Proven in the last run"]
    for result in accepted:
        where = _where(outcomes.get(result.target.key))
        lines.append(f"- `{neutral(result.target.key)}` — {speed_phrase(result.speed)}; {where}")
    if not accepted:
        lines.append("_Nothing proven._")
    rejected = sorted(
        (r for r in results if r.status is not Status.ACCEPTED), key=lambda r: r.target.key
    )
    lines += ["", "## Rejected in the last run"]
    lines += [
        f"- `{neutral(r.target.key)}` ({neutral(r.method)}, {r.status.value}): "
        f"{one_line(r.reason, 200)}"
        for r in rejected
    ] or ["_Nothing rejected._"]
    return cap("\n".join(lines) + "\n")


def _where(outcome: PublishOutcome | None) -> str:
    """Where a result is, in words that do not change when a rerun finds it already there."""
    if outcome is None:
        return "not published"
    if outcome.destination is Destination.PATCH:
        return f"kept as a patch: {one_line(outcome.reason, 200)}"
    links = [
        f"{noun} #{url.rstrip('/').rsplit('/', 1)[-1]}"
        for noun, url in (("draft PR", outcome.pr_url), ("issue", outcome.issue_url))
        if url
    ]
    return ", ".join(links) or "on GitHub"
