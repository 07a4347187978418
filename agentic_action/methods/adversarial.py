"""adversarial: N alternative implementations compete; the survivors are attacked; the best wins.

1. Candidates: the rules engine's rewrite (when a rule applies) and N LLM answers (N from the
   router's effort for the run's priority, or ``settings.candidates``), each from the next model
   of the method's chain, at the next temperature of a ladder, as a distinct variant, and told
   which approaches the others already took.
2. Each candidate goes through the whole proof gate (``ctx.prove``). After it passed the
   repository's affected tests, an extra check attacks it: inputs built from edge cases the LLM
   wrote for the original and for this very candidate (empty, huge, unicode, None, negative,
   duplicated...), plus inputs hypothesis derives from the signature's annotations, are replayed
   on the original and on the candidate in the sandbox (the behaviour oracle) and compared
   deeply. Any difference rejects the candidate.
3. Among the accepted, the winner has the highest weighted score of speed (the gate's measured
   speedup, when present), readability and maintainability (``scoring``); weights configurable.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from agentic_action.llm import ParseRejection, parse_edge_cases, render_prompt
from agentic_action.methods._workspace import Workspace, private_copy
from agentic_action.methods.base import MethodContext, MethodOutcome, Proof
from agentic_action.methods.llm_base import LLMMethod, LLMSession, answer_summary, function_source
from agentic_action.methods.rules import rules_candidate
from agentic_action.methods.scoring import Score, score_candidate
from agentic_action.model import Candidate, CheckOutcome, CheckResult
from agentic_action.prove.behaviour import check_behaviour
from agentic_action.sandbox.launch import worker_env, worktree_pythonpath
from agentic_action.sandbox.runner import run_sandboxed

TEMPERATURES = (0.2, 0.7, 1.0, 0.4, 0.9, 0.6, 0.3, 0.8)
WORKER = "agentic_action.methods._edge_worker"
EDGE_TIMEOUT = 60.0  # seconds for the sandboxed worker that builds the inputs
CHECK = "adversarial-inputs"


class AdversarialMethod(LLMMethod):
    name = "adversarial"

    def run(self, session: LLMSession, ctx: MethodContext) -> MethodOutcome:
        attempts: list[Proof] = []
        entries: dict[int, dict[str, Any]] = {}
        contenders: list[tuple[dict[str, Any], Candidate]] = []
        rules = rules_candidate(session.target, session.source)
        if isinstance(rules, Candidate):
            contenders.append(({"label": "rules", "source": "rules engine"}, rules))
        contenders += self._llm_candidates(session, attempts)
        if session.answers == 0 and session.failure is not None:
            return MethodOutcome()  # no LLM at all: the base falls back to the rules engine
        contenders = _unique(contenders)
        scores: dict[int, Score] = {}
        if contenders:
            with private_copy(ctx.original_root) as workspace:
                attack = Attack(self, session, workspace)
                for info, candidate in contenders:
                    proof = ctx.prove(candidate, extra=attack)
                    attempts.append(proof)
                    entries[id(proof)] = {**info, "accepted": proof.accepted}
                    entries[id(proof)]["reason"] = proof.verdict.reason
                    if proof.accepted:
                        scores[id(proof)] = score_candidate(
                            session.source, candidate.new_source, session.target.qualname,
                            proof.verdict.speed, self.settings.weights,
                        )  # fmt: skip
                        entries[id(proof)]["score"] = scores[id(proof)].as_dict()
            edge_inputs = attack.summary()
        else:
            edge_inputs = {}
        chosen = max(
            (p for p in attempts if id(p) in scores),
            key=lambda p: scores[id(p)].total,
            default=None,
        )
        data: dict[str, Any] = {
            "candidates": [entries[id(p)] for p in attempts if id(p) in entries],
            "weights": vars(self.settings.weights),
            "edge_inputs": edge_inputs,
            "winner": entries[id(chosen)]["label"] if chosen is not None else None,
        }
        note = _note(len(contenders), len(scores), chosen, entries)
        return MethodOutcome(attempts=attempts, chosen=chosen, note=note, data=data)

    def _llm_candidates(
        self, session: LLMSession, attempts: list[Proof]
    ) -> list[tuple[dict[str, Any], Candidate]]:
        assert self.router is not None
        models = self.router.models_for(self.name)
        approaches: list[str] = []
        found: list[tuple[dict[str, Any], Candidate]] = []
        for i in range(self.candidates_per_round()):
            temperature = TEMPERATURES[i % len(TEMPERATURES)]
            messages = render_prompt("adversarial", session.prompt, avoid=approaches)
            answer = session.ask(
                self.name, messages, temperature=temperature, variant=i,
                prefer=models[i % len(models)],
            )  # fmt: skip
            if answer is None:
                break
            got = session.candidate(answer, label=f"#{i + 1}")
            if isinstance(got, Proof):
                attempts.append(got)
            elif got is not None:
                label = f"llm#{i + 1}"
                info = {"label": label, "source": answer.model, "temperature": temperature}
                found.append((info, got))
                summary = answer_summary(answer.text)
                if summary:
                    approaches.append(summary)
        return found


class Attack:
    """The extra check: adversarial inputs replayed on the original and the candidate."""

    def __init__(self, method: AdversarialMethod, session: LLMSession, workspace: Workspace):
        self.method = method
        self.session = session
        self.workspace = workspace
        self._shared: Path | None = None
        self._reports: dict[str, Any] = {}

    def __call__(self, root: Path, candidate: Candidate) -> list[CheckResult]:
        target = self.session.target
        if "." in target.qualname:
            why = "methods are not attacked with generated inputs (no instance to call them on)"
            return [CheckResult(CHECK, CheckOutcome.SKIPPED, why)]
        inputs = self.workspace.new_dir("inputs")
        shutil.copytree(self._shared_inputs(), inputs, dirs_exist_ok=True)
        own = self._candidate_cases(candidate, inputs)
        settings = self.method.settings
        verdict = check_behaviour(
            self.workspace.tree, root, target, inputs,
            python=settings.python, timeout=settings.test_timeout,
        )  # fmt: skip
        check = verdict.to_check()
        data = {**check.data, "inputs": {**self._reports, "candidate": own}}
        detail = check.detail.replace("recorded input", "adversarial input")
        return [CheckResult(CHECK, check.outcome, detail, check.seconds, data)]

    def summary(self) -> dict[str, Any]:
        return dict(self._reports)

    def _shared_inputs(self) -> Path:
        """Built once per target: LLM edge cases for the original, and hypothesis inputs."""
        if self._shared is None:
            self._shared = self.workspace.new_dir("shared-inputs")
            messages = render_prompt("adversarial:edge-cases", self.session.prompt)
            code = self._edge_code(messages)
            count = self.method.settings.hypothesis_examples
            self._reports["original"] = self._generate(self._shared, code, count)
        return self._shared

    def _candidate_cases(self, candidate: Candidate, inputs: Path) -> dict[str, Any]:
        target = self.session.target
        source = function_source(target.file, candidate.new_source, target.qualname)
        messages = render_prompt(
            "adversarial:edge-cases", self.session.prompt, candidate_source=source
        )
        code = self._edge_code(messages)
        if code is None:
            return {"stored": 0, "error": "no usable edge cases from the LLM"}
        report = self._generate(inputs, code, 0).get("llm")
        return dict(report) if isinstance(report, dict) else {"stored": 0}

    def _edge_code(self, messages: list[dict[str, str]]) -> str | None:
        answer = self.session.ask("adversarial:edge-cases", messages, temperature=0.2)
        if answer is None:
            return None
        parsed = parse_edge_cases(answer.text)
        if isinstance(parsed, ParseRejection):
            self._reports.setdefault("rejected_edge_cases", []).append(parsed.detail)
            return None
        return parsed

    def _generate(self, inputs: Path, code: str | None, hypothesis: int) -> dict[str, Any]:
        """Run the sandboxed worker that turns cases into input files; its report."""
        target = self.session.target
        work = self.workspace.new_dir("edge")
        report = work / "report.json"
        argv = [self.method.settings.python, "-m", WORKER, "--root", str(self.workspace.tree)]
        argv += ["--file", target.file, "--qualname", target.qualname, "--key", target.key]
        argv += ["--inputs", str(inputs), "--report", str(report)]
        argv += ["--hypothesis", str(hypothesis)]
        if code is not None:
            (work / "edge_cases.py").write_text(code, encoding="utf-8")
            argv += ["--cases", str(work / "edge_cases.py")]
        env = worker_env()
        env["PYTHONPATH"] = worktree_pythonpath(self.workspace.tree, with_package=True)
        result = run_sandboxed(
            argv, cwd=self.workspace.tree, timeout=EDGE_TIMEOUT, writable=[inputs, work],
            extra_env=env,
        )  # fmt: skip
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"error": f"the input generator failed: {result.tail(8)}"}
        if not isinstance(data, dict):
            return {"error": "malformed generator report"}
        return {str(k): v for k, v in data.items()}


def _unique(
    contenders: list[tuple[dict[str, Any], Candidate]],
) -> list[tuple[dict[str, Any], Candidate]]:
    seen: set[str] = set()
    unique = []
    for info, candidate in contenders:
        if candidate.new_source not in seen:
            seen.add(candidate.new_source)
            unique.append((info, candidate))
    return unique


def _note(
    contenders: int, accepted: int, chosen: Proof | None, entries: dict[int, dict[str, Any]]
) -> str:
    if not contenders:
        return "no usable candidate: every answer was rejected before the gate"
    if chosen is None:
        return f"{contenders} candidate(s) competed; none survived the proof and the attack"
    label = entries[id(chosen)]["label"]
    return f"{contenders} candidate(s) competed, {accepted} survived; winner {label}"
