"""One optimization run: plan -> propose -> prove -> store -> report.

Both doors, the CLI and the Action entrypoint, call :func:`run`.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from agentic_action.change.patches import PatchMeta, PatchStore, diff_worktree, utc_now
from agentic_action.methods import NoCandidate, get_method
from agentic_action.model import Candidate, FunctionTarget, OptimizationResult, PatchRef, Status
from agentic_action.plan.discover import Discovery, discover
from agentic_action.plan.profile import Profile, profile_suite
from agentic_action.plan.rank import rank_targets
from agentic_action.settings import Settings, SettingsError
from agentic_action.validate.baseline import Baseline, run_baseline
from agentic_action.validate.pipeline import GateConfig, run_gate
from agentic_action.validate.pytest_runner import PytestOptions
from agentic_action.validate.sandbox import isolation_description, isolation_level
from agentic_action.workspace import Repository, Worktrees

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
    functions_examined: int = 0
    no_candidate: dict[str, str] = field(default_factory=dict)  # target key -> why
    results: list[OptimizationResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)


def run(settings: Settings) -> RunReport:
    """Run one optimization pass. Raises SettingsError/RepositoryError on bad input only."""
    repo = Repository(settings.repo)
    out_dir = settings.out.resolve()
    report = RunReport(settings, repo.root, repo.head_commit, out_dir)
    report.isolation = isolation_description(isolation_level())
    report.mode_used, report.mode_reason = _choose_mode(settings)
    log.info("optimizing %s at %s (%s mode)", repo.root, repo.head_commit[:12], report.mode_used)
    if repo.is_dirty():
        report.dirty_worktree = True
        report.notes.append(
            "The working tree has uncommitted changes: they are ignored and left untouched; "
            f"the run optimizes the last commit ({repo.head_commit[:12]})."
        )
    report.discovery = discover(repo, settings.targets)
    _log_discovery(report.discovery)
    if report.discovery.functions:
        _optimize(repo, settings, report)
    report.finished_at = time.time()
    return report


def _choose_mode(settings: Settings) -> tuple[str, str]:
    if settings.mode == "github":
        raise SettingsError(
            "setting 'mode' has value 'github', but this version cannot publish to GitHub yet. "
            "Allowed: auto or patch"
        )
    if settings.mode == "patch":
        return "patch", "patch mode was requested"
    return "patch", "GitHub publishing is not available in this version; results are patch files"


def _log_discovery(found: Discovery) -> None:
    for pattern in found.unmatched_globs:
        log.warning("glob %r matches no tracked file at HEAD", pattern)
    for problem in found.problems:
        log.warning("skipping %s: %s", problem.file, problem.reason)
    log.info("plan: %d file(s), %d function(s)", len(found.files), len(found.functions))


def _optimize(repo: Repository, settings: Settings, report: RunReport) -> None:
    options = PytestOptions(
        python=settings.python,
        timeout=settings.test_timeout,
        run_integration=settings.run_integration_tests,
        run_performance=settings.run_performance_tests,
    )
    worktrees = Worktrees(repo, settings.worktree_base)
    pruned = worktrees.prune_stale()
    if pruned:
        report.notes.append(f"Removed {len(pruned)} stale worktree(s) left by an earlier run.")
    with tempfile.TemporaryDirectory(prefix="agentic-run-") as scratch_dir:
        scratch = Path(scratch_dir)
        try:
            with worktrees.checkout("baseline") as base_root:
                _optimize_from(base_root, settings, report, options, scratch, worktrees)
        finally:
            worktrees.close()


def _optimize_from(
    base_root: Path,
    settings: Settings,
    report: RunReport,
    options: PytestOptions,
    scratch: Path,
    worktrees: Worktrees,
) -> None:
    log.info("baseline: running the repository's tests on HEAD")
    baseline = run_baseline(base_root, options, scratch)
    report.baseline = baseline
    log.info("baseline: %s", baseline.describe())
    profile = Profile(note="not profiled: the baseline is not green")
    if baseline.usable:
        profile = profile_suite(base_root, options, scratch)
    report.profile_note = profile.note
    targets = rank_targets(profile.apply(report.discovery.functions))
    candidates = _propose(settings, targets, report)
    if not candidates:
        return
    if not baseline.usable:
        reason = f"not validated: the baseline test run is not green ({baseline.describe()})"
        report.results = [_result(c, Status.REJECTED, reason) for c in candidates]
        return
    config = GateConfig(options, settings.min_test_coverage, scratch)
    store = PatchStore(report.out_dir / "patches", history_limit=settings.patch_history_limit)
    total = len(candidates)

    def prove(numbered: tuple[int, Candidate]) -> OptimizationResult:
        index, candidate = numbered
        log.info("[%d/%d] proving %s (%s)", index, total, candidate.target.key, candidate.method)
        result = _prove(candidate, report, config, worktrees, store, label=f"c{index}")
        log.info("[%d/%d] %s: %s", index, total, result.status.value, result.reason)
        return result

    with ThreadPoolExecutor(max_workers=min(settings.max_agents, os.cpu_count() or 1)) as pool:
        report.results = list(pool.map(prove, enumerate(candidates, start=1)))


def _propose(
    settings: Settings, targets: list[FunctionTarget], report: RunReport
) -> list[Candidate]:
    method = get_method(settings.method)
    candidates: list[Candidate] = []
    for target in targets:
        report.functions_examined += 1
        if target.skip_reason:
            report.no_candidate[target.key] = target.skip_reason
            continue
        proposed = method.propose(target, report.discovery.sources[target.file])
        if isinstance(proposed, NoCandidate):
            report.no_candidate[target.key] = proposed.reason
            continue
        candidates.extend(proposed)
    if settings.max_candidates and len(candidates) > settings.max_candidates:
        report.notes.append(
            f"{len(candidates)} candidates found; the {settings.max_candidates} highest-ranked "
            "were validated (max_candidates)."
        )
        candidates = candidates[: settings.max_candidates]
    log.info("propose: %d candidate(s) from %d function(s)", len(candidates), len(targets))
    return candidates


def _prove(
    candidate: Candidate,
    report: RunReport,
    config: GateConfig,
    worktrees: Worktrees,
    store: PatchStore,
    label: str,
) -> OptimizationResult:
    assert report.baseline is not None
    original = report.discovery.sources[candidate.target.file]
    try:
        with worktrees.checkout(f"{label}-{candidate.target.qualname}") as root:
            verdict = run_gate(root, candidate, original, report.baseline, config, label=label)
            if not verdict.accepted:
                return _result(candidate, Status.REJECTED, verdict.reason, verdict.checks)
            forward, reverse = diff_worktree(root, [candidate.target.file])
    except Exception as error:  # a bug or an environment failure: reported, never fatal
        log.exception("error while proving %s", candidate.target.key)
        return _result(candidate, Status.ERROR, f"{type(error).__name__}: {error}")
    meta = PatchMeta(
        file=candidate.target.file,
        qualname=candidate.target.qualname,
        method=candidate.method,
        rationale=candidate.rationale,
        base_commit=report.base_commit,
        created_at=utc_now(),
        extra={"rules": sorted({e.rule for e in candidate.edits})},
    )
    stored = store.put(forward, reverse, meta)
    rel = stored.path.relative_to(report.out_dir).as_posix()
    accepted = _result(candidate, Status.ACCEPTED, verdict.reason, verdict.checks)
    return replace(
        accepted,
        patch=PatchRef(stored.cid, stored.reverse_cid, rel),
        destination="patch",
    )


def _result(
    candidate: Candidate,
    status: Status,
    reason: str,
    checks: tuple = (),  # type: ignore[type-arg]
) -> OptimizationResult:
    return OptimizationResult(
        target=candidate.target,
        method=candidate.method,
        status=status,
        reason=reason,
        edits=candidate.edits,
        checks=tuple(checks),
    )
