"""The selector: per function, the chance that an arm (method, rule family, model) produces an
accepted change and what it costs, and the choices made from them.

Estimates. For a function and an arm, the observations of that arm on the ``NEIGHBOURS`` most
similar functions seen before (``features.similarity``) are weighed by their similarity and by
who judged them (a maintainer's verdict counts twice a proof gate's): successes (accepted,
merged) and failures (rejected, error, declined, rolled back) give a Beta(1 + s, 1 + f)
posterior over the chance of success; a weak prior from the arm's record on every function
keeps an arm with no similar history from looking as good as one that works. The cost (seconds,
tokens, USD) is the similarity-weighted mean of the same observations, or a default.

The objective (the one the replay benchmark judges the selector, and its oracle, on): the most
accepted changes for what the run spends, i.e. expected accepted changes less the price of the
expected cost, ``chance - PRICE * cost``, where a cost unit is one CPU minute or 1,000 tokens
and ``PRICE`` (accepted changes per cost unit, 0.02: an accepted change is worth 50 CPU minutes
or 50,000 tokens) is the exchange rate - the shadow price of a budget, so that maximising value
per function maximises accepted changes for a budget. A rate alone (accepted per CPU minute)
is not an objective: it is maximised by doing only the one cheapest sure thing.

The rules engine first where it applies. Whether a rule rewrites the function is known before
any proof is spent (``FunctionFeatures.rule_match``, from the cached rules pass): where no rule
applies the rules engine is not weighed at all (it could propose nothing), and where one does
its estimate comes from that rule family's record on functions where one applied too - a zero-
token arm that costs one proof, which the LLM methods beat only when their chance is higher by
more than the price of their tokens.

Choices (Thompson sampling, stdlib ``random.Random.betavariate``): one chance is drawn from each
posterior, and an arm's value is that chance less the price of its cost. Drawing, rather than
taking the mean, keeps exploring arms with little history. The method with the highest value is
chosen per function when the user asked for ``auto``; functions are worked on in order of their
chosen arm's expected value (its mean chance less the price of its cost: the draw explores which
arm, the order spends the cap on what is known to pay); rule families are ordered by their drawn
chance, and a family whose chance on similar functions is low with enough evidence (after
declined or rolled-back changes, say) is left out for that function; the model is the configured
model with the highest value for the chosen LLM method.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentic_action.learning.features import FunctionFeatures, similarity
from agentic_action.learning.store import Arm, Observation

POOL = 1500  # the newest observations per method that are compared at all
NEIGHBOURS = 100  # similar observations an estimate is made from, per arm
SHARPNESS = 1.0  # an observation weighs (similarity / the nearest's) ** SHARPNESS
BASE = 1.0  # a uniform Beta(1, 1) under everything
PRIOR_STRENGTH = 1.0  # pseudo-observations the arm's global record is worth
TOKENS_PER_MINUTE = 1000.0  # one CPU minute costs as much as this many tokens
PRICE = 0.02  # accepted changes one cost unit (a CPU minute, 1,000 tokens) is worth
EXCLUDE_BELOW = 0.08  # a rule family drawn below this chance ...
EXCLUDE_EVIDENCE = 3.0  # ... with at least this much weighted evidence is left out
DEFAULT_COST: dict[str, tuple[float, int, float]] = {  # method -> (seconds, tokens, USD)
    "rules": (20.0, 0, 0.0),
    "llm": (90.0, 6000, 0.02),
}


@dataclass(frozen=True)
class Estimate:
    arm: Arm
    alpha: float
    beta: float
    seconds: float
    tokens: float
    usd: float
    evidence: float  # weighted observations behind it
    nearest: str = ""  # the most similar function this arm was seen on
    nearest_similarity: float = 0.0

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def cost_units(self) -> float:
        return max(self.seconds / 60.0 + self.tokens / TOKENS_PER_MINUTE, 1e-3)


@dataclass(frozen=True)
class Decision:
    key: str
    task_type: str
    method: str
    model: str
    rule_order: tuple[str, ...]
    excluded_families: tuple[str, ...]
    estimate: Estimate
    drawn: float  # the sampled chance the choice was made on
    value: float  # drawn chance less the price of the cost
    reason: str
    expected: float = 0.0  # the chosen arm's mean chance less the price of its cost
    alternatives: dict[str, float] = field(default_factory=dict)  # method[/model] -> value

    def to_json(self) -> dict[str, Any]:
        e = self.estimate
        return {
            "function": self.key, "task_type": self.task_type, "method": self.method,
            "model": self.model or None, "rule_order": list(self.rule_order),
            "excluded_rule_families": list(self.excluded_families),
            "chance": round(e.mean, 4), "drawn": round(self.drawn, 4),
            "value": round(self.value, 4), "expected_value": round(self.expected, 4),
            "evidence": round(e.evidence, 2),
            "seconds": round(e.seconds, 1), "tokens": round(e.tokens), "usd": round(e.usd, 4),
            "reason": self.reason,
            "alternatives": {m: round(v, 4) for m, v in self.alternatives.items()},
        }  # fmt: skip


class Selector:
    """Estimates and choices from a history of observations. Not thread-safe (one per run)."""

    def __init__(
        self,
        observations: Iterable[Observation],
        rng: random.Random | None = None,
        *,
        price: float = PRICE,
    ) -> None:
        self.rng = rng or random.Random()
        self.price = price
        self._by_method: dict[str, list[Observation]] = {}
        for observation in observations:
            self._by_method.setdefault(observation.arm.method, []).append(observation)
        for method, pool in self._by_method.items():
            self._by_method[method] = sorted(pool, key=lambda o: o.at)[-POOL:]
        self._global = {m: _counts(obs) for m, obs in self._by_method.items()}
        self._near: dict[tuple[FunctionFeatures, str], list[tuple[float, Observation]]] = {}

    def add(self, observation: Observation) -> None:
        """Learn one more observation (the replay benchmark learns as it goes)."""
        self._by_method.setdefault(observation.arm.method, []).append(observation)
        self._near.clear()
        s, f = self._global.get(observation.arm.method, (0.0, 0.0))
        win = observation.outcome.weight if observation.outcome.success else 0.0
        self._global[observation.arm.method] = (s + win, f + observation.outcome.weight - win)

    def estimate(self, features: FunctionFeatures, arm: Arm) -> Estimate:
        match = features.rule_match if arm.method == "rules" else None
        scored = [
            (sim, o)
            for sim, o in self._neighbours(features, arm.method)
            if (not arm.rule_family or o.arm.rule_family == arm.rule_family)
            and (not arm.model or o.arm.model == arm.model)
            and (match is None or o.features.rule_match in (None, match))
        ][:NEIGHBOURS]
        wins = losses = 0.0
        seconds = tokens = usd = weight_sum = 0.0
        nearest_sim = scored[0][0] if scored else 0.0
        for similar, o in scored:
            sim = (similar / nearest_sim) ** SHARPNESS if nearest_sim > 0 else 0.0
            weight = sim * o.outcome.weight
            if o.outcome.success:
                wins += weight
            else:
                losses += weight
            if o.seconds > 0 or o.tokens > 0:  # a cost was measured
                seconds, tokens = seconds + sim * o.seconds, tokens + sim * o.tokens
                usd, weight_sum = usd + sim * o.usd, weight_sum + sim
        prior_s, prior_f = self._prior(arm.method)
        default = DEFAULT_COST["rules" if arm.method == "rules" else "llm"]
        mean_cost = weight_sum > 1e-9
        nearest = scored[0] if scored else (0.0, None)
        return Estimate(
            arm=arm,
            alpha=BASE + prior_s + wins,
            beta=BASE + prior_f + losses,
            seconds=seconds / weight_sum if mean_cost else default[0],
            tokens=tokens / weight_sum if mean_cost else default[1],
            usd=usd / weight_sum if mean_cost else default[2],
            evidence=wins + losses,
            nearest=nearest[1].key if nearest[1] is not None else "",
            nearest_similarity=nearest[0],
        )

    def _neighbours(
        self, features: FunctionFeatures, method: str
    ) -> list[tuple[float, Observation]]:
        """Every observation of ``method``, most similar to ``features`` first (cached)."""
        cache_key = (features, method)
        found = self._near.get(cache_key)
        if found is None:
            pool = self._by_method.get(method, [])
            found = sorted(((similarity(features, o.features), o) for o in pool), key=_first)
            self._near[cache_key] = found
        return found

    def draw(self, estimate: Estimate) -> float:
        return self.rng.betavariate(estimate.alpha, estimate.beta)

    def value(self, drawn: float, estimate: Estimate) -> float:
        return drawn - self.price * estimate.cost_units

    def decide(
        self,
        functions: Sequence[tuple[str, FunctionFeatures]],
        methods: Sequence[str],
        *,
        models: Mapping[str, Sequence[str]] | None = None,
        rule_families: Sequence[str] = (),
        auto: bool = True,
    ) -> list[Decision]:
        """One decision per function, highest expected value first. ``methods``: the methods
        to choose from (one: the user chose it; several: ``auto``); ``models``: method ->
        configured models; ``rule_families``: the families the rules method can use."""
        decisions = [
            self._decide_one(key, features, methods, models or {}, rule_families, auto)
            for key, features in functions
        ]
        return sorted(decisions, key=lambda d: -d.expected)

    def _decide_one(
        self,
        key: str,
        features: FunctionFeatures,
        methods: Sequence[str],
        models: Mapping[str, Sequence[str]],
        families: Sequence[str],
        auto: bool,
    ) -> Decision:
        values: dict[str, tuple[float, float, Estimate, str]] = {}
        for method in _candidates(methods, features):
            for model, arm in _arms(method, models.get(method, ()), features.rule_family):
                estimate = self.estimate(features, arm)
                drawn = self.draw(estimate)
                label = f"{method}/{model}" if model else method
                values[label] = (self.value(drawn, estimate), drawn, estimate, model)
        best = max(values, key=lambda label: values[label][0])
        value, drawn, estimate, model = values[best]
        method = estimate.arm.method
        order, excluded = self._rule_order(features, families) if method == "rules" else ((), ())
        return Decision(
            key=key,
            task_type=features.task_type,
            method=method,
            model=model,
            rule_order=order,
            excluded_families=excluded,
            estimate=estimate,
            drawn=drawn,
            value=value,
            reason=_reason(method, estimate, drawn, _why(len(values), auto)),
            expected=estimate.mean - self.price * estimate.cost_units,
            alternatives={label: v[0] for label, v in values.items()},
        )

    def _rule_order(
        self, features: FunctionFeatures, families: Sequence[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        drawn: list[tuple[float, str]] = []
        excluded = []
        for family in families:
            estimate = self.estimate(features, Arm("rules", rule_family=family))
            chance = self.draw(estimate)
            drawn.append((chance, family))
            if chance < EXCLUDE_BELOW and estimate.evidence >= EXCLUDE_EVIDENCE:
                excluded.append(family)
        order = tuple(f for _, f in sorted(drawn, key=lambda p: (-p[0], p[1])))
        return order, tuple(sorted(excluded))

    def _prior(self, method: str) -> tuple[float, float]:
        s, f = self._global.get(method, (0.0, 0.0))
        if s + f <= 0:
            return 0.0, 0.0
        return PRIOR_STRENGTH * s / (s + f), PRIOR_STRENGTH * f / (s + f)


def _candidates(methods: Sequence[str], features: FunctionFeatures) -> Sequence[str]:
    """``methods`` less the rules engine where the rules pass said no rule applies (it cannot
    propose anything there), unless nothing else is left."""
    if features.rule_match is False and len(methods) > 1:
        return [m for m in methods if m != "rules"] or methods
    return methods


def _arms(method: str, models: Sequence[str], rule_family: str) -> list[tuple[str, Arm]]:
    """(model, arm) pairs to weigh for ``method``: one per model when there is a choice of
    models, else the method whatever model answered; for the rules engine, the family of the
    rules that apply to the function when the rules pass said which."""
    if method == "rules" and rule_family:
        return [("", Arm(method, rule_family=rule_family))]
    if len(models) < 2:
        return [(models[0] if models else "", Arm(method))]
    return [(model, Arm(method, model=model)) for model in models]


def _first(pair: tuple[float, Observation]) -> float:
    return -pair[0]


def _counts(observations: Iterable[Observation]) -> tuple[float, float]:
    wins = losses = 0.0
    for o in observations:
        if o.outcome.success:
            wins += o.outcome.weight
        else:
            losses += o.outcome.weight
    return wins, losses


def _why(choices: int, auto: bool) -> str:
    if choices > 1:
        return "chosen: highest drawn chance less cost"
    if auto:
        return "the only method available (no LLM model is configured for the others)"
    return "the method asked for"


def _reason(method: str, estimate: Estimate, drawn: float, verb: str) -> str:
    basis = (
        f"{estimate.evidence:.1f} weighted observation(s) of {method} on similar functions"
        + (
            f" (nearest {estimate.nearest}, similarity {estimate.nearest_similarity:.2f})"
            if estimate.nearest
            else ""
        )
        if estimate.evidence > 0
        else f"no history of {method} on similar functions (prior only)"
    )
    cost = f"~{estimate.seconds:.0f} s, ~{estimate.tokens:.0f} tokens"
    return f"{verb}; chance {estimate.mean:.0%} (drew {drawn:.0%}), {cost}; from {basis}"
