"""Structured logs: one JSON object per line with OPTIMIZER_LOG_FORMAT=json, human lines else."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from history_world import RecordedRun

from agentic_action.logs import configure_logging


@pytest.fixture()
def logger() -> Iterator[logging.Logger]:
    """The agentic_action logger, restored afterwards."""
    log = logging.getLogger("agentic_action")
    saved = (list(log.handlers), log.level, log.propagate)
    yield log
    log.handlers[:] = saved[0]
    log.setLevel(saved[1])
    log.propagate = saved[2]


def test_json_logs_of_a_real_run_are_one_valid_json_object_per_line(
    recorded_run: RecordedRun,
) -> None:
    events = [json.loads(line) for line in recorded_run.log_lines]
    assert len(events) >= 5
    for event in events:
        assert {"ts", "level", "logger", "message"} <= set(event)
        assert event["ts"].endswith("Z") and event["level"] in ("info", "warning")
        assert event["logger"].startswith("agentic_action")
    messages = [event["message"] for event in events]
    assert any(m.startswith("plan: ") for m in messages)
    assert any("accepted: all checks passed" in m for m in messages)


def test_a_json_line_holds_extras_and_a_traceback_and_never_breaks_across_lines(
    logger: logging.Logger,
) -> None:
    stream = io.StringIO()
    configure_logging({"OPTIMIZER_LOG_FORMAT": "JSON"}, stream=stream)
    logger.info("two\nlines", extra={"target": "m.py::f", "speedup": 1.5, "path": object()})
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "two\nlines"
    assert first["target"] == "m.py::f" and first["speedup"] == 1.5
    assert first["path"].startswith("<object object")  # not JSON-able: written as str()
    assert second["level"] == "error" and "ValueError: boom" in second["exception"]


def test_human_lines_by_default_name_warnings(logger: logging.Logger) -> None:
    stream = io.StringIO()
    configure_logging({}, stream=stream)
    logger.info("plan: 2 file(s)")
    logger.warning("glob matches nothing")
    logger.debug("not shown at the default level")
    assert stream.getvalue().splitlines() == [
        "[agentic-optimizer] plan: 2 file(s)",
        "[agentic-optimizer] warning: glob matches nothing",
    ]


def test_an_unknown_format_or_level_falls_back_with_one_warning_each(
    logger: logging.Logger,
) -> None:
    stream = io.StringIO()
    configure_logging({"OPTIMIZER_LOG_FORMAT": "xml", "OPTIMIZER_LOG_LEVEL": "loud"}, stream=stream)
    logger.info("still logged")
    lines = stream.getvalue().splitlines()
    assert "OPTIMIZER_LOG_FORMAT='xml' is not one of text, json; using 'text'" in lines[0]
    assert "OPTIMIZER_LOG_LEVEL='loud'" in lines[1]
    assert lines[2] == "[agentic-optimizer] still logged"


def test_the_level_can_be_raised_or_lowered(logger: logging.Logger) -> None:
    stream = io.StringIO()
    configure_logging({"OPTIMIZER_LOG_LEVEL": "debug"}, stream=stream)
    logger.debug("detail")
    configure_logging({"OPTIMIZER_LOG_LEVEL": "warning"}, stream=stream)
    logger.info("hidden")
    assert stream.getvalue().splitlines() == ["[agentic-optimizer] detail"]


def test_configuring_again_replaces_only_its_own_handler(logger: logging.Logger) -> None:
    logger.handlers[:] = []  # earlier tests in this process may have configured it already
    foreign = logging.StreamHandler(io.StringIO())
    logger.addHandler(foreign)
    first, second = io.StringIO(), io.StringIO()
    configure_logging({}, stream=first)
    configure_logging({"OPTIMIZER_LOG_FORMAT": "json"}, stream=second)
    logger.info("once")
    assert foreign in logger.handlers and len(logger.handlers) == 2
    assert first.getvalue() == ""
    assert json.loads(second.getvalue())["message"] == "once"


def test_the_cli_writes_json_lines_when_asked(recorded_run: RecordedRun, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPTIMIZER_", "GITHUB_"))}
    env["OPTIMIZER_LOG_FORMAT"] = "json"
    done = subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(recorded_run.repo),
         "--targets", "nothing/**/*.py", "--mode", "patch", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert any(
        e["level"] == "warning" and "matches no tracked file" in e["message"] for e in events
    )
