"""actor-critic against the scripted server and the real gate: rounds, critique, history, cache."""

from __future__ import annotations

import json
from pathlib import Path

from fake_openai import FakeOpenAI, Reply
from methods_world import Project, fake_config, fenced

from agentic_action.ledger import Ledger
from agentic_action.llm import PatternExample, Router, open_router
from agentic_action.methods.history import JsonPatternStore, LedgerPatternStore
from agentic_action.methods.registry import get_method

SIGNATURE = "def evens(values: list[int], strict: bool = False) -> list[int]:"
GUARD = '    if strict and not values:\n        raise ValueError("no values")\n'
WRONG = f"{SIGNATURE}\n{GUARD}    return [v for v in values if v % 2]\n"
GOOD = f"{SIGNATURE}\n{GUARD}    return [v for v in values if not v % 2]\n"
PRAISE = '```json\n{"correctness": 10, "performance": 8, "style": 9, "comments": "Fine."}\n```'


def _router(server: FakeOpenAI, state_dir: Path) -> Router:
    config = fake_config(server, method_models={"actor-critic:critic": ("openai/fake-critic",)})
    return open_router(config, state_dir)


def test_the_critique_goes_back_to_the_actor_and_each_round_is_scored(
    project: Project, server: FakeOpenAI, state_dir: Path
) -> None:
    actor = [Reply(fenced(WRONG, "Filter with %.")), Reply(fenced(GOOD, "Negate."))]
    server.script(*actor, model="fake-a")
    server.script(Reply("It is wrong, I think."), Reply(PRAISE), model="fake-critic")
    router = _router(server, state_dir)
    method = get_method("actor-critic", router=router, state_dir=state_dir, config={"rounds": 3})
    target = project.target("pkg/mod.py", "evens")
    outcome = method.optimize(target, project.source("pkg/mod.py"), project.ctx)

    wrong, good = outcome.attempts
    assert not wrong.accepted and wrong.verdict.reason.startswith("affected-tests failed")
    assert good.accepted and outcome.chosen is good
    rounds = outcome.data["rounds"]
    assert [(r["round"], r["accepted"], r["measured"] > 0, r["critic"]) for r in rounds] == [
        (1, False, False, None),  # the critic's prose is no review: the measured score alone
        (2, True, True, 9.0),
    ]
    assert rounds[0]["score"] == 0.0 and 5 < rounds[1]["score"] <= 10
    assert outcome.data["rejected_answers"] == [
        {"model": "openai/fake-critic", "reason": "invalid-review",
         "detail": "the answer holds no JSON object"},
    ]  # fmt: skip
    assert outcome.note == "2 round(s); chose round 2"  # stopped early: the critic gave 9 >= 8
    second_actor = server.chat_requests("fake-a")[1].messages[1]["content"]
    assert "Your previous attempt (round 1)" in second_actor
    assert "return [v for v in values if v % 2]" in second_actor
    assert "- affected-tests: failed: failed tests: tests.test_mod::test_evens" in second_actor
    assert " in 0." not in second_actor  # no timings: a rerun must ask the very same question

    patterns = json.loads((state_dir / "method-patterns.json").read_text())["patterns"]
    assert [(p["accepted"], p["summary"], p["reason"]) for p in patterns] == [
        (False, "evens: Filter with %.", wrong.verdict.reason),
        (True, "evens: Negate.", "accepted: not measured"),
    ]

    # A rerun on unchanged code: the same prompts, all answered by the cache.
    calls = len(server.requests)
    router = _router(server, state_dir)
    rerun = get_method("actor-critic", router=router, state_dir=state_dir, config={"rounds": 3})
    again = rerun.optimize(target, project.source("pkg/mod.py"), project.ctx)
    assert len(server.requests) == calls
    assert again.data["llm"]["tokens"] == 0 and again.data["llm"]["cached"] == 4
    assert again.chosen is not None
    assert again.chosen.candidate.new_source == good.candidate.new_source

    # Another function later: the patterns learned above are offered as examples.
    server.script(Reply("NO CHANGE"), model="fake-a")
    later = get_method("actor-critic", router=_router(server, state_dir), state_dir=state_dir)
    target = project.target("pkg/mod.py", "has_dup")
    outcome = later.optimize(target, project.source("pkg/mod.py"), project.ctx)
    assert outcome.data["examples_offered"] == 2
    prompt = server.chat_requests("fake-a")[-1].messages[1]["content"]
    assert "Patterns from earlier runs on this repository" in prompt
    assert "- ACCEPTED: evens: Negate." in prompt
    assert "- REJECTED: evens: Filter with %. — affected-tests failed: 1 of 1 tests" in prompt


def test_examples_are_pinned_per_code_version_and_stored_once(tmp_path: Path) -> None:
    store = JsonPatternStore(tmp_path / "patterns.json")
    first = PatternExample(True, "use a set", "about 2.0x faster")
    store.record("actor-critic", first)
    store.record("actor-critic", first)  # the same outcome again: kept once
    assert store.examples("actor-critic", "f@v1", 5) == [first]
    second = PatternExample(False, "dropped the order", "behaviour differs")
    store.record("actor-critic", second)
    assert store.examples("actor-critic", "f@v1", 5) == [first]  # pinned: the same prompt
    assert store.examples("actor-critic", "f@v2", 5) == [first, second]  # new code, new picks
    assert store.examples("chaos", "f@v2", 5) == []  # per method
    data = json.loads((tmp_path / "patterns.json").read_text())
    assert len(data["patterns"]) == 2


def test_the_ledger_backs_the_same_history(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        store = LedgerPatternStore(ledger)
        accepted = PatternExample(True, "use a set", "about 2.0x faster", "-a\n+b")
        rejected = PatternExample(False, "slice the list", "behaviour differs")
        for example in (accepted, rejected, accepted):
            store.record("actor-critic", example)
        assert store.examples("actor-critic", "f@v1", 1) == [accepted]
        assert store.examples("actor-critic", "f@v1", 5) == [accepted]  # pinned
        assert store.examples("actor-critic", "g@v1", 5) == [accepted, rejected]
        assert len(ledger.events(kind="pattern.recorded")) == 2
