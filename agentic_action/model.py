"""The shared nouns of a run. Imports nothing of ours; every stage speaks these types."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

MethodName = Literal["rules", "test-driven", "adversarial", "actor-critic", "chaos", "auto"]
LLM_METHODS: tuple[MethodName, ...] = ("test-driven", "adversarial", "actor-critic", "chaos")
METHODS: tuple[MethodName, ...] = ("rules", *LLM_METHODS)  # the methods that work on a function
# "auto": the learning selector (agentic_action/learning) chooses one of METHODS per function.
AUTO: MethodName = "auto"

# Where a run keeps its files: OUT (the --out directory), and inside it the ledger and the patches.
DEFAULT_OUT = Path("agentic-optimizer-out")
LEDGER_FILE = "ledger.sqlite"
PATCHES_DIR = "patches"
# What a candidate claims: "performance" changes must be measured faster; "robustness" fixes
# (chaos) must not be slower in a way that matters, but are not required to be faster.
Purpose = Literal["performance", "robustness"]


class Status(StrEnum):
    """What became of one candidate."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ERROR = "error"


class Destination(StrEnum):
    """Where an accepted result went."""

    PATCH = "patch"  # the local patch store
    GITHUB = "github"  # a draft pull request (and an analysis issue)
    NONE = "none"  # nowhere: not accepted, or no patch


class Withheld(StrEnum):
    """Why an accepted result's patch is not published: it conflicts with another patch."""

    MERGED = "merged"  # its change is published as part of a merged patch instead
    HELD_BACK = "held-back"  # another patch is published instead; this one is left for a human


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class FunctionTarget:
    """One function (or method) found in a target file."""

    file: str  # path relative to the repository root, POSIX separators
    qualname: str  # "func" or "Class.method"
    start_line: int  # first line of the definition (decorators included)
    end_line: int  # last line of the body
    static_score: float = 0.0  # loops, nesting, calls: higher means more worth a look
    profile_seconds: float | None = None  # cumulative time while the test suite ran
    skip_reason: str | None = None  # e.g. an "# agentic-optimizer: skip" comment

    @property
    def key(self) -> str:
        return f"{self.file}::{self.qualname}"


@dataclass(frozen=True)
class FileProblem:
    """A target file that could not be planned (unreadable, binary, syntax error)."""

    file: str
    reason: str


@dataclass(frozen=True)
class Edit:
    """One rewrite a method made, for the report."""

    rule: str  # e.g. "AO102" or "ruff:C416" or "llm:gpt-4o"
    title: str
    line: int
    rationale: str


@dataclass(frozen=True)
class Candidate:
    """A proposed new content for one file, changing one target function."""

    target: FunctionTarget
    method: str
    new_source: str
    edits: tuple[Edit, ...]
    rationale: str
    # Files the candidate adds besides the target (e.g. generated tests shipped with the change):
    # (repository-relative path, content). The gate writes them; the patch includes them.
    extra_files: tuple[tuple[str, str], ...] = ()
    purpose: Purpose = "performance"
    # The model's own edge cases for the target (Python code defining ``edge_cases()``), which
    # the differential check adds to the inputs it builds; "" for candidates without a model.
    edge_cases: str = ""


@dataclass(frozen=True)
class CheckResult:
    name: str  # "syntax", "import", "affected-tests", "full-suite", ...
    outcome: CheckOutcome
    detail: str = ""
    seconds: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SpeedEvidence:
    """A measured speed comparison of original vs candidate."""

    speedup: float  # original time / candidate time (median ratio)
    ci_low: float  # 95% confidence interval of the speedup
    ci_high: float
    samples: int  # paired samples taken
    noise: float  # relative spread (e.g. IQR / median) seen in the original's timings
    method: str  # how the decision was made, in words
    significant: bool
    original_seconds: float  # median seconds per call
    candidate_seconds: float
    slowest_input: float | None = None  # the speedups on the recorded inputs range from...
    fastest_input: float | None = None  # ...to (each input timed on its own; None: one input)
    slower_inputs: tuple[str, ...] = ()  # inputs significantly slower, accepted by a setting


@dataclass(frozen=True)
class PatchRef:
    cid: str
    reverse_cid: str
    path: str  # path of the patch file, relative to the output directory


@dataclass(frozen=True)
class OptimizationResult:
    target: FunctionTarget
    method: str
    status: Status
    reason: str
    edits: tuple[Edit, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    speed: SpeedEvidence | None = None
    patch: PatchRef | None = None
    destination: Destination = Destination.NONE
    destination_reason: str = ""  # why it went there, in words (e.g. "rate limit below threshold")
    pr_url: str | None = None
    issue_url: str | None = None
    # A merged patch: the CIDs of the accepted patches it combines (empty for any other result).
    merged_from: tuple[str, ...] = ()
    withheld: Withheld | None = None  # set when conflicts keep this result's patch unpublished
