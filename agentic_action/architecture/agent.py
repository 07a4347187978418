"""The architecture agent end to end: analyse, then issues (GitHub mode) or a section of the
summary and report.json (patch mode). It never writes a patch."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from agentic_action import __version__
from agentic_action.architecture.analyse import ArchitectureReport, SuiteProfile, analyse
from agentic_action.architecture.render import markdown
from agentic_action.fileutil import atomic_write
from agentic_action.publish.control import ChangeControl, choose_change_control
from agentic_action.settings import Settings

log = logging.getLogger("agentic_action.architecture")
SUMMARY_START = "<!-- agentic-optimizer:architecture-section -->"
SUMMARY_END = "<!-- /agentic-optimizer:architecture-section -->"


def run_architecture(
    settings: Settings, tests: SuiteProfile, *, control: ChangeControl | None = None
) -> ArchitectureReport:
    """Analyse ``settings.repo``; in GitHub mode, file the findings as issues. ``control``:
    where changes go, when the caller chose already (else chosen from the settings)."""
    control = control or choose_change_control(settings.mode, settings.github)
    report = analyse(settings.repo, tests)
    report.mode, report.mode_reason = control.mode, control.reason
    if control.publisher is not None:
        from agentic_action.architecture.issues import publish_findings

        findings = [f.to_json() for f in report.findings]
        report.issues = publish_findings(
            control.publisher.client,
            findings,
            report.commit,
            settings.architecture_max_new_issues,
        )
    return report


def write_outputs(report: ArchitectureReport, out: Path) -> tuple[Path, Path]:
    """Put the section into OUT/report.json (added to a run's report, or a report of its own)
    and OUT/summary.md (replacing an earlier architecture section); returns both paths."""
    section = report.to_json()
    report_path, summary_path = out / "report.json", out / "summary.md"
    data: dict[str, Any] = {}
    if report_path.is_file():
        try:
            loaded = json.loads(report_path.read_text(encoding="utf-8"))
            data = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            log.warning("%s is not a readable report; it is replaced", report_path)
    if not data:
        data = {
            "schema_version": 1,
            "tool": {"name": "agentic-optimizer", "version": __version__},
            "generated_at": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
        }
    data["architecture"] = section
    atomic_write(report_path, json.dumps(data, indent=2) + "\n")
    atomic_write(summary_path, _summary(summary_path, section))
    return report_path, summary_path


def _summary(path: Path, section: dict[str, Any]) -> str:
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if SUMMARY_START in text and SUMMARY_END in text:
        head, rest = text.split(SUMMARY_START, 1)
        text = head + rest.split(SUMMARY_END, 1)[1].lstrip("\n")
    block = "\n".join([SUMMARY_START, *markdown(section), SUMMARY_END])
    return (text.rstrip("\n") + "\n\n" if text.strip() else "") + block + "\n"


def console_line(report: ArchitectureReport, report_path: Path) -> str:
    opened = sum(1 for i in report.issues if i.get("action") == "opened")
    updated = sum(1 for i in report.issues if i.get("action") == "updated")
    github = f"; {opened} issue(s) opened, {updated} updated" if report.mode == "github" else ""
    return (
        f"agentic-optimizer architecture: {len(report.findings)} suggestion(s) in "
        f"{report.seconds:.1f} s ({report.mode} mode{github}). Report: {report_path}"
    )
