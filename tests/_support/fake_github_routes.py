"""REST handlers of the fake GitHub server: one function per operation, with its OpenAPI path.

Each handler takes (state, call) and returns (status, json, extra headers) or raises HttpError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fake_github_objects as obj
from fake_github_state import Answer, HttpError, Repo, State, Token, need_str, parse_labels

JSON = dict[str, Any]


@dataclass
class Call:
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    token: Token | None


Handler = Callable[[State, Call], Answer]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # the OpenAPI path, e.g. /repos/{owner}/{repo}/issues
    pattern: re.Pattern[str]
    handler: Handler
    write: bool


ROUTES: list[Route] = []


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    regex = re.sub(r"\{ref\}", r"(?P<ref>.+)", template)
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)

    def register(handler: Handler) -> Handler:
        pattern = re.compile(f"^{regex}$")
        ROUTES.append(Route(method, template, pattern, handler, method != "GET"))
        return handler

    return register


def _repo(state: State, call: Call, write: bool = False) -> Repo:
    repo = state.repo(call.params["owner"], call.params["repo"])
    if write and (call.token is None or not call.token.push):
        raise HttpError(403, "Resource not accessible by integration")
    return repo


def _page(call: Call, items: list[JSON]) -> tuple[list[JSON], str]:
    per_page = max(1, min(100, int(call.query.get("per_page", "30"))))
    page = max(1, int(call.query.get("page", "1")))
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    return chunk, f"{page},{last},{per_page}"


@route("GET", "/rate_limit")
def get_rate_limit(state: State, call: Call) -> Answer:
    raise AssertionError("answered by the server itself")  # pragma: no cover


@route("GET", "/repos/{owner}/{repo}")
def get_repo(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    push = call.token is not None and call.token.push
    return 200, state.repo_json(repo, push), {}


@route("GET", "/repos/{owner}/{repo}/labels")
def list_labels(state: State, call: Call) -> Answer:
    return 200, list(_repo(state, call).labels.values()), {}


@route("GET", "/repos/{owner}/{repo}/labels/{name}")
def get_label(state: State, call: Call) -> Answer:
    found = _repo(state, call).labels.get(call.params["name"].lower())
    if found is None:
        raise HttpError(404, "Not Found")
    return 200, found, {}


@route("POST", "/repos/{owner}/{repo}/labels")
def create_label(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    name = need_str(call.body, "name", "Label")
    if name.lower() in repo.labels:
        raise HttpError(
            422,
            "Validation Failed",
            [{"resource": "Label", "code": "already_exists", "field": "name"}],
        )
    color = str(call.body.get("color", "ededed"))
    return 201, state.ensure_label(repo, name, color, str(call.body.get("description", ""))), {}


def _filter_issues(repo: Repo, call: Call) -> list[obj.IssueRecord]:
    wanted_state = call.query.get("state", "open")
    wanted = [x.lower() for x in call.query.get("labels", "").split(",") if x]
    found = []
    for rec in sorted(repo.issues.values(), key=lambda r: -r.number):
        if wanted_state != "all" and rec.state != wanted_state:
            continue
        have = {x.lower() for x in rec.labels}
        if all(w in have for w in wanted):
            found.append(rec)
    return found


@route("GET", "/repos/{owner}/{repo}/issues")
def list_issues(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    items = [state.issue_json(repo, rec) for rec in _filter_issues(repo, call)]
    chunk, paging = _page(call, items)
    return 200, chunk, {"x-fake-paging": paging}


@route("POST", "/repos/{owner}/{repo}/issues")
def create_issue(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    title = need_str(call.body, "title", "Issue")
    labels = parse_labels(call.body.get("labels", []))
    body = call.body.get("body")
    assert call.token is not None
    number = state.add_issue(repo, title, body, call.token.login, labels)
    return 201, state.issue_json(repo, repo.issues[number]), {}


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
def get_issue(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    rec = state.issue_rec(repo, call.params["issue_number"])
    return 200, state.issue_json(repo, rec), {}


@route("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}")
def update_issue(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    rec = state.issue_rec(repo, call.params["issue_number"])
    _edit(state, repo, rec, call.body)
    return 200, state.issue_json(repo, rec), {}


def _edit(state: State, repo: Repo, rec: obj.IssueRecord, body: JSON) -> None:
    if "title" in body:
        rec.title = str(body["title"])
    if "body" in body:
        rec.body = body["body"]
    if "labels" in body:
        rec.labels = parse_labels(body["labels"])
        for name in rec.labels:
            state.ensure_label(repo, name)
    if body.get("state") in ("open", "closed") and body["state"] != rec.state:
        if body["state"] == "closed":
            state.close(repo, rec.number, merged=False)
            if not rec.is_pull and body.get("state_reason") in ("completed", "not_planned"):
                rec.state_reason = body["state_reason"]
        else:
            rec.state, rec.closed_at, rec.state_reason = "open", None, "reopened"
    state.touch(rec)


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
def add_labels(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    rec = state.issue_rec(repo, call.params["issue_number"])
    names = call.body.get("labels") if isinstance(call.body, dict) else call.body
    for name in parse_labels(names):
        state.ensure_label(repo, name)
        if name.lower() not in {x.lower() for x in rec.labels}:
            rec.labels.append(name)
    state.touch(rec)
    return 200, state.labels_json(repo, rec.labels), {}


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def list_comments(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    chunk, paging = _page(call, state.issue_rec(repo, call.params["issue_number"]).comments)
    return 200, chunk, {"x-fake-paging": paging}


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def create_comment(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    rec = state.issue_rec(repo, call.params["issue_number"])
    assert call.token is not None
    text = need_str(call.body, "body", "IssueComment")
    made = obj.comment(
        state.base, repo.full_name, rec.number, state.next_id(), text, state.user(call.token.login)
    )
    rec.comments.append(made)
    state.touch(rec)
    return 201, made, {}


def _pulls(repo: Repo) -> list[obj.IssueRecord]:
    return [r for r in sorted(repo.issues.values(), key=lambda r: -r.number) if r.is_pull]


@route("GET", "/repos/{owner}/{repo}/pulls")
def list_pulls(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    wanted_state = call.query.get("state", "open")
    head = call.query.get("head", "")
    found = []
    for rec in _pulls(repo):
        if wanted_state != "all" and rec.state != wanted_state:
            continue
        if head and f"{repo.record.owner}:{rec.head}" != head:
            continue
        found.append(state.pull_json(repo, rec))
    chunk, paging = _page(call, found)
    return 200, chunk, {"x-fake-paging": paging}


@route("POST", "/repos/{owner}/{repo}/pulls")
def create_pull(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    if not repo.actions_may_open_pulls:
        raise HttpError(403, "GitHub Actions is not permitted to create or approve pull requests.")
    head = need_str(call.body, "head", "PullRequest").split(":")[-1]
    base = need_str(call.body, "base", "PullRequest")
    title = need_str(call.body, "title", "PullRequest")
    for field, branch in (("head", head), ("base", base)):
        if state.branch_sha(repo, branch) is None:
            raise HttpError(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "field": field, "code": "invalid"}],
            )
    for rec in _pulls(repo):
        if rec.state == "open" and rec.head == head:
            message = f"A pull request already exists for {repo.record.owner}:{head}."
            raise HttpError(
                422,
                "Validation Failed",
                [{"resource": "PullRequest", "code": "custom", "message": message}],
            )
    assert call.token is not None
    number = state.add_pull(repo, title, call.body.get("body"), call.token.login, head, base)
    rec = repo.issues[number]
    rec.draft = bool(call.body.get("draft", False))
    return 201, state.pull_json(repo, rec), {}


def _pull_rec(state: State, repo: Repo, call: Call) -> obj.IssueRecord:
    rec = state.issue_rec(repo, call.params["pull_number"])
    if not rec.is_pull:
        raise HttpError(404, "Not Found")
    if rec.state == "open":
        rec.head_sha = state.branch_sha(repo, rec.head) or rec.head_sha
    return rec


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")
def get_pull(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    return 200, state.pull_json(repo, _pull_rec(state, repo, call)), {}


@route("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}")
def update_pull(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    rec = _pull_rec(state, repo, call)
    _edit(state, repo, rec, {k: v for k, v in call.body.items() if k in ("title", "body", "state")})
    return 200, state.pull_json(repo, rec), {}


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
def list_reviews(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    chunk, paging = _page(call, _pull_rec(state, repo, call).reviews)
    return 200, chunk, {"x-fake-paging": paging}


@route("GET", "/repos/{owner}/{repo}/git/ref/{ref}")
def get_ref(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    ref = call.params["ref"]
    sha = state.branch_sha(repo, ref.removeprefix("heads/")) if ref.startswith("heads/") else None
    if sha is None:
        raise HttpError(404, "Not Found")
    return 200, obj.git_ref(state.base, repo.full_name, f"refs/{ref}", sha), {}


@route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission")
def get_permission(state: State, call: Call) -> Answer:
    repo = _repo(state, call)
    login = call.params["username"]
    if login not in state.users and login not in repo.permissions:
        raise HttpError(404, "Not Found")
    level = repo.permissions.get(login, "none")
    return 200, obj.permission(state.user(login), level), {}
