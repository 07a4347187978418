"""GitHub mode's settings: the standard Actions environment, our overrides, and bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentic_action.publish.github import GitHubClient, GitHubConfig, GitHubConfigError


def test_reads_the_standard_actions_environment() -> None:
    config = GitHubConfig.from_env(
        {
            "GITHUB_TOKEN": "ghs_abc",
            "GITHUB_REPOSITORY": "octo/demo",
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        }
    )

    assert (config.token, config.repo) == ("ghs_abc", "octo/demo")
    assert config.api_url == "https://ghe.example.com/api/v3"
    assert (config.cache_ttl, config.rate_limit_threshold) == (300, 100)
    assert (config.max_open_prs, config.max_prs_per_run, config.publish) == (10, 2, "both")
    assert config.labels == ("agentic-optimizer", "performance")


def test_optimizer_variables_override_the_actions_ones() -> None:
    config = GitHubConfig.from_env(
        {
            "GITHUB_TOKEN": "ghs_actions",
            "OPTIMIZER_GITHUB_TOKEN": "ghp_personal",
            "GITHUB_REPOSITORY": "octo/demo",
            "OPTIMIZER_GITHUB_REPO": "octo/other",
            "OPTIMIZER_GITHUB_CACHE_TTL": "0",
            "OPTIMIZER_GITHUB_RATE_LIMIT_THRESHOLD": "250",
            "OPTIMIZER_GITHUB_MAX_OPEN_PRS": "3",
            "OPTIMIZER_GITHUB_MAX_PRS_PER_RUN": "1",
            "OPTIMIZER_GITHUB_PUBLISH": "issue",
            "OPTIMIZER_GITHUB_LABELS": "bot, speed",
            "OPTIMIZER_GITHUB_CACHE_PATH": "/tmp/gh.sqlite",
        }
    )

    assert (config.token, config.repo) == ("ghp_personal", "octo/other")
    assert (config.cache_ttl, config.rate_limit_threshold) == (0, 250)
    assert (config.max_open_prs, config.max_prs_per_run, config.publish) == (3, 1, "issue")
    assert config.labels == ("bot", "speed")
    assert config.cache_path == Path("/tmp/gh.sqlite")


def test_empty_values_count_as_unset() -> None:
    config = GitHubConfig.from_env({"GITHUB_TOKEN": "  ", "OPTIMIZER_GITHUB_CACHE_TTL": ""})

    assert config.token is None and config.repo is None and config.cache_ttl == 300


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("GITHUB_REPOSITORY", "just-a-name", "owner/name"),
        ("OPTIMIZER_GITHUB_REPO", "a/b/c", "owner/name"),
        ("GITHUB_API_URL", "ftp://example.com", "https://api.github.com"),
        ("OPTIMIZER_GITHUB_CACHE_TTL", "five minutes", "whole number"),
        ("OPTIMIZER_GITHUB_CACHE_TTL", "-1", "0 or more"),
        ("OPTIMIZER_GITHUB_RATE_LIMIT_THRESHOLD", "1.5", "whole number"),
        ("OPTIMIZER_GITHUB_MAX_OPEN_PRS", "-3", "0 or more"),
        ("OPTIMIZER_GITHUB_PUBLISH", "tweet", "issue, pr, both"),
        ("OPTIMIZER_GITHUB_LABELS", "ok,,", "without commas"),
    ],
)
def test_a_bad_value_names_the_variable_the_value_and_what_is_allowed(
    name: str, value: str, allowed: str
) -> None:
    with pytest.raises(GitHubConfigError) as caught:
        GitHubConfig.from_env({name: value})

    message = str(caught.value)
    assert name in message and repr(value) in message and allowed in message


def test_direct_construction_checks_its_fields_too() -> None:
    with pytest.raises(GitHubConfigError, match="max_prs_per_run=-1"):
        GitHubConfig(max_prs_per_run=-1)
    with pytest.raises(GitHubConfigError, match="publish='all'"):
        GitHubConfig(publish="all")  # type: ignore[arg-type]
    with pytest.raises(GitHubConfigError, match="labels is empty"):
        GitHubConfig(labels=())


def test_a_client_without_token_or_repository_is_refused_with_the_fix() -> None:
    with pytest.raises(GitHubConfigError, match="set GITHUB_TOKEN"):
        GitHubClient(GitHubConfig(repo="octo/demo"))
    with pytest.raises(GitHubConfigError, match="set GITHUB_REPOSITORY"):
        GitHubClient(GitHubConfig(token="ghs_x"))


def test_the_pause_between_writes_is_one_second_unless_configured() -> None:
    assert GitHubConfig.from_env({}).write_spacing == 1.0
    assert GitHubConfig.from_env({"OPTIMIZER_GITHUB_WRITE_SPACING": "0"}).write_spacing == 0.0
    config = GitHubConfig.from_env({"OPTIMIZER_GITHUB_WRITE_SPACING": "2.5", "GITHUB_TOKEN": "t",
                                    "GITHUB_REPOSITORY": "o/r"})  # fmt: skip
    assert GitHubClient(config).tuning.seconds_between_writes == 2.5
    for bad, message in (("soon", "is not a number of seconds"), ("-1", "between 0 and 60")):
        with pytest.raises(GitHubConfigError, match=f"OPTIMIZER_GITHUB_WRITE_SPACING='{bad}'"):
            GitHubConfig.from_env({"OPTIMIZER_GITHUB_WRITE_SPACING": bad})
        with pytest.raises(GitHubConfigError, match=message):
            GitHubConfig.from_env({"OPTIMIZER_GITHUB_WRITE_SPACING": bad})
