"""A hostile child cannot reach the network, not even a server on the host's loopback."""

from __future__ import annotations

import os
import socket
import socketserver
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_probes import run_hostile

from agentic_action.sandbox.runner import isolation_level

CONNECT_PROBE = """
import json, socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as conn:
        conn.sendall(b"stolen")
        outcome = conn.recv(16).decode()
except OSError as error:
    outcome = type(error).__name__
print(json.dumps(outcome))
"""

UNIX_PROBE = """
import json, socket
client = socket.socket(socket.AF_UNIX)
try:
    client.connect({path!r})
    outcome = "connected"
except OSError as error:
    outcome = type(error).__name__
print(json.dumps(outcome))
"""

needs_network_isolation = pytest.mark.skipif(
    isolation_level() == "none", reason="no network namespace available at isolation 'none'"
)


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.sendall(b"reached:" + self.request.recv(16))


@pytest.fixture
def loopback_server() -> Iterator[int]:
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield int(server.server_address[1])
        finally:
            server.shutdown()


def test_the_test_server_is_reachable_from_the_host(loopback_server: int) -> None:
    with socket.create_connection(("127.0.0.1", loopback_server), timeout=3) as conn:
        conn.sendall(b"hello")
        assert conn.recv(32) == b"reached:hello"


@needs_network_isolation
def test_the_child_cannot_reach_a_server_on_the_hosts_loopback(
    tmp_path: Path, loopback_server: int
) -> None:
    outcome = run_hostile(CONNECT_PROBE.format(port=loopback_server), tmp_path)
    assert outcome.report in ("ConnectionRefusedError", "OSError", "TimeoutError")


@needs_network_isolation
def test_the_child_cannot_resolve_or_reach_outside_addresses(tmp_path: Path) -> None:
    code = (
        "import json, socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=2)\n"  # TEST-NET-1, never routed
        "    outcome = 'connected'\n"
        "except OSError as error:\n"
        "    outcome = type(error).__name__\n"
        "print(json.dumps(outcome))\n"
    )
    outcome = run_hostile(code, tmp_path)
    assert outcome.report != "connected"


@pytest.mark.skipif(isolation_level() != "bwrap", reason="needs bubblewrap's private /run")
def test_the_child_cannot_reach_a_daemon_socket_under_run(tmp_path: Path) -> None:
    if not os.access("/run", os.W_OK):
        pytest.skip("cannot create a socket under /run on this host")
    path = f"/run/agentic-probe-{uuid.uuid4().hex[:12]}.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()
    try:
        outcome = run_hostile(UNIX_PROBE.format(path=path), tmp_path)
        probe = socket.socket(socket.AF_UNIX)
        probe.connect(path)  # reachable from the host: the probe is meaningful
        probe.close()
    finally:
        server.close()
        os.unlink(path)
    assert outcome.report == "FileNotFoundError"
