"""The LLM methods' edge-case path end to end (issue 11): the scripted server answers the
edge-case prompt with real edge cases, and those cases reject the dedupe rewrite that breaks on
unhashable items, in a project whose gate also runs the differential inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply
from methods_world import fake_config, fenced, method_project

from agentic_action.agents import AgentContext
from agentic_action.llm import open_router
from agentic_action.methods.registry import get_method
from agentic_action.model import FunctionTarget

DEDUPE = '''def dedupe(items):
    """The items without repeats, in first-seen order. Items may be unhashable (lists)."""
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
'''
TESTS = """from pkg.dedupe import dedupe


def test_dedupe():
    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]
    assert dedupe(["b", "a", "b"]) == ["b", "a"]
"""
WRONG = "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
EDGE_CASES = """```python
def edge_cases():
    return [
        (([[1], [1]],), {}),
        (([{"a": 1}, {"a": 1}],), {}),
        (([],), {}),
    ]
```"""
TARGET = FunctionTarget("pkg/dedupe.py", "dedupe", 1, 7)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentContext]:
    """Proof services whose gate has recorded inputs (so behaviour and differential run)."""
    files = {"pkg/__init__.py": "", "pkg/dedupe.py": DEDUPE, "tests/test_dedupe.py": TESTS}
    with method_project(tmp_path_factory.mktemp("edge-e2e"), files, [TARGET]) as project:
        yield project.ctx


def test_the_models_edge_cases_reject_dict_fromkeys_on_unhashable_items(
    ctx: AgentContext, tmp_path: Path
) -> None:
    with FakeOpenAI() as server:
        server.script(Reply(fenced(WRONG, "Keep order with dict.fromkeys.")), model="fake-a")
        server.script(*[Reply(EDGE_CASES)] * 2, model="fake-edge")
        config = fake_config(
            server, "openai/fake-a",
            method_models={"adversarial:edge-cases": ("openai/fake-edge",)},
        )  # fmt: skip
        router = open_router(config, tmp_path / "state")
        settings = {"candidates": 1, "hypothesis_examples": 0}
        method = get_method("adversarial", router=router, config=settings)
        outcome = method.optimize(TARGET, DEDUPE, ctx)
        prompts = [r for r in server.requests if r.model == "fake-edge"]

    assert prompts, "the edge-case prompt was never sent"
    (proof,) = [p for p in outcome.attempts if "dict.fromkeys" in p.candidate.new_source]
    assert not proof.accepted and outcome.chosen is None
    attack = proof.verdict.checks[-1]
    assert (attack.name, attack.outcome.value) == ("adversarial-inputs", "failed")
    shown = attack.data["first_difference"]
    assert "dedupe([[1], [1]])" in shown
    assert "original:  returned [[1]]" in shown
    assert "candidate: raised builtins.TypeError: unhashable type: 'list'" in shown
    assert outcome.data["edge_inputs"]["original"]["llm"]["stored"] == 3
    assert outcome.tally()["rejected_by"] == {"adversarial-inputs": 1}
