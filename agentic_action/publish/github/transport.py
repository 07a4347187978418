"""HTTP under PyGithub: a requests-cache session (TTL + ETag/Last-Modified revalidation, sqlite
file), the rate limiter, bounded retries, and counts of what each request cost.

Why requests-cache and how it reaches PyGithub: PyGithub has no session hook; each Requester
builds its HTTP "connection" from a class attribute. We give our client's Requester its own
connection class whose session is a ``requests_cache.CachedSession`` (see client.py). That keeps
caching to our client (``requests_cache.install_cache`` would patch requests process-wide and
``Requester.injectConnectionClasses`` is process-wide and drops connection reuse).

requests-cache does the HTTP caching: it stores GET 200s, answers fresh ones from the file,
revalidates stale ones with If-None-Match / If-Modified-Since and keeps the stored body on a
304, and never stores the Authorization header (its default ``ignored_parameters``). Two
adjustments for GitHub:
- GitHub answers ``Vary: Accept, Authorization, ...``; requests-cache treats a Vary on an
  ignored header as a miss, which would make the cache useless across runs (GITHUB_TOKEN
  changes every run). We drop Authorization from Vary: ETags are computed from the body, so a
  revalidation with another token still gets a 200 if what that token sees differs.
- Reads that decide a write (issues and pulls lists) always revalidate (a free 304 when
  unchanged), and after each write the cached answers about that repository are marked stale.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import requests_cache
from requests.adapters import HTTPAdapter
from requests_cache.backends.sqlite import SQLiteCache

from agentic_action.publish.github.ratelimit import FailureKind, RateLimiter

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
IDEMPOTENT = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"})


class ApiUnavailable(Exception):
    """GitHub could not be used for this request after bounded retries (a value-like error:
    the Publisher turns it into a patch-mode outcome with ``reason``)."""

    def __init__(self, reason: str, kind: FailureKind, uncertain_write: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.uncertain_write = uncertain_write  # a write that may have been applied


@dataclass(frozen=True)
class ApiStats:
    """What this client's API use cost. Every HTTP attempt counts once, retries included."""

    cache_hits: int = 0  # GETs answered from the cache, nothing sent
    not_modified: int = 0  # GETs revalidated by a 304 (free on GitHub's primary limit)
    full_reads: int = 0  # GETs answered with a body over the network (misses and changes)
    writes: int = 0  # POST/PATCH/PUT/DELETE sent
    probes: int = 0  # GET /rate_limit (free on GitHub, never cached)
    retries: int = 0  # attempts after the first, for any verb
    secondary_limits: int = 0
    waited_seconds: float = 0.0

    @property
    def reads(self) -> int:
        return self.cache_hits + self.not_modified + self.full_reads

    @property
    def sent(self) -> int:
        """HTTP requests that reached GitHub."""
        return self.not_modified + self.full_reads + self.writes + self.probes

    @property
    def cached_share(self) -> float:
        """Share of data reads answered from the cache or by a 304 (1.0 when no reads)."""
        return 1.0 if self.reads == 0 else (self.cache_hits + self.not_modified) / self.reads


class _GitHubVaryAdapter(HTTPAdapter):
    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        vary = response.headers.get("Vary")
        if vary:
            kept = [v.strip() for v in vary.split(",") if v.strip().lower() != "authorization"]
            response.headers["Vary"] = ", ".join(kept)
        return response


def build_session(cache_path: Path | None, ttl: int) -> requests_cache.CachedSession:
    """The caching session; a sqlite file at ``cache_path`` (kept across runs), else memory."""
    if cache_path is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        backend: Any = SQLiteCache(str(cache_path))
    else:
        backend = "memory"
    session = requests_cache.CachedSession(
        backend=backend,
        expire_after=ttl,
        allowable_methods=("GET",),
        allowable_codes=(200,),
        cache_control=False,  # our TTL, not GitHub's max-age=60
        match_headers=["Accept"],
        stale_if_error=False,
        urls_expire_after={"*/rate_limit": requests_cache.DO_NOT_CACHE},
    )
    adapter = _GitHubVaryAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Transport:
    """Sends one PyGithub request: pacing, cache, retries, accounting, invalidation."""

    def __init__(
        self,
        session: requests_cache.CachedSession,
        limiter: RateLimiter,
        timeout: float,
        scheme: str = "https",
        revalidate: Iterable[str] = ("/issues", "/pulls"),
    ) -> None:
        self.session = session
        self.scheme = scheme
        self.limiter = limiter
        self.timeout = timeout
        self.revalidate = tuple(revalidate)
        self._stats = ApiStats()
        self._lock = threading.Lock()

    @property
    def stats(self) -> ApiStats:
        return replace(
            self._stats,
            secondary_limits=self.limiter.secondary_hits,
            waited_seconds=round(self.limiter.waited, 3),
        )

    def send(self, verb: str, url: str, headers: dict[str, str], body: Any) -> requests.Response:
        attempt = 0
        while True:
            try:
                response = self._attempt(verb, url, headers, body)
            except (requests.Timeout, requests.ConnectionError) as error:
                verdict = self.limiter.judge_error(error, attempt, verb in IDEMPOTENT)
                if not verdict.retry:
                    raise ApiUnavailable(
                        f"{verdict.reason} for {verb} {_path(url)}",
                        verdict.kind,
                        uncertain_write=verb in WRITE_METHODS,
                    ) from error
            else:
                verdict_or_none = self.limiter.judge(
                    response.status_code,
                    response.headers,
                    _text(response),
                    attempt,
                    verb in IDEMPOTENT,
                )
                if verdict_or_none is None:
                    if verb in WRITE_METHODS and response.status_code < 400:
                        self.limiter.write_succeeded()
                        self.invalidate(url)
                    return response
                verdict = verdict_or_none
                if not verdict.retry:
                    uncertain = verb in WRITE_METHODS and verdict.kind == "server"
                    raise ApiUnavailable(
                        f"{verdict.reason} for {verb} {_path(url)}", verdict.kind, uncertain
                    )
            self.limiter.wait(verdict.wait)
            attempt += 1
            self._count(retries=1)

    def _attempt(
        self, verb: str, url: str, headers: dict[str, str], body: Any
    ) -> requests.Response:
        if verb in WRITE_METHODS:
            with self.limiter.write_slot():
                self._count(writes=1)
                response = self.session.request(
                    verb,
                    url,
                    headers=headers,
                    data=body,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            self.limiter.observe(response.headers)
            return response
        self.limiter.read_slot()
        refresh = any(part in _path(url) for part in self.revalidate)
        response = self.session.request(
            verb,
            url,
            headers=headers,
            data=body,
            timeout=self.timeout,
            allow_redirects=False,
            refresh=refresh,
        )
        self._classify(url, response)
        return response

    def _classify(self, url: str, response: requests.Response) -> None:
        from_cache = bool(getattr(response, "from_cache", False))
        if from_cache and not getattr(response, "revalidated", False):
            self._count(cache_hits=1)
            return
        self.limiter.observe(response.headers)
        if _path(url).endswith("/rate_limit"):
            self._count(probes=1)
        elif from_cache:
            self._count(not_modified=1)
        else:
            self._count(full_reads=1)

    def invalidate(self, url: str) -> None:
        """Mark cached answers about the repository a write touched as stale (persisted)."""
        parts = _path(url).split("/")
        if "repos" not in parts:
            return
        at = parts.index("repos")
        scope = "/".join(parts[: at + 3]) + "/"
        cache = self.session.cache
        # Read everything first: writing while sqlite iterates would wait on its own lock.
        fresh = list(cache.filter(valid=True, expired=False))
        for response in fresh:
            if _path(response.url).startswith(scope):
                response.reset_expiration(requests_cache.EXPIRE_IMMEDIATELY)
                cache.responses[response.cache_key] = response

    def _count(self, **delta: int) -> None:
        with self._lock:
            self._stats = replace(
                self._stats, **{k: getattr(self._stats, k) + v for k, v in delta.items()}
            )

    def close(self) -> None:
        self.session.close()  # type: ignore[no-untyped-call]


def _path(url: str) -> str:
    return urlsplit(url).path


def _text(response: requests.Response) -> str:
    if response.status_code < 400:
        return ""
    try:
        return response.text[:2000]
    except (UnicodeDecodeError, requests.RequestException):
        return ""
