"""The shell of .github/actions/restore-state and save-state, run as the runner runs it: the
state a run keeps (patch store, state/, ledger, API cache) goes into the artifact and comes back
byte for byte, and the newest unexpired agentic-optimizer-state artifact is the one found.

The artifact listing comes from a local HTTP server shaped like GitHub's REST answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def step(action: str, name: str) -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / ".github" / "actions" / action / "action.yml").read_text())
    found: dict[str, Any] = next(s for s in doc["runs"]["steps"] if s["name"] == name)
    return found


def run_step(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]  # the runner's
    return subprocess.run(argv, env={"PATH": "/usr/bin:/bin", **env}, cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=60)  # fmt: skip


class Artifacts(BaseHTTPRequestHandler):
    answer: ClassVar[tuple[int, Any]] = (200, {"artifacts": []})
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        Artifacts.seen.append((self.path, self.headers.get("Authorization", "")))
        status, body = Artifacts.answer
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def api() -> Iterator[str]:
    Artifacts.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Artifacts)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def artifact(run_id: int, created: str, expired: bool = False) -> dict[str, Any]:
    return {"name": "agentic-optimizer-state", "expired": expired, "created_at": created,
            "workflow_run": {"id": run_id}}  # fmt: skip


def find_newest(api: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    script = step("restore-state", "Find the newest state artifact")["run"]
    output = tmp_path / "github_output"
    output.write_text("")
    env = {"GH_TOKEN": "ghs_t", "API_URL": api, "REPOSITORY": "octo/demo",
           "GITHUB_OUTPUT": str(output)}  # fmt: skip
    return run_step(script, env, tmp_path), output.read_text()


def test_the_newest_unexpired_state_artifact_is_found(api: str, tmp_path: Path) -> None:
    Artifacts.answer = (200, {"artifacts": [
        artifact(101, "2026-10-01T03:17:00Z"),
        artifact(303, "2026-11-30T03:17:00Z", expired=True),
        artifact(202, "2026-11-02T09:00:00Z"),
    ]})  # fmt: skip
    done, output = find_newest(api, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert output == "run-id=202\n"
    path, auth = Artifacts.seen[0]
    assert path == "/repos/octo/demo/actions/artifacts?name=agentic-optimizer-state&per_page=20"
    assert auth == "Bearer ghs_t"


@pytest.mark.parametrize(
    ("answer", "said"),
    [((200, {"artifacts": []}), "no agentic-optimizer-state artifact"),
     ((500, {"message": "Server Error"}), "::warning title=agentic-optimizer state::")],
)  # fmt: skip
def test_without_an_artifact_the_cache_is_used(
    api: str, tmp_path: Path, answer: tuple[int, Any], said: str
) -> None:
    Artifacts.answer = answer
    done, output = find_newest(api, tmp_path)
    assert done.returncode == 0 and output == ""
    assert said in done.stdout


def test_the_state_goes_into_the_artifact_and_comes_back_byte_for_byte(tmp_path: Path) -> None:
    out, api_cache = tmp_path / "run1" / "out", tmp_path / "run1" / "api-cache"
    files = {
        out / "patches" / "index.json": b'{"entries": []}',
        out / "patches" / "bafkreiabc.diff": b"--- a/x\n+++ b/x\n",
        out / "state" / "llm-cache" / "k1.json": b'{"response": "cached"}',
        out / "state" / "spend.json": b'{"2026-12": 1.25}',
        out / "ledger.sqlite": bytes(range(256)),
        out / "report.json": b"{}",  # not state: stays behind
        api_cache / "github.sqlite": b"SQLite format 3\x00",
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    upload = tmp_path / "upload"
    gather = step("save-state", "Gather the state for the artifact")["run"]
    done = run_step(gather, {"TO": str(upload), "OUT": str(out), "API_CACHE": str(api_cache)},
                    tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    downloaded = tmp_path / "download"  # what actions/download-artifact writes
    shutil.copytree(upload, downloaded)
    out2, api_cache2 = tmp_path / "run2" / "out", tmp_path / "run2" / "api-cache"
    place = step("restore-state", "Put the artifact's state in place")["run"]
    done = run_step(place, {"FROM": str(downloaded), "OUT": str(out2),
                            "API_CACHE": str(api_cache2)}, tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    for path, data in files.items():
        moved = (out2 if out in path.parents else api_cache2) / path.relative_to(
            out if out in path.parents else api_cache
        )
        assert moved.exists() == (path.name != "report.json"), moved
        if moved.exists():
            assert moved.read_bytes() == data
