"""One real project for all method tests (git repo, green baseline, proof services), a scripted
OpenAI-compatible server per test, and the answers the tests script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from methods_world import Project, method_project

MOD = """def evens(values: list[int], strict: bool = False) -> list[int]:
    if strict and not values:
        raise ValueError("no values")
    out = []
    for v in values:
        if v % 2 == 0:
            out.append(v)
    return out


def has_dup(values: list[int]) -> bool:
    seen = []
    for v in values:
        if v in seen:
            return True
        seen.append(v)
    return False
"""
STORE = """def save_lines(path, lines):
    with open(path, "w") as handle:
        for line in lines:
            handle.write(line + "\\n")


def load_lines(path):
    try:
        with open(path) as handle:
            return handle.read().splitlines()
    except OSError:
        return []
"""
TEST_MOD = """from pkg.mod import evens, has_dup


def test_evens():
    assert evens([1, 2, 3, 4]) == [2, 4]


def test_has_dup():
    assert has_dup([1, 2, 1])
    assert not has_dup([1, 2, 3])
"""
TEST_STORE = """from pkg.store import load_lines, save_lines


def test_save_lines(tmp_path):
    target = tmp_path / "out.txt"
    save_lines(target, ["a", "b"])
    assert target.read_text() == "a\\nb\\n"


def test_load_lines(tmp_path):
    target = tmp_path / "in.txt"
    target.write_text("x\\ny\\n")
    assert load_lines(target) == ["x", "y"]
    assert load_lines(tmp_path / "missing.txt") == []
"""
FILES = {
    "pkg/__init__.py": "",
    "pkg/mod.py": MOD,
    "pkg/store.py": STORE,
    "tests/test_mod.py": TEST_MOD,
    "tests/test_store.py": TEST_STORE,
}


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with method_project(tmp_path_factory.mktemp("methods"), FILES) as made:
        yield made


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as running:
        yield running


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"
