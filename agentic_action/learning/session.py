"""One run's learning: load the state, read the ledger, decide, then learn what happened.

``LearningSession`` is used by ``run()``: ``open()`` before any agent works, ``decide()`` once
the targets are known (their recorded inputs included), ``finish()`` after the run's ledger
observer has written the run. Learning never stops a run: every step that fails says so in a
note and the run goes on with the order and method it would have had without learning.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentic_action.learning import ledger_source
from agentic_action.learning.families import families, family_of_edits
from agentic_action.learning.features import FunctionFeatures, features_of
from agentic_action.learning.report import learning_section
from agentic_action.learning.selector import Decision, Selector
from agentic_action.learning.store import (
    Arm,
    LearningState,
    Observation,
    Outcome,
    load_state,
    save_state,
    state_file,
)
from agentic_action.ledger import Ledger, LedgerError
from agentic_action.model import FunctionTarget, OptimizationResult, Status

log = logging.getLogger("agentic_action.learning")
_OUTCOME = {Status.ACCEPTED: Outcome.ACCEPTED, Status.REJECTED: Outcome.REJECTED}


@dataclass
class LearningSession:
    state_dir: Path
    ledger_path: Path
    repo: str
    rng: random.Random = field(default_factory=random.Random)
    state: LearningState = field(default_factory=LearningState)
    notes: list[str] = field(default_factory=list)
    features: dict[str, FunctionFeatures] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    methods: tuple[str, ...] = ()
    auto: bool = False
    ledger_note: str = ""
    new_observations: int = 0
    seconds: float = 0.0  # the selector's own time in this run

    def open(self) -> None:
        started = time.perf_counter()
        self.state = load_state(self.state_dir)
        if self.state.warning:
            self.notes.append(self.state.warning)
        self._ingest(github=())
        self.seconds += time.perf_counter() - started

    def decide(
        self,
        targets: Sequence[FunctionTarget],
        sources: Mapping[str, str],
        recorded: Mapping[str, Iterable[str]],
        methods: Sequence[str],
        models: Mapping[str, Sequence[str]],
        *,
        auto: bool,
        rule_matches: Mapping[str, tuple[bool, str]] | None = None,
    ) -> list[Decision]:
        """Decisions for ``targets``, best value first (``methods``: one, or the ``auto`` set;
        ``rule_matches``: target key -> whether a rule applies to it, and its family)."""
        started = time.perf_counter()
        self.methods, self.auto = tuple(methods), auto
        matches = rule_matches or {}
        for target in targets:
            source = sources.get(target.file, "")
            found = features_of(target, source, recorded.get(target.key, ()))
            match, family = matches.get(target.key, (None, ""))
            self.features[target.key] = replace(found, rule_match=match, rule_family=family)
        selector = Selector(self.state.observations.values(), self.rng)
        functions = [(t.key, self.features[t.key]) for t in targets]
        self.decisions = selector.decide(
            functions, methods, models=models, rule_families=families(), auto=auto
        )
        self.seconds += time.perf_counter() - started
        return self.decisions

    def finish(self, results: Sequence[OptimizationResult], run: Mapping[str, Any]) -> None:
        """Learn the run's outcomes (from the ledger, else from ``results``) and save."""
        started = time.perf_counter()
        before = set(self.state.observations)
        verdicts = run.get("github_verdicts") or ()
        if not self._ingest(github=verdicts):
            self.state.add(self._from_results(results, run))
        self._enrich(results, run.get("llm") or {}, before)
        self._fill_features()
        self.new_observations += self.state.add(self._nothing_proposed(run))
        self._remember_decisions(results, float(run.get("finished_at") or time.time()))
        try:
            save_state(self.state_dir, self.state)
        except OSError as error:
            self.notes.append(
                f"Learning: the state could not be saved to {self.state_dir}: {error}"
            )
        self.seconds += time.perf_counter() - started

    def section(self, run_seconds: float) -> dict[str, Any]:
        return learning_section(self, run_seconds)

    @property
    def state_path(self) -> Path:
        return state_file(self.state_dir)

    # --- reading the ledger -----------------------------------------------------------------
    def _ingest(self, github: Iterable[Mapping[str, Any]]) -> bool:
        if not self.ledger_path.is_file():
            self.ledger_note = f"no ledger at {self.ledger_path} yet"
            return False
        try:
            ledger = Ledger.open(self.ledger_path)
        except LedgerError as error:
            self.ledger_note = f"not read: {error}"
            self.notes.append(f"Learning did not read the run ledger: {error}")
            return False
        try:
            known = self._known_features()
            found = ledger_source.from_results(ledger, known, self.repo, self.state.observations)
            found += ledger_source.from_verdicts(ledger, known, self.repo, github)
        finally:
            ledger.close()
        self.new_observations += self.state.add(found)
        self.ledger_note = f"read {self.ledger_path}"
        return True

    def _known_features(self) -> dict[str, FunctionFeatures]:
        known = {o.key: o.features for o in self.state.observations.values() if o.features.lines}
        return known | self.features

    def _from_results(
        self, results: Sequence[OptimizationResult], run: Mapping[str, Any]
    ) -> list[Observation]:
        stamp = f"{str(run.get('base_commit', ''))[:12]}:{run.get('started_at', 0)}"
        return [
            Observation(
                id=f"run:{stamp}:{index}",
                key=r.target.key,
                arm=_arm(r),
                outcome=_OUTCOME.get(r.status, Outcome.ERROR),
                features=self.features.get(r.target.key, FunctionFeatures(0, 0, 0, 0)),
                at=float(run.get("finished_at") or time.time()),
                repo=self.repo,
            )
            for index, r in enumerate(results)
        ]

    def _fill_features(self) -> None:
        """Observations read from the ledger before their function was seen get its features."""
        for oid, o in list(self.state.observations.items()):
            if not o.features.lines and o.key in self.features:
                self.state.observations[oid] = replace(o, features=self.features[o.key])

    def _nothing_proposed(self, run: Mapping[str, Any]) -> list[Observation]:
        """A chosen method that proposed nothing for a function is a (cheap) failure too."""
        stamp = f"{str(run.get('base_commit', ''))[:12]}:{run.get('started_at', 0)}"
        empty = run.get("no_candidate") or {}
        at = float(run.get("finished_at") or time.time())
        return [
            Observation(
                id=f"none:{stamp}:{d.key}:{d.method}",
                key=d.key,
                arm=Arm(d.method, model=d.model),
                outcome=Outcome.REJECTED,
                features=self.features[d.key],
                at=at,
                repo=self.repo,
            )
            for d in self.decisions
            if d.key in empty
        ]

    def _enrich(
        self, results: Sequence[OptimizationResult], llm: Mapping[str, Any], before: set[str]
    ) -> None:
        """Give this run's new observations their cost: the gate's seconds, and the tokens and
        USD of the method's LLM calls shared among its candidates (calls carry no target)."""
        per_method = Counter(r.method for r in results)
        by_method = llm.get("by_method") or {}
        models = _models_by_method(llm)
        costs = {(r.target.key, r.method, r.status.value): r for r in results}
        for oid in set(self.state.observations) - before:
            o = self.state.observations[oid]
            match = costs.get((o.key, o.arm.method, o.outcome.value))
            if match is None:
                continue
            spent = by_method.get(o.arm.method) or {}
            share = max(per_method[o.arm.method], 1)
            tokens = int(spent.get("prompt_tokens", 0)) + int(spent.get("completion_tokens", 0))
            self.state.observations[oid] = Observation(
                o.id, o.key, Arm(o.arm.method, o.arm.rule_family, models.get(o.arm.method, "")),
                o.outcome, self.features.get(o.key, o.features),
                seconds=sum(check.seconds for check in match.checks),
                tokens=tokens // share, usd=float(spent.get("cost_usd", 0.0)) / share,
                at=o.at, repo=o.repo,
            )  # fmt: skip

    def _remember_decisions(self, results: Sequence[OptimizationResult], at: float) -> None:
        accepted = {r.target.key for r in results if r.status is Status.ACCEPTED}
        tried = {r.target.key for r in results}
        for decision in self.decisions:
            outcome = "accepted" if decision.key in accepted else "rejected"
            if decision.key not in tried:
                outcome = "no candidate"
            self.state.decisions.append(
                {"at": at, "task_type": decision.task_type, "method": decision.method,
                 "chance": round(decision.estimate.mean, 4), "outcome": outcome}
            )  # fmt: skip


def _arm(result: OptimizationResult) -> Arm:
    family = family_of_edits(e.rule for e in result.edits) if result.method == "rules" else ""
    return Arm(result.method, family)


def _models_by_method(llm: Mapping[str, Any]) -> dict[str, str]:
    """method -> the model that answered most of its calls in this run."""
    counts: dict[str, Counter[str]] = {}
    for record in llm.get("records") or ():
        if isinstance(record, Mapping) and record.get("outcome") == "ok":
            method = str(record.get("method", "")).split(":", 1)[0]
            counts.setdefault(method, Counter())[str(record.get("model", ""))] += 1
    return {method: c.most_common(1)[0][0] for method, c in counts.items()}
