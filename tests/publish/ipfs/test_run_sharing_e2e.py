"""A run with OPTIMIZER_IPFS_API pins its patches on a real node; apply fetches them back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from gitrepos import git, make_repo
from ipfs_node import IpfsNode

from agentic_action.patches.cid import cid_of

SOURCE = (
    "def evens(values):\n    out = []\n    for v in values:\n        out.append(v * 2)\n"
    "    return out\n"
)
TESTS = "from mod import evens\n\n\ndef test_evens():\n    assert evens([1, 2]) == [2, 4]\n"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("OPTIMIZER_")} | env
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", *args],
        capture_output=True, text=True, env=full, timeout=300, check=False,
    )  # fmt: skip


def _optimize(repo: Path, out: Path, api: str) -> subprocess.CompletedProcess[str]:
    return _cli(
        "optimize", "--repo", str(repo), "--targets", "mod.py", "--mode", "patch",
        "--validation-level", "quick", "--out", str(out),
        env={"OPTIMIZER_IPFS_API": api},
    )  # fmt: skip


def test_patches_are_pinned_with_the_local_cids_and_apply_fetches_them(
    tmp_path: Path, ipfs_node: IpfsNode
) -> None:
    repo = make_repo(tmp_path / "repo", {"mod.py": SOURCE, "test_mod.py": TESTS})
    done = _optimize(repo, tmp_path / "out", ipfs_node.api)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    patch = report["results"][0]["patch"]
    forward = (tmp_path / "out" / patch["path"]).read_bytes()
    assert cid_of(forward) == patch["cid"]
    assert set(report["ipfs"]["pinned"]) == {patch["cid"], patch["reverse_cid"]}
    assert report["ipfs"]["index_pinned"] is True

    shutil.rmtree(tmp_path / "out")  # the local store is gone: IPFS still has the patch
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    applied = _cli(
        "apply", patch["cid"], "--repo", str(clone), "--patches", str(tmp_path / "none"),
        env={"OPTIMIZER_IPFS_API": ipfs_node.api},
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "fetched from IPFS" in applied.stdout
    assert "out.append" not in (clone / "mod.py").read_text()


def test_a_node_that_is_down_loses_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"mod.py": SOURCE, "test_mod.py": TESTS})
    done = _optimize(repo, tmp_path / "out", "/ip4/127.0.0.1/tcp/9")  # nothing listens there
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    patch = report["results"][0]["patch"]
    assert (tmp_path / "out" / patch["path"]).is_file()
    assert report["ipfs"]["pinned"] == []
    assert patch["cid"] in report["ipfs"]["kept_locally_only"]


def test_a_malformed_multiaddr_is_refused_before_anything_runs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"mod.py": SOURCE, "test_mod.py": TESTS})
    done = _optimize(repo, tmp_path / "out", "localhost:5001")
    assert done.returncode == 2
    assert "localhost:5001" in done.stderr
    assert not (tmp_path / "out").exists()
