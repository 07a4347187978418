"""Action inputs as runners pass them, mapped to the settings and to the other modules."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from action_runner import parse_commands

from agentic_action.action import main
from agentic_action.action.inputs import (
    InputError,
    check_settings_inputs,
    read_inputs,
    secrets,
)
from agentic_action.errors import EXIT_BAD_INPUT
from agentic_action.settings import load_settings


def test_docker_and_composite_spellings_give_the_same_settings(tmp_path: Path) -> None:
    base = {"GITHUB_WORKSPACE": str(tmp_path), "RUNNER_TEMP": str(tmp_path / "t")}
    docker = read_inputs({**base, "INPUT_MAX-AGENTS": "3", "INPUT_VALIDATION-LEVEL": "quick"})
    composite = read_inputs({**base, "INPUT_MAX_AGENTS": "3", "INPUT_VALIDATION_LEVEL": "quick"})
    for inputs in (docker, composite):
        settings = load_settings({}, inputs.env)
        assert (settings.max_agents, settings.validation_level) == (3, "quick")
        assert settings.repo == tmp_path
        assert settings.out == tmp_path / "t" / "agentic-optimizer"


def test_repo_and_out_inputs_are_relative_to_the_workspace(tmp_path: Path) -> None:
    inputs = read_inputs(
        {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_REPO": "sub", "INPUT_OUT": "results"}
    )
    settings = load_settings({}, inputs.env)
    assert (settings.repo, settings.out) == (tmp_path / "sub", tmp_path / "results")


def test_inputs_for_other_modules_become_their_variables_only_when_set(tmp_path: Path) -> None:
    env = {
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_LLM-MODEL": "openai/gpt-4o-mini",
        "INPUT_BUDGET_USD": "2.5",
        "INPUT_PRIORITY": "",
        "OPTIMIZER_LLM_PRIORITY": "high",  # set by the workflow: an empty input keeps it
        "INPUT_IPFS-API": "/ip4/127.0.0.1/tcp/5001",
        "INPUT_GITHUB-TOKEN": "tok-123456",
        "INPUT_COMMAND": "approve",
        "INPUT_CID": "bafk",
        "INPUT_PUSH": "false",
    }
    inputs = read_inputs(env)
    assert inputs.env["OPTIMIZER_LLM_PROVIDER"] == "openai/gpt-4o-mini"
    assert inputs.env["OPTIMIZER_LLM_BUDGET_USD"] == "2.5"
    assert inputs.env["OPTIMIZER_LLM_PRIORITY"] == "high"
    assert inputs.env["OPTIMIZER_IPFS_API"] == "/ip4/127.0.0.1/tcp/5001"
    assert inputs.env["OPTIMIZER_GITHUB_TOKEN"] == "tok-123456"
    assert (inputs.command, inputs.cid, inputs.push) == ("approve", "bafk", False)
    assert not [k for k in inputs.env if k.startswith("INPUT_") and k not in ("INPUT_REPO",)]
    load_settings({}, inputs.env)  # nothing left that the settings model would refuse


def test_the_shard_input_reaches_the_settings_and_empty_means_no_sharding(
    tmp_path: Path,
) -> None:
    base = {"GITHUB_WORKSPACE": str(tmp_path)}
    assert load_settings({}, read_inputs({**base, "INPUT_SHARD": " 2 / 4 "}).env).shard == "2/4"
    assert load_settings({}, read_inputs({**base, "INPUT_SHARD": ""}).env).shard is None


def test_each_settings_input_is_checked_on_its_own_and_named() -> None:
    with pytest.raises(InputError) as caught:
        check_settings_inputs({"INPUT_TARGETS": "src/*.py", "INPUT_MAX-AGENTS": "100"})
    assert caught.value.input == "max-agents"
    assert "less than or equal to 64" in str(caught.value)


def test_an_unknown_input_is_named() -> None:
    with pytest.raises(InputError) as caught:
        check_settings_inputs({"INPUT_TURBO": "yes"})
    assert caught.value.input == "turbo"


def test_targets_outside_the_repository_are_an_input_error() -> None:
    with pytest.raises(InputError, match="must be relative to the repository root") as caught:
        check_settings_inputs({"INPUT_TARGETS": "src/*.py\n../other/*.py"})
    assert caught.value.input == "targets"


def test_secrets_handled_are_the_token_input_and_the_key_variables() -> None:
    env = {"INPUT_GITHUB-TOKEN": "a-token", "OPTIMIZER_LLM_API_KEY": "a-key", "GITHUB_TOKEN": ""}
    assert sorted(secrets(env)) == ["a-key", "a-token"]


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("max-agents", "0", "greater than or equal to 1"),
        ("validation-level", "extreme", "quick, standard, thorough"),
        ("mode", "sideways", "auto, github, patch"),
        ("method", "magic", "rules"),
        ("budget-usd", "-1", "number >= 0"),
        ("priority", "urgent", "low | medium | high"),
        ("command", "merge", "auto, optimize, approve, rollback"),
        ("push", "maybe", "true or false"),
        ("shard", "3/2", "K must be between 1 and N (2)"),
        ("shard", "half", "not of the form K/N"),
        ("ipfs-api", "localhost:5001", "/ip4/127.0.0.1/tcp/5001"),
    ],
)
def test_main_refuses_each_invalid_input_with_an_error_naming_it(
    tmp_path: Path, name: str, value: str, words: str
) -> None:
    stream = io.StringIO()
    output = tmp_path / "output"
    output.touch()
    env = {
        "GITHUB_EVENT_NAME": "schedule",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        f"INPUT_{name.upper()}": value,
    }
    assert main(env, stream) == EXIT_BAD_INPUT
    (error,) = [c for c in parse_commands(stream.getvalue()) if c.name == "error"]
    assert error.properties["title"] == f"Invalid input {name}"
    assert f"input '{name}'" in error.data
    assert words in error.data
    assert output.read_text() == ""  # no outputs: nothing ran


def test_main_refuses_an_unreadable_event_payload(tmp_path: Path) -> None:
    stream = io.StringIO()
    payload = tmp_path / "event.json"
    payload.write_text("{not json")
    env = {
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(payload),
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    assert main(env, stream) == EXIT_BAD_INPUT
    (error,) = [c for c in parse_commands(stream.getvalue()) if c.name == "error"]
    assert error.properties["title"] == "agentic-optimizer: bad event payload"
    assert str(payload) in error.data
