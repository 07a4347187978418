"""--mode auto|github|patch: auto falls back to patch mode with a reason; github fails cleanly."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fake_github_world import World

from agentic_action.publish.github import (
    GitHubConfig,
    GitHubConfigError,
    GitHubUnavailableError,
    Publisher,
    choose_mode,
)


def test_patch_mode_asks_nothing_of_github(world: World) -> None:
    decision = choose_mode("patch", world.config)

    assert decision.mode == "patch" and decision.remaining is None
    assert world.fake.requests == []


def test_auto_with_a_usable_token_chooses_github_and_hands_over_the_client(world: World) -> None:
    decision = choose_mode("auto", world.config, lambda c: world.client())

    assert decision.mode == "github" and decision.remaining == 5000
    assert "5000 of 5000" in decision.reason
    assert Publisher.from_decision(decision).client is decision.client
    assert [r.path for r in world.fake.requests] == ["/rate_limit", "/repos/octo/demo"]


def test_auto_without_a_token_uses_patch_mode_without_asking_github(world: World) -> None:
    decision = choose_mode("auto", replace(world.config, token=None))

    assert decision.mode == "patch" and "no GitHub token" in decision.reason
    assert world.fake.requests == []


def test_github_mode_without_a_token_fails_naming_the_variables() -> None:
    with pytest.raises(GitHubUnavailableError, match="GITHUB_TOKEN or OPTIMIZER_GITHUB_TOKEN"):
        choose_mode("github", GitHubConfig(token=None, repo="octo/demo"))


def test_auto_with_a_rejected_token_uses_patch_mode_with_the_reason(world: World) -> None:
    decision = choose_mode("auto", replace(world.config, token="ghs_wrong"), _factory(world))

    assert decision.mode == "patch" and "401 Bad credentials" in decision.reason


def test_github_mode_with_a_rejected_token_fails_cleanly(world: World) -> None:
    with pytest.raises(GitHubUnavailableError, match="rejected the token"):
        choose_mode("github", replace(world.config, token="ghs_wrong"), _factory(world))


def test_repository_that_does_not_exist_is_named(world: World) -> None:
    config = replace(world.config, repo="octo/nope")

    decision = choose_mode("auto", config, _factory(world))
    assert decision.mode == "patch" and "octo/nope not found" in decision.reason
    with pytest.raises(GitHubUnavailableError, match="octo/nope not found"):
        choose_mode("github", config, _factory(world))


def test_token_without_push_rights_uses_patch_mode(world: World) -> None:
    world.fake.add_token("ghs_reader", login="reader", push=False)

    decision = choose_mode("auto", replace(world.config, token="ghs_reader"), _factory(world))

    assert decision.mode == "patch" and "cannot push" in decision.reason


def test_budget_below_the_threshold_uses_patch_mode(world: World) -> None:
    world.fake.set_rate_limit(remaining=42)

    decision = choose_mode("auto", world.config, _factory(world))

    assert decision.mode == "patch" and decision.remaining == 42
    assert "42 of 5000" in decision.reason and "threshold 100" in decision.reason


def test_api_answering_5xx_uses_patch_mode_after_bounded_retries(world: World) -> None:
    world.fake.fail("GET", r"^/rate_limit$", status=500, times=10)

    decision = choose_mode("auto", world.config, _factory(world))

    assert decision.mode == "patch" and "GitHub API unavailable" in decision.reason
    assert len(world.fake.calls("GET", "/rate_limit")) == 3


def test_unknown_mode_is_refused_with_the_choices(world: World) -> None:
    with pytest.raises(GitHubConfigError, match="auto, github, patch"):
        choose_mode("remote", world.config)  # type: ignore[arg-type]


def _factory(world: World):  # type: ignore[no-untyped-def]
    from agentic_action.publish.github import GitHubClient

    return lambda config: GitHubClient(config, world.tuning())
