"""An optimization run inside a workflow: settings, the run, annotations, outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agentic_action import cancel
from agentic_action.action.events import OptimizeRequest
from agentic_action.action.workflow_commands import Annotation, Commands, append_summary
from agentic_action.model import PATCHES_DIR, OptimizationResult, Status
from agentic_action.outputs import RunOutcome, run_and_report
from agentic_action.settings import Settings, load_settings

MAX_FINDINGS = 10  # GitHub shows at most 10 annotations of a kind per step; the best come first
# What an accepted result was proven to be, by validation level: `quick` measures no speed.
TITLE_ACCEPTED = {
    "quick": "agentic-optimizer: rewrite passed the quick checks (speed not measured)",
    "standard": "agentic-optimizer: faster version proven",
    "thorough": "agentic-optimizer: faster version proven (thorough checks)",
}
TITLE_SKIPPED = "agentic-optimizer: file skipped"
TITLE_ERROR = "agentic-optimizer: candidate could not be checked"


def optimize_settings(request: OptimizeRequest, env: Mapping[str, str]) -> Settings:
    """Settings for this run; targets named in an issue win over the `targets` input."""
    cli: dict[str, Any] = {}
    if request.targets:
        cli["targets"] = list(request.targets)
    if request.issue is not None:
        base = load_settings({}, env).description
        cli["description"] = f"{base} (issue #{request.issue})".strip()
    return load_settings(cli, env)


def run_optimize(settings: Settings, commands: Commands) -> RunOutcome:
    with commands.group("agentic-optimizer: plan, propose and prove"), cancel.handling_signals():
        return run_and_report(settings)


def findings(outcome: RunOutcome) -> list[Annotation]:
    """Annotations pinned to the code: accepted improvements first, then problems."""
    report = outcome.report
    level = report.settings.validation_level
    notes = [_accepted(r, level) for r in accepted_functions(report.results)[:MAX_FINDINGS]]
    errors = [r for r in report.results if r.status is Status.ERROR]
    notes += [_errored(r) for r in errors[:MAX_FINDINGS]]
    notes += [
        Annotation("warning", problem.reason, TITLE_SKIPPED, problem.file)
        for problem in report.discovery.problems[:MAX_FINDINGS]
    ]
    return notes


def accepted_functions(results: Sequence[OptimizationResult]) -> list[OptimizationResult]:
    """The accepted results, each function once: a combination of several accepted patches
    (``merged_from``) is not counted or annotated again."""
    return [r for r in results if r.status is Status.ACCEPTED and not r.merged_from]


def _accepted(result: OptimizationResult, level: str) -> Annotation:
    cid = result.patch.cid if result.patch else "(no patch)"
    rules = ", ".join(sorted({e.rule for e in result.edits})) or result.method
    message = f"{result.target.qualname}: {rules} passed every check; patch {cid}. {result.reason}"
    return Annotation(
        "notice", message, TITLE_ACCEPTED.get(level, TITLE_ACCEPTED["standard"]),
        result.target.file, result.target.start_line, result.target.end_line,
    )  # fmt: skip


def _errored(result: OptimizationResult) -> Annotation:
    return Annotation(
        "warning", f"{result.target.qualname}: {result.reason}", TITLE_ERROR,
        result.target.file, result.target.start_line,
    )  # fmt: skip


def outputs(outcome: RunOutcome) -> dict[str, str]:
    report = outcome.report
    return {
        "command": "optimize",
        "outcome": "failed" if report.failure else "completed",
        "reason": report.failure,
        "mode-used": report.mode_used,
        "accepted": str(len(accepted_functions(report.results))),
        "rejected": str(report.count(Status.REJECTED)),
        "report-path": str(outcome.report_path),
        "summary-path": str(outcome.summary_path),
        "patches-dir": str(report.out_dir / PATCHES_DIR),
        "patch-cids": " ".join(outcome.patch_cids),
        "pr-urls": " ".join(r.pr_url for r in report.results if r.pr_url),
    }


def request_summary(request: OptimizeRequest, settings: Settings) -> str:
    """A short section under the report: what asked for this run."""
    lines = ["", "### Request", "", f"- Trigger: `{request.trigger}`"]
    if request.issue is not None:
        lines.append(f"- Issue: #{request.issue}")
    origin = "the issue" if request.targets else "the `targets` input"
    lines.append(f"- Targets (from {origin}): " + ", ".join(f"`{t}`" for t in settings.targets))
    lines += [f"- Note: {note}" for note in request.notes]
    return "\n".join(lines) + "\n"


def append_request_summary(
    request: OptimizeRequest, outcome: RunOutcome, env: Mapping[str, str]
) -> None:
    text = request_summary(request, outcome.report.settings)
    append_summary(text, env)
    with Path(outcome.summary_path).open("a", encoding="utf-8") as handle:
        handle.write(text)
