"""Opening ledger files: new, current, older (migrated), newer (refused), damaged (untouched)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agentic_action.ledger import (
    SCHEMA_VERSION,
    Ledger,
    LedgerCorruptError,
    LedgerError,
    LedgerVersionError,
    TaskStatus,
    _schema,
)


def _make_v1(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    _schema.create_v1(conn)
    rows = [
        "INSERT INTO runs VALUES ('run-1', 1700000000, 1700000100, 'finished')",
        "INSERT INTO tasks(run_id, file, function, method, priority, status, owner, created_at) "
        "VALUES ('run-1', 'src/a.py', 'slow', 'rules', 2, 'running', 'agent-1', 1700000001)",
        "INSERT INTO tasks(run_id, file, function, method, priority, status, owner, created_at) "
        "VALUES ('run-1', 'src/a.py', 'fast', 'rules', 1, 'done', 'agent-2', 1700000002)",
        "INSERT INTO tasks(run_id, file, function, method, priority, status, created_at) "
        "VALUES ('run-1', 'src/b.py', 'other', 'rules', 0, 'pending', 1700000003)",
        "INSERT INTO results(run_id, file, function, method, status, reason, speedup, created_at) "
        "VALUES ('run-1', 'src/a.py', 'fast', 'rules', 'accepted', 'hoisted loop invariant', "
        "1.5, 1700000050)",
        "INSERT INTO events(at, kind, payload) VALUES (1700000000, 'run.started', '{}')",
        "INSERT INTO llm_spend(at, run_id, model, prompt_tokens, completion_tokens, cost_usd) "
        "VALUES (1700000060, 'run-1', 'gpt-4o', 100, 20, 0.25)",  # 2023-11-14 UTC
    ]
    for sql in rows:
        conn.execute(sql)
    conn.close()


def _columns(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'results_fts%' "
            "AND name != 'sqlite_sequence' ORDER BY name"
        )
    ]
    shape = {t: [tuple(c[1:]) for c in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
    shape["indexes"] = [
        tuple(row)
        for row in conn.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name"
        )
    ]
    conn.close()
    return shape


def test_new_ledger_is_created_in_wal_mode_with_current_version(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.db"  # parent folders are created
    with Ledger.open(path) as ledger:
        assert [e.kind for e in ledger.events()] == ["ledger.created"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_closed_ledger_is_one_file(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        ledger.append("note", {"x": 1})
    assert sorted(os.listdir(tmp_path)) == ["ledger.db"]


def test_reopening_keeps_history(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        run_id = ledger.start_run(repo="org/repo")
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        run = ledger.run(run_id)
        assert run is not None and run.repo == "org/repo"
        assert [e.kind for e in ledger.events()] == ["ledger.created", "run.started"]


def test_empty_file_becomes_a_new_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.touch()
    with Ledger.open(path) as ledger:
        assert ledger.events()[0].kind == "ledger.created"


def test_newer_schema_is_refused_naming_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerVersionError) as error:
        Ledger.open(path)
    message = str(error.value)
    assert f"version {SCHEMA_VERSION + 1}" in message and f"version {SCHEMA_VERSION}" in message
    assert "upgrade agentic-optimizer" in message
    assert path.read_bytes() == before


def test_v1_ledger_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    _make_v1(path)
    with Ledger.open(path) as ledger:
        migrated = ledger.events(kind="ledger.migrated")
        assert [e.payload for e in migrated] == [{"from": 1, "to": 2, "steps": [1, 2]}]
        run = ledger.run("run-1")
        assert run is not None and run.status == "finished" and run.settings == {}
        tasks = {t.function: t for t in ledger.queue.list()}
        assert tasks["slow"].status is TaskStatus.CLAIMED  # v1 "running" is v2 "claimed"
        assert tasks["slow"].owner == "agent-1" and tasks["slow"].attempts == 1
        assert tasks["fast"].status is TaskStatus.DONE
        assert tasks["other"].status is TaskStatus.PENDING and tasks["other"].attempts == 0
        assert ledger.month_spent("2023-11") == pytest.approx(0.25)
        [found] = ledger.search(text="hoisted loop")  # old rows are searchable
        assert found.speedup == 1.5 and found.cid is None and found.ci_low is None
        assert ledger.queue.claim("agent-3") is not None  # the queue works on old rows
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_migrated_ledger_has_the_same_shape_as_a_new_one(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    _make_v1(old)
    Ledger.open(old).close()
    Ledger.open(new).close()
    assert _columns(old) == _columns(new)


def test_migration_that_fails_leaves_the_old_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    _make_v1(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE api_usage(x)")  # a v2 table name already taken: step fails
    conn.close()
    before = _columns(path)
    with pytest.raises(LedgerError, match=r"from ledger schema version 1 to 2 failed .*api_usage"):
        Ledger.open(path)
    assert _columns(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database at all\n" * 100,
        b"SQLite format 3\x00" + b"\xff" * 4080,  # the right header, garbage after it
    ],
    ids=["text-file", "garbage-after-header"],
)
def test_corrupt_file_is_refused_and_never_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(content)
    with pytest.raises(LedgerCorruptError, match="left untouched"):
        Ledger.open(path)
    assert path.read_bytes() == content
    assert sorted(os.listdir(tmp_path)) == ["ledger.db"]


def test_damaged_pages_of_a_real_ledger_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger, ledger.batch():
        for index in range(300):
            ledger.append("note", {"text": "x" * 200, "index": index})
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\x5a" * (4096 * 3)  # stomp on some b-tree pages
    path.write_bytes(bytes(data))
    with pytest.raises(LedgerCorruptError):
        Ledger.open(path)
    assert path.read_bytes() == bytes(data)


def test_other_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users(name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerCorruptError, match="not an agentic-optimizer ledger"):
        Ledger.open(path)
    assert path.read_bytes() == before


def test_directory_path_is_refused_with_a_file_example(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="is a directory; give a file path"):
        Ledger.open(tmp_path)


def test_unknown_text_search_choice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="text_search must be one of"):
        Ledger.open(tmp_path / "ledger.db", text_search="grep")


def test_text_search_kind_is_kept_by_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(path, text_search="like").close()
    with Ledger.open(path) as ledger:  # "auto" would pick FTS5 here; the file says LIKE
        assert ledger.text_search == "like"
