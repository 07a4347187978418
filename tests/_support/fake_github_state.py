"""The state and REST handlers of the fake GitHub server (see fake_github.py for the HTTP side).

Stateful over the endpoints agentic-optimizer uses: repository, git refs, issues, comments,
labels, pulls, reviews, collaborator permission and rate_limit. Git pushes go to a real bare
repository; the fake reads branch heads from it, as GitHub would from its own storage.
"""

from __future__ import annotations

import copy
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fake_github_objects as obj

JSON = dict[str, Any]
Answer = tuple[int, Any, dict[str, str]]


class HttpError(Exception):
    def __init__(self, status: int, message: str, errors: list[JSON] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = obj.error(message, status, errors)


@dataclass
class Token:
    login: str
    push: bool = True


@dataclass
class Repo:
    record: obj.RepoRecord
    bare: Path | None
    labels: dict[str, JSON] = field(default_factory=dict)  # lower-cased name -> label json
    issues: dict[int, obj.IssueRecord] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)  # login -> admin/write/read/none
    merge_methods: set[str] = field(default_factory=lambda: {"merge", "squash", "rebase"})
    # "Allow GitHub Actions to create and approve pull requests" (off: 403 on creating one)
    actions_may_open_pulls: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.record.owner}/{self.record.name}"


@dataclass(frozen=True)
class RepoSnapshot:
    """A repository's labels, issues, pull requests and permissions, to seed another server."""

    labels: list[tuple[str, str, str]]
    issues: list[obj.IssueRecord]
    permissions: dict[str, str]
    last_id: int


class State:
    """Everything the fake knows; every method runs under the server's lock."""

    def __init__(self) -> None:
        self.base = ""
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.users: dict[str, JSON] = {}
        self._ids = 1000
        self._tick = 0

    # -- helpers -------------------------------------------------------------------------
    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def now(self) -> str:
        """A logical clock: every change moves it one second, so timestamps and ETags move."""
        self._tick += 1
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self._tick)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def user(self, login: str) -> JSON:
        if login not in self.users:
            kind = "Bot" if login.endswith("[bot]") else "User"
            self.users[login] = obj.user(self.base, login, self.next_id(), kind)
        return self.users[login]

    def repo(self, owner: str, name: str) -> Repo:
        found = self.repos.get(f"{owner}/{name}".lower())
        if found is None:
            raise HttpError(404, "Not Found")
        return found

    def issue_rec(self, repo: Repo, number: str) -> obj.IssueRecord:
        rec = repo.issues.get(int(number))
        if rec is None:
            raise HttpError(404, "Not Found")
        return rec

    def repo_json(self, repo: Repo, push: bool, full: bool = True) -> JSON:
        data = obj.repository(self.base, repo.record, self.user(repo.record.owner), push, full)
        open_count = sum(1 for r in repo.issues.values() if r.state == "open")
        data["open_issues"] = data["open_issues_count"] = open_count
        return data

    def labels_json(self, repo: Repo, names: list[str]) -> list[JSON]:
        return [repo.labels[n.lower()] for n in names if n.lower() in repo.labels]

    def issue_json(self, repo: Repo, rec: obj.IssueRecord) -> JSON:
        labels = self.labels_json(repo, rec.labels)
        return obj.issue(self.base, repo.full_name, rec, self.user(rec.author), labels)

    def pull_json(self, repo: Repo, rec: obj.IssueRecord) -> JSON:
        labels = self.labels_json(repo, rec.labels)
        repo_json = self.repo_json(repo, push=True, full=False)
        return obj.pull(self.base, repo.full_name, rec, self.user(rec.author), labels, repo_json)

    def ensure_label(self, repo: Repo, name: str, color: str = "ededed", desc: str = "") -> JSON:
        key = name.lower()
        if key not in repo.labels:
            repo.labels[key] = obj.label(
                self.base, repo.full_name, self.next_id(), name, color, desc
            )
        return repo.labels[key]

    def branch_sha(self, repo: Repo, branch: str) -> str | None:
        if repo.bare is None:
            return "0" * 40
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"],
            cwd=repo.bare,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None

    # -- maintainer actions used by tests --------------------------------------------------
    def add_issue(
        self, repo: Repo, title: str, body: str | None, author: str, labels: list[str]
    ) -> int:
        for name in labels:
            self.ensure_label(repo, name)
        number = len(repo.issues) + 1
        stamp = self.now()
        repo.issues[number] = obj.IssueRecord(
            number, self.next_id(), title, body, author, stamp, stamp, list(labels)
        )
        return number

    def add_pull(
        self, repo: Repo, title: str, body: str | None, author: str, head: str, base: str
    ) -> int:
        """A pull request from branch ``head`` into ``base`` (both must exist); its number."""
        head_sha, base_sha = self.branch_sha(repo, head), self.branch_sha(repo, base)
        if head_sha is None or base_sha is None:
            field = "head" if head_sha is None else "base"
            raise HttpError(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": field, "code": "invalid"}],
            )
        number = self.add_issue(repo, title, body, author, [])
        rec = repo.issues[number]
        rec.is_pull, rec.head, rec.head_sha, rec.base, rec.base_sha = (
            True,
            head,
            head_sha,
            base,
            base_sha,
        )
        return number

    def snapshot(self, repo: Repo) -> RepoSnapshot:
        labels = [(x["name"], x["color"], x["description"] or "") for x in repo.labels.values()]
        issues = copy.deepcopy(list(repo.issues.values()))
        return RepoSnapshot(labels, issues, dict(repo.permissions), self._ids)

    def restore(self, repo: Repo, snapshot: RepoSnapshot) -> None:
        for name, color, description in snapshot.labels:
            self.ensure_label(repo, name, color, description)
        for rec in copy.deepcopy(snapshot.issues):
            repo.issues[rec.number] = rec
            self.user(rec.author)
        repo.permissions.update(snapshot.permissions)
        self._ids = max(self._ids, snapshot.last_id)

    def close(self, repo: Repo, number: int, merged: bool) -> None:
        rec = repo.issues[number]
        rec.state = "closed"
        rec.closed_at = rec.updated_at = self.now()
        rec.state_reason = None if rec.is_pull else "not_planned"
        if merged:
            rec.merged_at = rec.closed_at
            rec.state_reason = None if rec.is_pull else "completed"

    def touch(self, rec: obj.IssueRecord) -> None:
        rec.updated_at = self.now()


def parse_labels(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise HttpError(422, "Validation Failed", [{"resource": "Label", "code": "invalid"}])
    return list(value)


def need_str(body: JSON, key: str, resource: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise HttpError(
            422,
            "Validation Failed",
            [{"resource": resource, "field": key, "code": "missing_field"}],
        )
    return value
