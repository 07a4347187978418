"""report.json: the machine-readable record of a run (schema in docs/report-schema.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from agentic_action import __version__
from agentic_action.fileutil import atomic_write
from agentic_action.model import OptimizationResult, SpeedEvidence, Status
from agentic_action.report.tally import differential_section, methods_section
from agentic_action.run import RunReport

SCHEMA_VERSION = 1
SPEED_NOT_MEASURED = "speed was not measured (see the benchmark check, or validation level quick)"


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def result_to_json(result: OptimizationResult) -> dict[str, Any]:
    return {
        "file": result.target.file,
        "function": result.target.qualname,
        "lines": [result.target.start_line, result.target.end_line],
        "method": result.method,
        "status": result.status.value,
        "reason": result.reason,
        "edits": [dataclasses.asdict(edit) for edit in result.edits],
        "checks": [
            {
                "name": check.name,
                "outcome": check.outcome.value,
                "detail": check.detail,
                "seconds": round(check.seconds, 3),
                "data": check.data,
            }
            for check in result.checks
        ],
        "speed": _speed(result.speed),
        "speed_note": None if result.speed else SPEED_NOT_MEASURED,
        "patch": None
        if result.patch is None
        else {
            "cid": result.patch.cid,
            "reverse_cid": result.patch.reverse_cid,
            "path": result.patch.path,
        },
        "destination": result.destination.value,
        "destination_reason": result.destination_reason,
        "pr_url": result.pr_url,
        "issue_url": result.issue_url,
        "merged_from": list(result.merged_from),
        "withheld": None if result.withheld is None else result.withheld.value,
        "profile_seconds": result.target.profile_seconds,
        "static_score": result.target.static_score,
    }


def _speed(speed: SpeedEvidence | None) -> dict[str, Any] | None:
    return None if speed is None else dataclasses.asdict(speed)


def report_to_json(report: RunReport) -> dict[str, Any]:
    baseline = report.baseline
    found = report.discovery
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "agentic-optimizer", "version": __version__},
        "run": _run_section(report),
        "baseline": None
        if baseline is None
        else {
            "green": baseline.usable,
            "tests": baseline.outcome.total,
            "failed": list(baseline.outcome.failed),
            "seconds": round(baseline.outcome.seconds, 2),
            "coverage": baseline.coverage is not None,
            "summary": baseline.describe(),
        },
        "plan": {
            "files": list(found.files),
            "functions": len(found.functions),
            "functions_examined": report.functions_examined,
            "unmatched_globs": list(found.unmatched_globs),
            "problems": [dataclasses.asdict(p) for p in found.problems],
            "skipped_files": [dataclasses.asdict(p) for p in found.skipped],
            "no_candidate": dict(sorted(report.no_candidate.items())),
            "profile": report.profile_note,
            "hot_functions": list(report.hot_functions),
            "recorded_inputs": dict(sorted(report.recording.items())),
        },
        "results": [result_to_json(r) for r in report.results],
        "totals": {
            "candidates": len(report.results),
            "accepted": report.accepted_functions,
            "rejected": report.count(Status.REJECTED),
            "error": report.count(Status.ERROR),
        },
        "methods": methods_section(report.method_tally),
        "differential_inputs": differential_section(report.results),
        "github": report.github or None,
        "llm": report.llm or None,
        "ipfs": report.ipfs or None,
        "learning": report.learning or None,
        "architecture": report.architecture or None,
        "dry_run": report.dry_run or None,
        "notes": list(report.notes),
    }


def _run_section(report: RunReport) -> dict[str, Any]:
    return {
        "started_at": _iso(report.started_at),
        "finished_at": _iso(report.finished_at),
        "seconds": round((report.finished_at or report.started_at) - report.started_at, 2),
        "repo": str(report.repo_root),
        "base_commit": report.base_commit,
        "dirty_worktree": report.dirty_worktree,
        "method": report.settings.method,
        "mode_requested": report.settings.mode,
        "mode_used": report.mode_used,
        "mode_reason": report.mode_reason,
        "validation_level": report.settings.validation_level,
        "description": report.settings.description,
        "targets": list(report.settings.targets),
        "shard": report.settings.shard,
        "isolation": report.isolation,
        "failure": report.failure or None,
        "cancelled": report.cancelled or None,
    }


def write_json(report: RunReport, path: Path) -> None:
    atomic_write(path, json.dumps(report_to_json(report), indent=2) + "\n")
