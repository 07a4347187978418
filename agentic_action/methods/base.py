"""What every optimization method provides, and what the run gives it to work with.

A method owns its loop over one target: it proposes candidates, asks the run to prove them
(``ctx.prove``: a fresh worktree and the whole proof gate), and chooses at most one accepted
attempt to publish. Proof is never the method's own business: every candidate, whoever wrote
it, goes through the same gate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from agentic_action.model import Candidate, CheckOutcome, CheckResult, FunctionTarget

if TYPE_CHECKING:
    from agentic_action.prove.gate import GateVerdict


@dataclass(frozen=True)
class Proof:
    """A candidate after the gate; the diffs exist only for accepted candidates."""

    candidate: Candidate
    verdict: GateVerdict
    forward_diff: str = ""
    reverse_diff: str = ""

    @property
    def accepted(self) -> bool:
        return self.verdict.accepted


@dataclass
class MethodOutcome:
    """Everything a method tried on one target, and the attempt it chose (if any)."""

    attempts: list[Proof] = field(default_factory=list)
    chosen: Proof | None = None
    note: str = ""  # e.g. "no rule applies"; "no model reachable: fell back to rules"
    data: dict[str, Any] = field(default_factory=dict)  # per-method figures for the report

    def tally(self) -> dict[str, Any]:
        """What report.json keeps of it: proposals, how many were accepted, the rejections by
        the check that stopped them (``answer``: unusable before the gate), and ``data``."""
        rejected_by: dict[str, int] = {}
        for proof in self.attempts:
            if not proof.accepted:
                name = _stopping_check(proof)
                rejected_by[name] = rejected_by.get(name, 0) + 1
        return {
            "proposals": len(self.attempts),
            "accepted": sum(1 for p in self.attempts if p.accepted),
            "rejected_by": dict(sorted(rejected_by.items())),
            "data": json.loads(json.dumps(self.data, default=str)),
        }


def _stopping_check(proof: Proof) -> str:
    failed = [
        c for c in proof.verdict.checks if c.outcome in (CheckOutcome.FAILED, CheckOutcome.ERROR)
    ]
    return failed[0].name if failed else "other"


class ExtraCheck(Protocol):
    """A method-specific check run in the candidate's worktree after the affected tests."""

    def __call__(self, root: Path, candidate: Candidate) -> list[CheckResult]: ...


class MethodContext(Protocol):
    """What the run lends a method."""

    def prove(self, candidate: Candidate, *, extra: ExtraCheck | None = None) -> Proof: ...

    @property
    def original_root(self) -> Path:
        """A worktree of the unmodified commit (read-only by convention)."""
        ...


class Method(Protocol):
    name: str

    def optimize(self, target: FunctionTarget, source: str, ctx: MethodContext) -> MethodOutcome:
        """Work on ``target`` (its file reads ``source`` at the run's commit)."""
        ...
