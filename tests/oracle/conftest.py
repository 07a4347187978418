"""Fixtures for the oracle tests: a small real repository whose tests call the targets."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import gitrepos
import pytest

from agentic_action.model import FunctionTarget
from agentic_action.validate.oracle import RecordingReport, record_inputs

ORIGINAL = '''\
import functools


def total(xs, scale=1):
    """Sum of xs, times scale."""
    return sum(xs) * scale


def parse(text):
    return int(text)


@functools.lru_cache(maxsize=None)
def _square(x):
    return x * x


def squares(n):
    before = _square.cache_info().misses
    values = [_square(i) for i in range(n)]
    return values, _square.cache_info().misses - before
'''

TESTS = '''\
import pytest

from shop.calc import parse, squares, total


def test_total():
    assert total([1, 2, 3]) == 6
    assert total([2], scale=3) == 6
    assert total([1.5, 2.5]) == 4.0


def test_parse():
    assert parse("12") == 12
    with pytest.raises(ValueError):
        parse("twelve")


def test_squares():
    assert squares(3)[0] == [0, 1, 4]
    assert squares(2)[0] == [0, 1]
'''

TOTAL = FunctionTarget("shop/calc.py", "total", 4, 6)
PARSE = FunctionTarget("shop/calc.py", "parse", 9, 10)
SQUARES = FunctionTarget("shop/calc.py", "squares", 18, 21)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, RecordingReport]:
    """(original root, inputs dir, report) for the shop repository, recorded once per module."""
    base = tmp_path_factory.mktemp("shop")
    root = gitrepos.make_repo(
        base / "original",
        {"shop/__init__.py": "", "shop/calc.py": ORIGINAL, "tests/test_calc.py": TESTS},
    )
    report = record_inputs(root, [TOTAL, PARSE, SQUARES], out_dir=base / "inputs", timeout=120)
    return root, base / "inputs", report


@pytest.fixture
def candidate(
    recorded: tuple[Path, Path, RecordingReport], tmp_path: Path
) -> Callable[[str, str], Path]:
    """make(old, new): a copy of the original worktree with one text replacement in calc.py."""

    def make(old: str, new: str) -> Path:
        root = tmp_path / "candidate"
        shutil.copytree(recorded[0], root, ignore=shutil.ignore_patterns(".git"))
        path = root / "shop" / "calc.py"
        text = path.read_text()
        assert old in text, f"{old!r} not in the original"
        path.write_text(text.replace(old, new, 1))
        return root

    return make
