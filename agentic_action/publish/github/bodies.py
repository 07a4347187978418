"""Markdown of the draft PR and the analysis issue: the evidence a maintainer needs to decide.

Bodies are deterministic (no timestamps), so a rerun with the same result renders the same
text and the publisher can skip the update. Text from methods and LLMs passes through
``neutral`` (no HTML, mentions or issue references).
"""

from __future__ import annotations

from agentic_action.model import OptimizationResult, SpeedEvidence
from agentic_action.publish.github.items import PublishItem
from agentic_action.publish.github.markers import Marker, cap, fenced, neutral, one_line

MAX_DIFF = 40_000


def seconds(value: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def speed_phrase(speed: SpeedEvidence | None) -> str:
    if speed is None:
        return "no speed claim"
    return f"{speed.speedup:.2f}x faster (95% CI {speed.ci_low:.2f}x–{speed.ci_high:.2f}x)"


def pr_title(result: OptimizationResult) -> str:
    target = result.target
    suffix = f" ({result.speed.speedup:.2f}x)" if result.speed else ""
    return f"perf: speed up {target.qualname} in {target.file}{suffix}"[:250]


def issue_title(result: OptimizationResult) -> str:
    target = result.target
    return f"Performance: {target.qualname} in {target.file} can be faster"[:250]


def _checks(result: OptimizationResult) -> list[str]:
    if not result.checks:
        return ["_No checks were recorded._"]
    rows = ["| check | outcome | time | detail |", "|---|---|---|---|"]
    for check in result.checks:
        detail = one_line(check.detail, 160).replace("|", "\\|")
        rows.append(
            f"| {neutral(check.name)} | {check.outcome.value} | {check.seconds:.2f} s | {detail} |"
        )
    return rows


def _differential(result: OptimizationResult) -> list[str]:
    """How many differential inputs the change was tried on (docs/methodology.md)."""
    check = next((c for c in result.checks if c.name == "differential"), None)
    if check is None:
        return []
    sources = ", ".join(f"{n} {kind}" for kind, n in sorted(check.data.get("sources", {}).items()))
    return [
        "",
        f"Differential inputs tried: {check.data.get('inputs_compared', 0)} "
        f"({neutral(sources) or 'none built'}), built around the recorded inputs and run on the "
        "original and on this change side by side.",
    ]


def _speed(speed: SpeedEvidence | None) -> list[str]:
    if speed is None:
        return ["_This change makes no speed claim (no benchmark evidence)._"]
    verdict = "significant" if speed.significant else "not significant"
    return [
        "| | median time per call |",
        "|---|---|",
        f"| original | {seconds(speed.original_seconds)} |",
        f"| candidate | {seconds(speed.candidate_seconds)} |",
        f"| **speedup** | **{speed.speedup:.2f}x** "
        f"(95% CI {speed.ci_low:.2f}x–{speed.ci_high:.2f}x) |",
        *_per_input(speed),
        "",
        f"{speed.samples} paired samples, noise {speed.noise:.1%} of the original's median, "
        f"{verdict}. How: {one_line(speed.method, 400)}",
    ]


def _per_input(speed: SpeedEvidence) -> list[str]:
    """The range over the recorded inputs, and the inputs a setting let be slower."""
    rows = []
    if speed.slowest_input is not None and speed.fastest_input is not None:
        low, high = speed.slowest_input, speed.fastest_input
        rows.append(f"| per recorded input | {low:.2f}x – {high:.2f}x |")
    for named in speed.slower_inputs:
        shown = one_line(named, 160).replace("|", "\\|")
        rows.append(f"| ⚠️ slower, accepted by setting | {shown} |")
    return rows


def _edits(result: OptimizationResult) -> list[str]:
    if not result.edits:
        return ["_No individual edits recorded._"]
    return [
        f"- `{neutral(e.rule)}` (line {e.line}): {one_line(e.title, 120)} — {one_line(e.rationale)}"
        for e in result.edits
    ]


def _patch(result: OptimizationResult) -> list[str]:
    patch = result.patch
    assert patch is not None
    return [
        f"- Patch CID: `{patch.cid}`",
        f"- Reverse patch CID: `{patch.reverse_cid}`",
        f"- Patch file in the run's output: `{neutral(patch.path)}`",
    ]


def _howto(result: OptimizationResult) -> list[str]:
    patch = result.patch
    assert patch is not None
    return [
        "### How to approve",
        "Review the diff and the evidence, then mark this pull request ready for review and "
        f"merge it; or apply it locally with `agentic-optimizer approve {patch.cid}`.",
        "",
        "### How to roll back",
        f"`agentic-optimizer rollback {patch.cid}` applies the reverse patch "
        f"(`{patch.reverse_cid}`); or revert the merge commit with `git revert`.",
        "",
        "### Keep the optimizer away",
        "Add the label `agentic-optimizer:skip` to this pull request or its issue, or put "
        "`# agentic-optimizer: skip` on the function. Closing this PR without merging is also "
        "respected: the same change is not proposed again.",
    ]


def pr_body(item: PublishItem, marker: Marker, issue_number: int | None) -> str:
    result = item.result
    target = result.target
    lines = [
        marker.render(),
        f"## `{neutral(target.qualname)}` in `{neutral(target.file)}`: "
        f"{speed_phrase(result.speed)}",
        "",
        f"Proposed by agentic-optimizer (method `{neutral(result.method)}`) against "
        f"`{neutral(item.base_branch)}` at `{item.base_commit[:12]}`. This is a draft: nothing "
        "is merged without a maintainer's approval.",
    ]
    if issue_number is not None:
        lines.append(f"Closes #{issue_number} (the analysis issue) when merged.")
    lines += ["", f"Why: {one_line(result.reason, 500)}", "", "### Checks", *_checks(result)]
    lines += _differential(result)
    lines += ["", "### Speed", *_speed(result.speed), "", "### Edits", *_edits(result)]
    lines += ["", "### Patch", *_patch(result), "", *_howto(result)]
    return cap("\n".join(lines) + "\n")


def issue_body(item: PublishItem, marker: Marker, with_diff: bool) -> str:
    """The analysis issue. With a PR (publish "both"), the PR links here and closes this issue
    when merged; without one (publish "issue"), the diff is included to apply by hand."""
    result = item.result
    target = result.target
    lines = [
        marker.render(),
        f"## `{neutral(target.qualname)}` in `{neutral(target.file)}` "
        f"(lines {target.start_line}–{target.end_line}) can be {speed_phrase(result.speed)}",
        "",
    ]
    if with_diff:
        lines.append("No pull request was opened; the diff below applies with `git apply`.")
    else:
        lines.append(
            "The draft pull request with this change links to this issue (see Development "
            "and the timeline); merging it closes this issue."
        )
    lines += ["", f"Method `{neutral(result.method)}`: {one_line(result.reason, 500)}"]
    lines += ["", "### What changed", *_edits(result), "", "### Checks", *_checks(result)]
    lines += ["", "### Speed", *_speed(result.speed), "", "### Patch", *_patch(result)]
    if with_diff:
        diff = item.diff if len(item.diff) <= MAX_DIFF else item.diff[:MAX_DIFF] + "\n…(cut)\n"
        lines += ["", "<details><summary>Diff</summary>", "", fenced(diff, "diff"), "</details>"]
    lines += ["", *_howto(result)]
    return cap("\n".join(lines) + "\n")
