"""The coordination tests' tiny repositories need no pytest plugin: start their pytest fast."""

from __future__ import annotations

import pytest
from coordinate_repos import FAST_PYTEST


@pytest.fixture(autouse=True)
def _fast_repository_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_PYTEST.items():
        monkeypatch.setenv(name, value)
