"""A real IPFS node for tests: js-ipfs (installed by .ci/setup-ipfs.sh) in a temporary repo.

Use the session fixture from a conftest.py::

    from ipfs_node import ipfs_node  # noqa: F401  (the fixture)

    def test_something(ipfs_node: IpfsNode) -> None:
        client = IpfsClient.from_multiaddr(ipfs_node.api)

The node runs offline (no peers, no network) with its HTTP RPC API, gateway and gRPC ports on
free 127.0.0.1 ports, so it never clashes with another node on 5001/5002. When js-ipfs is not
installed the fixture skips the test with the reason, or fails it when CI=true (CI must not
pass by skipping).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SETUP_SCRIPT = ".ci/setup-ipfs.sh"
START_TIMEOUT_SECONDS = 60.0


def node_dir() -> Path:
    """Where .ci/setup-ipfs.sh installs js-ipfs (same override variable as the script)."""
    return Path(os.environ.get("OPTIMIZER_IPFS_NODE_DIR") or REPO_ROOT / ".ci" / "node" / "ipfs")


def jsipfs_path() -> Path:
    return node_dir() / "node_modules" / ".bin" / "jsipfs"


def missing_reason() -> str | None:
    """Why no node can be started here, or None when one can."""
    if shutil.which("node") is None:
        return "Node.js ('node') is not on PATH; install Node 20 and run " + SETUP_SCRIPT
    if not jsipfs_path().exists():
        return f"js-ipfs is not installed at {jsipfs_path()}; run {SETUP_SCRIPT} (takes ~3 min)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class IpfsNode:
    api: str  # the RPC API multiaddr, e.g. "/ip4/127.0.0.1/tcp/40123"
    api_port: int
    repo: Path  # its IPFS_PATH
    log: Path  # the daemon's stdout and stderr
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own process group (start_new_session)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _configure(repo: Path) -> int:
    """Point every listener at a free local port and drop all network discovery."""
    config_path = repo / "config"
    config = json.loads(config_path.read_text())
    api_port = free_port()
    config["Addresses"].update(
        API=f"/ip4/127.0.0.1/tcp/{api_port}",
        Gateway=f"/ip4/127.0.0.1/tcp/{free_port()}",
        RPC=f"/ip4/127.0.0.1/tcp/{free_port()}",
        Swarm=[],
        Delegates=[],
    )
    config["Bootstrap"] = []
    config["Discovery"] = {"MDNS": {"Enabled": False}, "webRTCStar": {"Enabled": False}}
    config_path.write_text(json.dumps(config, indent=1))
    return api_port


def _answers(api_port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{api_port}/api/v0/version", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_node(workdir: Path) -> IpfsNode:
    """Init a repo under ``workdir``, start the daemon offline and wait until its API answers."""
    reason = missing_reason()
    if reason is not None:
        raise RuntimeError(reason)
    repo, log = workdir / "repo", workdir / "daemon.log"
    env = {**os.environ, "IPFS_PATH": str(repo)}
    command = ["node", str(jsipfs_path())]
    subprocess.run(
        [*command, "init", "--algorithm=ed25519"], env=env, check=True, capture_output=True
    )
    api_port = _configure(repo)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "daemon", "--offline", "--enable-preload=false"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    node = IpfsNode(f"/ip4/127.0.0.1/tcp/{api_port}", api_port, repo, log, process)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if b"Daemon is ready" in log.read_bytes() and _answers(api_port):
            return node
        time.sleep(0.2)
    node.stop()
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"js-ipfs daemon did not become ready in {START_TIMEOUT_SECONDS}s:\n{tail}")


def require_node_or_skip() -> None:
    """Skip (or, with CI=true, fail) the current test when no node can be started."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"IPFS tests must run in CI: {reason}", pytrace=False)
    pytest.skip(f"no IPFS node: {reason}")


@pytest.fixture(scope="session")
def ipfs_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IpfsNode]:
    """One js-ipfs daemon for the whole test session, stopped at the end."""
    require_node_or_skip()
    node = start_node(tmp_path_factory.mktemp("ipfs-node"))
    try:
        yield node
    finally:
        node.stop()
