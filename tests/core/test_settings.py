from __future__ import annotations

from pathlib import Path

import pytest

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
