"""The ledger's schema, its version, and the path from each older version to the current one.

The version lives in ``PRAGMA user_version``; ``PRAGMA application_id`` marks the file as ours.
Version history:

* v1 — the first shape: runs, tasks (no attempts, leases or dependencies; a claimed task was
  "running"), results (no confidence interval, no CIDs), events (no run or subject), llm_spend
  (no month, no method). Kept here so that old files can be migrated and the migration tested.
* v2 — current: adds task attempts/leases/dependencies, result CIs and CIDs, event run/subject,
  spend month/method, GitHub API usage, conflicts, a meta table and text search.

A migration runs inside one transaction: it either completes or leaves the file as it was.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x414F4C47  # "AOLG": agentic-optimizer ledger
SCHEMA_VERSION = 2

# --- v1: only used to migrate old files (and by tests to make one) -------------------------
V1_SCHEMA = """
CREATE TABLE runs(id TEXT PRIMARY KEY, started_at REAL NOT NULL, finished_at REAL,
    status TEXT NOT NULL DEFAULT 'running');
CREATE TABLE tasks(id INTEGER PRIMARY KEY, run_id TEXT, file TEXT NOT NULL,
    function TEXT NOT NULL, method TEXT NOT NULL DEFAULT '', priority REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending', owner TEXT, created_at REAL NOT NULL);
CREATE TABLE results(id INTEGER PRIMARY KEY, run_id TEXT, file TEXT NOT NULL,
    function TEXT NOT NULL, method TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', speedup REAL, created_at REAL NOT NULL);
CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,
    kind TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '{}');
CREATE TABLE llm_spend(id INTEGER PRIMARY KEY, at REAL NOT NULL, run_id TEXT,
    model TEXT NOT NULL, prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0, cost_usd REAL NOT NULL);
CREATE INDEX tasks_status ON tasks(status);
"""

# --- v2: the current shape ------------------------------------------------------------------
_V2_TABLES = """
CREATE TABLE runs(id TEXT PRIMARY KEY, started_at REAL NOT NULL, finished_at REAL,
    status TEXT NOT NULL DEFAULT 'running', repo TEXT NOT NULL DEFAULT '',
    base_commit TEXT NOT NULL DEFAULT '', shard TEXT NOT NULL DEFAULT '',
    settings TEXT NOT NULL DEFAULT '{}', summary TEXT NOT NULL DEFAULT '{}');
CREATE TABLE tasks(id INTEGER PRIMARY KEY, run_id TEXT, file TEXT NOT NULL,
    function TEXT NOT NULL, method TEXT NOT NULL DEFAULT '', priority REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending', owner TEXT, created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL DEFAULT 3,
    payload TEXT NOT NULL DEFAULT '{}', last_error TEXT NOT NULL DEFAULT '',
    claimed_at REAL, lease_until REAL, finished_at REAL);
CREATE TABLE results(id INTEGER PRIMARY KEY, run_id TEXT, file TEXT NOT NULL,
    function TEXT NOT NULL, method TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', speedup REAL, created_at REAL NOT NULL,
    task_id INTEGER, ci_low REAL, ci_high REAL, cid TEXT, reverse_cid TEXT,
    destination TEXT NOT NULL DEFAULT 'none', details TEXT NOT NULL DEFAULT '{}');
CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL,
    kind TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '{}', run_id TEXT,
    subject TEXT NOT NULL DEFAULT '');
CREATE TABLE llm_spend(id INTEGER PRIMARY KEY, at REAL NOT NULL, run_id TEXT,
    model TEXT NOT NULL, prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0, cost_usd REAL NOT NULL,
    month TEXT NOT NULL DEFAULT '', method TEXT NOT NULL DEFAULT '');
"""

# Objects new in v2: created as they are by a fresh ledger and by the v1 -> v2 migration.
_V2_NEW_OBJECTS = """
CREATE TABLE task_deps(task_id INTEGER NOT NULL, depends_on INTEGER NOT NULL,
    PRIMARY KEY(task_id, depends_on)) WITHOUT ROWID;
CREATE TABLE api_usage(run_id TEXT PRIMARY KEY, full_requests INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0, cache_hits INTEGER NOT NULL DEFAULT 0,
    writes INTEGER NOT NULL DEFAULT 0, rate_remaining INTEGER, updated_at REAL NOT NULL);
CREATE TABLE conflicts(id INTEGER PRIMARY KEY, run_id TEXT, patch_cids TEXT NOT NULL,
    files TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
    resolution TEXT NOT NULL DEFAULT '', merged_cid TEXT, created_at REAL NOT NULL,
    updated_at REAL NOT NULL);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX runs_started ON runs(started_at);
CREATE INDEX tasks_queue ON tasks(status, priority DESC, id);
CREATE INDEX tasks_function ON tasks(file, function, status);
CREATE INDEX tasks_run ON tasks(run_id, status);
CREATE INDEX task_deps_reverse ON task_deps(depends_on);
CREATE INDEX results_file ON results(file, function);
CREATE INDEX results_function ON results(function);
CREATE INDEX results_status ON results(status);
CREATE INDEX results_method ON results(method);
CREATE INDEX results_run ON results(run_id);
CREATE INDEX results_cid ON results(cid);
CREATE INDEX events_kind ON events(kind, id);
CREATE INDEX events_run ON events(run_id, id);
CREATE INDEX events_subject ON events(subject, id);
CREATE INDEX llm_spend_month ON llm_spend(month);
CREATE INDEX llm_spend_run ON llm_spend(run_id);
CREATE INDEX conflicts_status ON conflicts(status);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"""

# Text search over results: FTS5 where this SQLite has it, else a lower-cased column that a
# LIKE scans (no B-tree index can serve '%word%'; the exact-match indexes still narrow it).
_FTS5_SEARCH = """
CREATE VIRTUAL TABLE results_fts USING fts5(file, function, method, status, reason,
    content='results', content_rowid='id');
CREATE TRIGGER results_fts_insert AFTER INSERT ON results BEGIN
    INSERT INTO results_fts(rowid, file, function, method, status, reason)
    VALUES (new.id, new.file, new.function, new.method, new.status, new.reason); END;
CREATE TRIGGER results_fts_delete AFTER DELETE ON results BEGIN
    INSERT INTO results_fts(results_fts, rowid, file, function, method, status, reason)
    VALUES ('delete', old.id, old.file, old.function, old.method, old.status, old.reason); END;
CREATE TRIGGER results_fts_update AFTER UPDATE ON results BEGIN
    INSERT INTO results_fts(results_fts, rowid, file, function, method, status, reason)
    VALUES ('delete', old.id, old.file, old.function, old.method, old.status, old.reason);
    INSERT INTO results_fts(rowid, file, function, method, status, reason)
    VALUES (new.id, new.file, new.function, new.method, new.status, new.reason); END;
INSERT INTO results_fts(results_fts) VALUES ('rebuild');
"""
# The LIKE fallback: a column holding " " + the words of the searchable fields, lower-cased and
# separated by single spaces, so that a word prefix is found with LIKE "% word%" much as FTS5's
# unicode61 tokenizer finds it. Written by the ledger's own insert (see search_text()).
_LIKE_SEARCH = """
ALTER TABLE results ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
"""
_WORD = re.compile(r"[^\W_]+")


def search_text(*fields: str) -> str:
    """The LIKE fallback's text for one result row."""
    return "".join(f" {word}" for field in fields for word in _WORD.findall(field.lower()))


def _fill_search_text(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT id, file, function, method, status, reason FROM results")
    conn.executemany(
        "UPDATE results SET search_text = ? WHERE id = ?",
        [(search_text(*row[1:]), row[0]) for row in rows.fetchall()],
    )


_V1_TO_V2 = """
ALTER TABLE runs ADD COLUMN repo TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN base_commit TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN shard TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3;
ALTER TABLE tasks ADD COLUMN payload TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN claimed_at REAL;
ALTER TABLE tasks ADD COLUMN lease_until REAL;
ALTER TABLE tasks ADD COLUMN finished_at REAL;
UPDATE tasks SET status = 'claimed', attempts = 1, claimed_at = created_at
    WHERE status = 'running';
UPDATE tasks SET attempts = 1 WHERE status IN ('done', 'failed');
DROP INDEX tasks_status;
ALTER TABLE results ADD COLUMN task_id INTEGER;
ALTER TABLE results ADD COLUMN ci_low REAL;
ALTER TABLE results ADD COLUMN ci_high REAL;
ALTER TABLE results ADD COLUMN cid TEXT;
ALTER TABLE results ADD COLUMN reverse_cid TEXT;
ALTER TABLE results ADD COLUMN destination TEXT NOT NULL DEFAULT 'none';
ALTER TABLE results ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN run_id TEXT;
ALTER TABLE events ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE llm_spend ADD COLUMN month TEXT NOT NULL DEFAULT '';
ALTER TABLE llm_spend ADD COLUMN method TEXT NOT NULL DEFAULT '';
UPDATE llm_spend SET month = strftime('%Y-%m', at, 'unixepoch');
"""


def fts5_available() -> bool:
    """Whether this SQLite build has FTS5 (checked by trying, in a scratch in-memory database)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements one by one, inside the caller's transaction.

    ``executescript`` would COMMIT first; splitting on complete statements keeps it atomic.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise AssertionError(f"incomplete SQL statement in schema: {statement!r}")


def _add_text_search(conn: sqlite3.Connection, text_search: str) -> None:
    if text_search == "fts5":
        _run_script(conn, _FTS5_SEARCH)
    else:
        _run_script(conn, _LIKE_SEARCH)
        _fill_search_text(conn)
    conn.execute("INSERT INTO meta(key, value) VALUES ('text_search', ?)", (text_search,))


def create_current(conn: sqlite3.Connection, text_search: str) -> None:
    """Create a fresh v2 ledger (inside the caller's transaction)."""
    _run_script(conn, _V2_TABLES)
    _run_script(conn, _V2_NEW_OBJECTS)
    _add_text_search(conn, text_search)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def create_v1(conn: sqlite3.Connection) -> None:
    """Create an empty v1 ledger. Only for tests and tools that need an old file."""
    conn.execute("BEGIN")
    _run_script(conn, V1_SCHEMA)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")


def _migrate_v1_to_v2(conn: sqlite3.Connection, text_search: str) -> None:
    _run_script(conn, _V1_TO_V2)
    _run_script(conn, _V2_NEW_OBJECTS)
    _add_text_search(conn, text_search)


# MIGRATIONS[n] takes a version-n file to version n+1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection, str], None]] = {1: _migrate_v1_to_v2}


def migrate(conn: sqlite3.Connection, from_version: int, text_search: str) -> list[int]:
    """Bring a file from ``from_version`` to SCHEMA_VERSION inside the caller's transaction.

    Returns the versions it passed through (for the ``ledger.migrated`` event).
    """
    steps = [from_version]
    for version in range(from_version, SCHEMA_VERSION):
        MIGRATIONS[version](conn, text_search)
        steps.append(version + 1)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return steps
