"""What GitHub-mode approval and rollback ask of GitHub about pull requests and issues.

:class:`PullsPort` is the seam; :class:`RestPulls` speaks to GitHub through plain PyGithub
(uncached, like :class:`~agentic_action.approve.github_port.RestGitHub`: every answer here
decides a merge, so it must be current):

- ``GET /repos/{o}/{r}/pulls/{n}``, ``GET .../pulls?head=`` and ``GET .../issues/{n}``;
- ``POST /graphql`` ``markPullRequestReadyForReview`` (GitHub has no REST way to take a pull
  request out of draft);
- ``PUT .../pulls/{n}/merge`` with ``sha`` = the head that was validated (GitHub refuses with
  409 if the branch moved since);
- ``POST .../pulls`` (a draft), ``POST .../issues/{n}/labels``, ``POST .../issues/{n}/comments``
  and ``PATCH .../issues/{n}`` (close as completed).

Every failure is raised as :class:`GitHubTrouble` with GitHub's status and words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from github import Github
    from github.PullRequest import PullRequest
    from github.PullRequestMergeStatus import PullRequestMergeStatus
    from github.Repository import Repository

T = TypeVar("T")
ItemState = Literal["open", "closed"]  # a pull request's or issue's state on GitHub
MERGE_METHODS = ("squash", "merge", "rebase")  # tried in this order while GitHub forbids one


class GitHubTrouble(Exception):
    """GitHub refused or could not be reached; ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PullState:
    number: int
    node_id: str
    state: ItemState
    draft: bool
    merged: bool
    author: str
    head_ref: str
    head_sha: str
    base_ref: str
    title: str
    body: str
    url: str  # html_url


@dataclass(frozen=True)
class IssueState:
    number: int
    state: ItemState
    is_pull: bool
    body: str
    url: str


@dataclass(frozen=True)
class Merged:
    sha: str
    method: str


class PullsPort(Protocol):
    def pull(self, number: int) -> PullState: ...

    def find_pulls(self, branch: str, state: str = "all") -> list[PullState]: ...

    def mark_ready(self, number: int) -> None: ...

    def merge(self, number: int, *, sha: str, title: str, message: str) -> Merged: ...

    def open_pull(
        self, *, head: str, base: str, title: str, body: str, labels: Sequence[str]
    ) -> PullState: ...

    def issue(self, number: int) -> IssueState: ...

    def close_issue(self, number: int, comment: str) -> None: ...

    def default_branch(self) -> str: ...


class RestPulls:
    def __init__(self, github: Github, repo_name: str) -> None:
        self._gh = github
        self.repo_name = repo_name
        self._pulls: dict[int, PullRequest] = {}

    @property
    def _repo(self) -> Repository:
        return self._gh.get_repo(self.repo_name, lazy=True)

    def pull(self, number: int) -> PullState:
        def read() -> PullState:
            pull = self._repo.get_pull(number)
            self._pulls[number] = pull
            return _pull_state(pull)

        return _call(f"reading pull request #{number}", read)

    def find_pulls(self, branch: str, state: str = "all") -> list[PullState]:
        owner = self.repo_name.split("/")[0]

        def find() -> list[PullState]:
            found = self._repo.get_pulls(state=state, head=f"{owner}:{branch}")
            return [_pull_state(pull) for pull in found]

        return _call(f"listing pull requests from {branch}", find)

    def mark_ready(self, number: int) -> None:
        _call(
            f"marking #{number} ready for review",
            lambda: self._handle(number).mark_ready_for_review(),
        )

    def merge(self, number: int, *, sha: str, title: str, message: str) -> Merged:
        last: GitHubTrouble | None = None
        for method in MERGE_METHODS:
            attempt = functools.partial(
                self._merge_once, number, sha=sha, title=title, message=message, method=method
            )
            try:
                status = _call(f"merging #{number} ({method})", attempt)
            except GitHubTrouble as trouble:
                if trouble.status != 405 or "not allowed" not in str(trouble):
                    raise
                last = trouble  # this repository forbids the method: try the next one
                continue
            if not status.merged:
                raise GitHubTrouble(f"GitHub did not merge #{number}: {status.message}")
            return Merged(status.sha, method)
        assert last is not None
        raise last

    def _merge_once(
        self, number: int, *, sha: str, title: str, message: str, method: str
    ) -> PullRequestMergeStatus:
        return self._handle(number).merge(
            commit_title=title, commit_message=message, merge_method=method, sha=sha
        )

    def _handle(self, number: int) -> PullRequest:
        if number not in self._pulls:
            self._pulls[number] = self._repo.get_pull(number)
        return self._pulls[number]

    def open_pull(
        self, *, head: str, base: str, title: str, body: str, labels: Sequence[str]
    ) -> PullState:
        def create() -> PullState:
            pull = self._repo.create_pull(base=base, head=head, title=title, body=body, draft=True)
            if labels:
                pull.add_to_labels(*labels)
            return _pull_state(pull)

        return _call(f"opening a pull request from {head}", create)

    def issue(self, number: int) -> IssueState:
        def read() -> IssueState:
            issue = self._repo.get_issue(number)
            return IssueState(
                issue.number,
                _item_state(issue.state),
                issue.pull_request is not None,
                issue.body or "",
                issue.html_url,
            )

        return _call(f"reading issue #{number}", read)

    def close_issue(self, number: int, comment: str) -> None:
        def close() -> None:
            issue = self._repo.get_issue(number)
            issue.create_comment(comment)
            issue.edit(state="closed", state_reason="completed")

        _call(f"closing issue #{number}", close)

    def default_branch(self) -> str:
        return _call(
            "reading the repository", lambda: self._gh.get_repo(self.repo_name)
        ).default_branch


def _pull_state(pull: PullRequest) -> PullState:
    return PullState(
        number=pull.number,
        node_id=pull.node_id,
        state=_item_state(pull.state),
        draft=bool(pull.draft),
        merged=bool(pull.merged),
        author=pull.user.login if pull.user else "",
        head_ref=pull.head.ref,
        head_sha=pull.head.sha,
        base_ref=pull.base.ref,
        title=pull.title or "",
        body=pull.body or "",
        url=pull.html_url,
    )


def _item_state(state: str) -> ItemState:
    return "open" if state == "open" else "closed"


def _call(what: str, action: Callable[[], T]) -> T:
    from github import GithubException

    try:
        return action()
    except GithubException as error:
        raise GitHubTrouble(
            f"{what} failed: GitHub answered {error.status}: {_words(error)}", error.status
        ) from None
    except OSError as error:  # requests' errors are OSErrors: no answer at all
        raise GitHubTrouble(f"{what} failed: {type(error).__name__}: {error}") from None


def _words(error: Exception) -> str:
    data = getattr(error, "data", None)
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", ""))  # GraphQL: HTTP 200 with "errors"
        if data.get("message"):
            return str(data["message"])
    return str(error)
