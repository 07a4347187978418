"""What every optimization method provides, and the registry keyed by the name users type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from agentic_action.model import Candidate, FunctionTarget


@dataclass(frozen=True)
class NoCandidate:
    """A method looked at a target and has nothing to propose (an expected outcome)."""

    reason: str


class Method(Protocol):
    name: str

    def propose(self, target: FunctionTarget, source: str) -> list[Candidate] | NoCandidate:
        """Candidates for ``target``, whose file currently reads ``source``."""
        ...
