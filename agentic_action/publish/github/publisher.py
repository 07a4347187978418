"""The Publisher: each accepted result becomes a draft PR and/or an issue, like a good PR bot.

Etiquette (after Renovate): a deterministic branch ``agentic-optimizer/<target-slug>``; at
most ``max_open_prs`` open and ``max_prs_per_run`` new proposals; an open PR or issue for the
same target is updated, never duplicated (the marker on its first line identifies it); a PR a
maintainer closed unmerged is not proposed again for the same change (same patch CID); an
``agentic-optimizer:skip`` label or ``# agentic-optimizer: skip`` comment keeps us away.

Expected trouble is a value, not an exception: a low budget, 5xx or timeouts after bounded
retries, a secondary limit longer than we may wait, a refused push, a permission error - each
gives ``PublishOutcome(Destination.PATCH, reason)``. Nothing is lost: the caller stored the patch
before calling publish().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import git
from github import GithubException

from agentic_action.model import Destination, FunctionTarget, OptimizationResult
from agentic_action.publish.github import bodies
from agentic_action.publish.github.client import GitHubClient
from agentic_action.publish.github.dashboard import TITLE, DashboardOutcome, render
from agentic_action.publish.github.gitpush import build_commit, commit_message, push_branch
from agentic_action.publish.github.items import PublishItem, PublishOutcome
from agentic_action.publish.github.markers import Marker, branch_name, target_slug
from agentic_action.publish.github.mode import ModeDecision, describe, pulls_not_permitted
from agentic_action.publish.github.state import (
    Known,
    RemoteState,
    just_made,
    load_state,
    refresh_items,
)
from agentic_action.publish.github.transport import ApiStats, ApiUnavailable
from agentic_action.publish.github.writes import BudgetLow, Writer

ITEM_COST = 6  # most requests one item can take: issue, PR, labels, lookups after a 5xx


def _patch(reason: str) -> PublishOutcome:
    return PublishOutcome(Destination.PATCH, reason)


class Publisher:
    def __init__(self, client: GitHubClient) -> None:
        self.client = client
        self.config = client.config
        self.writer = Writer(client, self.config)
        self.outcomes: dict[str, PublishOutcome] = {}
        self._state: RemoteState | None = None
        self._labels_ready = False
        self._new = 0  # proposals opened in this run
        self._pulls_refused = ""  # GitHub refuses pull requests from Actions: why, in words

    @classmethod
    def from_decision(cls, decision: ModeDecision) -> Publisher:
        if decision.mode != "github" or decision.client is None:
            raise ValueError(f"a Publisher needs a GitHub-mode decision; got {decision.mode!r}")
        return cls(decision.client)

    def api_stats(self) -> ApiStats:
        return self.client.api_stats()

    def state(self) -> RemoteState:
        if self._state is None:
            self._state = load_state(self.client.repo(), self.config.labels[0])
        return self._state

    def skip_reason(self, target: FunctionTarget) -> str | None:
        """Why the optimizer should stay away from ``target`` (ask before optimizing it)."""
        if target.skip_reason:
            return f"marked in the code: {target.skip_reason}"
        try:
            return self.state().skip_reason(target, target_slug(target))
        except (ApiUnavailable, GithubException):
            return None

    def verdicts(self) -> list[dict[str, object]]:
        """Maintainers' verdicts on our pull requests (revert PRs left out): merged, or closed
        without merging ("declined"), by patch CID - what the learning selector learns from."""
        try:
            state = self.state()
        except (ApiUnavailable, GithubException):
            return []
        return [
            {"cid": known.marker.cid, "number": known.number,
             "verdict": "merged" if known.merged else "declined"}
            for entries in state.pulls.values()
            for known in entries
            if known.state != "open" and not known.marker.slug.startswith("revert-")
        ]  # fmt: skip

    def publish(self, item: PublishItem) -> PublishOutcome:
        try:
            outcome = self._publish(item)
        except BudgetLow as low:
            outcome = _patch(str(low))
        except ApiUnavailable as error:
            outcome = _patch(f"GitHub unavailable: {error.reason}")
        except GithubException as error:
            outcome = _patch(describe(error))
            if pulls_not_permitted(error):
                self._pulls_refused = outcome.reason  # the next items do not push branches
        outcome = replace(outcome, target=item.result.target.key)
        self.outcomes[item.result.target.key] = outcome
        return outcome

    # -- one item -------------------------------------------------------------------------
    def _publish(self, item: PublishItem) -> PublishOutcome:
        target = item.result.target
        assert item.result.patch is not None
        marker = Marker(target_slug(target), item.result.patch.cid)
        if target.skip_reason:
            return _patch(f"skipped: marked in the code: {target.skip_reason}")
        state = self.state()
        skip = state.skip_reason(target, marker.slug)
        if skip is not None:
            return _patch(f"skipped: {skip}")
        permission = self._permission_problem()
        if permission is not None:
            return _patch(permission)
        if self._pulls_refused and self.config.publish != "issue":
            return _patch(self._pulls_refused)
        if self.config.publish == "issue":
            return self._issue_only(item, marker, state)
        return self._with_pull(item, marker, state, with_issue=self.config.publish == "both")

    def _with_pull(
        self, item: PublishItem, marker: Marker, state: RemoteState, with_issue: bool
    ) -> PublishOutcome:
        pull = state.current(marker.slug, pull=True)
        if pull is not None and pull.state != "open" and pull.marker.cid == marker.cid:
            if pull.merged:
                return PublishOutcome(
                    Destination.GITHUB, f"already merged in #{pull.number}", pull.url
                )
            return _patch(
                f"a maintainer closed #{pull.number} without merging; the same change "
                f"({marker.cid[:16]}…) is not proposed again"
            )
        issue = state.current(marker.slug, pull=False)
        if with_issue and _closed_same(issue, marker) and (pull is None or pull.state != "open"):
            assert issue is not None
            return _patch(f"a maintainer closed the analysis issue #{issue.number} for this change")
        is_new = pull is None or pull.state != "open"
        limit = self._limit_reason(state, pull=True) if is_new else None
        if limit is not None:
            return _patch(limit)
        title = bodies.pr_title(item.result)
        branch = branch_name(marker.slug)
        commit = build_commit(
            git.Repo(item.repo_path),
            item.base_commit,
            item.diff,
            commit_message(title, marker.slug, marker.cid),
        )
        self.writer.guard(cost=ITEM_COST)  # do not start what the budget cannot finish
        pushed = push_branch(
            item.repo_path, branch, marker.slug, commit, self.config.token,
            server_url=self.config.server_url,
        )  # fmt: skip
        if not pushed.ok:
            return _patch(pushed.reason)
        self._ensure_labels(state)
        wants_issue = with_issue and not _closed_same(issue, marker)
        if pull is not None and pull.state == "open":
            issue_known, issue_new = self._upsert_issue(item, marker, state) if wants_issue else (
                None, False)  # fmt: skip
            body = bodies.pr_body(item, marker, issue_known.number if issue_known else None)
            changed = self.writer.edit(pull, title, body) or pushed.action != "unchanged"
            self.writer.add_labels(pull.handle, pull.labels)
            return self._done(pull, issue_known, issue_new, changed, created_pull=False)
        # The pull request first, the issue after it: when GitHub refuses pull requests from
        # Actions (403), no issue is left behind pointing at a pull request that never came.
        made = self.writer.create_pull(
            branch, item.base_branch, title, bodies.pr_body(item, marker, None)
        )
        self.writer.add_labels(made, frozenset(label.name for label in made.labels))
        known = just_made(made, marker, self.config.labels)
        state.add(known)
        self._new += 1
        if not wants_issue:
            return self._done(known, None, False, True, created_pull=True)
        issue_known, issue_new = self._upsert_issue(item, marker, state)
        self.writer.rewrite(known, title, bodies.pr_body(item, marker, issue_known.number))
        return self._done(known, issue_known, issue_new, True, created_pull=True)

    def _issue_only(self, item: PublishItem, marker: Marker, state: RemoteState) -> PublishOutcome:
        issue = state.current(marker.slug, pull=False)
        if _closed_same(issue, marker):
            assert issue is not None
            return _patch(f"a maintainer closed issue #{issue.number} for this same change")
        is_new = issue is None or issue.state != "open"
        limit = self._limit_reason(state, pull=False) if is_new else None
        if limit is not None:
            return _patch(limit)
        self.writer.guard(cost=ITEM_COST)
        self._ensure_labels(state)
        known, created = self._upsert_issue(item, marker, state)
        return PublishOutcome(
            Destination.GITHUB,
            f"{'opened' if created else 'kept'} issue #{known.number}",
            issue_url=known.url,
            created=created,
        )

    def _upsert_issue(
        self, item: PublishItem, marker: Marker, state: RemoteState
    ) -> tuple[Known, bool]:
        current = state.current(marker.slug, pull=False)
        title = bodies.issue_title(item.result)
        body = bodies.issue_body(item, marker, with_diff=self.config.publish == "issue")
        if current is not None and current.state == "open":
            self.writer.edit(current, title, body)
            self.writer.add_labels(current.handle, current.labels)
            return current, False
        made = self.writer.create_issue(title, body, marker)
        known = just_made(made, marker, self.config.labels)
        state.add(known)
        if self.config.publish == "issue":
            self._new += 1
        return known, True

    def _done(
        self, pull: Known, issue: Known | None, issue_new: bool, changed: bool, created_pull: bool
    ) -> PublishOutcome:
        verb = "opened" if created_pull else "updated" if changed else "kept"
        parts = [f"{verb} draft PR #{pull.number}"]
        if issue is not None:
            parts.append(f"{'opened' if issue_new else 'kept'} issue #{issue.number}")
        return PublishOutcome(
            Destination.GITHUB,
            ", ".join(parts),
            pr_url=pull.url,
            issue_url=issue.url if issue else None,
            created=created_pull or issue_new,
        )

    # -- guards ---------------------------------------------------------------------------
    def _permission_problem(self) -> str | None:
        permissions = self.client.repo().permissions
        if permissions is not None and not permissions.push:
            return (
                f"the token cannot push to {self.config.repo} (permissions.push is false); "
                "give the workflow `contents: write`, `pull-requests: write`, `issues: write`"
            )
        return None

    def _limit_reason(self, state: RemoteState, pull: bool) -> str | None:
        noun = "pull requests" if pull else "issues"
        open_now = state.open_count(pull)
        if open_now >= self.config.max_open_prs:
            return (
                f"{open_now} agentic-optimizer {noun} are open already "
                f"(max_open_prs={self.config.max_open_prs}); waiting for maintainers"
            )
        if self._new >= self.config.max_prs_per_run:
            return (
                f"{self._new} new {noun} opened in this run already "
                f"(max_prs_per_run={self.config.max_prs_per_run})"
            )
        return None

    def _ensure_labels(self, state: RemoteState) -> None:
        if not self._labels_ready:
            self.writer.ensure_labels(state.labels)
            self._labels_ready = True

    # -- the end of the run -----------------------------------------------------------------
    def finish(self, results: Sequence[OptimizationResult]) -> DashboardOutcome:
        """Write the dashboard issue (if its text changed), then re-read our items once when
        this run wrote anything, so the next run's reads are answered by 304s."""
        try:
            outcome = self._write_dashboard(results)
            if self.writer.count:
                state = self.state()
                refresh_items(self.client.repo(), self.config.labels[0], state)
                if self.writer.created_labels:
                    state.labels = {label.name for label in self.client.repo().get_labels()}
            return outcome
        except BudgetLow as low:
            return DashboardOutcome(None, False, str(low))
        except ApiUnavailable as error:
            return DashboardOutcome(None, False, f"GitHub unavailable: {error.reason}")
        except GithubException as error:
            return DashboardOutcome(None, False, describe(error))

    def _write_dashboard(self, results: Sequence[OptimizationResult]) -> DashboardOutcome:
        state = self.state()
        body = render(state, results, self.outcomes)
        current = state.dashboard
        if current is not None and current.state != "open":
            return DashboardOutcome(
                current.html_url, False, f"dashboard #{current.number} was closed by a maintainer"
            )
        if current is not None:
            if (current.body or "") == body and current.title == TITLE:
                return DashboardOutcome(current.html_url, False, "dashboard unchanged")
            self.writer.guard()
            current.edit(title=TITLE, body=body)
            self.writer.count += 1
            return DashboardOutcome(current.html_url, True, f"updated dashboard #{current.number}")
        self._ensure_labels(state)
        self.writer.guard()
        made = self.client.repo().create_issue(
            title=TITLE, body=body, labels=[self.config.labels[0]]
        )
        self.writer.count += 1
        state.dashboard = made
        return DashboardOutcome(made.html_url, True, f"opened dashboard #{made.number}")


def _closed_same(known: Known | None, marker: Marker) -> bool:
    return known is not None and known.state != "open" and known.marker.cid == marker.cid
