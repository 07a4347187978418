"""Every run, recorded in the ledger as it happens (a RunObserver).

``open_history(path)`` gives the observer ``run()`` is handed. It records, in the ledger:

* the run (``run.started`` / ``run.finished``, with the settings and a summary);
* the agent that ran it (``agent.started`` / ``agent.finished``);
* every result (``Ledger.record_result``: its evidence in short, its patch CIDs) and the
  patch pipeline's state changes, as events whose subject is the target key
  (``file::function``)::

      patch.proposed     a candidate was checked (any outcome)
      patch.proven       it passed every check (accepted)
      patch.published    it was written to the patch store, or opened as a draft PR
      patch.approved     a human applied it (``apply``, ``/approve``): from the store's history
      patch.rolled_back  a human rolled it back (``rollback``): from the store's history

* GitHub API usage (``report.github["api"]``) and LLM spend (``report.llm``, when a method
  used a model).

Recording must never fail a run: a ledger that cannot be opened (corrupt, newer schema,
unwritable) is refused, left untouched, and the run goes on with a note in its report; a write
that fails later is logged and noted the same way.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.ledger import Ledger
from agentic_action.model import Destination, OptimizationResult, Status

if TYPE_CHECKING:
    from agentic_action.run import RunObserver, RunReport

log = logging.getLogger("agentic_action.report.history")

PATCHES_DIR = "patches"  # the patch store inside a run's output directory
REASON_CHARS = 300  # reasons are cut to this length in event payloads (the result row has all)
STORE_ACTIONS = {"applied": "patch.approved", "rolled-back": "patch.rolled_back"}


def open_history(path: Path, *, agent: str | None = None) -> RunObserver:
    """The observer that records a run in the ledger at ``path`` (created if missing).

    Never raises: a ledger that cannot be used is refused (its file left as it was), a warning
    is logged, and an observer that only adds a note to the run's report is returned.
    """
    try:
        return RunHistory.open(path, agent=agent)
    except Exception as error:  # a history problem must never stop an optimization run
        log.warning("run history not recorded: %s", error)
        return UnrecordedRun(f"Run history was not recorded: {error}")


class LazyHistory:
    """Opens the ledger only when the run has started: bad input (a missing repository, an
    unusable GitHub mode) is refused before anything, a ledger file included, is written."""

    def __init__(self, path: Path, agent: str | None = None) -> None:
        self._path, self._agent = path, agent
        self._inner: RunObserver | None = None

    def started(self, report: RunReport) -> None:
        self._inner = open_history(self._path, agent=self._agent)
        self._inner.started(report)

    def result(self, report: RunReport, result: OptimizationResult) -> None:
        if self._inner is not None:
            self._inner.result(report, result)

    def finished(self, report: RunReport) -> None:
        if self._inner is not None:
            self._inner.finished(report)


@dataclass
class UnrecordedRun:
    """A RunObserver for a run whose ledger could not be opened: it says so in the notes."""

    note: str

    def started(self, report: RunReport) -> None:
        report.notes.append(self.note)

    def result(self, report: RunReport, result: OptimizationResult) -> None:
        return None

    def finished(self, report: RunReport) -> None:
        return None


class RunHistory:
    """Records one run into a ledger. Thread-safe (results arrive from worker threads).

    ``agent`` names the worker in ``agents list`` (default ``run-<first 8 of the run id>``);
    ``task_ids`` links results to queue tasks by target key. ``result_ids`` maps each target
    key to the result rows recorded for it (the queue worker completes tasks with them).
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        agent: str | None = None,
        task_ids: Mapping[str, int] | None = None,
        owns_ledger: bool = False,
    ) -> None:
        self.ledger = ledger
        self.agent = agent
        self.task_ids = dict(task_ids or {})
        self.run_id: str | None = None
        self.result_ids: dict[str, list[int]] = {}
        self.failures: list[str] = []
        self._owns_ledger = owns_ledger
        self._recorded: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, *, agent: str | None = None) -> RunHistory:
        """Open (or create) the ledger at ``path``; raises LedgerError if it cannot be used."""
        return cls(Ledger.open(path), agent=agent, owns_ledger=True)

    # --- RunObserver ------------------------------------------------------------------------
    def started(self, report: RunReport) -> None:
        self._guard(report, "the run's start", lambda: self._started(report))
        if self.run_id is not None:
            self._guard(report, "the patch store's history", lambda: self._import(report))

    def result(self, report: RunReport, result: OptimizationResult) -> None:
        if self.run_id is not None:
            self._guard(report, "a result", lambda: self._result(result))

    def finished(self, report: RunReport) -> None:
        try:
            if self.run_id is not None:
                self._guard(report, "the patch store's history", lambda: self._import(report))
                self._guard(report, "the run's end", lambda: self._finished(report))
        finally:
            if self._owns_ledger:
                self.ledger.close()

    # --- recording --------------------------------------------------------------------------
    def _started(self, report: RunReport) -> None:
        settings = report.settings
        run_id = self.ledger.start_run(
            repo=str(report.repo_root),
            base_commit=report.base_commit,
            shard=settings.shard or "",
            settings=settings.model_dump(mode="json") | {"agent": self.agent},
        )
        self.run_id = run_id
        self.agent = self.agent or f"run-{run_id[:8]}"
        body = {"agent": self.agent, "run_id": run_id, "functions": len(report.discovery.functions)}
        body |= {"pid": os.getpid(), "host": socket.gethostname()}  # a killed run shows as stale
        self.ledger.append("agent.started", body, run_id=run_id, subject=self.agent)

    def _import(self, report: RunReport) -> None:
        import_patch_events(self.ledger, report.out_dir / PATCHES_DIR, run_id=self.run_id)

    def _result(self, result: OptimizationResult) -> int:
        key, run_id = result.target.key, self.run_id
        with self._lock:
            known = self._recorded.get(_signature(result))
        if known is not None:
            return known
        with self.ledger.batch():
            result_id = self.ledger.record_result(
                result, run_id=run_id, task_id=self.task_ids.get(key)
            )
            for kind, body in _pipeline_events(result, result_id):
                self.ledger.append(kind, body, run_id=run_id, subject=key)
        with self._lock:
            self._recorded[_signature(result)] = result_id
            self.result_ids.setdefault(key, []).append(result_id)
        return result_id

    def _finished(self, report: RunReport) -> None:
        assert self.run_id is not None
        for result in report.results:  # results no worker reported (e.g. a red baseline)
            result_id = self._result(result)
            if result.destination == Destination.GITHUB:
                self._published_on_github(result, result_id)
        self._record_api(report.github)
        self._record_llm(getattr(report, "llm", None))
        if report.conflicts:
            from agentic_action.publish.conflicts import record_resolutions

            record_resolutions(self.ledger, report.conflicts, self.run_id)
        summary = _summary(report, self.failures)
        status = "cancelled" if getattr(report, "cancelled", "") else "finished"
        with self.ledger.batch():
            body = {"agent": self.agent, "run_id": self.run_id, "status": status}
            body |= {k: summary[k] for k in ("accepted", "rejected", "error")}
            self.ledger.append("agent.finished", body, run_id=self.run_id, subject=self.agent or "")
            self.ledger.finish_run(self.run_id, status, summary)

    def _published_on_github(self, result: OptimizationResult, result_id: int) -> None:
        url = result.pr_url or result.issue_url or ""
        with self.ledger.batch():
            self.ledger.set_destination(result_id, "github", url)
            body = _patch_body(result, result_id) | {"destination": "github", "url": url}
            body["reason"] = result.destination_reason[:REASON_CHARS]
            self.ledger.append(
                "patch.published", body, run_id=self.run_id, subject=result.target.key
            )

    def _record_api(self, github: Mapping[str, Any]) -> None:
        api = github.get("api") if github else None
        if not isinstance(api, Mapping):
            return
        remaining = github.get("remaining")
        self.ledger.record_api_usage(
            str(self.run_id),
            full_requests=int(api.get("full_reads", 0)),
            not_modified=int(api.get("not_modified", 0)),
            cache_hits=int(api.get("cache_hits", 0)),
            writes=int(api.get("writes", 0)),
            rate_remaining=int(remaining) if isinstance(remaining, int) else None,
        )

    def _record_llm(self, usage: Any) -> None:
        """One ``llm_spend`` row per paid call in ``report.llm`` (a UsageReport or its dict)."""
        for call in _llm_calls(usage):
            self.ledger.record_spend(
                model=str(call.get("model", "")),
                cost_usd=float(call.get("cost_usd") or 0.0),
                prompt_tokens=int(call.get("prompt_tokens") or 0),
                completion_tokens=int(call.get("completion_tokens") or 0),
                method=str(call.get("method", "")),
                run_id=self.run_id,
            )

    def _guard(self, report: RunReport, what: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as error:  # never fail the run for its history
            log.warning("run history: could not record %s in %s: %s", what, self.ledger.path, error)
            with self._lock:
                first = not self.failures
                self.failures.append(f"{what}: {error}")
            if first:
                report.notes.append(
                    f"Run history: could not record {what} in the ledger {self.ledger.path} "
                    f"({error}); the run itself is unaffected."
                )


def import_patch_events(ledger: Ledger, store_root: Path, *, run_id: str | None = None) -> int:
    """Copy the patch store's applied / rolled-back history into the ledger, once each.

    Returns how many events were new. A store that does not exist yet imports nothing; one
    whose index is unreadable raises PatchStoreError (the caller decides what that means).
    """
    if not (store_root / "index.json").is_file():
        return 0
    from agentic_action.patches.store import PatchStore

    added = 0
    with ledger.batch():
        for entry in PatchStore(store_root).entries():
            key = f"{entry.meta.file}::{entry.meta.qualname}"
            for index, event in enumerate(entry.history):
                kind = STORE_ACTIONS.get(event.action)
                if kind is None or _already_imported(ledger, kind, key, entry.cid, index):
                    continue
                body = {"cid": entry.cid, "history_index": index, "at": event.at}
                body |= {"repo": event.repo, "head": event.head, "named_cid": event.cid}
                body["source"] = "patch-store"
                ledger.append(kind, body, run_id=run_id, subject=key)
                added += 1
    return added


def _already_imported(ledger: Ledger, kind: str, key: str, cid: str, index: int) -> bool:
    return any(
        e.payload.get("cid") == cid and e.payload.get("history_index") == index
        for e in ledger.events(kind=kind, subject=key)
    )


def _signature(result: OptimizationResult) -> tuple[str, ...]:
    """Identifies a result across the publish step (which only changes its destination)."""
    cid = result.patch.cid if result.patch else ""
    return (result.target.key, result.method, result.status.value, result.reason, cid)


def _patch_body(result: OptimizationResult, result_id: int) -> dict[str, Any]:
    return {"result_id": result_id, "method": result.method, "cid": _cid(result)}


def _cid(result: OptimizationResult) -> str | None:
    return result.patch.cid if result.patch else None


def _pipeline_events(
    result: OptimizationResult, result_id: int
) -> list[tuple[str, dict[str, Any]]]:
    base = _patch_body(result, result_id)
    events = [
        (
            "patch.proposed",
            base | {"status": result.status.value, "reason": result.reason[:REASON_CHARS]},
        )
    ]
    if result.status is Status.ACCEPTED:
        speed = result.speed
        figures: dict[str, Any] = dict.fromkeys(("speedup", "ci_low", "ci_high", "significant"))
        if speed is not None:
            figures = {"speedup": speed.speedup, "ci_low": speed.ci_low}
            figures |= {"ci_high": speed.ci_high, "significant": speed.significant}
        events.append(("patch.proven", base | figures))
        if result.patch is not None and result.destination == Destination.PATCH:
            events.append(("patch.published", base | {"destination": "patch", "url": ""}))
    return events


def _llm_calls(usage: Any) -> list[Mapping[str, Any]]:
    """Paid calls (answered over HTTP) from a UsageReport, its ``to_dict()``, or nothing."""
    if usage is None:
        return []
    if hasattr(usage, "to_dict"):
        usage = usage.to_dict()
    records = usage.get("records") if isinstance(usage, Mapping) else None
    if not isinstance(records, list):
        return []
    calls = []
    for record in records:
        if not isinstance(record, Mapping) or record.get("outcome") in ("cached", "budget"):
            continue
        tokens = (record.get("prompt_tokens") or 0) + (record.get("completion_tokens") or 0)
        if (record.get("cost_usd") or 0) > 0 or tokens > 0:
            calls.append(record)
    return calls


def _summary(report: RunReport, failures: list[str]) -> dict[str, Any]:
    finished = report.finished_at or report.started_at
    baseline = report.baseline
    return {
        "candidates": len(report.results),
        "accepted": report.accepted_functions,
        "rejected": report.count(Status.REJECTED),
        "error": report.count(Status.ERROR),
        "functions": len(report.discovery.functions),
        "functions_examined": report.functions_examined,
        "mode": report.mode_used,
        "method": report.settings.method,
        "validation_level": report.settings.validation_level,
        "seconds": round(finished - report.started_at, 2),
        "baseline_green": None if baseline is None else baseline.usable,
        "notes": len(report.notes),
        "history_failures": list(failures),
    }
