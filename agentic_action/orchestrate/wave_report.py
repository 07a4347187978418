"""The report of a session of waves: one RunReport that every finished wave joins.

``report.json`` and ``summary.md`` are rewritten after every wave (and on an abort, with the
results of the agents that finished in the interrupted wave), so a stop at any point loses no
finished result. The job's step summary is appended once, by the final write.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from agentic_action.fileutil import atomic_write
from agentic_action.model import (
    PATCHES_DIR,
    Destination,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    Status,
)

if TYPE_CHECKING:
    from agentic_action.orchestrate.ownership import Claim
    from agentic_action.publish.conflicts import ConflictReport
    from agentic_action.run import RunReport


class LiveResults:
    """A RunObserver keeping the results of the wave in flight (for an abort)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: RunReport | None = None
        self.results: list[OptimizationResult] = []

    def started(self, report: RunReport) -> None:
        with self._lock:
            self.current, self.results = report, []

    def result(self, report: RunReport, result: OptimizationResult) -> None:
        with self._lock:
            self.results.append(result)

    def finished(self, report: RunReport) -> None:
        with self._lock:
            self.current, self.results = None, []

    def snapshot(self) -> tuple[RunReport | None, list[OptimizationResult]]:
        with self._lock:
            return self.current, list(self.results)

    def finished_keys(self) -> set[str]:
        with self._lock:
            return {r.target.key for r in self.results}


class SessionReport:
    def __init__(self, out_dir: Path, notes: Sequence[str]) -> None:
        from agentic_action.patches import utc_now

        self.out_dir = out_dir
        self.report: RunReport | None = None
        self.live = LiveResults()
        self.started = utc_now()
        self._notes = [n for n in notes if n]

    def note(self, text: str) -> None:
        if self.report is None:
            self._notes.append(text)
        elif text not in self.report.notes:
            self.report.notes.append(text)

    def absorb(self, wave: RunReport, description: str) -> None:
        if self.report is None:
            self.report = wave
            wave.notes[:0] = self._notes
            self._notes = []
        else:
            total = self.report
            total.results.extend(wave.results)
            total.no_candidate.update(wave.no_candidate)
            total.recording.update(wave.recording)
            total.functions_examined += wave.functions_examined
            total.notes.extend(n for n in wave.notes if n not in total.notes)
            total.finished_at = wave.finished_at
            if total.baseline is None:
                total.baseline = wave.baseline
        self.note(description)
        self.write(final=False)

    def abort_note(self, in_flight: Sequence[Claim], finished: set[str]) -> None:
        """Fold the interrupted wave's finished results in; name the functions left unfinished."""
        current, results = self.live.snapshot()
        if self.report is None and current is not None:
            self.report = current
            current.notes[:0] = self._notes
            current.results = []
        if self.report is None:
            return
        done = {(r.target.key, r.patch.cid if r.patch else None) for r in self.report.results}
        fresh = [r for r in results if (r.target.key, r.patch.cid if r.patch else None) not in done]
        self.report.results.extend(fresh)
        self.report.results.extend(self._stored_unreported())
        left = [c.target.key for c in in_flight if c.target.key not in finished]
        for key in left:
            self.report.no_candidate[key] = "not finished: the session was aborted"
        self.note(
            f"Aborted by a second signal: {len(fresh)} result(s) of the interrupted wave kept; "
            f"{len(left)} function(s) not finished ({', '.join(left) or 'none'})."
        )

    def _stored_unreported(self) -> list[OptimizationResult]:
        """Patches this session stored whose result no observer reported yet (an agent
        stores its patch a moment before its results are told): never lost, even so."""
        from agentic_action.patches import PatchError, PatchStore

        assert self.report is not None
        known = {r.patch.cid for r in self.report.results if r.patch}
        try:
            entries = PatchStore(self.out_dir / PATCHES_DIR).entries()
        except PatchError:
            return []
        fresh = [
            e for e in entries
            if e.cid not in known and e.meta.created_at >= self.started
            and e.meta.base_commit == self.report.base_commit
        ]  # fmt: skip
        reason = "accepted; the session was aborted before its evidence was reported"
        return [
            OptimizationResult(
                FunctionTarget(e.meta.file, e.meta.qualname, 0, 0),
                e.meta.method,
                Status.ACCEPTED,
                reason,
                patch=PatchRef(e.cid, e.reverse_cid, f"patches/{e.path.name}"),
                destination=Destination.PATCH,
            )
            for e in fresh
        ]

    def apply_conflicts(self, conflicts: ConflictReport) -> None:
        assert self.report is not None
        self.report.results = list(conflicts.results)
        for note in conflicts.notes:
            self.note(note)

    def write(self, *, final: bool) -> tuple[Path, Path]:
        from agentic_action.report.json_report import write_json
        from agentic_action.report.summary import render_summary, write_summary

        report_path, summary_path = self.out_dir / "report.json", self.out_dir / "summary.md"
        if self.report is None:
            return report_path, summary_path
        report = replace_finished(self.report)
        write_json(report, report_path)
        if final:
            write_summary(report, summary_path)
        else:
            atomic_write(summary_path, render_summary(report))
        return report_path, summary_path


def replace_finished(report: RunReport) -> RunReport:
    """The report with a finish time (an abort writes one that never finished)."""
    import time

    return report if report.finished_at is not None else replace(report, finished_at=time.time())
