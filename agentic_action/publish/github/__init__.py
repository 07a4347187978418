"""GitHub mode: a rate-limit aware client, mode choice, and a publisher of issues and draft PRs.

config = GitHubConfig.from_env(os.environ)
decision = choose_mode("auto", config)            # ModeDecision(mode, reason, remaining)
if decision.mode == "github":
    publisher = Publisher.from_decision(decision)
    outcome = publisher.publish(PublishItem(...))  # PublishOutcome; never raises for API trouble
    publisher.finish(results)                       # the dashboard issue
    stats = publisher.api_stats()                   # cache hits, 304s, full reads, writes
"""

from agentic_action.publish.github.client import GitHubClient
from agentic_action.publish.github.config import (
    SKIP_LABEL,
    GitHubConfig,
    GitHubConfigError,
    GitHubError,
    GitHubUnavailableError,
    Tuning,
)
from agentic_action.publish.github.dashboard import DashboardOutcome
from agentic_action.publish.github.items import PublishItem, PublishOutcome
from agentic_action.publish.github.markers import branch_name, target_slug
from agentic_action.publish.github.mode import ModeDecision, choose_mode
from agentic_action.publish.github.publisher import Publisher
from agentic_action.publish.github.ratelimit import Budget
from agentic_action.publish.github.transport import ApiStats, ApiUnavailable

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
