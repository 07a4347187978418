"""What the methods proposed and what stopped their candidates, and how many differential
inputs the candidates were tried on: the ``methods`` and ``differential_inputs`` sections of
report.json and their lines in the summary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from agentic_action.model import CheckOutcome, OptimizationResult

DIFFERENTIAL = "differential"


def methods_section(tallies: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """Totals over the functions worked on, and each function's tally (None: no agent ran)."""
    if not tallies:
        return None
    rejected_by: dict[str, int] = {}
    for tally in tallies.values():
        for check, count in (tally.get("rejected_by") or {}).items():
            rejected_by[check] = rejected_by.get(check, 0) + int(count)
    return {
        "proposals": sum(int(t.get("proposals", 0)) for t in tallies.values()),
        "accepted": sum(int(t.get("accepted", 0)) for t in tallies.values()),
        "rejected_by": dict(sorted(rejected_by.items())),
        "by_function": {key: dict(tallies[key]) for key in sorted(tallies)},
    }


def differential_section(results: Iterable[OptimizationResult]) -> dict[str, Any] | None:
    """How many differential inputs the candidates were tried on (None: the check never ran)."""
    checks = [c for r in results for c in r.checks if c.name == DIFFERENTIAL]
    if not checks:
        return None
    return {
        "candidates": len(checks),
        "inputs_tried": sum(int(c.data.get("inputs_compared", 0)) for c in checks),
        "rejected": sum(1 for c in checks if c.outcome is CheckOutcome.FAILED),
        "hangs": sum(1 for c in checks if c.data.get("candidate_hangs")),
        "skipped_uncopyable": max(int(c.data.get("skipped_uncopyable", 0)) for c in checks),
        "seconds": round(sum(c.seconds for c in checks), 3),
    }


def summary_lines(
    tallies: Mapping[str, Mapping[str, Any]], results: Iterable[OptimizationResult]
) -> list[str]:
    lines: list[str] = []
    methods = methods_section(tallies)
    if methods is not None:
        by_check = ", ".join(f"{name} {n}" for name, n in methods["rejected_by"].items())
        lines += [
            "",
            f"Methods: {methods['proposals']} proposal(s), {methods['accepted']} accepted"
            + (f"; rejected by check: {by_check}." if by_check else "."),
        ]
    differential = differential_section(results)
    if differential is not None:
        lines += [
            "",
            f"Differential inputs: {differential['candidates']} candidate(s) tried on "
            f"{differential['inputs_tried']} input(s) built around the recorded ones; "
            f"{differential['rejected']} rejected"
            + (f" ({differential['hangs']} hung)" if differential["hangs"] else "")
            + ".",
        ]
    return lines
