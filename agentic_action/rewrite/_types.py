"""The nouns of the rewrite engine: what a rule is, what it found, what a call returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    import libcst as cst

    from agentic_action.model import Edit
    from agentic_action.rewrite._context import FunctionContext


Tier = Literal["proven", "evidence"]
TIERS: tuple[Tier, ...] = ("proven", "evidence")


@dataclass(frozen=True)
class RuleInfo:
    """One rewrite rule, as the report and docs/rules.md show it."""

    id: str  # "AO101" for our own rules, "ruff:C413" for ruff autofixes we accept
    title: str
    precondition: str  # plain words: when the rule may fire (it stays silent otherwise)
    example_before: str
    example_after: str
    # proven: the precondition proves the rewrite for every input (the default tier);
    # evidence: safe for the inputs real code passes, backed only by the gate's tests,
    # recorded and differential inputs - used only when the evidence tier is asked for
    tier: Tier = "proven"


@dataclass(frozen=True)
class RewriteOutcome:
    """The file after rewriting one function, and the rewrites applied (in order)."""

    new_source: str  # whole file text; equal to the input when nothing applied
    edits: tuple[Edit, ...]  # one per rewrite; line = line in the ORIGINAL source


@dataclass(frozen=True)
class Rewrite:
    """One site a rule rewrote: the new function and where the change was made."""

    new_function: cst.FunctionDef
    site: cst.CSTNode  # a node of the OLD function; its line is reported
    rationale: str


class Rule(Protocol):
    """A pattern rewrite of ours: finds the first safe site in a function, or None."""

    info: RuleInfo

    def rewrite(self, ctx: FunctionContext) -> Rewrite | None: ...
