"""The GitHub writes of the publisher, each guarded by the budget and safe to repeat.

A write that timed out or got a 5xx may still have been applied by GitHub. It is never
repeated blindly: the item is looked up again (a conditional read) and only created if it is
still missing, at most ``Tuning.write_attempts`` times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from github import GithubException
from github.Issue import Issue
from github.PullRequest import PullRequest
from github.Repository import Repository

from agentic_action.publish.github.client import GitHubClient
from agentic_action.publish.github.config import GitHubConfig
from agentic_action.publish.github.markers import Marker, parse_marker
from agentic_action.publish.github.state import Known, is_pull
from agentic_action.publish.github.transport import ApiUnavailable

T = TypeVar("T")
LABEL_STYLE = {
    "agentic-optimizer": ("5319e7", "Opened by agentic-optimizer"),
    "performance": ("fbca04", "Makes code faster"),
}


class BudgetLow(Exception):
    """Internal: the budget fell below the threshold before a write."""


class Writer:
    def __init__(self, client: GitHubClient, config: GitHubConfig) -> None:
        self.client = client
        self.config = config
        self.count = 0  # writes this run
        self.created_labels = 0

    @property
    def repo(self) -> Repository:
        return self.client.repo()

    def guard(self, cost: int = 0) -> None:
        reason = self.client.budget_reason(cost)
        if reason is not None:
            raise BudgetLow(reason)

    def ensure_labels(self, existing: set[str]) -> None:
        for name in self.config.labels:
            if name in existing:
                continue
            self.guard()
            color, description = LABEL_STYLE.get(name, ("ededed", "agentic-optimizer"))
            try:
                self.repo.create_label(name, color, description)
            except GithubException as error:
                if error.status != 422:  # 422: it exists already (created meanwhile)
                    raise
            self.count += 1
            self.created_labels += 1
            existing.add(name)

    def create_issue(self, title: str, body: str, marker: Marker) -> Issue:
        def create() -> Issue:
            return self.repo.create_issue(title=title, body=body, labels=list(self.config.labels))

        def find() -> Issue | None:
            for issue in self.repo.get_issues(state="open", labels=[self.config.labels[0]]):
                if not is_pull(issue) and parse_marker(issue.body) == marker:
                    return issue
            return None

        return self._reconciled(create, find, "creating the issue")

    def create_pull(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        def create() -> PullRequest:
            try:
                return self.repo.create_pull(
                    base=base, head=branch, title=title, body=body, draft=True
                )
            except GithubException as error:
                if error.status == 422 and "already exists" in str(error.data):
                    found = find()
                    if found is not None:
                        return found
                raise

        def find() -> PullRequest | None:
            head = f"{self.config.owner}:{branch}"
            for pull in self.repo.get_pulls(state="open", head=head):
                return pull
            return None

        return self._reconciled(create, find, "creating the pull request")

    def edit(self, known: Known, title: str, body: str) -> bool:
        """Update title/body when the change differs; True when a write was made.

        The same change (same marker: target and patch CID) is never rewritten just because
        re-measured timings in the evidence moved: a rerun on unchanged code writes nothing.
        """
        same_change = parse_marker(body) == known.marker
        if (known.title == title and known.body == body) or same_change:
            return False
        self.guard()
        known.handle.edit(title=title, body=body)
        known.title, known.body = title, body
        self.count += 1
        return True

    def rewrite(self, known: Known, title: str, body: str) -> None:
        """Set the title and body of a pull request or issue just made (one write)."""
        if known.title == title and known.body == body:
            return
        self.guard()
        known.handle.edit(title=title, body=body)
        known.title, known.body = title, body
        self.count += 1

    def add_labels(self, issue: Issue | PullRequest, have: frozenset[str]) -> None:
        missing = [name for name in self.config.labels if name not in have]
        if missing:
            self.guard()
            issue.add_to_labels(*missing)
            self.count += 1

    def _reconciled(self, create: Callable[[], T], find: Callable[[], T | None], what: str) -> T:
        last: ApiUnavailable | None = None
        for _ in range(max(1, self.client.tuning.write_attempts)):
            self.guard()
            try:
                made = create()
            except ApiUnavailable as error:
                if not error.uncertain_write:
                    raise
                last = error
                found = find()
                if found is not None:
                    self.count += 1
                    return found
                continue
            self.count += 1
            return made
        assert last is not None
        attempts = self.client.tuning.write_attempts
        raise ApiUnavailable(f"{what}: {last.reason} ({attempts} attempts)", last.kind)
