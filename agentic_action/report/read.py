"""Read a run's report.json back: its results as model objects, its shard, a RunReport to render.

The inverse of ``report/json_report.py`` for what merging shard outputs needs. Results round-trip
exactly (``result_to_json(result_from_json(d)) == d``); the RunReport rebuilt for the summary
holds what the summary shows (settings, baseline in short, plan, results, notes).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from agentic_action.baseline.suite import Baseline
from agentic_action.model import (
    CheckOutcome,
    CheckResult,
    Destination,
    Edit,
    FileProblem,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    SpeedEvidence,
    Status,
    Withheld,
)
from agentic_action.plan.discover import Discovery
from agentic_action.plan.shard import Shard, parse_shard
from agentic_action.run import RunReport
from agentic_action.sandbox.pytest_runner import TestOutcome
from agentic_action.settings import Settings

_SHARD_NOTE = re.compile(r"^Shard (\d+\s*/\s*\d+):")


def result_from_json(data: dict[str, Any]) -> OptimizationResult:
    lines = data["lines"]
    target = FunctionTarget(
        file=data["file"],
        qualname=data["function"],
        start_line=int(lines[0]),
        end_line=int(lines[1]),
        static_score=float(data.get("static_score") or 0.0),
        profile_seconds=data.get("profile_seconds"),
    )
    checks = tuple(
        CheckResult(c["name"], CheckOutcome(c["outcome"]), c["detail"], c["seconds"], c["data"])
        for c in data["checks"]
    )
    speed = data.get("speed")
    patch = data.get("patch")
    return OptimizationResult(
        target=target,
        method=data["method"],
        status=Status(data["status"]),
        reason=data["reason"],
        edits=tuple(Edit(**edit) for edit in data["edits"]),
        checks=checks,
        speed=_speed(speed) if speed else None,
        patch=PatchRef(patch["cid"], patch["reverse_cid"], patch["path"]) if patch else None,
        destination=Destination(data.get("destination", "none")),
        destination_reason=data.get("destination_reason", ""),
        pr_url=data.get("pr_url"),
        issue_url=data.get("issue_url"),
        merged_from=tuple(data.get("merged_from") or ()),
        withheld=Withheld(data["withheld"]) if data.get("withheld") else None,
    )


def shard_of_report(report: dict[str, Any]) -> Shard | None:
    """The shard a report was made by: ``run.shard`` when written, else its "Shard K/N" note."""
    run = report.get("run") or {}
    if run.get("shard"):
        return parse_shard(str(run["shard"]))
    for note in report.get("notes") or []:
        match = _SHARD_NOTE.match(str(note))
        if match:
            return parse_shard(match.group(1))
    return None


def timestamp(text: str | None) -> float | None:
    return None if not text else dt.datetime.fromisoformat(text).timestamp()


def run_report_from_json(data: dict[str, Any], out_dir: Path) -> RunReport:
    """A RunReport holding what ``report/summary.py`` renders of ``data`` (a report.json)."""
    run = data["run"]
    settings = Settings.model_construct(
        repo=Path(run["repo"]),
        targets=list(run["targets"]),
        method=run["method"],
        mode=run["mode_requested"],
        out=out_dir,
        description=run.get("description", ""),
        validation_level=run["validation_level"],
        shard=run.get("shard"),
    )
    report = RunReport(settings, Path(run["repo"]), run["base_commit"], out_dir)
    report.started_at = timestamp(run.get("started_at")) or report.started_at
    report.finished_at = timestamp(run.get("finished_at"))
    report.dirty_worktree = bool(run.get("dirty_worktree"))
    report.mode_used, report.mode_reason = run["mode_used"], run["mode_reason"]
    report.isolation = run.get("isolation", "")
    report.baseline = _baseline(data.get("baseline"))
    plan = data["plan"]
    report.discovery = _discovery(plan, data["results"])
    report.functions_examined = int(plan.get("functions_examined", 0))
    report.no_candidate = dict(plan.get("no_candidate") or {})
    report.recording = dict(plan.get("recorded_inputs") or {})
    report.profile_note = plan.get("profile", "")
    report.results = [result_from_json(r) for r in data["results"]]
    report.method_tally = dict((data.get("methods") or {}).get("by_function") or {})
    report.notes = list(data.get("notes") or [])
    report.github = dict(data.get("github") or {})
    return report


def _baseline(data: dict[str, Any] | None) -> Baseline | None:
    if data is None:
        return None
    failed = tuple(data.get("failed") or ())
    green = bool(data.get("green"))
    outcome = TestOutcome(
        ran=green or bool(failed),
        total=int(data.get("tests", 0)),
        failed=failed,
        seconds=float(data.get("seconds", 0.0)),
        output_tail="" if green else str(data.get("summary", "")),
    )
    note = "Per-test coverage recorded." if data.get("coverage") else ""
    return Baseline(outcome, None, note)


def _discovery(plan: dict[str, Any], results: list[dict[str, Any]]) -> Discovery:
    """The plan in short. Functions: those the report names (every examined one, for a complete
    set of shards; merged combinations are not functions); the report keeps only their count."""
    parts = [r for r in results if not r.get("merged_from")]
    keys = dict.fromkeys([f"{r['file']}::{r['function']}" for r in parts])
    keys.update(dict.fromkeys(plan.get("no_candidate") or {}))
    functions = [FunctionTarget(k.split("::", 1)[0], k.split("::", 1)[-1], 0, 0) for k in keys]
    return Discovery(
        files=list(plan.get("files") or []),
        functions=functions,
        problems=[FileProblem(**p) for p in plan.get("problems") or []],
        skipped=[FileProblem(**p) for p in plan.get("skipped_files") or []],
        unmatched_globs=list(plan.get("unmatched_globs") or []),
    )


def _speed(data: dict[str, Any]) -> SpeedEvidence:
    return SpeedEvidence(**{**data, "slower_inputs": tuple(data.get("slower_inputs") or ())})
