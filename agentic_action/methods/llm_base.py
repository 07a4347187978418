"""The small base the four LLM methods share: settings, one LLM session per target (calls,
tokens, rejected answers), answers turned into candidates, and the fall back to the rules engine.

Without a model configured for the method, with a zero budget, or when the LLM stops answering
(budget spent, no model reachable) before any of its candidates was accepted, a method falls back
to the rules engine and says so in ``note`` and in ``data["fallback"]``.

An answer that cannot be used (prose, a diff for another file, a ``..`` path, a changed
signature, ...) becomes a rejected attempt whose reason names what was wrong: it is reported and
never applied.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from agentic_action.llm import (
    FailureReason,
    LLMAnswer,
    LLMFailure,
    ParseRejection,
    PromptTarget,
    RejectReason,
    Router,
    parse_candidate,
    parse_edge_cases,
    prompt_target,
)
from agentic_action.methods.base import MethodContext, MethodOutcome, Proof
from agentic_action.methods.rules import rules_candidate
from agentic_action.methods.scoring import ScoreWeights
from agentic_action.model import (
    Candidate,
    CheckOutcome,
    CheckResult,
    Edit,
    FunctionTarget,
    Purpose,
)
from agentic_action.prove.gate import GateVerdict

if TYPE_CHECKING:
    from agentic_action.methods.history import PatternStore

Message = dict[str, str]
SUMMARY_CHARS = 200


@dataclass(frozen=True)
class MethodSettings:
    """Tunables of the LLM methods; ``get_method(config=...)`` takes these or a mapping."""

    python: str = sys.executable  # the interpreter that runs the repository's tests
    test_timeout: float = 120.0  # seconds per sandboxed test run the methods start
    weights: ScoreWeights = field(default_factory=ScoreWeights)  # adversarial's winner score
    # None: the router's effort for the run's priority. candidates = code answers asked per round
    # (adversarial: the competing implementations; chaos: fixes per fault); rounds = test-writing
    # rounds (test-driven), critique rounds K (actor-critic), faults fixed (chaos); adversarial
    # has one round.
    candidates: int | None = None
    rounds: int | None = None
    examples: int = 6  # past patterns offered to actor-critic prompts
    good_enough: float = 8.0  # actor-critic stops when a proven round scores at least this
    hypothesis_examples: int = 30  # adversarial: property-based inputs from the signature
    slow_seconds: float = 0.3  # chaos: how long an injected slow call waits (capped by timeouts)

    def __post_init__(self) -> None:
        problems = []
        if self.test_timeout <= 0:
            problems.append(f"test_timeout={self.test_timeout!r}: expected seconds > 0")
        for name in ("candidates", "rounds"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                problems.append(f"{name}={value!r}: expected a whole number >= 1, or None")
        if self.examples < 0 or self.hypothesis_examples < 0:
            problems.append("examples and hypothesis_examples must be >= 0")
        if not 0 <= self.good_enough <= 10:
            problems.append(f"good_enough={self.good_enough!r}: expected 0..10")
        if self.slow_seconds < 0:
            problems.append(f"slow_seconds={self.slow_seconds!r}: expected seconds >= 0")
        if problems:
            raise ValueError("method settings: " + "; ".join(problems))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MethodSettings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"method settings: unknown key(s) {unknown}; allowed: {sorted(known)}")
        values = dict(data)
        if isinstance(values.get("weights"), Mapping):
            values["weights"] = ScoreWeights.from_mapping(values["weights"])
        return cls(**values)


@dataclass
class Tally:
    """What one method spent on one target."""

    calls: int = 0  # answers received over HTTP
    cached: int = 0  # answers from the response cache (zero tokens)
    failed: int = 0  # asks that got no answer (budget, unreachable)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0

    def add(self, result: LLMAnswer | LLMFailure) -> None:
        if isinstance(result, LLMFailure):
            self.failed += 1
            return
        if result.cached:
            self.cached += 1
        else:
            self.calls += 1
        self.prompt_tokens += result.prompt_tokens
        self.completion_tokens += result.completion_tokens
        self.cost_usd += result.cost_usd
        self.seconds += result.seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "cached": self.cached,
            "failed": self.failed,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens": self.prompt_tokens + self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "seconds": round(self.seconds, 3),
        }


class LLMSession:
    """One method's conversation about one target: asks, spending, unusable answers."""

    def __init__(
        self,
        router: Router,
        method: str,
        target: FunctionTarget,
        source: str,
        purpose: Purpose = "performance",
    ) -> None:
        self.router = router
        self.method = method
        self.purpose = purpose
        self.target = target
        self.source = source
        self.prompt: PromptTarget = prompt_target(target.file, source, target.qualname)
        self.tally = Tally()
        self.answers = 0
        self.failure: LLMFailure | None = None  # the last failed ask
        self.rejections: list[dict[str, str]] = []

    @property
    def stopped(self) -> bool:
        """True once spending stopped (budget) or no model answered: ask no more."""
        return self.failure is not None and self.failure.reason is not FailureReason.NOT_CONFIGURED

    def ask(
        self,
        role: str,
        messages: list[Message],
        *,
        temperature: float = 0.2,
        variant: int = 0,
        prefer: str | None = None,
    ) -> LLMAnswer | None:
        if self.stopped:
            return None
        result = self.router.complete(
            role, messages, temperature=temperature, variant=variant, prefer=prefer
        )
        self.tally.add(result)
        if isinstance(result, LLMFailure):
            self.failure = result
            return None
        self.answers += 1
        return result

    def candidate(self, answer: LLMAnswer, label: str = "") -> Candidate | Proof | None:
        """The answer as a candidate; a rejected Proof when unusable; None for NO CHANGE."""
        target = self.target
        parsed = parse_candidate(
            answer.text,
            target_file=target.file,
            original_source=self.source,
            qualname=target.qualname,
        )
        if isinstance(parsed, ParseRejection):
            self.rejections.append(
                {"model": answer.model, "reason": parsed.reason.value, "detail": parsed.detail}
            )
            if parsed.reason is RejectReason.UNCHANGED:
                return None
            return rejected_answer(target, self.source, self.method, answer.model, parsed)
        summary = answer_summary(answer.text) or f"rewrote {target.qualname}"
        rationale = f"{self.method}{' ' + label if label else ''} ({answer.model}): {summary}"
        edit = Edit(f"llm:{answer.model}", summary, target.start_line, rationale)
        edge = parse_edge_cases(answer.text)  # the model's own edge cases, for the gate
        return Candidate(
            target, self.method, parsed.new_source, (edit,), rationale, purpose=self.purpose,
            edge_cases=edge if isinstance(edge, str) else "",
        )  # fmt: skip

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"llm": self.tally.as_dict()}
        if self.rejections:
            data["rejected_answers"] = list(self.rejections)
        if self.failure is not None:
            data["llm_stopped"] = f"{self.failure.reason.value}: {self.failure.detail}"
        return data


def rejected_answer(
    target: FunctionTarget, source: str, method: str, model: str, rejection: ParseRejection
) -> Proof:
    """An unusable answer as a rejected attempt: reported with its reason, never applied."""
    detail = f"answer from {model} rejected before the gate ({rejection.reason.value}): "
    detail += rejection.detail
    check = CheckResult(
        "answer", CheckOutcome.FAILED, rejection.detail, 0.0,
        {"reason": rejection.reason.value, "model": model},
    )  # fmt: skip
    candidate = Candidate(target, method, source, (), f"unusable answer from {model}")
    return Proof(candidate, GateVerdict(False, detail[:500], (check,)))


def answer_summary(text: str) -> str:
    """The answer's prose before its first code block, as one short line."""
    prose = re.split(r"^[ \t]*(?:```|~~~)", text, maxsplit=1, flags=re.MULTILINE)[0]
    line = " ".join(prose.split())
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


def function_source(file: str, source: str, qualname: str) -> str:
    return prompt_target(file, source, qualname).function_source


def best_accepted(
    attempts: list[Proof], key: Callable[[Proof], float] | None = None
) -> Proof | None:
    """The accepted attempt with the highest key (default: measured speedup, else first)."""
    accepted = [p for p in attempts if p.accepted]
    if not accepted:
        return None
    if key is None:

        def key(proof: Proof) -> float:
            speed = proof.verdict.speed
            return speed.speedup if speed is not None and speed.significant else 1.0

    return max(accepted, key=key)


class LLMMethod:
    """Template for the four methods: configured? run the LLM flow; else the rules engine."""

    name = "llm"
    purpose: Purpose = "performance"  # what its candidates claim (chaos: "robustness")

    def __init__(
        self,
        router: Router | None,
        settings: MethodSettings | None = None,
        history: PatternStore | None = None,
    ) -> None:
        from agentic_action.methods.history import MemoryPatternStore

        self.router = router
        self.settings = settings or MethodSettings()
        self.history: PatternStore = history or MemoryPatternStore()

    def candidates_per_round(self) -> int:
        assert self.router is not None
        return self.settings.candidates or self.router.effort(self.name).candidates

    def rounds(self) -> int:
        assert self.router is not None
        return self.settings.rounds or self.router.effort(self.name).rounds

    def optimize(self, target: FunctionTarget, source: str, ctx: MethodContext) -> MethodOutcome:
        if self.router is None or not self.router.models_for(self.name):
            return rules_fallback(target, source, ctx, f"no model configured for {self.name}")
        broke = _no_money(self.router)
        if broke:
            outcome = rules_fallback(target, source, ctx, broke)
            outcome.data["llm"] = Tally().as_dict()
            return outcome
        session = LLMSession(self.router, self.name, target, source, self.purpose)
        outcome = self.run(session, ctx)
        outcome.data = {**session.data(), **outcome.data}
        tried_rules = any(p.candidate.method == "rules" for p in outcome.attempts)
        if session.stopped and outcome.chosen is None and not tried_rules:
            # the LLM stopped answering (budget, unreachable) before anything was accepted
            assert session.failure is not None
            fallback = rules_fallback(target, source, ctx, _failure_words(session.failure))
            fallback.attempts[:0] = outcome.attempts
            fallback.data = {**outcome.data, **fallback.data}
            return fallback
        return outcome

    def run(self, session: LLMSession, ctx: MethodContext) -> MethodOutcome:
        raise NotImplementedError


def _no_money(router: Router) -> str:
    """Why no call can be made at all (a zero budget, or spending stopped earlier in the run)."""
    if router.stopped is not None:
        return f"LLM spending stopped for this run, no call made ({router.stopped})"
    config = router.config
    for label, budget in (("per-run", config.budget_usd), ("monthly", config.monthly_budget_usd)):
        if budget is not None and budget <= 0:
            return f"LLM {label} budget is 0, no call made"
    return ""


def _failure_words(failure: LLMFailure) -> str:
    if failure.reason is FailureReason.BUDGET:
        return f"LLM budget exhausted, no call made ({failure.detail})"
    if failure.reason is FailureReason.NOT_CONFIGURED:
        return failure.detail
    return f"no model reachable ({failure.detail[:300]})"


def rules_fallback(
    target: FunctionTarget, source: str, ctx: MethodContext, why: str
) -> MethodOutcome:
    """The rules engine's candidate, proven; the note and data say why the LLM was not used."""
    data: dict[str, Any] = {"fallback": "rules", "fallback_reason": why}
    candidate = rules_candidate(target, source)
    if isinstance(candidate, str):
        return MethodOutcome(note=f"{why}: fell back to the rules engine ({candidate})", data=data)
    proof = ctx.prove(candidate)
    return MethodOutcome(
        attempts=[proof],
        chosen=proof if proof.accepted else None,
        note=f"{why}: fell back to the rules engine",
        data=data,
    )


__all__ = [
    "LLMMethod",
    "LLMSession",
    "MethodSettings",
    "Tally",
    "answer_summary",
    "best_accepted",
    "function_source",
    "rejected_answer",
    "rules_fallback",
]
