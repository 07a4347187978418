"""IPFS add (+pin) and cat latency through IpfsClient, for a few patch sizes.

Usage: PYTHONPATH=. python benchmarks/ipfs_latency.py [--api MULTIADDR] [--repeat 30]

Without --api it starts the js-ipfs test node (.ci/setup-ipfs.sh installs it) offline on free
local ports and stops it at the end. Each sample adds fresh random bytes (so no add is a
no-op), then cats them back (hash verified, as in production). Each call is a new HTTP
connection, as IpfsClient makes them. Prints median and 95th percentile per size, in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from agentic_action.patches.cid import IPFS_CHUNK_SIZE
from agentic_action.publish.ipfs import IpfsClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "_support"))
import ipfs_node  # the test helper that starts a node

SIZES = (1_024, 16_384, 65_536, IPFS_CHUNK_SIZE)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _measure(client: IpfsClient, size: int, repeat: int) -> tuple[list[float], list[float]]:
    adds, cats = [], []
    for _ in range(repeat):
        data = os.urandom(size)
        start = time.perf_counter()
        cid = client.add(data)
        adds.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert client.cat(cid) == data
        cats.append(time.perf_counter() - start)
    return adds, cats


def _report(client: IpfsClient, repeat: int) -> None:
    print(f"node {client.address.multiaddr}, version {client.version()}, {repeat} samples/size")
    heads = ("add median", "add p95", "cat median", "cat p95")
    print(f"| {'size':>8} | " + " | ".join(f"{head:>10}" for head in heads) + " |")
    print(f"|{'-' * 10}|" + "|".join("-" * 12 for _ in heads) + "|")
    _measure(client, 1_024, 5)  # warm-up: node caches, Python imports
    for size in SIZES:
        adds, cats = _measure(client, size, repeat)
        ms = [1000 * statistics.median(adds), 1000 * _p95(adds)]
        ms += [1000 * statistics.median(cats), 1000 * _p95(cats)]
        print(f"| {size:>8} | " + " | ".join(f"{value:>8.1f}ms" for value in ms) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", help="RPC API multiaddr of a running node (default: start one)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if args.api:
        with IpfsClient.from_multiaddr(args.api) as client:
            _report(client, args.repeat)
        return
    reason = ipfs_node.missing_reason()
    if reason is not None:
        sys.exit(f"ipfs_latency: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        node = ipfs_node.start_node(Path(tmp))
        try:
            with IpfsClient.from_multiaddr(node.api) as client:
                _report(client, args.repeat)
        finally:
            node.stop()


if __name__ == "__main__":
    main()
