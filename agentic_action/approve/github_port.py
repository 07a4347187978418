"""The little the approval flow needs from GitHub: who may approve, and a reply in the thread.

:class:`GitHubPort` is the seam; :class:`RestGitHub` speaks GitHub's REST API through PyGithub
(``GET /repos/{o}/{r}/collaborators/{user}/permission``, ``POST .../issues/{n}/comments``;
``pulls()`` for GitHub mode's pull requests, ``github_pulls.py``),
configured from the standard Actions variables through GitHub mode's own
:class:`~agentic_action.publish.github.config.GitHubConfig` (so ``GITHUB_API_URL`` points it at
GitHub Enterprise or at the tests' local server).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from agentic_action.approve.github_pulls import PullsPort, RestPulls
from agentic_action.publish.github.config import GitHubConfig

log = logging.getLogger("agentic_action")
WRITE_LEVELS = ("admin", "maintain", "write")
UNKNOWN = "unknown"  # the permission could not be read


class GitHubPort(Protocol):
    def permission(self, login: str) -> str:
        """admin, maintain, write, triage, read, none, or UNKNOWN when GitHub did not say."""
        ...

    def reply(self, number: int, body: str) -> str:
        """Comment on issue or pull request ``number``; the comment's URL, "" on failure."""
        ...

    def pulls(self) -> PullsPort:
        """Pull requests and issues, for GitHub-mode approval and rollback."""
        ...


class RestGitHub:
    def __init__(self, config: GitHubConfig, timeout: float = 15.0) -> None:
        from github import Auth, Github

        if not config.token or not config.repo:
            raise ValueError("RestGitHub needs a token and a repository (owner/name)")
        self.repo_name = config.repo
        self._gh = Github(
            base_url=config.api_url,
            auth=Auth.Token(config.token),
            timeout=int(timeout),
            retry=None,
            seconds_between_requests=0,
            seconds_between_writes=0,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RestGitHub | None:
        """A client when a token and GITHUB_REPOSITORY are set, else None."""
        config = GitHubConfig.from_env(env)
        if not config.token or not config.repo:
            return None
        return cls(config)

    def permission(self, login: str) -> str:
        from github import GithubException

        try:
            level = self._gh.get_repo(self.repo_name, lazy=True).get_collaborator_permission(login)
        except GithubException as error:
            if error.status == 404:
                return "none"
            log.warning("could not read %s's permission: HTTP %s", login, error.status)
            return UNKNOWN
        except OSError as error:
            log.warning("could not read %s's permission: %s", login, error)
            return UNKNOWN
        return str(level)

    def pulls(self) -> RestPulls:
        return RestPulls(self._gh, self.repo_name)

    def reply(self, number: int, body: str) -> str:
        from github import GithubException

        try:
            issue = self._gh.get_repo(self.repo_name, lazy=True).get_issue(number)
            return str(issue.create_comment(body).html_url)
        except (GithubException, OSError) as error:
            log.warning("could not reply on #%d: %s", number, error)
            return ""
