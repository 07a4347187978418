"""actor-critic: the actor proposes, the gate measures, the critic reviews, for up to K rounds.

Each round the actor (``actor-critic:actor``) writes a new version of the function, given its
previous attempt and the critique. Every version is proven by the gate (``ctx.prove``); the best
of the round goes to the critic (``actor-critic:critic``) with the measured evidence (the gate's
checks, speed, complexity and size before and after), and the critic's review plus that evidence
become the next round's critique. A round's score (0-10) is the mean of the measured score (0 when
the gate rejected it; else 5 + 5 x the weighted score of ``scoring``, clamped) and the critic's
score. The method stops early when a proven version gets a critic score of at least
``settings.good_enough``; the chosen attempt is the accepted one with the best round score.

Every proven attempt becomes a pattern (accepted or rejected, with its reason and a short diff)
in the history; later prompts get a few of them as examples, pinned per target and code version
so that a rerun on unchanged code asks the very same questions (and the cache answers them).
Evidence sent to the LLM holds no timings, speed ratios or absolute paths, for the same reason.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from agentic_action.llm import ParseRejection, PatternExample, Review, parse_review, render_prompt
from agentic_action.methods.base import MethodContext, MethodOutcome, Proof
from agentic_action.methods.history import digest
from agentic_action.methods.llm_base import LLMMethod, LLMSession, function_source
from agentic_action.methods.scoring import score_candidate
from agentic_action.model import CheckOutcome, SpeedEvidence

ACTOR = "actor-critic:actor"
CRITIC = "actor-critic:critic"
DIFF_LINES = 30
_TIMING = re.compile(r"\b(in )?\d+(\.\d+)?\s?s\b")
_RATIO = re.compile(r"\b\d+(\.\d+)?x\b")
_ABS_PATH = re.compile(r"(?:/[^\s'\":]+)+/([^\s/'\":]+)")


class ActorCriticMethod(LLMMethod):
    name = "actor-critic"

    def run(self, session: LLMSession, ctx: MethodContext) -> MethodOutcome:
        target = session.target
        pin = f"{target.key}@{digest(session.source)}"
        examples = self.history.examples(self.name, pin, self.settings.examples)
        state = _Rounds()
        for number in range(1, self.rounds() + 1):
            messages = render_prompt(
                ACTOR, session.prompt, examples=examples, previous_source=state.previous,
                critique=state.critique, round=number,
            )  # fmt: skip
            proofs = self._act(session, ctx, messages, state, number)
            if not proofs:
                if session.stopped or state.no_change:
                    break
                continue
            best = max(proofs, key=lambda p: self._measured(session, p))
            measured = self._measured(session, best)
            review = self._review(session, best, examples)
            score = measured if review is None else (measured + review.score) / 2
            state.add_round(number, best, measured, review, score)
            self._remember(session, proofs)
            if best.accepted and review is not None and review.score >= self.settings.good_enough:
                break
            state.previous = function_source(
                target.file, best.candidate.new_source, target.qualname
            )
            state.critique = _critique(review, self._evidence(session, best))
        chosen = state.chosen()
        data: dict[str, Any] = {"rounds": state.rounds, "examples_offered": len(examples)}
        note = f"{len(state.rounds)} round(s)" + (
            f"; chose round {state.chosen_round()}" if chosen is not None else "; none accepted"
        )
        return MethodOutcome(attempts=state.attempts, chosen=chosen, note=note, data=data)

    def _act(
        self,
        session: LLMSession,
        ctx: MethodContext,
        messages: list[dict[str, str]],
        state: _Rounds,
        number: int,
    ) -> list[Proof]:
        """The actor's answers of one round, proven; unusable ones become the critique."""
        proofs: list[Proof] = []
        problems: list[str] = []
        for variant in range(self.candidates_per_round()):
            answer = session.ask(ACTOR, messages, temperature=0.3, variant=variant)
            if answer is None:
                break
            got = session.candidate(answer, label=f"round {number}")
            if got is None:
                state.no_change = True
                continue
            if isinstance(got, Proof):
                state.attempts.append(got)
                problems.append(got.verdict.reason)
                continue
            proof = ctx.prove(got)
            state.attempts.append(proof)
            proofs.append(proof)
        if problems and not proofs:
            state.critique = "Your answer could not be used:\n" + "\n".join(
                f"- {p}" for p in problems
            )
            entry = {"round": number, "accepted": False, "score": 0.0, "reason": problems[0]}
            state.rounds.append(entry)
        return proofs

    def _measured(self, session: LLMSession, proof: Proof) -> float:
        if not proof.accepted:
            return 0.0
        score = score_candidate(
            session.source, proof.candidate.new_source, session.target.qualname,
            proof.verdict.speed, self.settings.weights,
        )  # fmt: skip
        return max(0.0, min(10.0, 5 + 5 * score.total))

    def _review(
        self, session: LLMSession, proof: Proof, examples: list[PatternExample]
    ) -> Review | None:
        target = session.target
        code = function_source(target.file, proof.candidate.new_source, target.qualname)
        messages = render_prompt(
            CRITIC, session.prompt, examples=examples, candidate_source=code,
            evidence=self._evidence(session, proof),
        )  # fmt: skip
        answer = session.ask(CRITIC, messages, temperature=0.0)
        if answer is None:
            return None
        review = parse_review(answer.text)
        if isinstance(review, ParseRejection):
            session.rejections.append(
                {"model": answer.model, "reason": review.reason.value, "detail": review.detail}
            )
            return None
        return review

    def _evidence(self, session: LLMSession, proof: Proof) -> str:
        """What the gate measured, without timings or paths (reruns must ask the same)."""
        verdict = proof.verdict
        stopped_by = verdict.reason.split(":", 1)[0]
        lines = ["Gate: " + ("accepted" if verdict.accepted else f"rejected ({stopped_by})")]
        for check in verdict.checks:
            line = f"- {check.name}: {check.outcome.value}"
            if check.outcome in (CheckOutcome.FAILED, CheckOutcome.ERROR):
                line += ": " + _failure_words(check.detail, check.data)
            if check.name == "benchmark" and check.outcome is CheckOutcome.FAILED:
                line = f"- benchmark: failed: {_speed_words(verdict.speed)}"
            lines.append(_stable(line))
        lines.append("Speed: " + _speed_words(verdict.speed))
        score = score_candidate(
            session.source, proof.candidate.new_source, session.target.qualname,
            verdict.speed, self.settings.weights,
        )  # fmt: skip
        before, after = score.original, score.candidate
        lines.append(
            f"Complexity: cyclomatic {before.cyclomatic} -> {after.cyclomatic}; lines "
            f"{before.lines} -> {after.lines}; nesting {before.max_nesting} -> "
            f"{after.max_nesting}; readability {before.readability:.0f} -> "
            f"{after.readability:.0f}; maintainability {before.maintainability:.0f} -> "
            f"{after.maintainability:.0f} (0-100, higher is better)"
        )
        return "\n".join(lines)

    def _remember(self, session: LLMSession, proofs: list[Proof]) -> None:
        target = session.target
        old = function_source(target.file, session.source, target.qualname)
        for proof in proofs:
            new = function_source(target.file, proof.candidate.new_source, target.qualname)
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
            lines = list(diff)[2:]
            summary = proof.candidate.edits[0].title if proof.candidate.edits else "a rewrite"
            reason = (
                "accepted: " + _speed_words(proof.verdict.speed)
                if proof.accepted
                else _stable(proof.verdict.reason.splitlines()[0])[:200]
            )
            example = PatternExample(
                proof.accepted, f"{target.qualname}: {summary}", reason,
                "\n".join(lines[:DIFF_LINES]),
            )  # fmt: skip
            self.history.record(self.name, example)


class _Rounds:
    def __init__(self) -> None:
        self.attempts: list[Proof] = []
        self.rounds: list[dict[str, Any]] = []
        self.previous = ""
        self.critique = ""
        self.no_change = False
        self._scored: list[tuple[float, int, Proof]] = []

    def add_round(
        self, number: int, proof: Proof, measured: float, review: Review | None, score: float
    ) -> None:
        entry: dict[str, Any] = {
            "round": number,
            "accepted": proof.accepted,
            "reason": proof.verdict.reason,
            "measured": round(measured, 2),
            "critic": round(review.score, 2) if review is not None else None,
            "score": round(score, 2),
        }
        if review is not None:
            entry["comments"] = review.comments[:500]
        self.rounds.append(entry)
        if proof.accepted:
            self._scored.append((score, -number, proof))

    def chosen(self) -> Proof | None:
        return max(self._scored, key=lambda s: (s[0], s[1]))[2] if self._scored else None

    def chosen_round(self) -> int:
        return -max(self._scored, key=lambda s: (s[0], s[1]))[1]


def _critique(review: Review | None, evidence: str) -> str:
    if review is None:
        return f"(no review this round)\n\n{evidence}"
    return (
        f"Scores: correctness {review.correctness:g}/10, performance {review.performance:g}/10, "
        f"style {review.style:g}/10.\n{review.comments}\n\n{evidence}"
    )


def _speed_words(speed: SpeedEvidence | None) -> str:
    """Coarse on purpose: half powers of two, so that reruns produce the same prompt."""
    if speed is None:
        return "not measured"
    if not speed.significant:
        return "no significant difference measured"
    bucket = 2 ** (round(2 * math.log2(max(speed.speedup, 1e-9))) / 2)
    return f"about {bucket:.1f}x {'faster' if bucket >= 1 else 'slower'} (significant)"


def _failure_words(detail: str, data: dict[str, Any]) -> str:
    """Failed tests and pytest's assertion lines, or the first difference; no paths."""
    failed = [str(f) for f in data.get("failed") or []]
    if data.get("first_difference"):
        return str(data["first_difference"])
    asserts = [ln.strip() for ln in detail.splitlines() if ln.startswith("E ")][:6]
    head = f"failed tests: {', '.join(failed[:5])}" if failed else (detail.splitlines() or [""])[0]
    return "\n    ".join([head, *asserts])


def _stable(text: str) -> str:
    """Without what differs between runs of the same code: timings, ratios, absolute paths."""
    text = _ABS_PATH.sub(lambda m: "<path>/" + m.group(1), text)
    return _RATIO.sub("?x", _TIMING.sub("", text)).rstrip()
