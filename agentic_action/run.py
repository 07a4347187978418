"""One optimization run: plan -> propose -> prove -> store -> report.

Both doors, the CLI and the Action entrypoint, call :func:`run`.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from agentic_action import cancel
from agentic_action.agents import AgentReport, ProofServices, run_agent
from agentic_action.baseline.profile import Profile, profile_suite
from agentic_action.baseline.suite import Baseline, run_baseline
from agentic_action.baseline.untestable import baseline_problem, interpreter_problem
from agentic_action.extras import require
from agentic_action.methods import Method
from agentic_action.methods.registry import get_method
from agentic_action.methods.rules import RulesMethod, rules_candidate
from agentic_action.model import (
    AUTO,
    LLM_METHODS,
    Candidate,
    FunctionTarget,
    OptimizationResult,
    Status,
)
from agentic_action.patches import PatchStore
from agentic_action.plan.discover import Discovery, discover
from agentic_action.plan.rank import rank_targets
from agentic_action.plan.shard import parse_shard, select
from agentic_action.prove.differential.prepare import DifferentialSettings
from agentic_action.prove.gate import GateConfig
from agentic_action.prove.plan import ProofPlan, prefetch_static, prepare_proof
from agentic_action.publish.control import ChangeControl, choose_change_control
from agentic_action.publish.ipfs_share import share_patches
from agentic_action.record import RecordingReport
from agentic_action.sandbox.policy import refuse_unisolated
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.sandbox.runner import isolation_description, isolation_level
from agentic_action.settings import Settings
from agentic_action.workspace import Repository, Worktrees, remove_stale_temp

log = logging.getLogger("agentic_action")


@dataclass
class RunReport:
    """Everything the report writers need; filled as the run goes."""

    settings: Settings
    repo_root: Path
    base_commit: str
    out_dir: Path
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    dirty_worktree: bool = False
    mode_used: str = "patch"
    mode_reason: str = ""
    isolation: str = ""
    discovery: Discovery = field(default_factory=Discovery)
    baseline: Baseline | None = None
    profile_note: str = ""
    hot_functions: list[str] = field(default_factory=list)  # target keys the tests spent time in
    functions_examined: int = 0
    no_candidate: dict[str, str] = field(default_factory=dict)  # target key -> why
    recording: dict[str, str] = field(default_factory=dict)  # target key -> inputs recorded
    # target key -> the method's proposals, rejections by check and own figures (tally())
    method_tally: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[OptimizationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Why the run could not test anything ("" when it could): the run failed, exit 1.
    failure: str = ""
    cancelled: str = ""  # the signal that stopped the run (SIGTERM, SIGINT), "" when none
    dry_run: dict[str, Any] = field(default_factory=dict)  # --dry-run: the proposals
    github: dict[str, Any] = field(default_factory=dict)  # repository, API usage, dashboard
    observers: list[RunObserver] = field(default_factory=list, repr=False)
    only: frozenset[str] | None = None
    router: Any = None  # the LLM router of an LLM method, for the usage report
    method: Any = None  # the Method that works on the targets
    llm: dict[str, Any] = field(default_factory=dict)  # calls, tokens, cost per method/model
    ipfs: dict[str, Any] = field(default_factory=dict)  # node, pinned CIDs, index CID
    conflicts: list[Any] = field(default_factory=list)  # resolutions of overlapping patches
    learning: dict[str, Any] = field(default_factory=dict)  # the selector's section (learning/)
    learner: Any = field(default=None, repr=False)  # the run's LearningSession, if learning
    architecture: dict[str, Any] = field(default_factory=dict)  # architecture agent's section

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def accepted_functions(self) -> int:
        """Functions improved: a combination of accepted patches is not counted again."""
        return sum(1 for r in self.results if r.status is Status.ACCEPTED and not r.merged_from)


class RunObserver(Protocol):
    """Told about a run as it happens (the ledger, live dashboards). Called from worker threads;
    an observer must not raise (a failing observer is logged and the run goes on)."""

    def started(self, report: RunReport) -> None: ...

    def result(self, report: RunReport, result: OptimizationResult) -> None: ...

    def finished(self, report: RunReport) -> None: ...


def run(
    settings: Settings,
    *,
    observers: Sequence[RunObserver] = (),
    only: Collection[str] | None = None,
) -> RunReport:
    """Run one optimization pass. Raises SettingsError/RepositoryError on bad input only.

    ``only``: target keys (``file::qualname``) to work on; others are planned but left alone
    (waves use it to hand out disjoint work).
    """
    repo = Repository(settings.repo)
    out_dir = settings.out.resolve()
    report = RunReport(settings, repo.root, repo.head_commit, out_dir)
    report.observers = list(observers)
    report.only = None if only is None else frozenset(only)
    report.isolation = isolation_description(isolation_level())
    control = choose_change_control(settings.mode, settings.github)
    report.mode_used, report.mode_reason = control.mode, control.reason
    report.method = _method(settings, report)  # a bad LLM setting is refused before any work
    _learning(settings, report)
    if settings.ipfs_api:  # so is a node to share with but no ipfs extra to talk to it
        require("ipfshttpclient", "ipfs", "IPFS sharing")
    log.info("optimizing %s at %s (%s mode)", repo.root, repo.head_commit[:12], report.mode_used)
    if repo.is_dirty():
        report.dirty_worktree = True
        report.notes.append(
            "The working tree has uncommitted changes: they are ignored and left untouched; "
            f"the run optimizes the last commit ({repo.head_commit[:12]})."
        )
    report.discovery = discover(repo, settings.targets)
    if settings.dry_run:
        return _dry_run(settings, report, control)
    _tell(report, "started", report)
    _log_discovery(report.discovery)
    try:
        _clean_leftovers(repo, settings, report)
        if report.discovery.functions:
            report.failure = interpreter_problem(settings.python)
        if report.discovery.functions and not report.failure:
            _optimize(repo, settings, report, control)
    except cancel.Cancelled as stop:
        report.cancelled = stop.name
        report.notes.append(f"Cancelled by {stop.name}: only what was proven before is reported.")
    if any(r.patch for r in report.results) and not report.cancelled:
        _resolve_and_publish(repo, settings, report, control)
    if control.publisher is not None and report.learner is not None:
        control.github["verdicts"] = control.publisher.verdicts()  # the selector learns them
    report.github = control.github
    if settings.ipfs_api and report.results:
        store = PatchStore(settings.patches_path, history_limit=settings.patch_history_limit)
        run_id = f"{repo.head_commit[:12]}-{int(report.started_at)}"
        report.ipfs = share_patches(settings.ipfs_api, report.results, store, run_id)
    if report.router is not None:
        report.llm = report.router.usage().to_dict()
    report.finished_at = time.time()
    _tell(report, "finished", report)
    _learned(report)
    return report


def _dry_run(settings: Settings, report: RunReport, control: ChangeControl) -> RunReport:
    """--dry-run: the plan and the rules' proposals; nothing proven, nothing recorded."""
    from agentic_action.methods.proposals import propose
    from agentic_action.methods.rules import rules_pass

    _log_discovery(report.discovery)
    targets = _eligible(rank_targets(report.discovery.functions), settings, report, control)
    rules = rules_pass(settings.state_path)
    report.dry_run = propose(
        targets, report.discovery.sources, rules, report.no_candidate, settings.rules_tier
    )
    if settings.method != "rules":
        report.notes.append(
            f"Dry run: the rules engine proposed; method {settings.method} was not called."
        )
    report.finished_at = time.time()
    return report


def _learning(settings: Settings, report: RunReport) -> None:
    """Open the run's learning session (never fatal: a failure is a note)."""
    if not settings.learning or settings.dry_run:  # a dry run learns nothing and writes nothing
        return
    from agentic_action.learning.session import LearningSession

    session = LearningSession(settings.state_path, settings.ledger_path, str(report.repo_root))
    try:
        session.open()
    except Exception as error:  # learning must never stop a run
        log.exception("learning could not start")
        report.notes.append(f"Learning is off for this run: {type(error).__name__}: {error}")
        return
    report.learner = session


def _learned(report: RunReport) -> None:
    """Learn what the run's candidates became, and write the report's learning section."""
    session = report.learner
    if session is None:
        return
    run_data = {
        "base_commit": report.base_commit,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "llm": report.llm,
        "no_candidate": report.no_candidate,
        "github_verdicts": report.github.get("verdicts") if report.github else None,
    }
    try:
        session.finish(report.results, run_data)
        seconds = (report.finished_at or time.time()) - report.started_at
        report.learning = session.section(seconds)
    except Exception as error:  # learning must never stop a run
        log.exception("learning could not record the run")
        report.notes.append(f"Learning did not record this run: {type(error).__name__}: {error}")
    report.notes.extend(session.notes)


def _tell(report: RunReport, event: str, *args: Any) -> None:
    for observer in report.observers:
        try:
            getattr(observer, event)(*args)
        except Exception:
            log.exception("run observer %s failed on %s", type(observer).__name__, event)


def _resolve_and_publish(
    repo: Repository, settings: Settings, report: RunReport, control: ChangeControl
) -> None:
    """Patches of one file were each made against HEAD: check they combine (three-way merge,
    re-validated) before anything is published; conflicts that git cannot settle are escalated."""
    from agentic_action.publish.conflicts import resolve_run_conflicts
    from agentic_action.publish.once import publish_once

    store = PatchStore(settings.patches_path, history_limit=settings.patch_history_limit)
    conflicts = resolve_run_conflicts(
        report.results,
        store,
        repo.root,
        repo.head_commit,
        options=_pytest_options(settings),
        baseline=report.baseline,
        worktree_base=settings.worktree_base,
        workers=_agent_count(settings),
    )
    report.results, report.conflicts = conflicts.results, conflicts.resolutions
    report.notes.extend(conflicts.notes)
    report.results = publish_once(control, conflicts, store, repo.root, repo.head_commit)


def _pytest_options(settings: Settings) -> PytestOptions:
    return PytestOptions(
        python=settings.python,
        timeout=settings.test_timeout,
        run_integration=settings.run_integration_tests,
        run_performance=settings.run_performance_tests,
    )


def _log_discovery(found: Discovery) -> None:
    for pattern in found.unmatched_globs:
        log.warning("glob %r matches no tracked file at HEAD", pattern)
    for problem in found.problems:
        log.warning("skipping %s: %s", problem.file, problem.reason)
    log.info("plan: %d file(s), %d function(s)", len(found.files), len(found.functions))


def _clean_leftovers(repo: Repository, settings: Settings, report: RunReport) -> None:
    """Worktrees and temp folders of earlier runs whose process is gone (killed, SIGKILL)."""
    pruned = Worktrees(repo, settings.worktree_base).prune_stale()
    if pruned:
        report.notes.append(f"Removed {len(pruned)} stale worktree(s) left by an earlier run.")
    removed = remove_stale_temp()
    if removed:
        report.notes.append(f"Removed {len(removed)} temp folder(s) left by an earlier run.")


def _optimize(
    repo: Repository, settings: Settings, report: RunReport, control: ChangeControl
) -> None:
    options = _pytest_options(settings)
    worktrees = Worktrees(repo, settings.worktree_base)
    # The pid in the name lets the next run remove it when this process is killed (SIGKILL).
    with tempfile.TemporaryDirectory(prefix=f"agentic-run-{os.getpid()}-") as scratch_dir:
        scratch = Path(scratch_dir)
        try:
            with worktrees.checkout("baseline") as base_root:
                _optimize_from(base_root, settings, report, options, scratch, worktrees, control)
        finally:
            worktrees.close()


def _optimize_from(
    base_root: Path,
    settings: Settings,
    report: RunReport,
    options: PytestOptions,
    scratch: Path,
    worktrees: Worktrees,
    control: ChangeControl,
) -> None:
    log.info("baseline: running the repository's tests on HEAD")
    baseline = run_baseline(base_root, options, scratch)
    report.baseline = baseline
    log.info("baseline: %s", baseline.describe())
    report.failure = baseline_problem(baseline, settings.python, settings.test_timeout)
    if report.failure:
        return
    profile = Profile(note="not profiled: the baseline is not green")
    if baseline.usable:
        profile = profile_suite(base_root, options, scratch)
    report.profile_note = profile.note
    ranked = rank_targets(profile.apply(report.discovery.functions))
    report.hot_functions = [t.key for t in ranked if t.profile_seconds]
    targets = _eligible(ranked, settings, report, control)
    if not targets:
        return
    if not baseline.usable:
        reason = f"not validated: the baseline test run is not green ({baseline.describe()})"
        report.results = _unvalidated(settings, targets, report, reason)
        return
    proof = _prepare_proof(settings, base_root, targets, baseline, scratch, report)
    targets, methods = _choose(settings, report, targets, proof)
    services = ProofServices(
        worktrees=worktrees,
        baseline=baseline,
        config=GateConfig(
            options,
            settings.min_test_coverage,
            scratch,
            proof=proof,
            full_suite_runs=2 if settings.validation_level == "thorough" else 1,
        ),
        original_root=base_root,
        sources=report.discovery.sources,
    )
    _prefetch_static(proof, targets, methods, report)
    _run_agents(settings, report, services, targets, methods)


def _prefetch_static(
    proof: ProofPlan, targets: list[FunctionTarget], methods: dict[str, Method], report: RunReport
) -> None:
    """The rules candidates are known before any agent starts: scan them all with one semgrep
    run now rather than one run per candidate (an LLM's candidates are scanned one by one)."""
    versions: list[tuple[str, bytes]] = []
    for target in targets:
        method = methods.get(target.key, report.method)
        if isinstance(method, RulesMethod):
            source = report.discovery.sources[target.file]
            candidate = method.candidate(target, source, proof.original_root)
            if isinstance(candidate, Candidate):
                versions.append((target.file, candidate.new_source.encode("utf-8")))
    if not versions:
        return
    started = time.perf_counter()
    scanned = prefetch_static(proof, versions)
    if scanned:
        seconds = time.perf_counter() - started
        log.info("proof: semgrep scanned %d candidate(s) in one run (%.1fs)", scanned, seconds)


def _choose(
    settings: Settings, report: RunReport, targets: list[FunctionTarget], proof: ProofPlan
) -> tuple[list[FunctionTarget], dict[str, Method]]:
    """The learning selector's order and methods (``auto``); its estimates for any method."""
    session = report.learner
    if session is None:
        return targets, {}
    from agentic_action.learning.choose import MethodFactory, choose

    recording = proof.recording
    recorded = {t.key: recording.for_target(t).examples for t in targets} if recording else {}
    factory = MethodFactory(
        report.router, settings.state_path, _method_settings(settings), settings.rules_tier
    )
    try:
        choice = choose(
            session, targets, report.discovery.sources, recorded,
            method=settings.method, factory=factory,
        )  # fmt: skip
    except Exception as error:  # learning must never stop a run
        log.exception("the learning selector failed")
        report.notes.append(f"Learning chose nothing: {type(error).__name__}: {error}")
        return targets, {}
    if choice.left_out:
        report.notes.append(
            f"The learning selector left out {len(choice.left_out)} function(s) whose best "
            "chance of an accepted change was worth less than its cost."
        )
    cap = settings.max_candidates
    if settings.method == AUTO and cap and len(choice.targets) > cap:
        report.notes.append(
            f"{len(choice.targets)} functions qualify; the {cap} the learning selector valued "
            "most were worked on (max_candidates)."
        )
        return choice.targets[:cap], choice.methods
    return choice.targets, choice.methods


def _run_agents(
    settings: Settings,
    report: RunReport,
    services: ProofServices,
    targets: list[FunctionTarget],
    methods: dict[str, Method],
) -> None:
    """One agent per target, ``max_agents`` at a time (bounded by the cores)."""
    store = PatchStore(settings.patches_path, history_limit=settings.patch_history_limit)
    total = len(targets)

    def work(numbered: tuple[int, FunctionTarget]) -> AgentReport:
        index, target = numbered
        method: Method = methods.get(target.key, report.method)
        log.info("[%d/%d] %s: %s", index, total, method.name, target.key)
        agent = run_agent(method, target, services, store, report.base_commit)
        cancel.check()  # an agent cut short by a cancellation proved nothing
        for result in agent.results:
            log.info("[%d/%d] %s: %s", index, total, result.status.value, result.reason)
            _tell(report, "result", report, result)
        if not agent.results:
            log.info("[%d/%d] no candidate: %s", index, total, agent.note)
        finished.append(agent)
        return agent

    finished: list[AgentReport] = []  # in the order agents end; kept when the run is cancelled
    pool = ThreadPoolExecutor(max_workers=_agent_count(settings))
    try:
        list(pool.map(work, enumerate(targets, start=1)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _collect(report, finished, targets)


def _collect(report: RunReport, agents: list[AgentReport], targets: list[FunctionTarget]) -> None:
    order = {target.key: index for index, target in enumerate(targets)}
    for agent in sorted(agents, key=lambda a: order[a.target.key]):
        report.results.extend(agent.results)
        report.method_tally[agent.target.key] = agent.tally
        if not agent.results:
            report.no_candidate[agent.target.key] = agent.note or "nothing proposed"


def _agent_count(settings: Settings) -> int:
    """Proofs at a time: ``max_agents``, bounded by the cores."""
    return min(settings.max_agents, os.cpu_count() or 1)


def _method(settings: Settings, report: RunReport) -> Method:
    """The run's method; an LLM method gets the router (or falls back to rules, and says so).
    ``auto``: the rules engine until the selector chooses per function (with the router when a
    model is configured)."""
    if settings.method not in (*LLM_METHODS, AUTO):
        return get_method(
            settings.method, state_dir=settings.state_path, rules_tier=settings.rules_tier
        )
    from agentic_action.llm import open_router
    from agentic_action.llm.config import LLMConfigError

    state_dir = settings.state_path
    if isinstance(settings.llm, str):
        raise LLMConfigError(settings.llm)
    config = settings.llm
    if config.configured:
        refuse_unisolated(settings.method)  # LLM-written code runs only where it is isolated
        config.check_models()  # an unknown model name is bad input, refused before any work
    router = open_router(config, state_dir) if config.configured else None
    report.router = router
    if settings.method == AUTO:
        if router is None:
            report.notes.append(
                "Method auto: no LLM model is configured (OPTIMIZER_LLM_PROVIDER); the selector "
                "chose among the methods that need none (the rules engine)."
            )
        return get_method("rules", state_dir=state_dir, rules_tier=settings.rules_tier)
    if router is None:
        report.notes.append(
            f"Method {settings.method}: no LLM model is configured (OPTIMIZER_LLM_PROVIDER); "
            "the rules engine proposed the candidates instead."
        )
    method_config = _method_settings(settings)
    return get_method(settings.method, router=router, state_dir=state_dir, config=method_config)


def _method_settings(settings: Settings) -> Any:
    from agentic_action.methods.llm_base import MethodSettings

    return MethodSettings(python=settings.python, test_timeout=settings.test_timeout)


def _prepare_proof(
    settings: Settings,
    base_root: Path,
    targets: list[FunctionTarget],
    baseline: Baseline,
    scratch: Path,
    report: RunReport,
) -> ProofPlan:
    plan = ProofPlan(
        level=settings.validation_level,
        original_root=base_root,
        python=settings.python,
        min_speedup=settings.min_speedup,
        benchmark_seconds=settings.benchmark_seconds,
        accept_slower_inputs=settings.accept_slower_inputs,
        float_rel_tol=settings.float_tolerance,
        timeout=settings.test_timeout,
        differential=DifferentialSettings(
            settings.differential_seconds, max_inputs=settings.differential_inputs
        ),
        static_keep=settings.state_path / "static",
    )
    if not plan.measures:
        report.notes.append(
            "Validation level 'quick': behaviour and speed were not measured; accepted changes "
            "are proven by the repository's tests only."
        )
        return plan
    tests: set[str] = set()
    if baseline.coverage is not None:
        for target in targets:
            lines = range(target.start_line, target.end_line + 1)
            tests |= baseline.coverage.tests_for(target.file, lines)
    plan = prepare_proof(plan, targets, sorted(tests), scratch)
    if plan.recording is not None:
        for target in targets:
            report.recording[target.key] = plan.recording.for_target(target).describe()
        _note_disturbed_recording(plan.recording, baseline, report)
    return plan


def _note_disturbed_recording(
    recording: RecordingReport, baseline: Baseline, report: RunReport
) -> None:
    """The tests pass on the base but not under the input recorder: say so, since the inputs
    recorded are then only those of the calls made before things went wrong."""
    if recording.tests_ok or not baseline.usable:
        return
    why = "timed out" if recording.timed_out else f"exit {recording.returncode}"
    last = recording.log_tail.strip().splitlines()[-1:] or [""]
    note = (
        f"The tests failed under the input recorder ({why}: {last[0][:200]}), though they pass "
        "on the base: fewer real inputs were recorded, and candidates without them cannot be "
        "proven faster."
    )
    log.warning("proof: %s", note)
    report.notes.append(note)


def _eligible(
    targets: list[FunctionTarget], settings: Settings, report: RunReport, control: ChangeControl
) -> list[FunctionTarget]:
    """Targets an agent will work on: this shard's, not skipped (comment, label), capped."""
    eligible = []
    shard = parse_shard(settings.shard) if settings.shard else None
    mine = select(targets, shard)
    if shard is not None:
        report.notes.append(f"Shard {shard}: {len(mine)} of {len(targets)} functions.")
    if report.only is not None:
        mine = [t for t in mine if t.key in report.only]
    for target in mine:
        report.functions_examined += 1
        skip = target.skip_reason or control.skip_reason(target)
        if skip:
            report.no_candidate[target.key] = skip
        else:
            eligible.append(target)
    if settings.method == AUTO and report.learner is not None:
        return eligible  # the selector orders them first; _choose applies max_candidates
    if settings.max_candidates and len(eligible) > settings.max_candidates:
        report.notes.append(
            f"{len(eligible)} functions qualify; the {settings.max_candidates} highest-ranked "
            "were worked on (max_candidates)."
        )
        eligible = eligible[: settings.max_candidates]
    return eligible


def _unvalidated(
    settings: Settings, targets: list[FunctionTarget], report: RunReport, reason: str
) -> list[OptimizationResult]:
    """On a red baseline: say what would have been tried, prove nothing, accept nothing."""
    results = []
    for target in targets:
        candidate = rules_candidate(target, report.discovery.sources[target.file])
        if isinstance(candidate, str):
            report.no_candidate[target.key] = candidate
            continue
        results.append(
            OptimizationResult(
                target, report.method.name, Status.REJECTED, reason, edits=candidate.edits
            )
        )
    return results
