"""Configuration of GitHub mode: what the user sets (GitHubConfig) and how hard we push (Tuning).

GitHubConfig reads the standard Actions environment (GITHUB_TOKEN, GITHUB_REPOSITORY,
GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_BASE_REF/GITHUB_REF_NAME), so GitHub Enterprise and
the tests' local server work unchanged; the OPTIMIZER_GITHUB_* variables override it. Every
bad value raises GitHubConfigError (a ValueError) naming the variable or field, the value and
what is allowed. ``load_settings`` reads it once, into ``Settings.github``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

from agentic_action.errors import BadInput

Publish = Literal["issue", "pr", "both"]
PUBLISH_CHOICES: tuple[Publish, ...] = ("issue", "pr", "both")
DEFAULT_SERVER_URL = "https://github.com"
DEFAULT_LABELS = ("agentic-optimizer", "performance")
SKIP_LABEL = "agentic-optimizer:skip"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_LABEL_MAX = 50


class GitHubError(BadInput):
    """Base of the errors this package raises for bad input at the door."""


class GitHubConfigError(GitHubError, ValueError):
    """A setting has a value GitHub mode cannot use."""


class GitHubUnavailableError(GitHubError, RuntimeError):
    """--mode github was asked for, but GitHub cannot be used (token, repository, budget)."""


@dataclass(frozen=True)
class GitHubConfig:
    """What the user configures for GitHub mode; see from_env for the variables."""

    token: str | None = field(default=None, repr=False)
    repo: str | None = None  # "owner/name"
    api_url: str = "https://api.github.com"
    server_url: str = DEFAULT_SERVER_URL  # where git pushes go (GITHUB_SERVER_URL)
    base_branch: str = ""  # the branch PRs target; "" = the checked-out branch
    cache_path: Path | None = None  # sqlite file of the HTTP cache; None = in memory only
    cache_ttl: int = 300  # seconds a cached GET is used without asking GitHub
    rate_limit_threshold: int = 100  # below this many core requests left, use patch mode
    max_open_prs: int = 10  # open agentic-optimizer PRs at once (Renovate: prConcurrentLimit)
    max_prs_per_run: int = 2  # new PRs per run (Renovate: prHourlyLimit 2)
    publish: Publish = "both"  # an issue with the analysis, a draft PR, or both
    labels: tuple[str, ...] = DEFAULT_LABELS  # put on every issue and PR we open
    write_spacing: float = 1.0  # seconds between writes (GitHub asks for ~1 s); 0 for a local fake

    def __post_init__(self) -> None:
        if self.token is not None and not self.token.strip():
            object.__setattr__(self, "token", None)
        if self.repo is not None:
            _check_repo("repo", self.repo)
        _check_url("api_url", self.api_url)
        for name in ("cache_ttl", "rate_limit_threshold", "max_open_prs", "max_prs_per_run"):
            _check_count(name, getattr(self, name))
        if self.publish not in PUBLISH_CHOICES:
            raise GitHubConfigError(
                f"publish={self.publish!r} is not allowed; use one of {', '.join(PUBLISH_CHOICES)}"
            )
        _check_labels("labels", self.labels)

    @property
    def owner(self) -> str:
        return (self.repo or "/").split("/")[0]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GitHubConfig:
        """Build from environment variables (the standard Actions ones, then our overrides)."""

        def pick(*names: str) -> tuple[str, str] | None:
            for name in names:
                value = env.get(name, "").strip()
                if value:
                    return name, value
            return None

        token = pick("OPTIMIZER_GITHUB_TOKEN", "GITHUB_TOKEN")
        repo = pick("OPTIMIZER_GITHUB_REPO", "GITHUB_REPOSITORY")
        if repo is not None:
            _check_repo(*repo)
        api = pick("OPTIMIZER_GITHUB_API_URL", "GITHUB_API_URL")
        if api is not None:
            _check_url(*api)
        server = pick("GITHUB_SERVER_URL")
        base = ""
        for name in ("GITHUB_BASE_REF", "GITHUB_REF_NAME"):  # a PR's merge ref is no branch
            ref = env.get(name, "").strip()
            if ref and not ref.endswith("/merge"):
                base = ref
                break
        cache = pick("OPTIMIZER_GITHUB_CACHE_PATH")
        publish = pick("OPTIMIZER_GITHUB_PUBLISH")
        if publish is not None and publish[1] not in PUBLISH_CHOICES:
            raise GitHubConfigError(
                f"{publish[0]}={publish[1]!r} is not allowed; "
                f"use one of {', '.join(PUBLISH_CHOICES)}"
            )
        labels = pick("OPTIMIZER_GITHUB_LABELS")
        label_tuple: tuple[str, ...] = DEFAULT_LABELS
        if labels is not None:
            label_tuple = tuple(x.strip() for x in labels[1].split(","))
            _check_labels(labels[0], label_tuple, labels[1])
        return cls(
            token=token[1] if token else None,
            repo=repo[1] if repo else None,
            api_url=api[1].rstrip("/") if api else "https://api.github.com",
            server_url=server[1].rstrip("/") if server else DEFAULT_SERVER_URL,
            base_branch=base,
            cache_path=Path(cache[1]) if cache else None,
            cache_ttl=_int(env, "OPTIMIZER_GITHUB_CACHE_TTL", 300),
            rate_limit_threshold=_int(env, "OPTIMIZER_GITHUB_RATE_LIMIT_THRESHOLD", 100),
            max_open_prs=_int(env, "OPTIMIZER_GITHUB_MAX_OPEN_PRS", 10),
            max_prs_per_run=_int(env, "OPTIMIZER_GITHUB_MAX_PRS_PER_RUN", 2),
            publish=cast(Publish, publish[1]) if publish else "both",
            labels=label_tuple,
            write_spacing=_seconds(env, "OPTIMIZER_GITHUB_WRITE_SPACING", 1.0),
        )


@dataclass(frozen=True)
class Tuning:
    """How the client paces and retries. Defaults follow GitHub's REST guidance; tests shrink them.

    GitHub asks integrations to serialize content-creating requests and keep ~1 s between them,
    to honour Retry-After, and to wait at least a minute after a secondary limit without one.
    """

    timeout: float = 15.0  # seconds per HTTP request
    seconds_between_requests: float = 0.0  # pause between network requests (reads)
    seconds_between_writes: float = 1.0  # pause between writes; doubles after a secondary limit
    max_write_spacing: float = 60.0  # cap of the adaptive write pause
    retries: int = 3  # extra attempts after a 5xx, a timeout or a rate limit we may wait out
    backoff: float = 1.0  # first retry waits this long, then doubles (plus Retry-After if given)
    max_wait: float = 60.0  # never wait longer than this for one retry; give up instead
    secondary_default_wait: float = 60.0  # a secondary limit without Retry-After
    budget_max_age: float = 60.0  # refresh /rate_limit before a write if headers are older
    write_attempts: int = 2  # create-if-missing attempts for one issue/PR after 5xx/timeouts
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.time, compare=False)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise GitHubConfigError(
            f"{name}={raw!r} is not a whole number; use e.g. {default}"
        ) from None
    if value < 0:
        raise GitHubConfigError(f"{name}={raw!r} must be 0 or more; use e.g. {default}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        problem = f"{name}={raw!r} is not a number of seconds; use e.g. {default}"
        raise GitHubConfigError(problem) from None
    if not 0 <= value <= 60:
        raise GitHubConfigError(f"{name}={raw!r} must be between 0 and 60 seconds")
    return value


def _check_count(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise GitHubConfigError(f"{name}={value!r} must be a whole number, 0 or more")


def _check_repo(name: str, value: str) -> None:
    if not _REPO.match(value):
        raise GitHubConfigError(
            f"{name}={value!r} is not a repository name; use owner/name, e.g. octo-org/demo"
        )


def _check_url(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GitHubConfigError(
            f"{name}={value!r} is not an API URL; use e.g. https://api.github.com "
            "or https://HOST/api/v3 for GitHub Enterprise"
        )


def _check_labels(name: str, labels: tuple[str, ...], raw: str | None = None) -> None:
    if not labels:
        raise GitHubConfigError(f"{name} is empty; give at least one label, e.g. agentic-optimizer")
    for label in labels:
        if not label or len(label) > _LABEL_MAX or "," in label:
            given = f"{name}={raw!r}" if raw is not None else name
            raise GitHubConfigError(
                f"{given} has label {label!r}; give comma-separated labels of "
                f"1-{_LABEL_MAX} characters, without commas inside a label"
            )
