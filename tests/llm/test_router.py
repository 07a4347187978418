"""The router over real HTTP: answers, retries, fallbacks, timeouts and failures as values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Reply

from agentic_action.llm.config import LLMConfig
from agentic_action.llm.router import FailureReason, LLMAnswer, LLMFailure, Router
from agentic_action.llm.usage import Outcome

ASK = [
    {"role": "system", "content": "You optimize Python."},
    {"role": "user", "content": "Make slow_sum faster."},
]


def answer_of(result: LLMAnswer | LLMFailure) -> LLMAnswer:
    assert isinstance(result, LLMAnswer), result
    return result


def failure_of(result: LLMAnswer | LLMFailure) -> LLMFailure:
    assert isinstance(result, LLMFailure), result
    return result


def test_router_returns_the_scripted_answer_over_real_http(
    server: FakeOpenAI, make_config: Any
) -> None:
    server.script(Reply("def f(): ...", prompt_tokens=42, completion_tokens=7), model="fake-a")
    answer = answer_of(Router(make_config()).complete("adversarial", ASK, temperature=0.7))
    assert (answer.text, answer.model, answer.cached) == ("def f(): ...", "openai/fake-a", False)
    assert (answer.prompt_tokens, answer.completion_tokens) == (42, 7)
    [request] = server.chat_requests()
    assert request.messages == ASK
    assert request.body["temperature"] == 0.7
    assert request.body["max_tokens"] == LLMConfig().max_tokens


def test_router_retries_a_500_with_backoff_then_succeeds(
    server: FakeOpenAI, make_config: Any
) -> None:
    server.script(Reply.error(500), Reply.error(503), Reply("ok"), model="fake-a")
    pauses: list[float] = []
    router = Router(make_config(backoff_seconds=0.5, max_retries=2), sleep=pauses.append)
    answer = answer_of(router.complete("chaos", ASK))
    assert answer.text == "ok"
    assert pauses == [0.5, 1.0]
    assert [a.outcome for a in answer.failed_attempts] == [Outcome.ERROR, Outcome.ERROR]
    assert len(server.chat_requests("fake-a")) == 3


def test_router_retries_a_500_then_falls_back_to_the_second_model(
    server: FakeOpenAI, make_config: Any
) -> None:
    server.script(*[Reply.error(500)] * 3, model="fake-a")
    server.script(Reply("from b"), model="fake-b")
    router = Router(make_config("openai/fake-a", "openai/fake-b", max_retries=2))
    answer = answer_of(router.complete("adversarial", ASK))
    assert (answer.text, answer.model) == ("from b", "openai/fake-b")
    assert len(server.chat_requests("fake-a")) == 3
    assert len(server.chat_requests("fake-b")) == 1
    assert {a.model for a in answer.failed_attempts} == {"openai/fake-a"}


def test_router_falls_back_at_once_on_a_client_error(server: FakeOpenAI, make_config: Any) -> None:
    server.script(Reply.error(400, "bad request"), model="fake-a")
    server.script(Reply("from b"), model="fake-b")
    router = Router(make_config("openai/fake-a", "openai/fake-b", max_retries=3))
    assert answer_of(router.complete("adversarial", ASK)).model == "openai/fake-b"
    assert len(server.chat_requests("fake-a")) == 1  # a 400 is not retried


def test_router_times_out_on_a_hung_server_then_falls_back(
    server: FakeOpenAI, make_config: Any
) -> None:
    server.script(Reply.hang_forever(), model="fake-a")
    server.script(Reply("from b"), model="fake-b")
    router = Router(make_config("openai/fake-a", "openai/fake-b", timeout=1.0, max_retries=0))
    answer = answer_of(router.complete("actor-critic", ASK))
    assert answer.model == "openai/fake-b"
    [attempt] = answer.failed_attempts
    assert attempt.outcome is Outcome.TIMEOUT


def test_a_slow_answer_within_the_timeout_is_accepted(server: FakeOpenAI, make_config: Any) -> None:
    server.script(Reply.slow(0.3, "slow but fine"), model="fake-a")
    answer = answer_of(Router(make_config(timeout=5.0)).complete("chaos", ASK))
    assert answer.text == "slow but fine"
    assert not answer.failed_attempts


def test_all_models_failing_returns_a_failure_with_every_reason(
    server: FakeOpenAI, make_config: Any
) -> None:
    server.script(Reply.error(401, "invalid api key"), model="fake-a")
    server.script(Reply.garbage(), Reply.garbage(), model="fake-b")
    router = Router(make_config("openai/fake-a", "openai/fake-b", max_retries=1))
    failure = failure_of(router.complete("test-driven", ASK))
    assert failure.reason is FailureReason.UNAVAILABLE
    assert [a.model for a in failure.attempts] == ["openai/fake-a"] + ["openai/fake-b"] * 2
    assert "AuthenticationError" in failure.attempts[0].detail
    assert "invalid response" in failure.attempts[1].detail
    assert "openai/fake-a" in failure.detail and "openai/fake-b" in failure.detail
    usage = router.usage()
    assert (usage.run.calls, usage.run.failures, usage.run.answers) == (3, 3, 0)


def test_rate_limited_call_is_retried(server: FakeOpenAI, make_config: Any) -> None:
    server.script(Reply.error(429, "slow down"), Reply("after the wait"), model="fake-a")
    assert answer_of(Router(make_config()).complete("chaos", ASK)).text == "after the wait"


def test_method_preferences_come_first_and_prefer_picks_one_model(
    server: FakeOpenAI, make_config: Any
) -> None:
    config = make_config(
        "openai/fake-a", method_models={"actor-critic:critic": ("openai/fake-critic",)}
    )
    router = Router(config)
    assert router.models_for("actor-critic:critic") == ("openai/fake-critic", "openai/fake-a")
    assert router.models_for("actor-critic") == ("openai/fake-a",)
    server.script(Reply("review"), model="fake-critic")
    server.script(Reply("code"), model="fake-a")
    assert answer_of(router.complete("actor-critic:critic", ASK)).text == "review"
    result = router.complete("actor-critic:critic", ASK, prefer="openai/fake-a")
    assert answer_of(result).text == "code"


def test_no_model_configured_is_a_failure_value_without_importing_litellm() -> None:
    code = (
        "import sys\n"
        "from agentic_action.llm.config import LLMConfig\n"
        "from agentic_action.llm.router import Router\n"
        "router = Router(LLMConfig.from_env({}))\n"
        "result = router.complete('adversarial', [{'role': 'user', 'content': 'hi'}])\n"
        "print(result.reason.value, router.available('adversarial'), 'litellm' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["not-configured", "False", "False"]


def test_unknown_method_name_is_bad_input(make_config: Any) -> None:
    with pytest.raises(ValueError, match="method='adversary'"):
        Router(make_config()).complete("adversary", ASK)


def test_malformed_messages_are_bad_input(make_config: Any) -> None:
    with pytest.raises(ValueError, match="messages"):
        Router(make_config()).complete("chaos", [{"role": "user"}])


def test_fake_server_lists_its_scripted_models(server: FakeOpenAI) -> None:
    server.script(Reply("x"), model="fake-a")
    with urllib.request.urlopen(f"{server.url}/models", timeout=5) as response:
        listed = json.load(response)
    assert [m["id"] for m in listed["data"]] == ["fake-a"]
