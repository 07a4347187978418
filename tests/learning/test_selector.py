"""The selector's memory, estimates and choices, on real ledgers and state files."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from agentic_action.learning.choose import MethodFactory, choose
from agentic_action.learning.features import FunctionFeatures, features_of, similarity
from agentic_action.learning.selector import Selector
from agentic_action.learning.session import LearningSession
from agentic_action.learning.store import (
    Arm,
    LearningFileError,
    LearningState,
    Observation,
    Outcome,
    export_state,
    import_state,
    load_state,
    save_state,
)
from agentic_action.ledger import SCHEMA_VERSION, Ledger
from agentic_action.ledger._schema import create_v1
from agentic_action.llm.config import LLMConfig
from agentic_action.llm.router import Router
from agentic_action.methods.llm_base import MethodSettings
from agentic_action.methods.rules import RulesMethod
from agentic_action.model import FunctionTarget

LOOP = "def f(xs):\n    out = []\n    for x in xs:\n        out.append(x * 2)\n    return out\n"
CALLS = "def g(a: int, b: str):\n    print(a)\n    log(b)\n    send(a, b)\n    return len(b)\n"


def feats(source: str, name: str) -> FunctionFeatures:
    lines = source.count("\n")
    return features_of(FunctionTarget("m.py", name, 1, lines), source, [f"{name}(1, 'x')"])


def test_features_read_the_shape_and_types_of_a_function() -> None:
    loop, calls = feats(LOOP, "f"), feats(CALLS, "g")
    assert (loop.loops, loop.task_type) == (1, "loop")
    assert calls.task_type == "call-heavy" and {"int", "str"} <= set(calls.arg_types)
    assert similarity(loop, loop) == pytest.approx(1.0)
    assert similarity(loop, calls) < 0.5


def _history(feature: FunctionFeatures, outcome: Outcome, n: int, family: str) -> list[Observation]:
    arm = Arm("rules", family)
    return [
        Observation(f"{family}-{outcome}-{i}", f"m.py::h{i}", arm, outcome, feature)
        for i in range(n)
    ]


def test_declined_changes_lower_the_chance_on_similar_functions_only() -> None:
    loop, calls = feats(LOOP, "f"), feats(CALLS, "g")
    accepted = _history(loop, Outcome.ACCEPTED, 4, "build")
    accepted += _history(calls, Outcome.ACCEPTED, 4, "build")
    before = Selector(accepted).estimate(loop, Arm("rules", "build")).mean
    declined = accepted + _history(loop, Outcome.DECLINED, 6, "build")
    selector = Selector(declined, random.Random(3))
    assert selector.estimate(loop, Arm("rules", "build")).mean < before - 0.3
    assert selector.estimate(calls, Arm("rules", "build")).mean > 0.6  # dissimilar: unchanged
    orders = [
        selector.decide([("m.py::f", loop)], ["rules"], rule_families=["build", "calls"])[0]
        for _ in range(100)
    ]
    assert sum(d.rule_order[-1] == "build" for d in orders) > 60  # tried last, mostly


def test_thompson_sampling_keeps_exploring_an_arm_with_no_history() -> None:
    loop = feats(LOOP, "f")
    outcomes = [Outcome.ACCEPTED, Outcome.REJECTED] * 3
    tried = [
        Observation(f"o{i}", "m.py::x", Arm("test-driven"), outcome, loop, seconds=60, tokens=5000)
        for i, outcome in enumerate(outcomes)
    ]
    selector = Selector(tried, random.Random(7))
    picks = [
        selector.decide([("m.py::f", loop)], ["test-driven", "adversarial"])[0].method
        for _ in range(200)
    ]
    assert 20 < picks.count("adversarial") < 180  # both tried: neither always nor never


def test_a_corrupt_state_is_set_aside_and_learning_starts_fresh(tmp_path: Path) -> None:
    (tmp_path / "learning.json").write_text("{not json", encoding="utf-8")
    state = load_state(tmp_path)
    assert state.observations == {} and "starts fresh" in state.warning
    assert [p.name.startswith("learning.json.corrupt-") for p in tmp_path.iterdir()] == [True]


def test_export_and_import_share_observations_once(tmp_path: Path) -> None:
    here, there = tmp_path / "a", tmp_path / "b"
    loop = feats(LOOP, "f")
    state = LearningState()
    state.add(_history(loop, Outcome.MERGED, 3, "build"))
    save_state(here, state)
    assert export_state(here, tmp_path / "export.json") == 3
    assert import_state(there, tmp_path / "export.json") == (3, 3)
    assert import_state(there, tmp_path / "export.json") == (0, 3)  # the same ids count once
    assert load_state(there).observations["build-merged-0"].features == loop
    (tmp_path / "bad.json").write_text(json.dumps({"schema": 99}), encoding="utf-8")
    with pytest.raises(LearningFileError, match=r"bad\.json is not a learning export"):
        import_state(there, tmp_path / "bad.json")


def _v1_ledger(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    create_v1(conn)
    conn.execute(
        "INSERT INTO results(run_id, file, function, method, status, reason, created_at) "
        "VALUES ('r1', 'm.py', 'f', 'rules', 'accepted', 'faster', 1700000000)"
    )
    conn.close()


def test_an_older_ledger_is_migrated_and_read_a_newer_one_refused_without_stopping(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.sqlite"
    _v1_ledger(old)
    session = LearningSession(tmp_path / "state", old, "repo")
    session.open()
    [seen] = session.state.observations.values()
    assert (seen.key, seen.outcome, seen.arm.method) == ("m.py::f", Outcome.ACCEPTED, "rules")
    newer = tmp_path / "newer.sqlite"
    Ledger.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    refused = LearningSession(tmp_path / "state2", newer, "repo")
    refused.open()
    assert refused.state.observations == {}
    assert "did not read the run ledger" in refused.notes[0]
    assert f"version {SCHEMA_VERSION + 1}" in refused.notes[0]


def test_maintainers_verdicts_become_observations_of_the_change_they_judged(
    tmp_path: Path,
) -> None:
    from agentic_action.learning.ledger_source import from_verdicts
    from agentic_action.model import Edit, OptimizationResult, PatchRef, Status

    target = FunctionTarget("m.py", "f", 1, 5)
    result = OptimizationResult(
        target, "rules", Status.ACCEPTED, "faster",
        edits=(Edit("AO104", "append loop", 2, ""),),
        patch=PatchRef("bafkreideclined", "bafkreirev", "patches/x.diff"),
    )  # fmt: skip
    with Ledger.open(tmp_path / "ledger.sqlite") as ledger:
        ledger.record_result(result, run_id="r1")
        ledger.append("patch.rolled_back", {"cid": "bafkreideclined", "history_index": 1})
        github = [{"cid": "bafkreideclined", "verdict": "declined"}, {"cid": "unknown"}]
        found = from_verdicts(ledger, {}, "repo", github)
    assert sorted(o.outcome for o in found) == [Outcome.DECLINED, Outcome.ROLLED_BACK]
    assert {(o.key, o.arm.method, o.arm.rule_family) for o in found} == {
        ("m.py::f", "rules", "build")
    }


def test_the_rules_engine_is_weighed_where_a_rule_applies_on_that_rule_familys_record() -> None:
    loop = replace(feats(LOOP, "f"), rule_match=True, rule_family="build")
    member = replace(loop, rule_family="membership")
    nothing = replace(loop, rule_match=False, rule_family="")
    assert FunctionFeatures.from_json(json.loads(json.dumps(loop.to_json()))) == loop
    history = _history(loop, Outcome.ACCEPTED, 5, "build")
    history += _history(member, Outcome.REJECTED, 5, "membership")
    history += [
        Observation(f"t{i}", "m.py::t", Arm("test-driven"), outcome, loop, seconds=60, tokens=500)
        for i, outcome in enumerate([Outcome.ACCEPTED, Outcome.REJECTED] * 2)
    ]
    selector = Selector(history, random.Random(5))
    methods = ["rules", "test-driven"]

    def picks(features: FunctionFeatures, offered: list[str]) -> list[str]:
        return [selector.decide([("m.py::f", features)], offered)[0].method for _ in range(60)]

    assert "rules" not in picks(nothing, methods)  # no rule applies: nothing to propose
    assert set(picks(nothing, ["rules"])) == {"rules"}  # ... unless it is all there is
    assert picks(loop, methods).count("rules") > 45  # its family's record is good
    assert picks(member, methods).count("rules") < 15  # its family's record is poor


def test_auto_leaves_out_a_function_whose_chance_is_worth_less_than_its_cost(
    tmp_path: Path,
) -> None:
    config = LLMConfig(
        provider="openai/fake-a", api_base="http://127.0.0.1:9", api_key="test",
        budget_usd=None, monthly_budget_usd=None, timeout=5.0,
    )  # fmt: skip
    calls = feats(CALLS, "g")  # no rule of the rules engine applies to it
    session = LearningSession(tmp_path / "state", tmp_path / "ledger.db", "repo", random.Random(1))
    session.state.add(
        Observation(f"{m}-{i}", "m.py::h", Arm(m), Outcome.REJECTED, calls, 90.0, 9000)
        for m in ("test-driven", "adversarial", "actor-critic")
        for i in range(20)
    )
    target = FunctionTarget("m.py", "g", 1, CALLS.count("\n"))
    factory = MethodFactory(Router(config), tmp_path / "state", MethodSettings())
    choice = choose(session, [target], {"m.py": CALLS}, {}, method="auto", factory=factory)
    assert choice.targets == [] and choice.left_out == [target.key]
    assert session.features[target.key].rule_match is False


EVIDENCE_ONLY = "def h(ws):\n    n = 0\n    for w in ws:\n        if w in ('a', 'an', 'the'):\n            n += 1\n    return n\n"  # noqa: E501


@pytest.mark.parametrize(("tier", "matches"), [("proven", False), ("evidence", True)])
def test_the_rules_pre_check_and_the_rules_method_use_the_runs_tier(
    tmp_path: Path, tier: str, matches: bool
) -> None:
    # only the evidence-tier AO115 rewrites h (its probe's type is not proven)
    session = LearningSession(tmp_path / "state", tmp_path / "ledger.db", "repo", random.Random(1))
    target = FunctionTarget("m.py", "h", 1, EVIDENCE_ONLY.count("\n"))
    factory = MethodFactory(None, tmp_path / "state", MethodSettings(), tier)  # type: ignore[arg-type]
    choose(session, [target], {"m.py": EVIDENCE_ONLY}, {}, method="rules", factory=factory)
    assert session.features[target.key].rule_match is matches
    made = factory.get("rules", "", ())
    assert isinstance(made, RulesMethod) and made.tier == tier
