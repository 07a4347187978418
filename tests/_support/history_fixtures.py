"""One real optimization run of a tiny repository, recorded in a ledger, shared by the report,
CLI and log tests (registered in tests/conftest.py)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepos import make_repo
from history_world import TINY, RecordedRun, tiny_settings

from agentic_action.logs import configure_logging
from agentic_action.report.history import open_history
from agentic_action.run import run


@pytest.fixture(scope="session")
def tiny_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("tiny") / "repo", TINY)


@pytest.fixture(scope="session")
def recorded_run(
    tiny_repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RecordedRun]:
    """`run()` with the ledger observer, logging as JSON lines into a buffer."""
    work = tmp_path_factory.mktemp("recorded")
    out = work / "out"
    logger = logging.getLogger("agentic_action")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    buffer = io.StringIO()
    configure_logging({"OPTIMIZER_LOG_FORMAT": "json"}, stream=buffer)
    try:
        report = run(
            tiny_settings(tiny_repo, out, work), observers=[open_history(out / "ledger.sqlite")]
        )
    finally:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
    lines = buffer.getvalue().splitlines()
    yield RecordedRun(tiny_repo, out, out / "ledger.sqlite", report, lines)
