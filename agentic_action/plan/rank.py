"""Order targets by where time is spent: profiled seconds first, static signals second."""

from __future__ import annotations

from agentic_action.model import FunctionTarget


def rank_targets(targets: list[FunctionTarget]) -> list[FunctionTarget]:
    """Highest first. Ties keep a stable, deterministic order (file, then name)."""
    return sorted(
        targets,
        key=lambda t: (-(t.profile_seconds or 0.0), -t.static_score, t.file, t.qualname),
    )
