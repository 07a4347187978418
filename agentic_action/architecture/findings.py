"""What the architecture agent reports: findings with evidence and a proposed shape, never a
patch; and, per analysis, whether it ran and why it found nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    IMPORT_CYCLE = "import-cycle"
    LAYER_VIOLATION = "layer-violation"
    LONG_FUNCTION = "long-function"
    COMPLEX_FUNCTION = "complex-function"
    DUPLICATE = "duplicated-block"
    HOTSPOT = "change-hotspot"
    SLOW_TESTS = "slow-test-module"


class AnalysisState(StrEnum):
    RAN = "ran"  # it ran; its findings (maybe none) stand
    NOT_APPLICABLE = "not-applicable"  # nothing to analyse (one commit, no tests, no layers)
    UNAVAILABLE = "unavailable"  # it could not run (a missing tool, an unimportable package)


@dataclass(frozen=True)
class Evidence:
    file: str
    line: int = 0
    text: str = ""

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Finding:
    kind: Kind
    subject: str  # what it is about, stable across runs (the dedup key): modules, files, function
    title: str
    summary: str  # one paragraph, with the figures
    proposal: str  # the concrete proposed shape
    evidence: tuple[Evidence, ...] = ()
    figures: dict[str, float | int | str] = field(default_factory=dict)
    score: float = 0.0  # larger: more worth a maintainer's time (findings are shown by score)

    @property
    def slug(self) -> str:
        digest = hashlib.sha256(f"{self.kind}:{self.subject}".encode()).hexdigest()[:12]
        return f"{self.kind.value}-{digest}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "id": self.slug,
            "subject": self.subject,
            "title": self.title,
            "summary": self.summary,
            "proposal": self.proposal,
            "evidence": [{"file": e.file, "line": e.line, "text": e.text} for e in self.evidence],
            "figures": dict(self.figures),
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class Analysis:
    """One analysis's outcome: its state, a note (why empty, why unavailable), its time."""

    name: str
    state: AnalysisState
    note: str
    seconds: float
    findings: tuple[Finding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state.value,
            "note": self.note,
            "seconds": round(self.seconds, 3),
            "findings": len(self.findings),
        }
