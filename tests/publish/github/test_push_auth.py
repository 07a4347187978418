"""The push credentials reach GitHub as ONE Authorization header, also from a checkout that
persisted its own (actions/checkout's default persist-credentials: true).

Real git against a local HTTP server that records the headers of each request.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from agentic_action.publish.github.gitpush import auth_env

PERSISTED = base64.b64encode(b"x-access-token:persisted-by-checkout").decode()
OURS = "ghs_token_of_this_job"


class Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[list[str]]] = []

    def do_GET(self) -> None:
        Recorder.seen.append(self.headers.get_all("Authorization") or [])
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def checkout_with_persisted_credentials(root: Path, server: str) -> Path:
    """What actions/checkout leaves: origin on the server and its header in .git/config."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", f"{server}/o/r.git"],
                   check=True)  # fmt: skip
    key = f"http.{server}/.extraheader"
    value = f"AUTHORIZATION: basic {PERSISTED}"
    subprocess.run(["git", "-C", str(root), "config", key, value], check=True)
    return root


def ls_remote(root: Path, extra: dict[str, str]) -> list[str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", **extra}
    subprocess.run(["git", "-C", str(root), "ls-remote", "origin"], env=env,
                   capture_output=True, check=False, timeout=30)  # fmt: skip
    assert Recorder.seen, "git sent no request"
    return Recorder.seen[0]


def test_a_persisted_header_is_reset_so_git_sends_only_the_jobs_token(
    tmp_path: Path, server: str
) -> None:
    root = checkout_with_persisted_credentials(tmp_path / "repo", server)
    extra = auth_env(OURS, f"{server}/o/r.git", {}, server_url=server)
    sent = ls_remote(root, extra)
    ours = base64.b64encode(f"x-access-token:{OURS}".encode()).decode()
    assert sent == [f"basic {ours}"]


def test_without_the_reset_git_would_send_two_authorization_headers(
    tmp_path: Path, server: str
) -> None:
    """The failure the reset prevents (GitHub answers it with 400), reproduced."""
    root = checkout_with_persisted_credentials(tmp_path / "repo", server)
    extra = auth_env(OURS, f"{server}/o/r.git", {}, server_url=server)
    header_only = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": extra["GIT_CONFIG_KEY_1"],
        "GIT_CONFIG_VALUE_0": extra["GIT_CONFIG_VALUE_1"],
    }
    assert len(ls_remote(root, header_only)) == 2


def test_settings_already_passed_through_the_environment_are_kept() -> None:
    env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory"}
    extra = auth_env(OURS, "https://github.com/o/r.git", env, server_url="https://github.com")
    assert extra["GIT_CONFIG_COUNT"] == "3"
    assert (extra["GIT_CONFIG_KEY_1"], extra["GIT_CONFIG_VALUE_1"]) == (
        "http.https://github.com/.extraheader", "",
    )  # fmt: skip
    assert extra["GIT_CONFIG_VALUE_2"].startswith("AUTHORIZATION: basic ")
    assert auth_env(OURS, "/local/path", env, server_url="https://github.com") == {}
