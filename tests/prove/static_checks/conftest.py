"""Fixtures for the static-check tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_probes import host_dir_outside_tmp


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A host directory that is not under /tmp: the sandbox hides the host's /tmp, so what must
    be visible (or read-only rather than private) inside it lives here."""
    with host_dir_outside_tmp() as folder:
        if folder is None:
            pytest.skip("no writable directory outside /tmp on this host")
        yield folder
