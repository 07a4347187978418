"""The selector's model choice reaches the LLM calls (a scripted OpenAI-compatible server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_openai import FakeOpenAI, Reply

from agentic_action.learning.choose import PreferredModelRouter
from agentic_action.llm.config import LLMConfig
from agentic_action.llm.router import LLMAnswer, Router

ASK = [{"role": "user", "content": "make it faster"}]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as running:
        yield running


def test_the_chosen_model_answers_first_and_the_run_counts_its_call(server: FakeOpenAI) -> None:
    config = LLMConfig(
        provider="openai/fake-a", fallbacks=("openai/fake-b",), api_base=server.url,
        api_key="test", budget_usd=None, monthly_budget_usd=None, backoff_seconds=0.01,
        timeout=5.0,
    )  # fmt: skip
    server.script(Reply("from a"), model="fake-a")
    server.script(Reply("from b"), model="fake-b")
    base = Router(config)
    answer = PreferredModelRouter(base, "openai/fake-b").complete("test-driven", ASK)
    assert isinstance(answer, LLMAnswer) and answer.text == "from b"
    assert [r.model for r in base.records] == ["openai/fake-b"]  # one budget, one record list
    unknown = PreferredModelRouter(base, "openai/not-configured").complete("test-driven", ASK)
    assert isinstance(unknown, LLMAnswer) and unknown.text == "from a"
