"""From the selector's decisions to what a run does: the order of its targets, the method that
works on each (``--method auto``), the model its LLM calls try first, and the rule families left
out for it. ``auto`` chooses among the methods that make functions faster: the rules engine
always, and test-driven, adversarial and actor-critic when a model is configured for them
(chaos makes functions robust, not faster: ask for it by name)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_action.learning.families import family_of_edits, rule_ids
from agentic_action.learning.session import LearningSession
from agentic_action.llm import Router
from agentic_action.methods import Method
from agentic_action.methods.llm_base import MethodSettings
from agentic_action.methods.registry import get_method
from agentic_action.methods.rules import RulesMethod, rules_candidate, rules_pass
from agentic_action.model import AUTO, LLM_METHODS, FunctionTarget
from agentic_action.rewrite import Tier

AUTO_METHODS = ("rules", "test-driven", "adversarial", "actor-critic")


@dataclass
class RunChoice:
    targets: list[FunctionTarget]
    methods: dict[str, Method] = field(default_factory=dict)  # target key -> its method
    left_out: list[str] = field(default_factory=list)  # keys not worth what they would cost


class PreferredModelRouter(Router):
    """The run's router - its budget, cache and usage records shared, not copied - whose calls
    try ``preferred`` first when it is in the method's chain (the selector's model choice)."""

    def __init__(self, base: Router, preferred: str) -> None:
        self.__dict__.update(base.__dict__)  # the same objects: one budget, one record list
        self.preferred = preferred

    def complete(self, method: str, messages: Any, **options: Any) -> Any:
        if options.get("prefer") is None and self.preferred in self.models_for(method):
            options["prefer"] = self.preferred
        return super().complete(method, messages, **options)


@dataclass
class MethodFactory:
    router: Router | None
    state_dir: Path
    config: MethodSettings
    rules_tier: Tier = "proven"  # the run's tier, for the rules method and the pre-check alike
    _made: dict[tuple[str, str, tuple[str, ...]], Method] = field(default_factory=dict)

    def get(self, method: str, model: str, excluded: tuple[str, ...]) -> Method:
        key = (method, model, excluded)
        if key not in self._made:
            if method == "rules":
                self._made[key] = RulesMethod(rule_ids(excluded), self.state_dir, self.rules_tier)
            else:
                router = self.router
                if router is not None and model:
                    router = PreferredModelRouter(router, model)
                self._made[key] = get_method(
                    method, router=router, state_dir=self.state_dir, config=self.config
                )
        return self._made[key]


def auto_methods(router: Router | None) -> tuple[str, ...]:
    return tuple(
        m for m in AUTO_METHODS if m == "rules" or (router is not None and router.available(m))
    )


def choose(
    session: LearningSession,
    targets: Sequence[FunctionTarget],
    sources: Mapping[str, str],
    recorded: Mapping[str, Iterable[str]],
    *,
    method: str,
    factory: MethodFactory,
) -> RunChoice:
    """Decide for ``targets``. With ``auto`` the decisions are applied (order, method, model,
    rule families; a function whose best value is not above zero - its drawn chance worth less
    than the price of its cost - is left out); with a named method they are estimates only, and
    the run is unchanged."""
    auto = method == AUTO
    methods = auto_methods(factory.router) if auto else (method,)
    router = factory.router
    models: dict[str, Sequence[str]] = {}
    if router is not None:
        models = {m: router.models_for(m) for m in methods if m in LLM_METHODS}
    started = time.perf_counter()
    matches = _rule_matches(targets, sources, factory) if "rules" in methods else {}
    session.seconds += time.perf_counter() - started  # the selector's overhead includes it
    decisions = session.decide(
        targets, sources, recorded, methods, models, auto=auto, rule_matches=matches
    )
    if not auto:
        return RunChoice(list(targets))
    by_key = {t.key: t for t in targets}
    worth = [d for d in decisions if d.value > 0]
    return RunChoice(
        targets=[by_key[d.key] for d in worth],
        methods={d.key: factory.get(d.method, d.model, d.excluded_families) for d in worth},
        left_out=[d.key for d in decisions if d.value <= 0],
    )


def _rule_matches(
    targets: Sequence[FunctionTarget], sources: Mapping[str, str], factory: MethodFactory
) -> dict[str, tuple[bool, str]]:
    """Whether a rule of the run's tier rewrites each target, and the family of the rules that
    do: the run's cached rules pass (the one the rules method then uses), so asking costs a
    parse per file."""
    rules = rules_pass(factory.state_dir)
    found: dict[str, tuple[bool, str]] = {}
    for target in targets:
        source = sources.get(target.file)
        if source is not None:
            candidate = rules_candidate(target, source, rules=rules, tier=factory.rules_tier)
            edits = () if isinstance(candidate, str) else candidate.edits
            found[target.key] = (bool(edits), family_of_edits(edit.rule for edit in edits))
    return found
