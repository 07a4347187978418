"""adversarial against the scripted server, the real gate and sandboxed differential testing."""

from __future__ import annotations

from pathlib import Path

from fake_openai import FakeOpenAI, Reply
from methods_world import Project, fake_config, fenced

from agentic_action.llm import Router, open_router
from agentic_action.methods.registry import get_method
from agentic_action.methods.scoring import ScoreWeights, function_metrics, score_candidate
from agentic_action.model import SpeedEvidence

SIGNATURE = "def has_dup(values: list[int]) -> bool:"
# Passes the repository's tests ([1, 2, 1] and [1, 2, 3]) but looks at 100 values only.
SUBTLE = f"{SIGNATURE}\n    head = values[:100]\n    return len(set(head)) != len(head)\n"
GOOD = f"{SIGNATURE}\n    return len(set(values)) != len(values)\n"
EDGE_CASES = """```python
def edge_cases():
    return [
        (([],), {}),
        (([7],), {}),
        ((list(range(200)) + [150],), {}),
        ((["é", "e", "é"],), {}),
    ]
```"""
SETTINGS = {"candidates": 2, "hypothesis_examples": 15}


def _router(server: FakeOpenAI, state_dir: Path) -> Router:
    config = fake_config(
        server, "openai/fake-a", "openai/fake-b",
        method_models={"adversarial:edge-cases": ("openai/fake-edge",)},
    )  # fmt: skip
    return open_router(config, state_dir)


def test_survivors_are_attacked_with_edge_cases_and_the_best_scored_wins(
    project: Project, server: FakeOpenAI, state_dir: Path
) -> None:
    server.script(Reply(fenced(SUBTLE, "Look at a window.")), model="fake-a")
    server.script(Reply(fenced(GOOD, "Compare set size.")), model="fake-b")
    server.script(*[Reply(EDGE_CASES)] * 3, model="fake-edge")
    method = get_method("adversarial", router=_router(server, state_dir), config=SETTINGS)
    target = project.target("pkg/mod.py", "has_dup")
    outcome = method.optimize(target, project.source("pkg/mod.py"), project.ctx)

    subtle, good = outcome.attempts
    names = [c.name for c in subtle.verdict.checks]  # the full suite may run beside the tests
    assert names[-1] == "adversarial-inputs" and "affected-tests" in names
    attack = subtle.verdict.checks[-1]
    assert attack.outcome.value == "failed"
    assert "has_dup([0, 1, 2," in attack.data["first_difference"]
    assert "original:  returned True" in attack.data["first_difference"]
    assert good.accepted and outcome.chosen is good
    passed = next(c for c in good.verdict.checks if c.name == "adversarial-inputs")
    assert passed.outcome.value == "passed" and passed.data["inputs_compared"] >= 10

    inputs = outcome.data["edge_inputs"]["original"]
    assert inputs["llm"]["stored"] == 4
    assert inputs["hypothesis"]["stored"] >= 5  # drawn from list[int]
    candidates = outcome.data["candidates"]
    assert [(c["label"], c["source"], c["temperature"]) for c in candidates] == [
        ("llm#1", "openai/fake-a", 0.2),
        ("llm#2", "openai/fake-b", 0.7),  # the next model of the chain, the next temperature
    ]
    assert "score" in candidates[1] and "score" not in candidates[0]
    assert outcome.data["winner"] == "llm#2"
    second = server.chat_requests("fake-b")[0].messages[1]["content"]
    assert "Other competitors already tried these approaches" in second
    assert "- Look at a window." in second

    # Rerun on unchanged code: every prompt (candidates and edge cases) comes from the cache.
    asked = len(server.requests)
    rerun = get_method("adversarial", router=_router(server, state_dir), config=SETTINGS)
    again = rerun.optimize(target, project.source("pkg/mod.py"), project.ctx)
    assert len(server.requests) == asked
    assert again.data["llm"]["tokens"] == 0 and again.data["llm"]["calls"] == 0
    assert again.chosen is not None
    assert again.chosen.candidate.new_source == good.candidate.new_source


LOOP = "def f(xs):\n    out = []\n    for x in xs:\n        if x:\n            out.append(x)\n"
LOOP += "    return out\n"
SHORT = "def f(xs):\n    return [x for x in xs if x]\n"
DENSE = "def f(xs):\n    return list(filter(None, [x for x in xs if x if x is not None or x]))\n"


def test_the_weights_decide_between_speed_readability_and_maintainability() -> None:
    faster = SpeedEvidence(2.0, 1.8, 2.2, 20, 0.05, "paired", True, 2e-6, 1e-6)
    only_speed = ScoreWeights(speed=1.0, readability=0.0, maintainability=0.0)
    dense_fast = score_candidate(LOOP, DENSE, "f", faster, only_speed)
    short_slow = score_candidate(LOOP, SHORT, "f", None, only_speed)
    assert dense_fast.total == 1.0 and short_slow.total == 0.0  # log2(2x); unmeasured: 0
    only_style = ScoreWeights(speed=0.0, readability=1.0, maintainability=1.0)
    assert (
        score_candidate(LOOP, SHORT, "f", None, only_style).total
        > score_candidate(LOOP, DENSE, "f", faster, only_style).total
    )
    insignificant = SpeedEvidence(1.5, 0.9, 2.0, 20, 0.3, "paired", False, 2e-6, 1.3e-6)
    assert score_candidate(LOOP, SHORT, "f", insignificant, only_speed).speed == 0.0


def test_metrics_see_nesting_branches_and_size() -> None:
    loop, short = function_metrics(LOOP, "f"), function_metrics(SHORT, "f")
    assert (loop.lines, loop.cyclomatic, loop.max_nesting) == (6, 3, 2)
    assert (short.lines, short.cyclomatic, short.max_nesting) == (2, 3, 0)
    assert short.maintainability > loop.maintainability
    assert short.readability >= loop.readability
