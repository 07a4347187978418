"""What GitHub already holds for us, read once per run in as few calls as possible.

One list of the issues and PRs carrying our primary label (state=all: GitHub's issues list
includes PRs, their bodies, labels, state and merge time), the repository's labels, and -
only when the repository has an ``agentic-optimizer:skip`` label at all - the list of items
carrying it. Items are recognised by the marker on their first line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from github.Issue import Issue
from github.PullRequest import PullRequest
from github.Repository import Repository

from agentic_action.model import FunctionTarget
from agentic_action.publish.github.config import SKIP_LABEL
from agentic_action.publish.github.markers import Marker, is_dashboard, parse_marker


@dataclass
class Known:
    """One issue or PR of ours, as GitHub last showed it (or as we just wrote it)."""

    handle: Issue | PullRequest  # PyGithub object to edit it and add labels
    marker: Marker
    number: int
    url: str
    title: str
    body: str
    is_pull: bool
    state: str
    merged: bool
    labels: frozenset[str]


@dataclass
class RemoteState:
    labels: set[str]
    pulls: dict[str, list[Known]] = field(default_factory=dict)  # slug -> newest first
    issues: dict[str, list[Known]] = field(default_factory=dict)
    dashboard: Issue | None = None
    skip_texts: list[tuple[int, str]] = field(default_factory=list)  # (number, title + body)

    def add(self, known: Known) -> None:
        table = self.pulls if known.is_pull else self.issues
        entries = [k for k in table.get(known.marker.slug, []) if k.number != known.number]
        table[known.marker.slug] = sorted([known, *entries], key=lambda k: -k.number)

    def current(self, slug: str, pull: bool) -> Known | None:
        """The open item for ``slug`` if there is one, else the newest closed one."""
        entries = (self.pulls if pull else self.issues).get(slug, [])
        for known in entries:
            if known.state == "open":
                return known
        return entries[0] if entries else None

    def open_count(self, pull: bool) -> int:
        table = self.pulls if pull else self.issues
        return sum(1 for entries in table.values() for k in entries if k.state == "open")

    def open_items(self) -> list[Known]:
        found = [k for t in (self.pulls, self.issues) for e in t.values() for k in e]
        return sorted((k for k in found if k.state == "open"), key=lambda k: k.number)

    def skip_reason(self, target: FunctionTarget, slug: str) -> str | None:
        for table in (self.pulls, self.issues):
            for known in table.get(slug, []):
                if SKIP_LABEL in known.labels:
                    return f"a maintainer labelled #{known.number} {SKIP_LABEL}"
        for number, text in self.skip_texts:
            if slug in text or target.key in text:
                return f"#{number} is labelled {SKIP_LABEL} and names {target.key}"
        return None


def load_state(repo: Repository, primary_label: str) -> RemoteState:
    labels = {label.name for label in repo.get_labels()}
    state = RemoteState(labels=labels)
    refresh_items(repo, primary_label, state)
    if SKIP_LABEL in labels:
        for issue in repo.get_issues(state="all", labels=[SKIP_LABEL]):
            state.skip_texts.append((issue.number, f"{issue.title}\n{issue.body or ''}"))
    return state


def refresh_items(repo: Repository, primary_label: str, state: RemoteState) -> None:
    """(Re)read our issues and PRs: one conditional GET per 100 items."""
    state.pulls.clear()
    state.issues.clear()
    state.dashboard = None
    for issue in repo.get_issues(state="all", labels=[primary_label]):
        if is_dashboard(issue.body):
            if state.dashboard is None or issue.state == "open":
                state.dashboard = issue
            continue
        known = as_known(issue)
        if known is not None:
            state.add(known)


def as_known(issue: Issue) -> Known | None:
    marker = parse_marker(issue.body)
    if marker is None:
        return None
    pull = issue.pull_request if is_pull(issue) else None
    return Known(
        handle=issue,
        marker=marker,
        number=issue.number,
        url=issue.html_url,
        title=issue.title,
        body=issue.body or "",
        is_pull=is_pull(issue),
        state=issue.state,
        merged=pull is not None and pull.merged_at is not None,
        labels=frozenset(label.name for label in issue.labels),
    )


def is_pull(issue: Issue) -> bool:
    """Whether an issues-list entry is a PR, without PyGithub's lazy completion: reading
    ``issue.pull_request`` on a plain issue (GitHub omits the key) costs a GET per issue."""
    return "/pull/" in issue.html_url


def just_made(handle: Issue | PullRequest, marker: Marker, labels: tuple[str, ...]) -> Known:
    """A Known for an item this run created (labels as we set them)."""
    return Known(
        handle=handle,
        marker=marker,
        number=handle.number,
        url=handle.html_url,
        title=handle.title,
        body=handle.body or "",
        is_pull=isinstance(handle, PullRequest),
        state="open",
        merged=False,
        labels=frozenset(labels),
    )
