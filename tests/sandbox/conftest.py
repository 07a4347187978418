"""Fixtures for the sandbox tests: places outside the worktree that are not under /tmp."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A host directory that is not under /tmp (the sandbox hides /tmp behind a private one),
    so writes to it test the read-only view of the host, not the private /tmp."""
    for base in (Path("/var/tmp"), Path.home()):
        if base.is_dir() and not str(base.resolve()).startswith("/tmp"):
            try:
                folder = Path(tempfile.mkdtemp(prefix="agentic-sandbox-test-", dir=base))
            except OSError:
                continue
            try:
                yield folder.resolve()
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return
    pytest.skip("no writable directory outside /tmp to test the read-only host view")
