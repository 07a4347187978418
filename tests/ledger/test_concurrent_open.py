"""Several processes opening the same new ledger at the same instant all get it.

Real processes (as the agents and shards sharing a ledger are), released together for each new
ledger file by one write to each one's stdin; each opens the file, appends one event and closes
it. Every child reports, per file, either success or its full traceback, so a failure says what
happened. ``LEDGER_OPEN_STRESS_ROUNDS`` raises the number of files (to hunt a rare race by hand).
The tests after it force, in one process, the interleavings that the stress test found.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import pytest

from agentic_action.ledger import Ledger, LedgerCorruptError, _open, _schema
from agentic_action.model import OptimizationResult

PROCESSES = 4
ROUNDS = int(os.environ.get("LEDGER_OPEN_STRESS_ROUNDS", "12"))
TIMEOUT_SECONDS = 120.0  # a hang (not mere slowness) fails the test instead of stalling CI

CHILD = """
import json, os, sys, traceback
from pathlib import Path
from agentic_action.ledger import Ledger

folder = Path(sys.argv[1])
print(json.dumps({"ready": os.getpid()}), flush=True)
for line in sys.stdin:  # one line per new ledger file: the go signal
    path = folder / line.strip()
    report = {"pid": os.getpid(), "file": path.name}
    try:
        with Ledger.open(path) as ledger:
            ledger.append("opened", {"pid": os.getpid()})
    except BaseException:
        report["error"] = traceback.format_exc()
    print(json.dumps(report), flush=True)
"""


def _read(stream: IO[str] | None) -> dict[str, Any]:
    assert stream is not None
    line = stream.readline()
    return json.loads(line) if line else {"error": "the child exited without a report"}


def test_processes_opening_one_new_ledger_at_once_all_succeed(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    logs = [(tmp_path / f"child-{n}.stderr").open("w+") for n in range(PROCESSES)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(tmp_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
            cwd=root,
        )
        for log in logs
    ]

    def kill_all() -> None:
        for child in children:
            child.kill()

    watchdog = threading.Timer(TIMEOUT_SECONDS, kill_all)
    watchdog.start()
    failures: list[str] = []
    files = [f"ledger-{n}.db" for n in range(ROUNDS)]
    try:
        pids = [int(_read(child.stdout).get("ready") or 0) for child in children]
        assert all(pids), _stderr(logs)  # every child started and is waiting
        for name in files:
            for child in children:  # all blocked on stdin: released within microseconds
                assert child.stdin is not None
                child.stdin.write(name + "\n")
                child.stdin.flush()
            for child in children:
                report = _read(child.stdout)
                if "error" in report:
                    failures.append(f"{name}, process {report.get('pid')}:\n{report['error']}")
    finally:
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
        for child in children:
            child.wait(timeout=TIMEOUT_SECONDS)
        watchdog.cancel()
        stderr = _stderr(logs)
        for log in logs:
            log.close()
    assert not failures, "\n".join(failures) + stderr
    assert [child.returncode for child in children] == [0] * PROCESSES, stderr
    for name in files:
        with Ledger.open(tmp_path / name) as ledger:
            opened = sorted(event.payload["pid"] for event in ledger.events(kind="opened"))
            created = ledger.events(kind="ledger.created")
        assert opened == sorted(pids), name
        assert len(created) == 1, name


def _stderr(logs: Sequence[IO[str]]) -> str:
    text = ""
    for log in logs:
        log.seek(0)
        text += log.read()
    return "\nchildren's stderr:\n" + text if text.strip() else ""


# --- the same interleavings, made to happen every time ------------------------------------


def _when_opener_starts(
    monkeypatch: pytest.MonkeyPatch, sql: str, action: Callable[[], None]
) -> None:
    """Run ``action`` once, as the opening connection starts its first statement beginning
    with ``sql`` (between two of its statements, as another process could)."""
    connect = _open._connect

    def connect_and_trace(path: Path, existing: bool) -> sqlite3.Connection:
        conn = connect(path, existing)
        done: list[str] = []

        def trace(statement: str) -> None:
            if statement.startswith(sql) and not done:
                done.append(statement)
                action()

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(_open, "_connect", connect_and_trace)


def _create_elsewhere(path: Path, text_search: str, outcome: list[str]) -> None:
    """Another connection creates the ledger, without waiting for any lock."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        _schema.create_current(other, text_search)
        other.execute("COMMIT")
        outcome.append("created")
    except sqlite3.OperationalError as error:
        outcome.append(str(error))
    finally:
        other.close()


def test_a_ledger_created_between_the_reads_of_the_first_look_is_not_taken_for_foreign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read as separate statements, the first look saw no version and no mark from before the
    # other's commit, and tables from after it: "not an agentic-optimizer ledger".
    path = tmp_path / "ledger.db"
    outcome: list[str] = []
    _when_opener_starts(
        monkeypatch,
        "SELECT count(*) FROM sqlite_master",
        lambda: _create_elsewhere(path, "like", outcome),
    )
    with Ledger.open(path) as ledger:
        ledger.append("opened", {})
    assert outcome == ["database is locked"]  # the look holds a read lock until it is done
    with Ledger.open(path) as ledger:
        assert len(ledger.events(kind="opened")) == 1
        assert len(ledger.events(kind="ledger.created")) == 1


@pytest.mark.skipif(not _schema.fts5_available(), reason="this SQLite has no FTS5")
def test_a_ledger_created_by_another_process_keeps_the_text_search_it_was_made_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_result: Callable[..., OptimizationResult]
) -> None:
    # The other process creates the file after our first look (empty) and before our write lock.
    path = tmp_path / "ledger.db"
    outcome: list[str] = []
    _when_opener_starts(
        monkeypatch, "BEGIN IMMEDIATE", lambda: _create_elsewhere(path, "fts5", outcome)
    )
    with Ledger.open(path, text_search="like") as ledger:
        assert outcome == ["created"]
        assert ledger.text_search == "fts5"
        ledger.record_result(make_result(function="slow_sum"))
        assert [record.function for record in ledger.search(text="slow")] == ["slow_sum"]
        assert ledger.events(kind="ledger.created") == []


def test_a_file_marked_as_a_ledger_without_a_schema_version_is_refused_at_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {_schema.APPLICATION_ID}")
    conn.execute("CREATE TABLE runs(id TEXT)")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    started = time.monotonic()
    with pytest.raises(LedgerCorruptError, match="no schema version"):
        Ledger.open(path)
    assert time.monotonic() - started < 5  # no waiting for a creator that cannot exist
    assert path.read_bytes() == content
