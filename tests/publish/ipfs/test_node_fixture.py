"""Without js-ipfs installed, IPFS tests skip with the reason locally and fail in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from ipfs_node import require_node_or_skip


def test_missing_node_skips_with_the_setup_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPTIMIZER_IPFS_NODE_DIR", str(tmp_path / "nowhere"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"no IPFS node: .*run \.ci/setup-ipfs\.sh"):
        require_node_or_skip()


def test_missing_node_fails_when_ci_is_true(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPTIMIZER_IPFS_NODE_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="IPFS tests must run in CI: js-ipfs is not"):
        require_node_or_skip()
