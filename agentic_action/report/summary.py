"""summary.md: the job-summary markdown a maintainer reads first."""

from __future__ import annotations

import os
from pathlib import Path

from agentic_action.architecture.render import markdown as architecture_markdown
from agentic_action.learning.report import markdown as learning_markdown
from agentic_action.model import PATCHES_DIR, CheckOutcome, OptimizationResult, Status
from agentic_action.report.tally import summary_lines
from agentic_action.run import RunReport

ICONS = {Status.ACCEPTED: "✅", Status.REJECTED: "❌", Status.ERROR: "⚠️"}
CHECK_ICONS = {
    CheckOutcome.PASSED: "✓",
    CheckOutcome.FAILED: "✗",
    CheckOutcome.SKIPPED: "–",
    CheckOutcome.ERROR: "!",
}


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row(result: OptimizationResult) -> str:
    rules = ", ".join(sorted({e.rule for e in result.edits})) or result.method
    checks = " ".join(f"{c.name} {CHECK_ICONS[c.outcome]}" for c in result.checks) or "—"
    patch = f"`{result.patch.cid}`" if result.patch else ""
    if result.pr_url:
        patch += f"<br>[draft PR]({result.pr_url})"
    if result.issue_url:
        patch += f"<br>[issue]({result.issue_url})"
    return (
        f"| {ICONS[result.status]} | `{result.target.key}` | {rules} | {_speed(result)} | "
        f"{result.status.value}: {_cell(result.reason)} | {checks} | {patch} |"
    )


def _speed(result: OptimizationResult) -> str:
    speed = result.speed
    if speed is None:
        return "not measured"
    interval = f"95% CI {speed.ci_low:.2f}–{speed.ci_high:.2f}"
    shown = f"**{speed.speedup:.2f}x** ({interval}, n={speed.samples})"
    if speed.slowest_input is not None and speed.fastest_input is not None:
        shown += f"; per input {speed.slowest_input:.2f}–{speed.fastest_input:.2f}x"
    if speed.slower_inputs:
        shown += f"; slower on {len(speed.slower_inputs)} input(s), accepted by setting"
    return shown


def render_summary(report: RunReport) -> str:
    accepted = report.accepted_functions
    rejected = report.count(Status.REJECTED)
    errors = report.count(Status.ERROR)
    lines = [
        f"## agentic-optimizer: {accepted} accepted, {rejected} rejected"
        + (f", {errors} errors" if errors else ""),
        "",
        f"Repository `{report.repo_root.name}` at `{report.base_commit[:12]}`, method "
        f"**{report.settings.method}**, **{report.mode_used}** mode ({report.mode_reason}).",
    ]
    if report.settings.description:
        lines += ["", f"> {report.settings.description}"]
    if report.failure:
        lines += ["", f"> **The run could not test anything**: {_cell(report.failure, 600)}"]
    if report.cancelled:
        lines += ["", f"> **Cancelled by {report.cancelled}**: only what was proven before."]
    lines += _baseline_lines(report)
    if report.results:
        lines += [
            "",
            "| | Target | Rewrites | Speed | Result | Checks | Patch CID |",
            "|---|---|---|---|---|---|---|",
            *(_row(r) for r in report.results),
        ]
        if report.settings.validation_level == "quick":
            lines += [
                "",
                "Validation level `quick`: speed and behaviour were **not measured**; accepted "
                "changes are proven to pass the repository's tests, not proven faster.",
            ]
        else:
            lines += [
                "",
                "Speed: median ratio of paired CPU-time samples on the function's real recorded "
                "inputs, original vs candidate interleaved (see docs/methodology.md).",
            ]
    else:
        lines += ["", "No candidate changes were found for the targets."]
    lines += summary_lines(report.method_tally, report.results)
    lines += _apply_lines(report)
    lines += _plan_lines(report)
    lines += learning_markdown(report.learning)
    if report.architecture:
        lines += architecture_markdown(report.architecture)
    api = report.github.get("api") if report.github else None
    if api:
        lines += [
            "",
            f"GitHub API: {api.get('full_reads', 0)} full reads, {api.get('not_modified', 0)} "
            f"answered 304, {api.get('cache_hits', 0)} from cache, {api.get('writes', 0)} writes.",
        ]
    if report.notes:
        lines += ["", "**Notes**", "", *(f"- {note}" for note in report.notes)]
    lines += ["", f"<sub>Sandbox: {report.isolation}.</sub>", ""]
    return "\n".join(lines)


def _baseline_lines(report: RunReport) -> list[str]:
    baseline = report.baseline
    if baseline is None:
        return []
    if baseline.usable:
        return ["", f"Baseline on HEAD: {baseline.describe()}"]
    return [
        "",
        f"> **Baseline is not green** — nothing can be accepted: {_cell(baseline.describe(), 600)}",
    ]


def _apply_lines(report: RunReport) -> list[str]:
    accepted = [r for r in report.results if r.patch]
    if not accepted:
        return []
    store = report.out_dir / PATCHES_DIR
    first = accepted[0].patch
    assert first is not None
    return [
        "",
        "**Apply or roll back** a change (each patch is stored by its CID):",
        "",
        "```",
        f"agentic-optimizer apply {first.cid} --repo . --patches {store}",
        f"agentic-optimizer rollback {first.cid} --repo . --patches {store}",
        "```",
    ]


def _plan_lines(report: RunReport) -> list[str]:
    found = report.discovery
    lines = [
        "",
        "<details><summary>Plan</summary>",
        "",
        f"- Targets: {', '.join(f'`{t}`' for t in report.settings.targets)}",
        f"- Files: {len(found.files)}; functions: {len(found.functions)}; "
        f"examined: {report.functions_examined}",
        f"- Ranking: {report.profile_note or 'static signals only'}",
    ]
    lines += [f"- Glob `{g}` matched no tracked file" for g in found.unmatched_globs]
    lines += [f"- Skipped `{p.file}`: {p.reason}" for p in found.problems]
    lines += [f"- Not a target `{p.file}`: {p.reason}" for p in found.skipped[:20]]
    lines += [f"- Inputs of `{key}`: {text}" for key, text in sorted(report.recording.items())]
    reasons: dict[str, int] = {}
    for why in report.no_candidate.values():
        reasons[why] = reasons.get(why, 0) + 1
    lines += [f"- {count} function(s): {why}" for why, count in sorted(reasons.items())]
    lines += ["", "</details>"]
    return lines


def write_summary(report: RunReport, path: Path) -> str:
    text = render_summary(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return text
