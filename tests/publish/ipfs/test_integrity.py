"""A node that lies (wrong CID, wrong bytes) is caught: nothing it says is taken on trust.

The liar is a small local HTTP server speaking the Kubo RPC API's shapes for add and cat.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agentic_action.patches.cid import cid_of
from agentic_action.publish.ipfs import IpfsClient, IpfsError, IpfsIntegrityError

WRONG_BYTES = b"this is not the patch you asked for"


class _LyingNode(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/api/v0/add"):
            body = json.dumps({"Name": "x", "Hash": cid_of(b"other bytes"), "Size": "11"})
            self._send(200, body.encode(), "application/json")
        elif self.path.startswith("/api/v0/cat"):
            self._send(200, WRONG_BYTES, "text/plain")
        else:
            message = {"Message": "the liar refuses this", "Code": 0, "Type": "error"}
            self._send(500, json.dumps(message).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def liar() -> Iterator[IpfsClient]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LyingNode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with IpfsClient.from_multiaddr(f"/ip4/127.0.0.1/tcp/{server.server_port}") as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


def test_node_answering_another_cid_for_our_bytes_is_caught(liar: IpfsClient) -> None:
    with pytest.raises(IpfsIntegrityError, match="their CIDv1 raw is"):
        liar.add(b"the patch")
    published = liar.publish(b"the patch")
    assert not published.remote and "kept locally only" in published.detail


def test_bytes_that_do_not_hash_to_the_cid_are_discarded(liar: IpfsClient) -> None:
    with pytest.raises(IpfsIntegrityError, match="do not hash to it; they were discarded"):
        liar.cat(cid_of(b"the patch"))


def test_node_error_message_is_passed_on(liar: IpfsClient) -> None:
    with pytest.raises(IpfsError, match=r"refused pin ls .*the liar refuses this"):
        liar.pinned(cid_of(b"the patch"))
