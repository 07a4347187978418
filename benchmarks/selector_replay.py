"""Replay a synthetic history through five policies and compare what they get.

Usage: python benchmarks/selector_replay.py [--runs 12] [--functions 50] [--cap 25] [--seed 1]
                                            [--history 600] [--rule-match-scale 1.0]

The world. Each run offers --functions new functions, drawn from the shapes below (their
features - size, loops, calls, argument types, syntax tokens - vary around the shape's), and
may work on --cap of them (``max_candidates``). An attempt is one (function, arm) pair; an arm is
a method and, for LLM methods, a model. Every (function, arm) outcome is drawn once, up front,
from the shape's chance, so every policy meets the same facts and the oracle can know them.

Costs: the rules engine costs 0.3 s when no rule applies and ~25 s of proof when one does (no
tokens); an LLM attempt ~60-110 s of CPU (proof of its candidates) and ~4,000 (small model) or
~9,000 (large model) tokens. One cost unit is one CPU minute or 1,000 tokens. Whether a rule
applies is known to every policy before it spends anything (the run's cached rules pass:
``FunctionFeatures.rule_match``); the fixed rules policy still spends a slot of the cap on a
function no rule applies to, as a ``--method rules`` run does (it caps before asking the rules).

Where the rates come from, and how far to trust them. Costs: ~25 s per rule proof and 60-110 s
per LLM candidate are the order of the proof benchmarks (validation_cost.py, methods_llm.py:
"method s" is dominated by the gate's sandboxed test runs); tokens per attempt are assumed (the
scripted server of methods_llm.py counts words, not a tokenizer's tokens). Chances are NOT
measured anywhere in this project: the field trial (field_trial.py, --method rules on nine
PyPI packages, Dec 2026) found a rule applying to 11 of 1,202 functions examined (0.9%) and
accepted none of them (7 fell to a red baseline; the others were slower, below the 10% minimum,
failed tests or lacked per-test coverage), where this world has a rule applying to ~36% of
functions and accepted on 75% of loop-append ones. The LLM chances are guesses with no field
data at all. ``--rule-match-scale 0.025`` scales every shape's rule-match rate to the field
trial's; treat the tables as a test of the policies' logic, not a forecast.

The policies:
  fixed:<arm>    the same arm for every function, functions in static rank order (loops and
                 calls first, as ``plan.rank``); ``fixed:rules`` is the default setting
  round-robin    the arms in turn, rank order
  selector       ``learning.Selector`` (Thompson sampling), learning from every earlier
                 attempt in the replay; functions in order of expected value, those whose best
                 drawn value is not above zero left out (as ``--method auto`` does)
  oracle         knows each (function, arm) chance: the best expected value, same rule
  clairvoyant    knows each outcome: only attempts that succeed, cheapest arm first

The objective every policy is judged on (and the one the selector and the oracle maximise):
net value = accepted changes - PRICE x cost units (PRICE = learning.selector.PRICE, 0.02: an
accepted change is worth 50 CPU minutes or 50,000 tokens) - the most accepted changes for what
is spent. The issue's rates (accepted per 1,000 tokens, per CPU minute) are printed and checked
too, but a rate alone rewards doing less: fixed:rules spends no tokens and the fewest CPU
minutes, and no policy that works on more than the surest cheap functions can reach 1.5x its
rate per CPU minute (the oracle does not come near it).

Printed: accepted changes, CPU minutes, tokens, accepted per 1,000 tokens and per CPU minute
and the net value for each policy, the goal checks on the rates and on the net value, and the
selector's own time per run against the run's time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from agentic_action.learning.features import FunctionFeatures
from agentic_action.learning.selector import PRICE, TOKENS_PER_MINUTE, Selector
from agentic_action.learning.store import Arm, Observation, Outcome

LLM = ("test-driven", "adversarial", "actor-critic")
MODELS = {"small": 4000, "large": 9000}  # model -> tokens per attempt (mean)
ARMS = (Arm("rules"), *(Arm(m, model=mod) for m in LLM for mod in MODELS))


@dataclass(frozen=True)
class Shape:
    name: str
    share: float  # of the functions offered
    lines: int
    loops: int
    calls: int
    depth: int
    vocab: tuple[str, ...]
    rule_fires: float  # chance a rule applies
    rules_p: float  # chance the rule's rewrite is accepted, when one applies
    llm_p: dict[str, float]  # method -> chance with the large model (small: 0.6x)


SHAPES = (
    Shape("append-loop", 0.16, 8, 1, 2, 1, ("For", "Call", "call:append", "List"), 0.95, 0.75,
          {"test-driven": 0.45, "adversarial": 0.35, "actor-critic": 0.5}),
    Shape("string-build", 0.08, 9, 1, 1, 1, ("For", "AugAssign", "Add", "Constant"), 0.9, 0.55,
          {"test-driven": 0.35, "adversarial": 0.3, "actor-critic": 0.4}),
    Shape("membership-tiny", 0.12, 6, 1, 1, 1, ("Compare", "In", "List", "If"), 0.9, 0.06,
          {"test-driven": 0.05, "adversarial": 0.05, "actor-critic": 0.06}),
    Shape("nested-numeric", 0.14, 18, 3, 4, 2, ("For", "BinOp", "Mult", "Subscript"), 0.05, 0.3,
          {"test-driven": 0.25, "adversarial": 0.15, "actor-critic": 0.5}),
    Shape("algorithmic", 0.10, 25, 2, 6, 1, ("While", "Compare", "call:sorted", "Return"), 0.1,
          0.3, {"test-driven": 0.5, "adversarial": 0.3, "actor-critic": 0.35}),
    Shape("io-calls", 0.20, 12, 0, 8, 0, ("Call", "call:open", "call:write", "With"), 0.05, 0.1,
          {"test-driven": 0.03, "adversarial": 0.02, "actor-critic": 0.03}),
    Shape("tiny", 0.20, 3, 0, 0, 0, ("Return", "BinOp", "Name"), 0.02, 0.2,
          {"test-driven": 0.02, "adversarial": 0.02, "actor-critic": 0.02}),
)  # fmt: skip
FAMILY = {  # shape -> the family of the rule that applies to it (learning.families)
    "append-loop": "build", "string-build": "build", "membership-tiny": "membership",
    "nested-numeric": "iteration", "algorithmic": "sorted", "io-calls": "calls", "tiny": "ruff",
}  # fmt: skip


@dataclass
class Function:
    key: str
    shape: Shape
    features: FunctionFeatures
    rank: float  # the static score plan.rank orders by
    chance: dict[Arm, float] = field(default_factory=dict)
    outcome: dict[Arm, tuple[bool, float, int]] = field(default_factory=dict)  # ok, s, tokens


def _features(shape: Shape, rng: random.Random) -> FunctionFeatures:
    extra = {f"Name:{rng.randrange(40)}" for _ in range(3)} | {"FunctionDef", "arguments"}
    return FunctionFeatures(
        lines=max(2, int(shape.lines * rng.uniform(0.6, 1.6))),
        loops=shape.loops,
        calls=max(0, shape.calls + rng.randint(-1, 2)),
        max_depth=shape.depth,
        arg_types=(rng.choice(("list", "dict", "int", "str")),),
        tokens=frozenset(shape.vocab) | extra,
    )


RULE_MATCH_SCALE = [1.0]  # --rule-match-scale: every shape's rule_fires times this


def _function(index: int, rng: random.Random) -> Function:
    shape = rng.choices(SHAPES, weights=[s.share for s in SHAPES])[0]
    shape = replace(shape, rule_fires=shape.rule_fires * RULE_MATCH_SCALE[0])
    features = _features(shape, rng)
    rank = features.loops * 3 + features.max_depth * 2 + features.calls * 0.5 + rng.random()
    fires = rng.random() < shape.rule_fires
    family = FAMILY[shape.name] if fires else ""
    features = replace(features, rule_match=fires, rule_family=family)  # the rules pass's answer
    function = Function(f"m{index // 20}.py::f{index}", shape, features, rank)
    for arm in ARMS:
        if arm.method == "rules":
            p = shape.rules_p if fires else 0.0
            ok = fires and rng.random() < shape.rules_p
            seconds, tokens = (rng.uniform(18, 32), 0) if fires else (0.3, 0)
        else:
            p = shape.llm_p[arm.method] * (1.0 if arm.model == "large" else 0.6)
            ok = rng.random() < p
            seconds = rng.uniform(60, 110)
            tokens = int(MODELS[arm.model] * rng.uniform(0.7, 1.3))
        function.chance[arm] = p
        function.outcome[arm] = (ok, seconds, tokens)
    return function


@dataclass
class Tally:
    accepted: int = 0
    seconds: float = 0.0
    tokens: int = 0
    attempts: int = 0
    decide_seconds: list[float] = field(default_factory=list)
    run_seconds: list[float] = field(default_factory=list)

    def spend(self, function: Function, arm: Arm) -> bool:
        ok, seconds, tokens = function.outcome[arm]
        self.accepted += ok
        self.seconds += seconds
        self.tokens += tokens
        self.attempts += 1
        return ok


Plan = list[tuple[Function, Arm]]
Policy = Callable[[list[Function], int, int], Plan]  # functions, cap, run number -> attempts


def _ranked(functions: list[Function]) -> list[Function]:
    return sorted(functions, key=lambda f: -f.rank)


def fixed(arm: Arm) -> Policy:
    return lambda functions, cap, _: [(f, arm) for f in _ranked(functions)[:cap]]


def round_robin(functions: list[Function], cap: int, run: int) -> Plan:
    return [(f, ARMS[(run * cap + i) % len(ARMS)]) for i, f in enumerate(_ranked(functions)[:cap])]


def _units(seconds: float, tokens: float) -> float:
    return seconds / 60.0 + tokens / TOKENS_PER_MINUTE


def oracle(functions: list[Function], cap: int, _: int) -> Plan:
    best = []
    for f in functions:
        value, arm = max(
            (f.chance[a] - PRICE * _units(*_expected(f, a)), a) for a in ARMS
        )  # fmt: skip
        if value > 0:
            best.append((value, f, arm))
    best.sort(key=lambda item: -item[0])
    return [(f, arm) for _, f, arm in best[:cap]]


def _expected(f: Function, arm: Arm) -> tuple[float, float]:
    if arm.method == "rules":
        return (25.0 if f.features.rule_match else 0.3), 0.0
    return 85.0, float(MODELS[arm.model])


def clairvoyant(functions: list[Function], cap: int, _: int) -> Plan:
    wins = []
    for f in functions:
        good = [(_units(*f.outcome[a][1:]), a) for a in ARMS if f.outcome[a][0]]
        if good:
            wins.append((min(good)[0], f, min(good)[1]))
    wins.sort(key=lambda item: item[0])
    return [(f, arm) for _, f, arm in wins[:cap]]


class SelectorPolicy:
    def __init__(self, seed: int, history: Sequence[Observation] = ()) -> None:
        self.history: list[Observation] = list(history)
        self.rng = random.Random(seed)
        self.decide_seconds: list[float] = []

    def __call__(self, functions: list[Function], cap: int, run: int) -> Plan:
        started = time.perf_counter()
        selector = Selector(self.history, self.rng)
        models = {m: list(MODELS) for m in LLM}
        methods = ("rules", *LLM)
        decisions = selector.decide(
            [(f.key, f.features) for f in functions], methods, models=models
        )
        by_key = {f.key: f for f in functions}
        plan = [
            (by_key[d.key], Arm(d.method, model=d.model if d.method != "rules" else ""))
            for d in decisions
            if d.value > 0
        ][:cap]
        self.decide_seconds.append(time.perf_counter() - started)
        return plan

    def learn(self, function: Function, arm: Arm, run: int) -> None:
        ok, seconds, tokens = function.outcome[arm]
        self.history.append(
            Observation(
                f"{function.key}:{arm.label()}", function.key, _observed(function, arm),
                Outcome.ACCEPTED if ok else Outcome.REJECTED, function.features,
                seconds=seconds, tokens=tokens, at=float(run),
            )
        )  # fmt: skip


def _observed(function: Function, arm: Arm) -> Arm:
    """The arm as the ledger records it: a rules candidate names its rules' family."""
    if arm.method == "rules" and function.features.rule_family:
        return Arm("rules", rule_family=function.features.rule_family)
    return arm


def recorded_history(count: int, rng: random.Random) -> list[Observation]:
    """What earlier runs left in the ledger: ``count`` candidates, each a function of any shape
    worked on by whichever arm that run used (users' settings vary)."""
    history = []
    for index in range(count):
        function = _function(-1 - index, rng)
        arm = rng.choice(ARMS)
        ok, seconds, tokens = function.outcome[arm]
        outcome = Outcome.ACCEPTED if ok else Outcome.REJECTED
        history.append(
            Observation(
                f"history:{index}", function.key, _observed(function, arm), outcome,
                function.features,
                seconds=seconds, tokens=tokens, at=-1.0,
            )
        )  # fmt: skip
    return history


def replay(runs: list[list[Function]], policy: Policy, cap: int) -> Tally:
    tally = Tally()
    for number, functions in enumerate(runs):
        plan = policy(functions, cap, number)
        before = tally.seconds
        for function, arm in plan:
            tally.spend(function, arm)
            if isinstance(policy, SelectorPolicy):
                policy.learn(function, arm, number)
        tally.run_seconds.append(tally.seconds - before)
    if isinstance(policy, SelectorPolicy):
        tally.decide_seconds = policy.decide_seconds
    return tally


def _rate(count: int, amount: float) -> str:
    return f"{count / amount:8.3f}" if amount > 0 else "   (none)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--functions", type=int, default=50)
    parser.add_argument("--cap", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--history", type=int, default=600, help="recorded candidates")
    parser.add_argument(
        "--rule-match-scale", type=float, default=1.0,
        help="scale every shape's rule-match rate (0.025: the field trial's 0.9%%)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    RULE_MATCH_SCALE[0] = args.rule_match_scale
    rng = random.Random(args.seed)
    history = recorded_history(args.history, rng)
    runs = [
        [_function(r * args.functions + i, rng) for i in range(args.functions)]
        for r in range(args.runs)
    ]
    policies: dict[str, Policy] = {f"fixed:{arm.label()}": fixed(arm) for arm in ARMS}
    policies |= {"round-robin": round_robin, "selector": SelectorPolicy(args.seed, history)}
    policies |= {"oracle (knows chances)": oracle, "clairvoyant (knows outcomes)": clairvoyant}
    print(
        f"recorded history: {len(history)} candidates (the selector starts from it); then "
        f"{args.runs} runs x {args.functions} functions offered, {args.cap} worked on per run "
        f"({args.runs * args.cap} candidates per policy); seed {args.seed}; rule-match scale "
        f"{args.rule_match_scale}"
    )
    print(
        f"{'policy':34} {'accepted':>8} {'CPU min':>8} {'tokens':>9} "
        f"{'per 1k tok':>10} {'per CPU min':>11} {'net value':>9}"
    )
    tallies = {name: replay(runs, policy, args.cap) for name, policy in policies.items()}
    for name, t in tallies.items():
        minutes = t.seconds / 60
        print(
            f"{name:34} {t.accepted:8d} {minutes:8.1f} {t.tokens:9d} "
            f"{_rate(t.accepted, t.tokens / 1000):>10} {_rate(t.accepted, minutes):>11} "
            f"{_net(t):9.1f}"
        )
    _goals(tallies)
    _overhead(tallies["selector"])
    _full_state(rng)


def _net(t: Tally) -> float:
    """The objective: accepted changes less the price of what was spent."""
    return t.accepted - PRICE * _units(t.seconds, t.tokens)


def _goals(tallies: dict[str, Tally]) -> None:
    def per_token(t: Tally) -> float:
        return t.accepted / (t.tokens / 1000) if t.tokens else float("inf")

    def per_minute(t: Tally) -> float:
        return t.accepted / (t.seconds / 60) if t.seconds else 0.0

    chosen, oracle_t = tallies["selector"], tallies["oracle (knows chances)"]
    fixed_t = {n: t for n, t in tallies.items() if n.startswith("fixed:")}
    print()
    for label, metric in (("per 1,000 tokens", per_token), ("per CPU minute", per_minute)):
        spenders = {n: t for n, t in fixed_t.items() if metric(t) != float("inf")}
        best_name = max(spenders, key=lambda n: metric(spenders[n]))
        ratio = metric(chosen) / metric(spenders[best_name])
        print(
            f"selector {label}: {ratio:.2f}x the best fixed policy that spends it "
            f"({best_name}; goal >= 1.5x), {metric(chosen) / metric(oracle_t):.2f}x the oracle "
            f"(goal >= 0.90x)"
        )
    best_fixed = max(fixed_t, key=lambda n: _net(fixed_t[n]))
    print(
        f"selector net value (accepted - {PRICE} x cost units, the objective): "
        f"{_net(chosen):.1f}, {_net(chosen) / _net(fixed_t[best_fixed]):.2f}x the best fixed "
        f"policy ({best_fixed}: {_net(fixed_t[best_fixed]):.1f}; goal >= 1.5x), "
        f"{_net(chosen) / _net(oracle_t):.2f}x the oracle ({_net(oracle_t):.1f}; goal >= 0.90x)"
    )
    print(
        f"selector accepted changes: {chosen.accepted}, fixed:rules "
        f"{fixed_t['fixed:rules'].accepted}, oracle {oracle_t.accepted}"
    )


def _overhead(t: Tally) -> None:
    share = [d / r for d, r in zip(t.decide_seconds, t.run_seconds, strict=True) if r > 0]
    print(
        f"selector overhead per run: median {statistics.median(t.decide_seconds) * 1000:.1f} ms "
        f"(max {max(t.decide_seconds) * 1000:.1f} ms) against the run's simulated CPU time: "
        f"median {statistics.median(share):.4%} (goal < 1%)"
    )


def _full_state(rng: random.Random) -> None:
    """The selector's time at the largest history kept (store.MAX_OBSERVATIONS) for a run of
    100 functions with every method and model to weigh."""
    from agentic_action.learning.store import MAX_OBSERVATIONS

    history = recorded_history(MAX_OBSERVATIONS, rng)
    functions = [_function(10**6 + i, rng) for i in range(100)]
    started, cpu = time.perf_counter(), time.process_time()
    selector = Selector(history, rng)
    selector.decide(
        [(f.key, f.features) for f in functions],
        ("rules", *LLM),
        models={m: list(MODELS) for m in LLM},
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"at the largest kept history ({MAX_OBSERVATIONS} observations), 100 functions: "
        f"{seconds:.2f} s wall, {cpu:.2f} s CPU (1% of a run of {cpu * 100 / 60:.0f} CPU minutes)"
    )


if __name__ == "__main__":
    main()
