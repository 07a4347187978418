"""GitHub mode: a rate-limit aware client, mode choice, and a publisher of issues and draft PRs.

config = GitHubConfig.from_env(env)               # or Settings.github, read at the door
decision = choose_mode("auto", config)            # ModeDecision(mode, reason, remaining)
if decision.mode == "github":
    publisher = Publisher.from_decision(decision)
    outcome = publisher.publish(PublishItem(...))  # PublishOutcome; never raises for API trouble
    publisher.finish(results)                       # the dashboard issue
    stats = publisher.api_stats()                   # cache hits, 304s, full reads, writes
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_action.lazy import lazy_exports
from agentic_action.publish.github.config import (
    SKIP_LABEL,
    GitHubConfig,
    GitHubConfigError,
    GitHubError,
    GitHubUnavailableError,
    Tuning,
)

if TYPE_CHECKING:
    from agentic_action.publish.github.client import GitHubClient
    from agentic_action.publish.github.dashboard import DashboardOutcome
    from agentic_action.publish.github.items import PublishItem, PublishOutcome
    from agentic_action.publish.github.markers import branch_name, target_slug
    from agentic_action.publish.github.mode import ModeDecision, choose_mode
    from agentic_action.publish.github.publisher import Publisher
    from agentic_action.publish.github.ratelimit import Budget
    from agentic_action.publish.github.transport import ApiStats, ApiUnavailable

# name -> the module that defines it, loaded on first use: the client needs PyGithub,
# requests-cache and GitPython, while the configuration above is read at every start
_LAZY = {
    "GitHubClient": "client",
    "DashboardOutcome": "dashboard",
    "PublishItem": "items",
    "PublishOutcome": "items",
    "branch_name": "markers",
    "target_slug": "markers",
    "ModeDecision": "mode",
    "choose_mode": "mode",
    "Publisher": "publisher",
    "Budget": "ratelimit",
    "ApiStats": "transport",
    "ApiUnavailable": "transport",
}


__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "SKIP_LABEL",
    "ApiStats",
    "ApiUnavailable",
    "Budget",
    "DashboardOutcome",
    "GitHubClient",
    "GitHubConfig",
    "GitHubConfigError",
    "GitHubError",
    "GitHubUnavailableError",
    "ModeDecision",
    "PublishItem",
    "PublishOutcome",
    "Publisher",
    "Tuning",
    "branch_name",
    "choose_mode",
    "target_slug",
]
