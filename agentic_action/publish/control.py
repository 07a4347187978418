"""Change control: where accepted results go (patch store always; GitHub when the mode allows).

Every accepted result is in the local patch store before any API write, so a GitHub failure,
a rate limit or a mode switch mid-run never loses a result: it stays a patch, and the report says
which results went where and why.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agentic_action.errors import BadInput
from agentic_action.model import FunctionTarget, OptimizationResult, Status
from agentic_action.patches import PatchStore

if TYPE_CHECKING:
    from agentic_action.publish.github import GitHubConfig, Publisher

log = logging.getLogger("agentic_action")


class ModeError(BadInput):
    """GitHub mode was requested but cannot be used; the message says why and the fix."""


@dataclass
class ChangeControl:
    mode: Literal["github", "patch"]
    reason: str
    publisher: Publisher | None = None
    github: dict[str, Any] = field(default_factory=dict)  # for the report
    base_branch: str = ""  # the branch PRs target ("" = the checked-out branch)

    def skip_reason(self, target: FunctionTarget) -> str | None:
        if self.publisher is None:
            return None
        return self.publisher.skip_reason(target)

    def publish(
        self,
        results: Sequence[OptimizationResult],
        store: PatchStore,
        repo_root: Path,
        base_branch: str,
        base_commit: str,
    ) -> list[OptimizationResult]:
        """Send accepted results to GitHub (in rank order); the rest pass through unchanged."""
        if self.publisher is None:
            return list(results)
        from agentic_action.publish.github import PublishItem

        published: list[OptimizationResult] = []
        for result in results:
            if result.status is not Status.ACCEPTED or result.patch is None:
                published.append(result)
                continue
            diff = store.read(result.patch.cid).decode("utf-8")
            item = PublishItem(result, diff, repo_root, base_branch, base_commit)
            outcome = self.publisher.publish(item)
            log.info(
                "publish %s -> %s (%s)", result.target.key, outcome.destination, outcome.reason
            )
            published.append(
                replace(
                    result,
                    destination=outcome.destination,
                    destination_reason=outcome.reason,
                    pr_url=outcome.pr_url,
                    issue_url=outcome.issue_url,
                )
            )
        dashboard = self.publisher.finish(published)
        self.github["dashboard"] = dashboard.url
        self.github["api"] = dataclasses.asdict(self.publisher.api_stats())
        return published


def choose_change_control(requested: str, config: GitHubConfig | str) -> ChangeControl:
    """patch: never touch the network. auto/github: check the token and the rate limit first.

    ``config``: GitHub mode's configuration (``Settings.github``), or why it is unusable."""
    if requested == "patch":
        return ChangeControl("patch", "patch mode was requested")
    from agentic_action.publish.github import (
        GitHubConfigError,
        GitHubUnavailableError,
        Publisher,
        choose_mode,
    )

    try:
        if isinstance(config, str):
            raise GitHubConfigError(config)
        decision = choose_mode(requested, config)  # type: ignore[arg-type]
    except GitHubConfigError as error:
        if requested == "github":
            raise ModeError(f"GitHub mode cannot be used: {error}") from None
        return ChangeControl("patch", f"GitHub settings unusable ({error}); patch mode")
    except GitHubUnavailableError as error:
        raise ModeError(f"GitHub mode cannot be used: {error}") from None
    if decision.mode != "github":
        return ChangeControl("patch", decision.reason)
    info: dict[str, Any] = {"repository": config.repo, "remaining": decision.remaining}
    publisher = Publisher.from_decision(decision)
    return ChangeControl("github", decision.reason, publisher, info, config.base_branch)
