"""The run-wide half of proof: what is prepared once on HEAD, and the checks that use it.

Prepared once per run on the baseline worktree:
- the real inputs of every target, recorded while the tests that execute it run (oracle);
- the static findings of the target files on HEAD (ruff, semgrep, mypy by level).

Per candidate: behaviour on the recorded inputs, differential inputs built around them (prepared
once per target), speed on the recorded inputs, static findings added.
Which of these run is chosen by the validation level:

- ``quick``: none of them (syntax, coverage, import and tests only; speed is not measured);
- ``standard``: behaviour, differential inputs, benchmark, ruff, semgrep;
- ``thorough``: standard + mypy, and the full suite twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from agentic_action.model import CheckOutcome, CheckResult, FunctionTarget, SpeedEvidence
from agentic_action.prove.behaviour import check_behaviour
from agentic_action.prove.behaviour.check import OriginalsCache
from agentic_action.prove.change import PERFORMANCE
from agentic_action.prove.differential.prepare import (
    DifferentialCache,
    DifferentialSettings,
    cache_key,
)
from agentic_action.prove.static_checks import (
    StaticBaseline,
    prefetch_semgrep,
    run_static_checks,
    static_baseline,
    tools_for_level,
)
from agentic_action.record import RecordingReport, record_inputs, store

log = logging.getLogger("agentic_action")

ROBUSTNESS_MIN_SPEEDUP = 0.8


@dataclass(frozen=True)
class ProofPlan:
    level: str
    original_root: Path
    python: str
    min_speedup: float = 0.05
    benchmark_seconds: float = 3.0
    accept_slower_inputs: bool = False
    float_rel_tol: float = 0.0
    timeout: float = 300.0
    inputs_dir: Path | None = None
    recording: RecordingReport | None = None
    static: StaticBaseline | None = None
    static_tools: tuple[str, ...] = ()
    static_keep: Path | None = None  # where semgrep's findings by file content outlive the run
    differential: DifferentialSettings = field(default_factory=DifferentialSettings)
    # the differential inputs of each target, prepared for its first candidate (shared by copies)
    differential_inputs: DifferentialCache = field(
        default_factory=DifferentialCache, compare=False, repr=False
    )
    # the original's replays of each target's recorded inputs, done for its first candidate
    behaviour_originals: OriginalsCache = field(
        default_factory=OriginalsCache, compare=False, repr=False
    )

    @property
    def measures(self) -> bool:
        return self.level != "quick"


def prepare_proof(
    plan: ProofPlan,
    targets: Sequence[FunctionTarget],
    test_ids: Sequence[str],
    scratch: Path,
) -> ProofPlan:
    """Record inputs and static findings on HEAD, once, for every target of the run: side by
    side (the static tools read the files; the recording runs the tests)."""
    if not plan.measures or not targets:
        return plan
    inputs_dir = scratch / "inputs"
    tools = tools_for_level(plan.level)
    files = sorted({t.file for t in targets})
    log.info("proof: static findings on HEAD (%s)", ", ".join(tools) or "none")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="static-head") as pool:
        static_run = pool.submit(
            static_baseline,
            plan.original_root,
            files,
            tools=tools,
            scratch=scratch / "static",
            python=plan.python,
            keep=plan.static_keep,
        )
        log.info(
            "proof: recording real inputs of %d function(s) from %d test(s)",
            len(targets),
            len(test_ids),
        )
        recording = record_inputs(
            plan.original_root,
            targets,
            out_dir=inputs_dir,
            test_ids=sorted(test_ids),
            python=plan.python,
            timeout=plan.timeout,
        )
        static = static_run.result()
    return replace(
        plan, inputs_dir=inputs_dir, recording=recording, static=static, static_tools=tools
    )


def prefetch_static(plan: ProofPlan, versions: Sequence[tuple[str, bytes]]) -> int:
    """Scan the candidates' versions of the target files (path, bytes) now, all at once, where
    a tool allows it (semgrep); their static checks then find the answers waiting."""
    if plan.static is None or not versions:
        return 0
    return prefetch_semgrep(plan.static, versions)


def static_checks(plan: ProofPlan, root: Path, files: Sequence[str]) -> list[CheckResult]:
    if plan.static is None or not plan.static_tools or not files:
        return []
    return run_static_checks(root, list(files), plan.static, tools=plan.static_tools)


def behaviour_check(plan: ProofPlan, root: Path, target: FunctionTarget) -> CheckResult | None:
    if not plan.measures or plan.inputs_dir is None:
        return None
    folder = plan.inputs_dir.parent / "behaviour" / store.target_slug(target.key)
    verdict = check_behaviour(
        plan.original_root,
        root,
        target,
        plan.inputs_dir,
        python=plan.python,
        timeout=plan.timeout,
        float_rel_tol=plan.float_rel_tol,
        originals=(plan.behaviour_originals, folder),
    )
    return verdict.to_check()


def differential_check(
    plan: ProofPlan, root: Path, target: FunctionTarget, edge_code: str = ""
) -> CheckResult | None:
    """Original and candidate on inputs built around the recorded ones (and the model's own
    edge cases, ``edge_code``); the inputs and the original's runs are prepared once per
    target and edge-case code."""
    if not plan.measures or plan.inputs_dir is None or plan.differential.max_inputs == 0:
        return None
    from agentic_action.prove.differential import Sides, check_differential, prepare_inputs

    inputs_dir, key = plan.inputs_dir, cache_key(target, edge_code)
    work = inputs_dir.parent / "differential" / key
    prepared = plan.differential_inputs.get(
        key,
        lambda: prepare_inputs(
            plan.python, plan.original_root, target, inputs_dir, work, plan.differential, edge_code
        ),
    )
    extra = tuple(store.recorded_sys_path(inputs_dir))
    sides = Sides(plan.python, plan.original_root.resolve(), root.resolve(), target, extra)
    return check_differential(sides, prepared, plan.differential)


def speed_check(
    plan: ProofPlan, root: Path, target: FunctionTarget, purpose: str
) -> tuple[CheckResult | None, SpeedEvidence | None]:
    """Measured speed, decided on the recorded inputs. A performance change that cannot be
    measured is not accepted: it would be a claim without evidence."""
    if not plan.measures or plan.inputs_dir is None:
        return None, None
    from agentic_action.prove.benchmark import compare_speed
    from agentic_action.prove.benchmark.harness import LOCK_NAME

    verdict = compare_speed(
        plan.original_root,
        root,
        target,
        plan.inputs_dir,
        python=plan.python,
        min_speedup=plan.min_speedup,
        time_budget=plan.benchmark_seconds,
        accept_slower_inputs=plan.accept_slower_inputs,
        lock=plan.inputs_dir.parent / LOCK_NAME,  # the run's agents benchmark one at a time
    )
    check = verdict.to_check()
    if purpose != PERFORMANCE:
        return _informational(check, verdict.evidence), verdict.evidence
    if check.outcome is CheckOutcome.SKIPPED:
        check = replace(
            check,
            outcome=CheckOutcome.FAILED,
            detail=f"not proven faster: {check.detail}",
        )
    return check, verdict.evidence


def _informational(check: CheckResult, evidence: SpeedEvidence | None) -> CheckResult:
    """A robustness fix need not be faster; it may not be clearly slower (CI entirely below
    ROBUSTNESS_MIN_SPEEDUP, i.e. more than 20% slower)."""
    if evidence is not None and evidence.ci_high < ROBUSTNESS_MIN_SPEEDUP:
        return replace(check, outcome=CheckOutcome.FAILED, detail=f"too slow: {check.detail}")
    return replace(
        check,
        outcome=CheckOutcome.PASSED,
        detail=f"informational (a robustness fix need not be faster): {check.detail}",
    )
