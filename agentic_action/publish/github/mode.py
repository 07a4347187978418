"""Choosing between GitHub mode and patch mode at the start of a run.

auto: no token, a rejected token, an unreachable API, an unknown repository, a token without
push rights, or a core budget below the threshold -> patch mode, with the reason. github: the
same conditions raise GitHubUnavailableError (the user asked for GitHub explicitly). patch:
nothing is asked of GitHub. The probe is GET /rate_limit (free) and GET /repos/{repo}
(cached), so a rerun starts on a free answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from github import GithubException

from agentic_action.publish.github.client import GitHubClient
from agentic_action.publish.github.config import (
    GitHubConfig,
    GitHubConfigError,
    GitHubUnavailableError,
)
from agentic_action.publish.github.transport import ApiUnavailable

Requested = Literal["auto", "github", "patch"]
Mode = Literal["github", "patch"]
MODES: tuple[Requested, ...] = ("auto", "github", "patch")


@dataclass(frozen=True)
class ModeDecision:
    mode: Mode
    reason: str
    remaining: int | None  # core requests left when decided (None if GitHub was not asked)
    client: GitHubClient | None = field(default=None, compare=False, repr=False)


def choose_mode(
    requested: Requested,
    config: GitHubConfig,
    client_factory: Callable[[GitHubConfig], GitHubClient] = GitHubClient,
) -> ModeDecision:
    if requested not in MODES:
        raise GitHubConfigError(f"mode={requested!r} is not allowed; use one of {', '.join(MODES)}")
    if requested == "patch":
        return ModeDecision("patch", "patch mode requested", None)
    missing = _missing_setting(config)
    if missing is not None:
        return _unusable(requested, missing, None)
    client = client_factory(config)
    try:
        budget = client.rate_limit()
        remaining = budget.remaining
        low = client.limiter.low_budget_reason()
        if low is not None:
            return _unusable(requested, low, remaining, client)
        repo = client.repo()
    except ApiUnavailable as error:
        return _unusable(requested, f"GitHub API unavailable: {error.reason}", None, client)
    except GithubException as error:
        return _unusable(requested, _explain(error, config), None, client)
    permissions = repo.permissions
    if permissions is not None and not permissions.push:
        why = (
            f"the token cannot push to {config.repo} (permissions.push is false); give the "
            "workflow `contents: write`, `pull-requests: write` and `issues: write`"
        )
        return _unusable(requested, why, remaining, client)
    reason = (
        f"GitHub mode: {remaining} of {budget.limit} core requests left "
        f"(threshold {config.rate_limit_threshold})"
    )
    return ModeDecision("github", reason, remaining, client)


def _missing_setting(config: GitHubConfig) -> str | None:
    if not config.token:
        return "no GitHub token (set GITHUB_TOKEN or OPTIMIZER_GITHUB_TOKEN)"
    if not config.repo:
        return "no repository (set GITHUB_REPOSITORY or OPTIMIZER_GITHUB_REPO to owner/name)"
    return None


def _unusable(
    requested: Requested, reason: str, remaining: int | None, client: GitHubClient | None = None
) -> ModeDecision:
    if requested == "github":
        if client is not None:
            client.close()
        raise GitHubUnavailableError(
            f"--mode github cannot be used: {reason}. Fix that, or use --mode auto "
            "(falls back to patch mode) or --mode patch"
        )
    if client is not None:
        client.close()
    return ModeDecision("patch", reason, remaining)


def _explain(error: GithubException, config: GitHubConfig) -> str:
    if error.status == 401:
        return (
            "GitHub rejected the token (401 Bad credentials); "
            "check GITHUB_TOKEN / OPTIMIZER_GITHUB_TOKEN"
        )
    if error.status == 404:
        return (
            f"repository {config.repo} not found at {config.api_url} (or the token cannot see "
            "it); check GITHUB_REPOSITORY / OPTIMIZER_GITHUB_REPO"
        )
    return describe(error)


PULLS_SETTING = (
    'enable "Allow GitHub Actions to create and approve pull requests" (repository Settings > '
    "Actions > General > Workflow permissions; in an organization, its Actions settings first), "
    "or give the action a GitHub App token (github-token input); docs/action.md"
)


def _message(error: GithubException) -> str:
    data = error.data
    return str(data.get("message", "")) if isinstance(data, dict) else str(data or "")


def pulls_not_permitted(error: GithubException) -> bool:
    """GitHub refuses pull requests from GITHUB_TOKEN: the repository setting is off (the
    default for repositories created since 2023-02)."""
    return error.status == 403 and "not permitted to create or approve pull" in _message(error)


def describe(error: GithubException) -> str:
    message = _message(error)
    if pulls_not_permitted(error):
        return f"GitHub answered 403 {message!r}: {PULLS_SETTING}"
    hints = {
        401: "the token was rejected",
        403: "the token lacks permission (needs contents, pull-requests and issues: write)",
        404: "not found, or not visible to the token",
        422: "GitHub refused the content",
    }
    hint = hints.get(error.status, "unexpected answer")
    return f"GitHub answered {error.status} {message!r}: {hint}"
