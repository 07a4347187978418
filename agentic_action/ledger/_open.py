"""Opening a ledger file: refuse what is not ours or too new, create or migrate the rest.

Nothing is written to an existing file before it has been read and judged: a file that is not
a SQLite database, is damaged, belongs to another program or comes from a newer schema is
refused with its bytes unchanged.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from agentic_action.ledger import _schema
from agentic_action.ledger._db import Clock, Db
from agentic_action.ledger._records import LedgerCorruptError, LedgerError, LedgerVersionError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 30.0  # how long a writer waits for another process's transaction
TEXT_SEARCH_CHOICES = ("auto", "fts5", "like")


def open_db(path: Path, clock: Clock, text_search: str = "auto", verify: bool = True) -> Db:
    if text_search not in TEXT_SEARCH_CHOICES:
        raise ValueError(f"text_search must be one of {TEXT_SEARCH_CHOICES}, got {text_search!r}")
    path = Path(path)
    existing = _check_file(path)
    conn = _connect(path, existing)
    try:
        version = _judge(conn, path, existing, verify)
        wanted = _choose_text_search(conn, path, version, text_search)
        _switch_to_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        db = Db(conn, path, clock, wanted)
        _bring_up_to_date(db, version, text_search)
    except BaseException:
        conn.close()
        raise
    return db


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Changing the journal mode needs a moment alone with the file, and SQLite does not wait
    for it through the busy timeout: when another process opens the same new ledger at the same
    instant, retry for up to BUSY_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    delay = 0.01
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _check_file(path: Path) -> bool:
    """Whether the file exists with content; refuses what cannot be a SQLite database."""
    if path.is_dir():
        raise LedgerError(
            f"ledger path {path} is a directory; give a file path like {path}/ledger.db"
        )
    if not path.exists() or path.stat().st_size == 0:
        path.parent.mkdir(parents=True, exist_ok=True)
        return False
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise LedgerCorruptError(
            f"{path} is not a SQLite database (it starts with {header[:16]!r}); it was left "
            "untouched. Move it aside or choose another ledger path."
        )
    return True


def _connect(path: Path, existing: bool) -> sqlite3.Connection:
    mode = "rw" if existing else "rwc"
    uri = f"file:{quote(str(path.resolve()))}?mode={mode}"
    return sqlite3.connect(
        uri,
        uri=True,
        isolation_level=None,  # transactions are explicit (Db.write)
        check_same_thread=False,  # Db serialises access with its own lock
        timeout=BUSY_TIMEOUT_SECONDS,
    )


def _judge(conn: sqlite3.Connection, path: Path, existing: bool, verify: bool) -> int:
    """The file's schema version, after refusing files that are damaged, foreign or newer.

    Everything is read in one read transaction: as separate statements, another process
    creating the same new ledger could commit between them, and the mix of before and after
    (no version and no mark, yet tables) looked like a foreign or half-made file.
    """
    try:
        conn.execute("BEGIN")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            objects = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
            check = "ok"
            if existing and verify:
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        raise LedgerCorruptError(
            f"{path} cannot be read as a SQLite database ({error}); it was left untouched. "
            "Restore it from a backup or move it aside and start a new ledger."
        ) from error
    if check != "ok":
        raise LedgerCorruptError(
            f"{path} is damaged (SQLite integrity check: {check}); it was left untouched. "
            "Restore it from a backup or move it aside and start a new ledger."
        )
    if app_id == 0 and version == 0 and objects == 0:
        return 0  # an empty database: a new ledger
    if app_id != _schema.APPLICATION_ID:
        raise LedgerCorruptError(
            f"{path} is a SQLite database but not an agentic-optimizer ledger "
            f"(application_id {app_id:#x}); it was left untouched. Choose another ledger path."
        )
    if version > _schema.SCHEMA_VERSION:
        raise LedgerVersionError(
            f"{path} has ledger schema version {version}, newer than version "
            f"{_schema.SCHEMA_VERSION} that this agentic-optimizer reads; upgrade "
            "agentic-optimizer, or point it at another ledger file. The file was left untouched."
        )
    if version < 1:  # a ledger gets its mark and its version in one transaction
        raise LedgerCorruptError(
            f"{path} is marked as an agentic-optimizer ledger but has no schema version; it "
            "was left untouched. Restore it from a backup or move it aside and start a new ledger."
        )
    return version


def _choose_text_search(conn: sqlite3.Connection, path: Path, version: int, asked: str) -> str:
    recorded = None
    if version == _schema.SCHEMA_VERSION:
        row = conn.execute("SELECT value FROM meta WHERE key = 'text_search'").fetchone()
        recorded = row[0] if row else None
    have_fts5 = _schema.fts5_available()
    if recorded == "fts5" and not have_fts5:
        raise LedgerError(
            f"{path} uses SQLite FTS5 text search, which this Python's SQLite "
            f"{sqlite3.sqlite_version} lacks; open it with a Python whose sqlite3 has FTS5."
        )
    if recorded is not None:
        return str(recorded)
    if asked == "fts5" and not have_fts5:
        raise LedgerError(
            f"text_search='fts5' asked, but SQLite {sqlite3.sqlite_version} lacks FTS5"
        )
    if asked == "auto":
        return "fts5" if have_fts5 else "like"
    return asked


def _bring_up_to_date(db: Db, judged: int, asked: str) -> None:
    """Create or migrate under the write lock, re-reading the version: another process may
    have done it between our first look (``judged``) and the lock, and then the text search is
    the one it recorded, not the one chosen for an empty file."""
    with db.write() as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version != judged:
            db.text_search = _choose_text_search(conn, db.path, version, asked)
        if version == 0:
            _schema.create_current(conn, db.text_search)
            db.emit("ledger.created", {"schema_version": _schema.SCHEMA_VERSION})
        elif version < _schema.SCHEMA_VERSION:
            try:
                steps = _schema.migrate(conn, version, db.text_search)
            except sqlite3.DatabaseError as error:
                raise LedgerError(
                    f"migrating {db.path} from ledger schema version {version} to "
                    f"{_schema.SCHEMA_VERSION} failed ({error}); the file was left as it was. "
                    "Move it aside to start a new ledger, or report this with the file."
                ) from error
            db.emit("ledger.migrated", {"from": version, "to": steps[-1], "steps": steps})
