"""Cost control: budgets refuse calls before they are made, spend is kept, the cache costs zero."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Reply

from agentic_action.llm.budget import JsonSpendStore, MemorySpendStore
from agentic_action.llm.cache import ResponseCache
from agentic_action.llm.config import Price
from agentic_action.llm.router import FailureReason, LLMAnswer, LLMFailure, Router, open_router
from agentic_action.llm.usage import Outcome

MONTH = "2026-11"
# 1000 USD per million tokens = 0.001 USD per token: easy sums.
PRICES = {"openai/fake-a": Price(1000.0, 1000.0)}


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def answer_of(result: LLMAnswer | LLMFailure) -> LLMAnswer:
    assert isinstance(result, LLMAnswer), result
    return result


def failure_of(result: LLMAnswer | LLMFailure) -> LLMFailure:
    assert isinstance(result, LLMFailure), result
    return result


def test_zero_budget_makes_no_call(server: FakeOpenAI, make_config: Any) -> None:
    server.script(Reply("never sent"))
    router = Router(make_config(budget_usd=0.0))
    failure = failure_of(router.complete("adversarial", ask("hi")))
    assert failure.reason is FailureReason.BUDGET
    assert "run budget" in failure.detail
    assert server.requests == []
    assert router.stopped is not None and not router.available("adversarial")


def test_run_budget_exhausted_midway_stops_spending_for_the_rest_of_the_run(
    server: FakeOpenAI, make_config: Any
) -> None:
    # each call really costs (10 + 20) tokens * 0.001 = 0.03; its worst case is about 0.032
    server.script(*[Reply("x", prompt_tokens=10, completion_tokens=20)] * 5)
    router = Router(make_config(budget_usd=0.10, prices=PRICES))
    results = [router.complete("chaos", ask(f"question {i}"), max_tokens=20) for i in range(4)]
    assert [isinstance(r, LLMAnswer) for r in results] == [True, True, True, False]
    assert failure_of(results[3]).reason is FailureReason.BUDGET
    # even a call that would fit is not made once spending has stopped
    tiny = router.complete("chaos", ask("q"), max_tokens=1)
    assert failure_of(tiny).reason is FailureReason.BUDGET
    assert len(server.chat_requests()) == 3
    usage = router.usage()
    assert usage.run.cost_usd == pytest.approx(0.09)
    assert usage.run.refused == 2
    assert usage.stopped is not None and "run budget" in usage.stopped


def test_monthly_budget_counts_what_earlier_runs_spent(
    server: FakeOpenAI, make_config: Any, tmp_path: Path
) -> None:
    store = JsonSpendStore(tmp_path / "spend.json")
    store.add_spend(MONTH, 4.99)
    server.script(Reply("never sent"))
    config = make_config(monthly_budget_usd=5.0, prices=PRICES)
    failure = failure_of(
        Router(config, spend_store=store, month=MONTH).complete("chaos", ask("hi"))
    )
    assert failure.reason is FailureReason.BUDGET
    assert "monthly budget" in failure.detail and MONTH in failure.detail
    assert server.requests == []


def test_paid_calls_are_added_to_the_months_spend_on_disk(
    server: FakeOpenAI, make_config: Any, tmp_path: Path
) -> None:
    path = tmp_path / "spend.json"
    server.script(Reply("a", prompt_tokens=100, completion_tokens=50))
    config = make_config(monthly_budget_usd=5.0, prices=PRICES)
    router = Router(config, spend_store=JsonSpendStore(path), month=MONTH)
    answer_of(router.complete("chaos", ask("hi")))
    assert json.loads(path.read_text())["months"][MONTH] == pytest.approx(0.15)
    assert JsonSpendStore(path).month_spent(MONTH) == pytest.approx(0.15)  # the next run sees it
    assert router.usage().month_spent_usd == pytest.approx(0.15)
    assert path.stat().st_mode & 0o077 == 0  # the owner's alone


def test_unreadable_spend_file_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "spend.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"spend\.json"):
        JsonSpendStore(path).month_spent(MONTH)


def test_second_identical_call_is_served_from_the_cache_without_http(
    server: FakeOpenAI, make_config: Any, tmp_path: Path
) -> None:
    server.script(Reply("cached answer", prompt_tokens=30, completion_tokens=10))
    cache = ResponseCache(tmp_path / "cache")
    first = answer_of(Router(make_config(), cache=cache).complete("adversarial", ask("same")))
    assert not first.cached
    rerun = Router(make_config(), cache=ResponseCache(tmp_path / "cache"))  # a new run
    second = answer_of(rerun.complete("adversarial", ask("same")))
    assert (second.text, second.cached) == ("cached answer", True)
    assert (second.prompt_tokens, second.completion_tokens, second.cost_usd) == (0, 0, 0.0)
    assert len(server.chat_requests()) == 1
    usage = rerun.usage().run
    assert (usage.calls, usage.cache_hits, usage.prompt_tokens) == (0, 1, 0)
    entries = list((tmp_path / "cache").glob("*/*.json"))
    assert entries and all(e.stat().st_mode & 0o077 == 0 for e in entries)  # prompts: private


def test_cache_key_covers_prompt_temperature_and_variant(
    server: FakeOpenAI, make_config: Any, tmp_path: Path
) -> None:
    server.script(*[Reply(f"answer {i}") for i in range(4)])
    router = Router(make_config(), cache=ResponseCache(tmp_path / "cache"))
    texts = [
        answer_of(router.complete("adversarial", ask("p"))).text,
        answer_of(router.complete("adversarial", ask("p"), temperature=0.9)).text,
        answer_of(router.complete("adversarial", ask("p"), variant=1)).text,
        answer_of(router.complete("adversarial", ask("other prompt"))).text,
        answer_of(router.complete("adversarial", ask("p"))).text,
    ]
    assert texts == ["answer 0", "answer 1", "answer 2", "answer 3", "answer 0"]
    assert len(server.chat_requests()) == 4


def test_cache_hit_is_served_even_after_spending_stopped(
    server: FakeOpenAI, make_config: Any, tmp_path: Path
) -> None:
    server.script(Reply("kept"))
    cache = ResponseCache(tmp_path / "cache")
    answer_of(Router(make_config(), cache=cache).complete("chaos", ask("q")))
    broke = Router(make_config(budget_usd=0.0), cache=cache)
    assert answer_of(broke.complete("chaos", ask("q"))).cached
    assert len(server.chat_requests()) == 1


def test_failed_calls_are_not_cached(server: FakeOpenAI, make_config: Any, tmp_path: Path) -> None:
    server.script(Reply.error(400), Reply("second try"))
    cache = ResponseCache(tmp_path / "cache")
    failure_of(Router(make_config(), cache=cache).complete("chaos", ask("q")))
    assert cache.entries() == 0
    assert answer_of(Router(make_config(), cache=cache).complete("chaos", ask("q"))).text == (
        "second try"
    )


def test_broken_cache_entry_is_a_miss(server: FakeOpenAI, make_config: Any, tmp_path: Path) -> None:
    server.script(Reply("one"), Reply("two"))
    cache = ResponseCache(tmp_path / "cache")
    answer_of(Router(make_config(), cache=cache).complete("chaos", ask("q")))
    [entry] = (tmp_path / "cache").glob("*/*.json")
    entry.write_text("{truncated")
    assert answer_of(Router(make_config(), cache=cache).complete("chaos", ask("q"))).text == "two"


def test_tokens_and_cost_use_litellms_price_for_a_model_it_knows(
    server: FakeOpenAI, make_config: Any
) -> None:
    server.script(Reply("a", prompt_tokens=1000, completion_tokens=1000), model="gpt-4o-mini")
    router = Router(make_config("openai/gpt-4o-mini"))
    answer = answer_of(router.complete("adversarial", ask("hi")))
    # litellm's map: 0.15 USD / M input tokens, 0.60 USD / M output tokens
    assert answer.cost_usd == pytest.approx(0.00075)
    assert answer.price_known


def test_accounting_per_call_per_method_and_per_run(server: FakeOpenAI, make_config: Any) -> None:
    server.script(Reply("a", prompt_tokens=100, completion_tokens=10), model="fake-a")
    server.script(Reply.error(500), model="fake-a")
    server.script(Reply("b", prompt_tokens=200, completion_tokens=20), model="fake-b")
    server.script(Reply("c", prompt_tokens=5, completion_tokens=1), model="fake-x")
    config = make_config(
        "openai/fake-a",
        "openai/fake-b",
        max_retries=0,
        prices=PRICES,
        method_models={"chaos": ("openai/fake-x",)},
    )
    router = Router(config)
    answer_of(router.complete("adversarial", ask("one")))
    answer_of(router.complete("actor-critic:critic", ask("two")))  # 500 on a, then b
    answer_of(router.complete("chaos", ask("three")))
    usage = router.usage()
    assert [r.outcome for r in usage.records] == [Outcome.OK, Outcome.ERROR, Outcome.OK, Outcome.OK]
    assert usage.by_method["adversarial"].cost_usd == pytest.approx(0.11)
    assert usage.by_method["actor-critic"].calls == 2  # roles count for their method
    assert usage.by_method["actor-critic"].prompt_tokens == 200
    assert usage.by_method["chaos"].unknown_price_models == ("openai/fake-x",)
    assert (usage.run.calls, usage.run.answers, usage.run.failures) == (4, 3, 1)
    assert (usage.run.prompt_tokens, usage.run.completion_tokens) == (305, 31)
    assert usage.run.cost_usd == pytest.approx(0.11)  # b and x have no price
    assert set(usage.run.unknown_price_models) == {"openai/fake-b", "openai/fake-x"}
    assert usage.by_model["openai/fake-a"].failures == 1
    assert json.dumps(usage.to_dict())  # ready for the JSON report


def test_memory_spend_store_adds_up() -> None:
    store = MemorySpendStore()
    store.add_spend(MONTH, 0.5)
    store.add_spend(MONTH, 0.25)
    assert (store.month_spent(MONTH), store.month_spent("2026-12")) == (0.75, 0.0)


def test_open_router_keeps_cache_and_spend_in_the_state_directory(
    server: FakeOpenAI, make_config: Any, tmp_path: Path
) -> None:
    server.script(Reply("a", prompt_tokens=100, completion_tokens=50))
    config = make_config(prices=PRICES)
    first = open_router(config, tmp_path)
    answer_of(first.complete("adversarial", ask("q")))
    rerun = open_router(config, tmp_path)
    assert answer_of(rerun.complete("adversarial", ask("q"))).cached
    assert len(server.chat_requests()) == 1
    assert rerun.usage().month_spent_usd == pytest.approx(0.15)
    assert (tmp_path / "llm-spend.json").exists()
    assert list((tmp_path / "llm-cache").glob("*/*.json"))


def test_parallel_agents_cannot_overspend_the_run_budget(
    server: FakeOpenAI, make_config: Any
) -> None:
    # worst case per call is about 0.032 USD; 0.10 covers three calls in flight, not four
    server.script(*[Reply.slow(0.3, "x", prompt_tokens=10, completion_tokens=20)] * 6)
    router = Router(make_config(budget_usd=0.10, prices=PRICES))
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(
                lambda i: router.complete("adversarial", ask(f"question {i}"), max_tokens=20),
                range(6),
            )
        )
    answered = [r for r in results if isinstance(r, LLMAnswer)]
    assert len(answered) == 3
    assert len(server.chat_requests()) == 3
    assert router.usage().run.cost_usd <= 0.10
