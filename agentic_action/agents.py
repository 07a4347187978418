"""One agent = one method working on one target, with the run's proof gate lent to it."""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentic_action.baseline.suite import Baseline
from agentic_action.methods import Method, MethodOutcome, Proof
from agentic_action.methods.base import ExtraCheck
from agentic_action.model import (
    Candidate,
    Destination,
    FunctionTarget,
    OptimizationResult,
    PatchRef,
    Status,
)
from agentic_action.patches import PatchMeta, PatchStore, diff_worktree, utc_now
from agentic_action.prove.gate import GateConfig, run_gate
from agentic_action.workspace import Worktrees

log = logging.getLogger("agentic_action")


@dataclass
class ProofServices:
    """What every agent of a run shares: worktrees, the baseline, the gate's configuration."""

    worktrees: Worktrees
    baseline: Baseline
    config: GateConfig
    original_root: Path
    sources: dict[str, str]
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_label(self) -> str:
        with self._lock:
            return f"c{next(self._ids)}"


class AgentContext:
    """The MethodContext one agent sees."""

    def __init__(self, services: ProofServices) -> None:
        self._services = services

    @property
    def original_root(self) -> Path:
        return self._services.original_root

    def prove(self, candidate: Candidate, *, extra: ExtraCheck | None = None) -> Proof:
        services = self._services
        label = services.next_label()
        original = services.sources[candidate.target.file]
        with services.worktrees.checkout(f"{label}-{candidate.target.qualname}") as root:
            verdict = run_gate(
                root,
                candidate,
                original,
                services.baseline,
                services.config,
                extra_checks=extra,
                label=label,
            )
            if not verdict.accepted:
                return Proof(candidate, verdict)
            paths = [candidate.target.file, *(rel for rel, _ in candidate.extra_files)]
            forward, reverse = diff_worktree(root, paths)
        return Proof(candidate, verdict, forward, reverse)


@dataclass
class AgentReport:
    target: FunctionTarget
    results: list[OptimizationResult]
    note: str = ""
    tally: dict[str, Any] = field(default_factory=dict)  # MethodOutcome.tally()


def run_agent(
    method: Method,
    target: FunctionTarget,
    services: ProofServices,
    store: PatchStore,
    base_commit: str,
) -> AgentReport:
    """Let ``method`` work on ``target``; store the chosen attempt; never raises."""
    try:
        outcome = method.optimize(target, services.sources[target.file], AgentContext(services))
    except Exception as error:  # a bug or an environment failure: reported, never fatal
        log.exception("error while optimizing %s", target.key)
        failed = OptimizationResult(
            target, method.name, Status.ERROR, f"{type(error).__name__}: {error}"
        )
        return AgentReport(target, [failed])
    results = _results(outcome, store, base_commit)
    return AgentReport(target, results, outcome.note, {"method": method.name, **outcome.tally()})


def _results(
    outcome: MethodOutcome, store: PatchStore, base_commit: str
) -> list[OptimizationResult]:
    results = []
    for proof in outcome.attempts:
        result = _as_result(proof)
        if proof is outcome.chosen:
            result = _stored(result, proof, store, base_commit)
        elif proof.accepted:
            result = replace(
                result,
                status=Status.REJECTED,
                reason="proven, but another candidate for this function was chosen",
            )
        results.append(result)
    return results


def _as_result(proof: Proof) -> OptimizationResult:
    candidate = proof.candidate
    return OptimizationResult(
        target=candidate.target,
        method=candidate.method,
        status=Status.ACCEPTED if proof.accepted else Status.REJECTED,
        reason=proof.verdict.reason,
        edits=candidate.edits,
        checks=proof.verdict.checks,
        speed=proof.verdict.speed,
    )


def _stored(
    result: OptimizationResult, proof: Proof, store: PatchStore, base_commit: str
) -> OptimizationResult:
    candidate = proof.candidate
    extra: dict[str, object] = {"rules": sorted({e.rule for e in candidate.edits})}
    if result.speed is not None:
        extra |= {
            "speedup": result.speed.speedup,
            "ci": [result.speed.ci_low, result.speed.ci_high],
        }
    meta = PatchMeta(
        file=candidate.target.file,
        qualname=candidate.target.qualname,
        method=candidate.method,
        rationale=candidate.rationale,
        base_commit=base_commit,
        created_at=utc_now(),
        extra=extra,
    )
    stored = store.put(proof.forward_diff, proof.reverse_diff, meta)
    rel = f"patches/{stored.path.name}"
    patch = PatchRef(stored.cid, stored.reverse_cid, rel)
    return replace(result, patch=patch, destination=Destination.PATCH)
