"""LLM configuration from the environment and the config file; bad values name themselves."""

from __future__ import annotations

import pytest

from agentic_action.llm.config import (
    DEFAULT_BUDGET_USD,
    EFFORT,
    LLMConfig,
    Price,
    Priority,
)

LOCAL = "http://127.0.0.1:9/v1"


def test_nothing_set_means_no_model_and_default_budgets() -> None:
    config = LLMConfig.from_env({})
    assert not config.configured
    assert config.models_for("adversarial") == ()
    assert config.budget_usd == DEFAULT_BUDGET_USD
    assert config.priority is Priority.MEDIUM


def test_provider_fallbacks_and_api_base_are_read_from_the_environment() -> None:
    config = LLMConfig.from_env(
        {
            "OPTIMIZER_LLM_PROVIDER": "openai/local-coder",
            "OPTIMIZER_LLM_FALLBACK": " openai/local-b, ,openai/local-c,openai/local-b",
            "OPTIMIZER_LLM_API_BASE": LOCAL,
            "OPTIMIZER_LLM_API_KEY": "sk-test",
            "OPTIMIZER_LLM_BUDGET_USD": "2.5",
            "OPTIMIZER_LLM_MONTHLY_BUDGET_USD": "unlimited",
            "OPTIMIZER_LLM_PRIORITY": "HIGH",
            "OPTIMIZER_LLM_TIMEOUT": "30",
        }
    )
    assert config.models_for("chaos") == ("openai/local-coder", "openai/local-b", "openai/local-c")
    assert (config.api_base, config.api_key) == (LOCAL, "sk-test")
    assert (config.budget_usd, config.monthly_budget_usd) == (2.5, None)
    assert (config.priority, config.timeout) == (Priority.HIGH, 30.0)
    assert "sk-test" not in repr(config)


def test_a_model_litellm_lists_needs_no_api_base() -> None:
    assert LLMConfig.from_env({"OPTIMIZER_LLM_PROVIDER": "gpt-4o-mini"}).provider == "gpt-4o-mini"


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("gpt-17", "cannot tell its provider"),
        ("anthropic/claude-nonexistent-9", "does not list this model"),
        ("openai/my-local-model", "does not list this model"),  # no api_base given
    ],
)
def test_unknown_model_name_is_rejected_with_a_clear_message(model: str, says: str) -> None:
    with pytest.raises(ValueError) as error:
        LLMConfig.from_env({"OPTIMIZER_LLM_PROVIDER": model})
    message = str(error.value)
    assert f"OPTIMIZER_LLM_PROVIDER={model!r}" in message
    assert says in message
    assert "OPTIMIZER_LLM_API_BASE" in message  # the way out for local servers


def test_unknown_fallback_model_names_its_variable() -> None:
    env = {"OPTIMIZER_LLM_PROVIDER": "gpt-4o-mini", "OPTIMIZER_LLM_FALLBACK": "gpt-4o-mini,gpt-17"}
    with pytest.raises(ValueError, match="OPTIMIZER_LLM_FALLBACK='gpt-17'"):
        LLMConfig.from_env(env)


def test_any_name_is_accepted_for_an_openai_compatible_server_with_api_base() -> None:
    env = {"OPTIMIZER_LLM_PROVIDER": "openai/whatever-7b", "OPTIMIZER_LLM_API_BASE": LOCAL}
    assert LLMConfig.from_env(env).provider == "openai/whatever-7b"


def test_any_name_is_accepted_for_self_hosted_providers() -> None:
    assert LLMConfig.from_env({"OPTIMIZER_LLM_PROVIDER": "ollama_chat/qwen2.5-coder"}).configured


def test_a_model_with_a_price_in_the_config_file_is_accepted() -> None:
    file = {
        "provider": "anthropic/claude-future-5",
        "prices": {"anthropic/claude-future-5": {"input": 3, "output": 15}},
    }
    config = LLMConfig.from_env({}, file)
    assert config.prices["anthropic/claude-future-5"] == Price(3.0, 15.0)


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("OPTIMIZER_LLM_BUDGET_USD", "-1", "'unlimited'"),
        ("OPTIMIZER_LLM_BUDGET_USD", "ten", ">= 0"),
        ("OPTIMIZER_LLM_MONTHLY_BUDGET_USD", "nan", ">= 0"),
        ("OPTIMIZER_LLM_PRIORITY", "urgent", "low | medium | high"),
        ("OPTIMIZER_LLM_TIMEOUT", "0", "> 0"),
        ("OPTIMIZER_LLM_MAX_RETRIES", "1.5", "whole number"),
        ("OPTIMIZER_LLM_MAX_TOKENS", "-3", "whole number"),
    ],
)
def test_bad_value_names_the_variable_the_value_and_what_is_allowed(
    variable: str, value: str, allowed: str
) -> None:
    with pytest.raises(ValueError) as error:
        LLMConfig.from_env({variable: value})
    assert f"{variable}={value!r}" in str(error.value)
    assert allowed in str(error.value)


def test_a_budget_of_zero_is_valid_and_disables_calls_later() -> None:
    assert LLMConfig.from_env({"OPTIMIZER_LLM_BUDGET_USD": "0"}).budget_usd == 0.0


def test_environment_wins_over_the_file_and_empty_values_count_as_unset() -> None:
    file = {"priority": "low", "budget_usd": 3, "timeout": 10}
    env = {"OPTIMIZER_LLM_PRIORITY": "high", "OPTIMIZER_LLM_BUDGET_USD": ""}
    config = LLMConfig.from_env(env, file)
    assert (config.priority, config.budget_usd, config.timeout) == (Priority.HIGH, 3.0, 10.0)


def test_file_value_errors_name_the_file_table() -> None:
    with pytest.raises(ValueError, match=r"\[tool.agentic-optimizer.llm\] timeout='soon'"):
        LLMConfig.from_env({}, {"timeout": "soon"})


def test_api_key_in_the_config_file_is_refused() -> None:
    with pytest.raises(ValueError, match="keys do not belong in a config file"):
        LLMConfig.from_env({}, {"api_key": "sk-live"})


def test_unknown_file_key_lists_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown key.*modell.*allowed: provider"):
        LLMConfig.from_env({}, {"modell": "gpt-4o"})


def test_per_method_preferences_from_the_file_come_before_provider_and_fallbacks() -> None:
    file = {
        "provider": "gpt-4o-mini",
        "fallback": ["gpt-4o"],
        "methods": {"adversarial": "gpt-4o, gpt-4o-mini", "actor-critic:critic": ["gpt-4o"]},
    }
    config = LLMConfig.from_env({}, file)
    assert config.models_for("adversarial") == ("gpt-4o", "gpt-4o-mini")
    assert config.models_for("actor-critic:critic") == ("gpt-4o", "gpt-4o-mini")
    assert config.models_for("actor-critic:actor") == ("gpt-4o-mini", "gpt-4o")


@pytest.mark.parametrize(
    ("file", "match"),
    [
        ({"methods": {"refactor": ["gpt-4o"]}}, "methods.refactor: unknown method"),
        ({"methods": {"chaos": ["gpt-17"]}}, r"methods.chaos='gpt-17'"),
        ({"prices": {"m": {"input": 1}}}, "prices.m="),
        ({"prices": {"m": {"input": -1, "output": 1}}}, "prices must be >= 0"),
    ],
)
def test_bad_method_map_or_price_table_is_rejected(file: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        LLMConfig.from_env({}, file)


def test_priority_sets_candidates_and_rounds_per_method() -> None:
    low, high = (LLMConfig.from_env({"OPTIMIZER_LLM_PRIORITY": p}) for p in ("low", "high"))
    for method in EFFORT:
        assert low.effort(method).candidates <= high.effort(method).candidates
        assert low.effort(method).rounds <= high.effort(method).rounds
    assert LLMConfig().effort("adversarial").candidates == 5  # the default N
    assert low.effort("actor-critic:critic") == low.effort("actor-critic")
    with pytest.raises(ValueError, match="unknown method 'rules'"):
        low.effort("rules")
