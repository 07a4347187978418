"""Run, then write every output of the run: summary.md, report.json, the step summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentic_action.errors import BadInput
from agentic_action.model import Status
from agentic_action.report.history import LazyHistory
from agentic_action.report.json_report import write_json
from agentic_action.report.summary import write_summary
from agentic_action.run import RunReport, run
from agentic_action.settings import Settings


def check_out_dir(out: Path) -> None:
    """Refuse, before any work, an output directory that cannot be one."""
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out} is an existing file, not a directory: name a directory")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise BadInput(f"--out {out}: {parent} is a file, not a directory: name a directory")


@dataclass(frozen=True)
class RunOutcome:
    report: RunReport
    summary_path: Path
    report_path: Path

    @property
    def console_line(self) -> str:
        r = self.report
        return (
            f"agentic-optimizer: {r.accepted_functions} accepted, "
            f"{r.count(Status.REJECTED)} rejected, {r.count(Status.ERROR)} errors "
            f"({r.mode_used} mode). Report: {self.report_path}; summary: {self.summary_path}"
        )

    @property
    def patch_cids(self) -> list[str]:
        return [r.patch.cid for r in self.report.results if r.patch]


def run_and_report(settings: Settings) -> RunOutcome:
    check_out_dir(settings.out)
    report = run(settings, observers=[LazyHistory(settings.ledger_path)])
    summary_path = report.out_dir / "summary.md"
    report_path = report.out_dir / "report.json"
    write_json(report, report_path)
    write_summary(report, summary_path)
    return RunOutcome(report, summary_path, report_path)
