"""Fixtures of the record and behaviour tests: a small real repository whose tests call the
targets (registered in tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import gitrepos
import pytest
from oracle_shop import ORIGINAL, PARSE, SQUARES, TESTS, TOTAL

from agentic_action.record import RecordingReport, record_inputs


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
    """make(old, new): a copy of the original worktree with one text replacement in calc.py
    (each call its own copy)."""
    made: list[Path] = []

    def make(old: str, new: str) -> Path:
        root = tmp_path / ("candidate" if not made else f"candidate-{len(made)}")
        made.append(root)
        shutil.copytree(recorded[0], root, ignore=shutil.ignore_patterns(".git"))
        path = root / "shop" / "calc.py"
        text = path.read_text()
        assert old in text, f"{old!r} not in the original"
        path.write_text(text.replace(old, new, 1))
        return root

    return make
