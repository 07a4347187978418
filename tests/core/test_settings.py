from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from agentic_action.llm.config import LLMConfig, LLMConfigError
from agentic_action.publish.control import ModeError, choose_change_control
from agentic_action.publish.github.config import GitHubConfig
from agentic_action.settings import SettingsError, load_settings


def test_defaults_need_nothing_configured(tmp_path: Path) -> None:
    settings = load_settings({"repo": tmp_path}, env={})
    assert settings.method == "rules"
    assert settings.mode == "auto"
    assert settings.max_agents == 5
    assert settings.targets == ["**/*.py"]


def test_precedence_cli_over_input_over_env_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.agentic-optimizer]\nmax_agents = 2\npatch_history_limit = 7\n"
        "min_test_coverage = 50\nvalidation_level = 'quick'\n"
    )
    env = {
        "OPTIMIZER_MAX_AGENTS": "3",
        "OPTIMIZER_PATCH_HISTORY_LIMIT": "8",
        "INPUT_MAX-AGENTS": "4",
        "OPTIMIZER_MIN_TEST_COVERAGE": "60",
    }
    settings = load_settings({"repo": tmp_path, "max_agents": "6"}, env=env)
    assert settings.max_agents == 6  # CLI flag
    assert settings.patch_history_limit == 8  # env beats pyproject
    assert settings.min_test_coverage == 60
    assert settings.validation_level == "quick"  # only pyproject sets it
    settings = load_settings({"repo": tmp_path}, env=env)
    assert settings.max_agents == 4  # action input beats env


def test_action_inputs_read_the_way_runners_pass_them(tmp_path: Path) -> None:
    env = {
        "INPUT_TARGETS": "src/**/*.py\nlib/*.py\n",
        "INPUT_VALIDATION-LEVEL": "thorough",
        "INPUT_MODE": "patch",
        "INPUT_GITHUB-TOKEN": "ghs_not_a_setting",
        "INPUT_DESCRIPTION": "",
    }
    settings = load_settings({"repo": tmp_path}, env=env)
    assert settings.targets == ["src/**/*.py", "lib/*.py"]
    assert settings.validation_level == "thorough"
    assert settings.mode == "patch"


def test_bad_value_names_setting_source_value_and_allowed(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"repo": tmp_path}, env={"OPTIMIZER_MAX_AGENTS": "lots"})
    message = str(caught.value)
    assert "max_agents" in message
    assert "OPTIMIZER" in message or "environment" in message
    assert "'lots'" in message


def test_bad_method_lists_what_is_available(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"repo": tmp_path, "method": "magic"}, env={})
    assert "rules" in str(caught.value)
    assert "'magic'" in str(caught.value)


def test_out_of_range_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="min_test_coverage"):
        load_settings({"repo": tmp_path, "min_test_coverage": "150"}, env={})


def test_unknown_pyproject_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.agentic-optimizer]\nmax_agent = 2\n")
    with pytest.raises(SettingsError, match=r"unknown setting.*max_agent"):
        load_settings({"repo": tmp_path}, env={})


def test_malformed_pyproject_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.agentic-optimizer\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings({"repo": tmp_path}, env={})


def test_absolute_or_escaping_glob_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="relative"):
        load_settings({"repo": tmp_path, "targets": ["../other/*.py"]}, env={})


# --- the GitHub and LLM configuration, read once with the settings ------------------------------
GITHUB_ENV = {
    "GITHUB_TOKEN": "ghs_secret_token",
    "GITHUB_REPOSITORY": "octo/demo",
    "GITHUB_API_URL": "https://ghe.example/api/v3",
    "GITHUB_SERVER_URL": "https://ghe.example",
    "GITHUB_REF_NAME": "main",
    "OPTIMIZER_GITHUB_MAX_PRS_PER_RUN": "5",
}
LLM_ENV = {
    "OPTIMIZER_LLM_PROVIDER": "openai/gpt-4o-mini",
    "OPTIMIZER_LLM_API_KEY": "sk-secret-key",
    "OPTIMIZER_LLM_BUDGET_USD": "0.5",
}


def test_github_and_llm_configuration_come_from_the_env_given(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.agentic-optimizer.llm]\nfallback = ["openai/gpt-4o"]\npriority = "high"\n'
    )
    settings = load_settings({"repo": tmp_path}, env=GITHUB_ENV | LLM_ENV)

    assert isinstance(settings.github, GitHubConfig)
    assert settings.github.token == "ghs_secret_token" and settings.github.repo == "octo/demo"
    assert settings.github.api_url == "https://ghe.example/api/v3"
    assert settings.github.server_url == "https://ghe.example"
    assert settings.github.base_branch == "main"
    assert settings.github.max_prs_per_run == 5
    assert isinstance(settings.llm, LLMConfig)
    assert settings.llm.provider == "openai/gpt-4o-mini" and settings.llm.budget_usd == 0.5
    assert settings.llm.fallbacks == ("openai/gpt-4o",)  # the pyproject table
    assert settings.llm.priority == "high"


def test_without_variables_github_and_llm_are_unconfigured(tmp_path: Path) -> None:
    settings = load_settings({"repo": tmp_path}, env={})

    assert settings.github == GitHubConfig() and settings.github.token is None
    assert isinstance(settings.llm, LLMConfig) and not settings.llm.configured


def test_unusable_github_or_llm_variables_are_kept_as_the_reason_not_refused(
    tmp_path: Path,
) -> None:
    """auto mode falls back to patch mode and the rules method ignores the LLM, as before: the
    problem is refused only where it matters (github mode, an LLM method)."""
    env = {"OPTIMIZER_GITHUB_MAX_OPEN_PRS": "many", "OPTIMIZER_LLM_BUDGET_USD": "lots"}
    settings = load_settings({"repo": tmp_path}, env=env)

    assert isinstance(settings.github, str) and "OPTIMIZER_GITHUB_MAX_OPEN_PRS" in settings.github
    assert isinstance(settings.llm, str) and "OPTIMIZER_LLM_BUDGET_USD" in settings.llm

    auto = choose_change_control("auto", settings.github)
    assert auto.mode == "patch" and "OPTIMIZER_GITHUB_MAX_OPEN_PRS" in auto.reason
    with pytest.raises(ModeError, match="OPTIMIZER_GITHUB_MAX_OPEN_PRS"):
        choose_change_control("github", settings.github)


def test_model_names_are_looked_up_when_an_llm_method_starts_not_at_load(tmp_path: Path) -> None:
    settings = load_settings({"repo": tmp_path}, env={"OPTIMIZER_LLM_PROVIDER": "not-a-real-model"})
    assert isinstance(settings.llm, LLMConfig)
    with pytest.raises(LLMConfigError, match="OPTIMIZER_LLM_PROVIDER='not-a-real-model'"):
        settings.llm.check_models()


def test_the_configuration_fields_cannot_be_set_like_a_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown setting 'github'"):
        load_settings({"repo": tmp_path}, env={"OPTIMIZER_MAX_AGENTS": "2", "INPUT_GITHUB": "x"})
    (tmp_path / "pyproject.toml").write_text('[tool.agentic-optimizer]\nllm = "openai/gpt-4o"\n')
    with pytest.raises(SettingsError, match="unknown setting"):
        load_settings({"repo": tmp_path}, env={})


def test_secrets_stay_out_of_dumps_and_reprs(tmp_path: Path) -> None:
    settings = load_settings({"repo": tmp_path}, env=GITHUB_ENV | LLM_ENV)

    for text in (repr(settings), str(settings.model_dump(mode="json")), repr(settings.github)):
        assert "ghs_secret_token" not in text and "sk-secret-key" not in text


def test_updated_keeps_the_github_and_llm_configuration(tmp_path: Path) -> None:
    settings = load_settings({"repo": tmp_path}, env=GITHUB_ENV | LLM_ENV)
    wave = settings.updated(method="adversarial", mode="patch")

    assert wave.method == "adversarial" and wave.mode == "patch"
    assert wave.github == settings.github and wave.llm == settings.llm
    with pytest.raises(ValidationError):
        settings.updated(method="magic")


def test_output_paths_are_properties_of_the_settings(tmp_path: Path) -> None:
    settings = load_settings({"repo": tmp_path, "out": tmp_path / "out"}, env={})
    assert settings.state_path == tmp_path / "out" / "state"
    assert settings.ledger_path == tmp_path / "out" / "ledger.sqlite"
    assert settings.patches_path == tmp_path / "out" / "patches"

    env = {"OPTIMIZER_STATE_DIR": str(tmp_path / "cache"), "OPTIMIZER_LEDGER": "runs.db"}
    moved = load_settings({"repo": tmp_path, "out": tmp_path / "out"}, env=env)
    assert moved.state_path == tmp_path / "cache"
    assert moved.ledger_path == Path("runs.db")
    assert moved.patches_path == tmp_path / "out" / "patches"
