"""One real project for all method tests (git repo, green baseline, proof services) and a
scripted OpenAI-compatible server per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from methods_world import PROJECT_FILES, Project, method_project


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with method_project(tmp_path_factory.mktemp("methods"), PROJECT_FILES) as made:
        yield made


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as running:
        yield running


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"
