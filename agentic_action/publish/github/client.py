"""The GitHub client: PyGithub on GITHUB_API_URL, over our caching, rate-limited transport."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from github import Auth, Github
from github.Repository import Repository
from github.Requester import Requester, RequestsResponse

from agentic_action.publish.github.config import GitHubConfig, GitHubConfigError, Tuning
from agentic_action.publish.github.ratelimit import Budget, RateLimiter
from agentic_action.publish.github.transport import ApiStats, Transport, build_session

USER_AGENT = "agentic-optimizer"
_CONNECTION_ATTR = "_Requester__connectionClass"


class GitHubClient:
    """One configured connection to one repository's API. Creating it sends nothing."""

    def __init__(self, config: GitHubConfig, tuning: Tuning | None = None) -> None:
        if not config.token:
            raise GitHubConfigError(
                "no GitHub token: set GITHUB_TOKEN (or OPTIMIZER_GITHUB_TOKEN), or use --mode patch"
            )
        if not config.repo:
            raise GitHubConfigError(
                "no repository: set GITHUB_REPOSITORY (or OPTIMIZER_GITHUB_REPO) to owner/name"
            )
        self.config = config
        self.tuning = tuning or Tuning(seconds_between_writes=config.write_spacing)
        self.limiter = RateLimiter(self.tuning, config.rate_limit_threshold)
        session = build_session(config.cache_path, config.cache_ttl)
        scheme = urlsplit(config.api_url).scheme
        self.transport = Transport(session, self.limiter, self.tuning.timeout, scheme)
        self.github = Github(
            auth=Auth.Token(config.token),
            base_url=config.api_url,
            user_agent=USER_AGENT,
            per_page=100,
            retry=None,  # retries are the transport's, so they are bounded and counted
            seconds_between_requests=None,  # pacing is the limiter's, adaptive
            seconds_between_writes=None,
        )
        _install_transport(self.github.requester, self.transport)
        self._repo: Repository | None = None

    @property
    def repo_name(self) -> str:
        assert self.config.repo is not None
        return self.config.repo

    def rate_limit(self) -> Budget:
        """Ask GET /rate_limit (free on GitHub) for the core budget."""
        core = self.github.get_rate_limit().resources.core
        self.limiter.observe_overview(core.limit, core.remaining, core.reset.timestamp())
        assert self.limiter.budget is not None
        return self.limiter.budget

    def repo(self) -> Repository:
        """The repository (GET /repos/owner/name, cached by TTL)."""
        if self._repo is None:
            self._repo = self.github.get_repo(self.repo_name)
        return self._repo

    def budget_reason(self, cost: int = 0) -> str | None:
        """Why writing must stop now (``cost`` more requests would take the budget below the
        threshold), refreshing stale knowledge of the budget first (GET /rate_limit, free)."""
        if self.limiter.budget_is_stale():
            self.rate_limit()
        return self.limiter.low_budget_reason(cost)

    def api_stats(self) -> ApiStats:
        return self.transport.stats

    def close(self) -> None:
        self.github.close()
        self.transport.close()


def _install_transport(requester: Requester, transport: Transport) -> None:
    """Make this Requester (only) send through ``transport``.

    PyGithub (2.x) picks its connection class in Requester.__init__ and keeps it in the
    name-mangled ``__connectionClass`` attribute; there is no public hook. Fail loudly if a
    PyGithub upgrade moves it, rather than silently bypassing the cache and the limiter.
    """
    if not hasattr(requester, _CONNECTION_ATTR):
        raise RuntimeError(
            "this PyGithub version keeps no Requester.__connectionClass; "
            "agentic_action.publish.github.client must be updated for it"
        )
    setattr(requester, _CONNECTION_ATTR, _connection_class(transport))


def _connection_class(transport: Transport) -> type:
    class TransportConnection:
        """The httplib-like object PyGithub's Requester expects."""

        def __init__(self, host: str, port: int | None = None, **_: Any) -> None:
            self.host = host
            self.port = port
            self._call: tuple[str, str, Any, dict[str, str]] | None = None

        def request(
            self, verb: str, url: str, input: Any, headers: dict[str, str], stream: bool = False
        ) -> None:
            self._call = (verb, url, input, headers)

        def getresponse(self) -> RequestsResponse:
            assert self._call is not None
            verb, url, body, headers = self._call
            scheme = transport.scheme
            port = f":{self.port}" if self.port else ""
            response = transport.send(verb, f"{scheme}://{self.host}{port}{url}", headers, body)
            return RequestsResponse(response)

        def close(self) -> None:
            return None

    return TransportConnection
