"""Fixtures for the router tests: a scripted OpenAI-compatible server and configs pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_openai import FakeOpenAI

from agentic_action.llm.config import LLMConfig


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as running:
        yield running


@pytest.fixture
def make_config(server: FakeOpenAI) -> Any:
    """LLMConfig for the fake server: fast retries, short timeouts, no budget unless given."""

    def make(provider: str = "openai/fake-a", *fallbacks: str, **fields: Any) -> LLMConfig:
        defaults: dict[str, Any] = {
            "provider": provider,
            "fallbacks": fallbacks,
            "api_base": server.url,
            "api_key": "test",
            "budget_usd": None,
            "monthly_budget_usd": None,
            "backoff_seconds": 0.01,
            "timeout": 5.0,
        }
        return LLMConfig(**{**defaults, **fields})

    return make
