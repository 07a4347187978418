"""cid_of against js-ipfs's own `ipfs add` importer, when .ci/setup-ipfs.sh has installed it.

The importer (ipfs-unixfs-importer, the code behind js-ipfs `add`) runs in node over an
in-memory block store with cidVersion 1 and raw leaves; no daemon and no network are used.
Skipped where node or the importer is missing; the pinned vectors in test_cid.py still run.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from agentic_action.patches.cid import IPFS_CHUNK_SIZE, cid_of

AddCids = Callable[[list[bytes]], list[str]]
IMPORTER = (
    Path(__file__).resolve().parents[2]
    / ".ci/node/ipfs/node_modules/ipfs-unixfs-importer/src/index.js"
)
SCRIPT = """
import { importer } from %s
import fs from 'node:fs'
const store = { put: async (cid) => cid, has: async () => false, get: async () => null }
for (const name of process.argv.slice(2)) {
  const content = fs.readFileSync(name)
  for await (const entry of importer([{ content }], store, { cidVersion: 1, rawLeaves: true })) {
    console.log(entry.cid.toString())
  }
}
"""


@pytest.fixture
def ipfs_add_cids(tmp_path: Path) -> AddCids:
    node = shutil.which("node")
    if node is None or not IMPORTER.is_file():
        pytest.skip("node or ipfs-unixfs-importer (.ci/setup-ipfs.sh) is not installed")
    script = tmp_path / "add.mjs"
    script.write_text(SCRIPT % repr(IMPORTER.as_uri()), encoding="utf-8")

    def run(blobs: list[bytes]) -> list[str]:
        names: list[str] = []
        for index, blob in enumerate(blobs):
            path = tmp_path / f"blob{index}"
            path.write_bytes(blob)
            names.append(str(path))
        done = subprocess.run(
            [node, str(script), *names], capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout.split()

    return run


def test_cid_of_equals_ipfs_add_cid_version_1_raw_leaves_up_to_one_chunk(
    ipfs_add_cids: AddCids,
) -> None:
    rng = random.Random(7)
    sizes = [0, 1, 11, 1000, 65_536, IPFS_CHUNK_SIZE - 1, IPFS_CHUNK_SIZE]
    blobs = [rng.randbytes(size) for size in sizes]
    blobs.append(Path(__file__).read_bytes())
    assert ipfs_add_cids(blobs) == [cid_of(blob) for blob in blobs]


def test_ipfs_add_chunks_files_over_one_chunk_so_the_store_refuses_them(
    ipfs_add_cids: AddCids,
) -> None:
    blob = os.urandom(IPFS_CHUNK_SIZE + 1)
    [added] = ipfs_add_cids([blob])
    assert added.startswith("bafybei")  # a dag-pb root over two raw leaves
    assert added != cid_of(blob)
