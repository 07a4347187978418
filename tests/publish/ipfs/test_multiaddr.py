"""The IPFS API address is checked at the door; an unreachable node is a clear, quick error."""

from __future__ import annotations

import pytest
from ipfs_node import free_port

from agentic_action.patches.cid import cid_of
from agentic_action.publish.ipfs import (
    EXAMPLE_MULTIADDR,
    IpfsClient,
    IpfsUnavailableError,
    parse_multiaddr,
)


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("/ip4/127.0.0.1/tcp/5001", "http://127.0.0.1:5001/api/v0"),
        ("/ip4/127.0.0.1/tcp/5002/http", "http://127.0.0.1:5002/api/v0"),
        ("/ip6/::1/tcp/5001", "http://[::1]:5001/api/v0"),
        ("/dns4/ipfs.internal/tcp/443/https", "https://ipfs.internal:443/api/v0"),
        ("/dns/localhost/tcp/5001", "http://localhost:5001/api/v0"),
    ],
)
def test_valid_multiaddrs_are_accepted(addr: str, url: str) -> None:
    assert parse_multiaddr(addr).url == url


@pytest.mark.parametrize(
    ("addr", "why"),
    [
        ("127.0.0.1:5001", "expected /<ip4"),
        ("http://127.0.0.1:5001", "expected /<ip4"),
        ("/ip4/127.0.0.1/udp/5001", "expected /<ip4"),
        ("/ip4/127.0.0.1/tcp", "expected /<ip4"),
        ("/ip4/300.1.1.1/tcp/5001", "not an ip4 address"),
        ("/ip4/::1/tcp/5001", "not an ip4 address"),
        ("/ip6/127.0.0.1/tcp/5001", "not an ip6 address"),
        ("/dns4/bad_host!/tcp/5001", "not a host name"),
        ("/onion3/abc/tcp/5001", "unknown protocol"),
        ("/ip4/127.0.0.1/tcp/0", "port '0'"),
        ("/ip4/127.0.0.1/tcp/70000", "port '70000'"),
        ("/ip4/127.0.0.1/tcp/5001/ws", "expected /<ip4"),
        ("", "expected /<ip4"),
    ],
)
def test_malformed_multiaddr_is_refused_naming_it_and_an_example(addr: str, why: str) -> None:
    with pytest.raises(ValueError) as error:
        IpfsClient.from_multiaddr(addr)
    message = str(error.value)
    assert repr(addr) in message and why in message and EXAMPLE_MULTIADDR in message


def test_unreachable_node_raises_a_clear_error_on_first_use() -> None:
    closed = f"/ip4/127.0.0.1/tcp/{free_port()}"  # nothing listens there
    client = IpfsClient.from_multiaddr(closed)  # constructing contacts nothing
    with client, pytest.raises(IpfsUnavailableError) as error:
        client.version()
    message = str(error.value)
    assert f"IPFS node at {closed}/http is unavailable" in message
    assert "connection failed" in message and "connect timeout 2s" in message
    assert "OPTIMIZER_IPFS_API" in message


def test_unreachable_node_keeps_patches_locally_without_raising() -> None:
    data = b"--- a/m.py\n+++ b/m.py\n"
    with IpfsClient.from_multiaddr(f"/ip4/127.0.0.1/tcp/{free_port()}") as client:
        published = client.publish(data)
        announced = client.announce("run-1", [published.cid])
    assert published.cid == cid_of(data) and not published.remote
    assert published.detail.startswith("kept locally only: IPFS node at")
    assert not announced.remote and not announced.pubsub
    assert announced.detail.startswith("kept locally only")
