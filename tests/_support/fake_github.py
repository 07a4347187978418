"""A local GitHub REST server for tests: 127.0.0.1, a free port, a thread; stateful.

    with FakeGitHub() as gh:
        gh.add_token("t0k3n", login="optimizer-bot")
        gh.add_repo("octo/demo", bare=bare_repo_path)
        Github(base_url=gh.base_url, auth=Auth.Token("t0k3n")).get_repo("octo/demo")

It sends GitHub's rate-limit headers (x-ratelimit-limit/remaining/reset/used/resource) on every
answer, counts every request against the primary limit except /rate_limit and 304s, answers
304 to a matching If-None-Match (or If-Modified-Since), and can be told to fail: a 5xx, a hang
past the client's timeout, a secondary rate limit (403 + Retry-After), a spent primary limit.
Every request is logged (``requests``) and every answer kept (``answers``) for shape checks.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import fake_github_graphql
import fake_github_objects as obj
import fake_github_pulls  # noqa: F401  (registers the merge route)
from fake_github_routes import ROUTES, Call, Route
from fake_github_state import HttpError, Repo, RepoSnapshot, State, Token

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    times: int
    status: int = 502
    retry_after: int | None = None
    hang: float = 0.0
    message: str = "Server Error"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # without the prefix and the query
    query: dict[str, str]
    status: int
    conditional: bool  # sent If-None-Match or If-Modified-Since
    counted: bool  # charged against the primary rate limit
    token: str | None


@dataclass(frozen=True)
class Answer:
    method: str
    template: str  # OpenAPI path template, "" when no route matched
    status: int
    body: Any


class FakeGitHub:
    def __init__(self, prefix: str = "", limit: int = 5000) -> None:
        self.prefix = prefix.rstrip("/")
        self.state = State()
        self.lock = threading.RLock()
        self.limit = limit
        self.remaining = limit
        self.reset = int(time.time()) + 3600
        self.faults: list[Fault] = []
        self.requests: list[LoggedRequest] = []
        self.answers: list[Answer] = []
        self.graphql_answers: list[tuple[int, Any]] = []
        self.graphql_path = (self.prefix.removesuffix("/v3") if self.prefix else "") + "/graphql"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}{self.prefix}"
        self.state.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- setup and maintainer actions -----------------------------------------------------
    def add_token(self, token: str, login: str = "optimizer-bot", push: bool = True) -> None:
        with self.lock:
            self.state.tokens[token] = Token(login, push)
            self.state.user(login)

    def add_repo(self, full_name: str, bare: Path | None = None, default: str = "main") -> Repo:
        owner, name = full_name.split("/")
        with self.lock:
            record = obj.RepoRecord(owner, name, self.state.next_id(), default)
            repo = Repo(record, bare)
            self.state.repos[full_name.lower()] = repo
            return repo

    def repo(self, full_name: str) -> Repo:
        return self.state.repos[full_name.lower()]

    def add_label(self, full_name: str, name: str, color: str = "ededed") -> None:
        with self.lock:
            self.state.ensure_label(self.repo(full_name), name, color)

    def add_issue(
        self, full_name: str, title: str, body: str = "", labels: tuple[str, ...] = ()
    ) -> int:
        with self.lock:
            return self.state.add_issue(
                self.repo(full_name), title, body, "maintainer", list(labels)
            )

    def add_pull(
        self,
        full_name: str,
        head: str,
        title: str,
        body: str = "",
        author: str = "maintainer",
        base: str = "main",
        draft: bool = False,
    ) -> int:
        """A pull request someone opened from ``head`` (a branch of the bare repository)."""
        with self.lock:
            repo = self.repo(full_name)
            number = self.state.add_pull(repo, title, body, author, head, base)
            repo.issues[number].draft = draft
            return number

    def snapshot(self, full_name: str) -> RepoSnapshot:
        """The repository's labels, issues and pull requests, to seed another server."""
        with self.lock:
            return self.state.snapshot(self.repo(full_name))

    def restore(self, full_name: str, snapshot: RepoSnapshot) -> None:
        with self.lock:
            self.state.restore(self.repo(full_name), snapshot)

    def close(self, full_name: str, number: int, merged: bool = False) -> None:
        with self.lock:
            self.state.close(self.repo(full_name), number, merged)

    def label_issue(self, full_name: str, number: int, name: str) -> None:
        with self.lock:
            repo = self.repo(full_name)
            self.state.ensure_label(repo, name)
            rec = repo.issues[number]
            rec.labels.append(name)
            self.state.touch(rec)

    def set_permission(self, full_name: str, login: str, level: str) -> None:
        with self.lock:
            self.repo(full_name).permissions[login] = level
            self.state.user(login)

    def set_rate_limit(self, remaining: int, reset_in: int = 3600) -> None:
        with self.lock:
            self.remaining = remaining
            self.reset = int(time.time()) + reset_in

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int = 502,
        times: int = 1,
        retry_after: int | None = None,
        hang: float = 0.0,
        message: str = "Server Error",
    ) -> None:
        """Make the next ``times`` requests matching ``method`` and regex ``path`` fail.

        ``hang`` > 0 applies the request, then waits that long before answering: a write that
        GitHub made although the client timed out. Status 403 with ``retry_after`` is a
        secondary rate limit.
        """
        with self.lock:
            fault = Fault(method, re.compile(path), times, status, retry_after, hang, message)
            self.faults.append(fault)

    def secondary_limit(self, method: str, path: str, retry_after: int = 1, times: int = 1) -> None:
        self.fail(
            method,
            path,
            status=403,
            times=times,
            retry_after=retry_after,
            message=SECONDARY_MESSAGE,
        )

    # -- queries for assertions -------------------------------------------------------------
    def calls(self, method: str | None = None, path: str = "") -> list[LoggedRequest]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and re.search(path, r.path)
        ]

    def issues(self, full_name: str) -> list[obj.IssueRecord]:
        return sorted(self.repo(full_name).issues.values(), key=lambda r: r.number)

    # -- request handling -------------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parsed = urllib.parse.urlsplit(raw_path)
        path = parsed.path
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        query = dict(urllib.parse.parse_qsl(parsed.query))
        fault = self._take_fault(method, path)
        hang = 0.0
        if fault is not None and fault.hang:
            hang, fault = fault.hang, None
        with self.lock:
            status, out, extra, counted = self._answer(method, path, query, headers, raw, fault)
            token = _token(headers)
            conditional = "if-none-match" in headers or "if-modified-since" in headers
            self.requests.append(
                LoggedRequest(method, path, query, status, conditional, counted, token)
            )
            out_headers = self._rate_headers()
            out_headers.update(extra)
        body = b"" if status == 304 else json.dumps(out).encode()
        time.sleep(hang)  # applied, but the answer comes too late for the client
        return status, out_headers, body

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.path.search(path):
                    fault.times -= 1
                    return fault
        return None

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        raw: bytes,
        fault: Fault | None,
    ) -> tuple[int, Any, dict[str, str], bool]:
        token_value = _token(headers)
        token = self.state.tokens.get(token_value) if token_value else None
        if token_value is not None and token is None:
            return self._error(method, "", HttpError(401, "Bad credentials"), counted=False)
        if path == self.graphql_path and method == "POST" and fault is None:
            return self._graphql(raw, token)
        if path == "/rate_limit" and method == "GET" and fault is None:
            body = obj.rate_limit(self.limit, self.remaining, self.reset)
            self.answers.append(Answer(method, "/rate_limit", 200, body))
            return 200, body, {}, False
        if self.remaining <= 0:
            message = "API rate limit exceeded for installation. Wait for the reset."
            return self._error(method, "", HttpError(403, message), counted=False)
        self.remaining -= 1
        if fault is not None:
            extra = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
            status, body, _, _ = self._error(
                method, "", HttpError(fault.status, fault.message), counted=True
            )
            return status, body, extra, True
        return self._dispatch(method, path, query, headers, raw, token)

    def _dispatch(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        raw: bytes,
        token: Token | None,
    ) -> tuple[int, Any, dict[str, str], bool]:
        found = _match(method, path)
        if found is None:
            return self._error(method, "", HttpError(404, "Not Found"), counted=True)
        matched, params = found
        try:
            body = json.loads(raw) if raw else {}
            if matched.write and token is None:
                raise HttpError(401, "Requires authentication")
            status, out, extra = matched.handler(self.state, Call(params, query, body, token))
        except HttpError as exc:
            return self._error(method, matched.template, exc, counted=True)
        extra = dict(extra)
        paging = extra.pop("x-fake-paging", None)
        if paging is not None:
            extra.update(self._link(path, query, paging))
        if method == "GET":
            tag = (
                'W/"'
                + hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest()[:32]
                + '"'
            )
            extra["etag"] = tag
            modified = out.get("updated_at") if isinstance(out, dict) else None
            if isinstance(modified, str):
                extra["last-modified"] = _http_date(modified)
            if _not_modified(headers, tag, extra.get("last-modified")):
                self.remaining += 1  # a 304 costs no primary rate limit
                return 304, None, extra, False
        self.answers.append(Answer(method, matched.template, status, out))
        return status, out, extra, True

    def _graphql(self, raw: bytes, token: Token | None) -> tuple[int, Any, dict[str, str], bool]:
        """GraphQL has its own budget on GitHub: it does not count against the REST one."""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        status, out = fake_github_graphql.answer(self.state, token, body)
        self.graphql_answers.append((status, out))
        return status, out, {"x-ratelimit-resource": "graphql"}, False

    def _error(
        self, method: str, template: str, exc: HttpError, counted: bool
    ) -> tuple[int, Any, dict[str, str], bool]:
        self.answers.append(Answer(method, template, exc.status, exc.body))
        return exc.status, exc.body, {}, counted

    def _link(self, path: str, query: dict[str, str], paging_repr: str) -> dict[str, str]:
        current, last, per_page = (int(x) for x in paging_repr.split(","))
        if current >= last:
            return {}
        links = []
        for rel, page in (("next", current + 1), ("last", last)):
            args = dict(query, page=str(page), per_page=str(per_page))
            url = f"{self.base_url}{path}?{urllib.parse.urlencode(args)}"
            links.append(f'<{url}>; rel="{rel}"')
        return {"link": ", ".join(links)}

    def _rate_headers(self) -> dict[str, str]:
        return {
            "content-type": "application/json; charset=utf-8",
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(max(self.remaining, 0)),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-used": str(self.limit - max(self.remaining, 0)),
            "x-ratelimit-resource": "core",
            "cache-control": "private, max-age=60, s-maxage=60",
            "vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-request-id": hashlib.sha1(str(time.time_ns()).encode()).hexdigest()[:16],
        }


def _match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in ROUTES:
        if candidate.method != method:
            continue
        hit = candidate.pattern.match(path)
        if hit:
            return candidate, {k: urllib.parse.unquote(v) for k, v in hit.groupdict().items()}
    return None


def _token(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    for scheme in ("token ", "bearer "):
        if value.lower().startswith(scheme):
            return value[len(scheme) :].strip()
    return None


def _http_date(iso: str) -> str:
    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return formatdate(moment.timestamp(), usegmt=True)


def _not_modified(headers: dict[str, str], tag: str, modified: str | None) -> bool:
    if "if-none-match" in headers:
        return tag in [t.strip() for t in headers["if-none-match"].split(",")]
    if modified is not None and "if-modified-since" in headers:
        return headers["if-modified-since"] == modified
    return False


def _handler_class(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, out_headers, body = fake.handle(self.command, self.path, headers, raw)
            try:
                self.send_response(status)
                for key, value in out_headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
