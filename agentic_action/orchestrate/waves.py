"""Waves of agents: ``small``, ``large`` and ``continuous``, each wave one ``run(only=keys)``.

- ``small``: one wave of 3-5 agents (``max_agents`` clamped to that range) on the top-ranked
  functions of one focus;
- ``large``: one wave of 10-15 agents across all targets (the focus picks the method only);
- ``continuous``: small waves, one after the other, while the time limit, the LLM budget and
  the throttle allow (``throttle``: seconds of pause after a wave; ``interval``: seconds from
  one wave's start to the next), until no function is left or a stop is asked (``stopping.py``).

A wave claims its functions first (``ownership.py``: the ledger's queue when there is a ledger,
so concurrent wave processes never work on one function at once), runs them in patch mode, and
its results join the session's report, rewritten after every wave: a stop at any point loses no
finished result. At the end, conflicts between all the session's patches are resolved once
(``conflicts.py``) and the caller publishes ``WavesOutcome.publishable`` once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agentic_action.errors import BadInput
from agentic_action.model import FunctionTarget, OptimizationResult
from agentic_action.orchestrate.focus import Focus, choose, filter_targets, get_focus
from agentic_action.orchestrate.ownership import Claim, LedgerOwnership, LocalOwnership, Ownership
from agentic_action.orchestrate.stopping import StopControl, kill_children, llm_budget_reason
from agentic_action.orchestrate.wave_report import SessionReport
from agentic_action.plan.shard import parse_shard, select
from agentic_action.publish.conflicts import ConflictReport, resolve_run_conflicts
from agentic_action.settings import Settings

if TYPE_CHECKING:
    from agentic_action.ledger import Ledger
    from agentic_action.publish.control import ChangeControl
    from agentic_action.run import RunObserver, RunReport
    from agentic_action.workspace import Repository

log = logging.getLogger("agentic_action")
WaveKind = Literal["small", "large", "continuous"]
SIZES: dict[str, tuple[int, int]] = {"small": (3, 5), "large": (10, 15), "continuous": (3, 5)}
ABORT_EXIT = 130


@dataclass(frozen=True)
class WaveOptions:
    kind: WaveKind
    focus: str = "performance"
    size: int | None = None  # agents per wave (default: max_agents clamped to the kind's range)
    time_limit: float | None = None
    throttle: float = 0.0
    interval: float = 0.0
    max_waves: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in SIZES:
            raise BadInput(f"wave {self.kind!r}: choose small, large or continuous")
        for name in ("time_limit", "throttle", "interval"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise BadInput(f"--{name.replace('_', '-')} must be 0 or more, got {value}")
        if self.size is not None and self.size < 1:
            raise BadInput(f"--wave-size must be at least 1, got {self.size}")
        get_focus(self.focus)

    def wave_size(self, max_agents: int) -> int:
        low, high = SIZES[self.kind]
        return self.size or min(max(max_agents, low), high)


@dataclass(frozen=True)
class WaveRecord:
    number: int
    keys: tuple[str, ...]
    seconds: float
    accepted: int
    rejected: int
    errors: int


@dataclass
class WavesOutcome:
    report: RunReport | None  # the session's report (None: no wave ran)
    waves: list[WaveRecord]
    stop_reason: str
    conflicts: ConflictReport | None = None
    publishable: list[OptimizationResult] = field(default_factory=list)
    report_path: Path | None = None
    summary_path: Path | None = None


def run_waves(
    settings: Settings,
    options: WaveOptions,
    *,
    ledger: Ledger | None = None,
    stop: StopControl | None = None,
    control: ChangeControl | None = None,
) -> WavesOutcome:
    """Run the waves ``options`` ask for. Bad input (focus, settings) raises ValueError first.

    The waves' runs work in patch mode; ``control`` (chosen by the caller before any work)
    says where the session's results go at the end: in GitHub mode, the publishable results
    are published once, after every conflict is resolved, before the final report is written.
    """
    from agentic_action.workspace import Repository

    stop = stop or StopControl(options.time_limit)
    focus = get_focus(options.focus)
    if focus.target_filter == "architecture":
        return _architecture(settings, control)
    choice = choose(focus, settings, _available())
    if options.kind == "large":  # across all targets: the focus picks the method only
        focus = replace(focus, target_filter="all")
    update = {"method": choice.method, "validation_level": choice.validation_level, "mode": "patch"}
    wave_settings = settings.updated(**update)
    repo = Repository(wave_settings.repo)
    plan, plan_note = _plan(repo, wave_settings, focus)
    session = SessionReport(wave_settings.out.resolve(), [*choice.notes, plan_note])
    ownership = _ownership(ledger, plan, repo.head_commit, options, choice.method)
    waves = _Waves(wave_settings, options, stop, ownership, session, ledger)
    waves.control, waves.requested_mode = control, settings.mode
    main = threading.current_thread() is threading.main_thread()
    with stop.signals(waves.abort) if main else nullcontext():
        reason = waves.loop()
        return waves.finish(reason, repo.root, repo.head_commit)


def _architecture(settings: Settings, control: ChangeControl | None) -> WavesOutcome:
    """The architecture focus: one pass of the architecture agent instead of agent waves."""
    from agentic_action.architecture.agent import run_architecture, write_outputs
    from agentic_action.architecture.analyse import SuiteProfile
    from agentic_action.sandbox.pytest_runner import PytestOptions

    tests = SuiteProfile(run=PytestOptions(settings.python, settings.test_timeout))
    report = run_architecture(settings, tests, control=control)
    report_path, summary_path = write_outputs(report, settings.out)
    reason = (
        f"the architecture focus ran the architecture agent: {len(report.findings)} design "
        f"suggestion(s) in {report.seconds:.1f} s ({report.mode} mode), no patches"
    )
    return WavesOutcome(None, [], reason, report_path=report_path, summary_path=summary_path)


def _available() -> tuple[str, ...]:
    from agentic_action.orchestrate.focus import available_methods

    return available_methods()


def _plan(repo: Repository, settings: Settings, focus: Focus) -> tuple[list[FunctionTarget], str]:
    from agentic_action.plan.discover import discover
    from agentic_action.plan.rank import rank_targets
    from agentic_action.workspace import Worktrees

    found = discover(repo, settings.targets)
    ranked = rank_targets([t for t in found.functions if not t.skip_reason])
    if settings.shard:
        ranked = select(ranked, parse_shard(settings.shard))
    if focus.target_filter == "all":
        return filter_targets(focus, ranked, found.sources, repo.root, settings)
    worktrees = Worktrees(repo, settings.worktree_base)
    try:
        with worktrees.checkout("focus") as root:
            return filter_targets(focus, ranked, found.sources, root, settings)
    finally:
        worktrees.close()


def _ownership(
    ledger: Ledger | None,
    plan: list[FunctionTarget],
    base_commit: str,
    options: WaveOptions,
    method: str,
) -> Ownership:
    if ledger is None:
        return LocalOwnership(list(plan))
    digest = hashlib.sha256("\n".join(sorted(t.key for t in plan)).encode()).hexdigest()[:10]
    pool = f"waves:{base_commit[:12]}:{options.focus}:{method}:{digest}"
    return LedgerOwnership(ledger, plan, pool=pool, method=method, run_id=None)


class _Waves:
    """The loop of one session, and what a second signal does mid-wave."""

    def __init__(
        self,
        settings: Settings,
        options: WaveOptions,
        stop: StopControl,
        ownership: Ownership,
        session: SessionReport,
        ledger: Ledger | None,
    ) -> None:
        self.settings, self.options, self.stop = settings, options, stop
        self.ownership, self.session, self.ledger = ownership, session, ledger
        self.records: list[WaveRecord] = []
        self.in_flight: list[Claim] = []
        self.last_run_id: str | None = None
        self.control: ChangeControl | None = None
        self.requested_mode = settings.mode
        self._lock = threading.Lock()

    def loop(self) -> str:
        size = self.options.wave_size(self.settings.max_agents)
        last_seconds: float | None = None
        while True:
            reason = self.stop.before_wave(last_seconds) or self._budget()
            if reason:
                return reason
            claims = self.ownership.claim(size)
            if not claims:
                return "no function left: every planned one is done or owned by another agent"
            started = time.monotonic()
            self._wave(claims, len(self.records) + 1)
            last_seconds = time.monotonic() - started
            if self.options.kind != "continuous":
                return f"{self.options.kind} wave finished"
            if self.options.max_waves and len(self.records) >= self.options.max_waves:
                return f"{self.options.max_waves} wave(s) run (--max-waves)"
            if self.stop.pause(max(self.options.throttle, self.options.interval - last_seconds)):
                return self.stop.reason or "stopped"

    def _budget(self) -> str | None:
        return llm_budget_reason(self.settings.method, self.ledger, self.settings.llm)

    def _wave(self, claims: list[Claim], number: int) -> None:
        from agentic_action.run import run

        keys = tuple(c.target.key for c in claims)
        log.info("wave %d: %s", number, ", ".join(keys))
        observers, history = self._observers(claims)
        with self._lock:
            self.in_flight = list(claims)
        started = time.monotonic()
        try:
            with self.ownership.held(claims):
                report = run(self.settings, observers=observers, only=set(keys))
        except Exception as error:  # the run failed: its functions go back to the queue
            log.exception("wave %d failed", number)
            self._release(claims, f"the wave's run failed: {type(error).__name__}: {error}")
            self.session.note(f"Wave {number} failed: {type(error).__name__}: {error}")
            self.stop.request(f"wave {number} failed")
            return
        with self._lock:
            self.in_flight = []
            for claim in claims:
                ids = history.result_ids.get(claim.target.key, []) if history else []
                self.ownership.finish(claim, ids)
            record = _record(number, keys, report, time.monotonic() - started)
            self.records.append(record)
            self.last_run_id = history.run_id if history else None
            self.session.absorb(report, _describe(record, self.settings))

    def _observers(self, claims: list[Claim]) -> tuple[list[RunObserver], Any]:
        observers: list[RunObserver] = [self.session.live]
        if self.ledger is None:
            return observers, None
        from agentic_action.report.history import RunHistory

        tasks = {c.target.key: c.task_id for c in claims if c.task_id is not None}
        owner = getattr(self.ownership, "owner", None)
        history = RunHistory(self.ledger, agent=owner, task_ids=tasks)
        return [*observers, history], history

    def _release(self, claims: Sequence[Claim], reason: str) -> None:
        for claim in claims:
            try:
                self.ownership.release(claim, reason)
            except Exception:
                log.exception("could not hand %s back to the queue", claim.target.key)

    def abort(self) -> None:
        """A second signal: keep what finished, hand back the rest, write, exit."""
        with self._lock:
            finished = self.session.live.finished_keys()
            for claim in self.in_flight:
                if claim.target.key not in finished:
                    self._release([claim], "aborted by a second signal before it finished")
            self.session.abort_note(self.in_flight, finished)
            self.session.write(final=False)
        killed = kill_children()
        log.warning("aborted; killed %d child process group(s)", len(killed))
        os._exit(ABORT_EXIT)

    def finish(self, reason: str, repo_root: Path, base_commit: str) -> WavesOutcome:
        self.session.note(f"Waves stopped: {reason}.")
        outcome = WavesOutcome(self.session.report, self.records, reason)
        if self.session.report is None:
            return outcome
        conflicts = self._conflicts(repo_root, base_commit)
        self.session.apply_conflicts(conflicts)
        outcome.conflicts, outcome.publishable = conflicts, conflicts.publishable
        self._publish(conflicts, repo_root, base_commit, outcome)
        outcome.report_path, outcome.summary_path = self.session.write(final=True)
        return outcome

    def _publish(
        self, conflicts: ConflictReport, repo_root: Path, base_commit: str, outcome: WavesOutcome
    ) -> None:
        from agentic_action.patches import PatchStore
        from agentic_action.publish.once import publish_once

        report, control = self.session.report, self.control
        assert report is not None
        report.settings = report.settings.model_copy(update={"mode": self.requested_mode})
        if control is None:
            return
        report.mode_used, report.mode_reason = control.mode, control.reason
        if control.mode != "github":
            return
        store = PatchStore(
            self.settings.patches_path, history_limit=self.settings.patch_history_limit
        )
        report.results = publish_once(control, conflicts, store, repo_root, base_commit)
        outcome.publishable = [report.results[i] for i in conflicts.publishable_at]
        report.github = control.github

    def _conflicts(self, repo_root: Path, base_commit: str) -> ConflictReport:
        from agentic_action.patches import PatchStore
        from agentic_action.sandbox.pytest_runner import PytestOptions

        report = self.session.report
        assert report is not None
        settings = self.settings
        options = PytestOptions(
            settings.python, settings.test_timeout, settings.run_integration_tests,
            settings.run_performance_tests,
        )  # fmt: skip
        store = PatchStore(settings.patches_path, history_limit=settings.patch_history_limit)
        return resolve_run_conflicts(
            report.results, store, repo_root, base_commit, options=options,
            baseline=report.baseline, ledger=self.ledger, run_id=self.last_run_id,
            worktree_base=settings.worktree_base,
        )  # fmt: skip


def _record(number: int, keys: tuple[str, ...], report: RunReport, seconds: float) -> WaveRecord:
    from agentic_action.model import Status

    return WaveRecord(
        number, keys, round(seconds, 1), report.accepted_functions,
        report.count(Status.REJECTED), report.count(Status.ERROR),
    )  # fmt: skip


def _describe(record: WaveRecord, settings: Settings) -> str:
    return (
        f"Wave {record.number} ({settings.method}, {len(record.keys)} function(s), "
        f"{record.seconds:.0f} s): {record.accepted} accepted, {record.rejected} rejected, "
        f"{record.errors} errors."
    )
