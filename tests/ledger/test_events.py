"""The event log: append-only, read by cursor, heard by subscribers after commit; batches."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from agentic_action.ledger import Event, Ledger


def test_appended_events_are_read_back_after_a_cursor(ledger: Ledger) -> None:
    first = ledger.append("agent.started", {"agent": "a1"}, run_id="r1", subject="a1")
    second = ledger.append("agent.stopped", {"agent": "a1", "reason": "budget"})
    assert [e.id for e in ledger.events(since_id=first.id)] == [second.id]
    assert ledger.events(since_id=second.id) == []
    assert ledger.last_event_id() == second.id
    [read] = ledger.events(kind="agent.started")
    assert read == first and read.payload == {"agent": "a1"} and read.run_id == "r1"


def test_kind_ending_in_a_dot_selects_a_family(ledger: Ledger) -> None:
    for kind in ("task.added", "task.claimed", "taskmaster.x", "run.started"):
        ledger.append(kind)
    assert [e.kind for e in ledger.events(kind="task.")] == ["task.added", "task.claimed"]


def test_events_filter_by_run_subject_and_limit(ledger: Ledger) -> None:
    ledger.append("note", run_id="r1", subject="s1")
    ledger.append("note", run_id="r2", subject="s1")
    ledger.append("note", run_id="r1", subject="s2")
    assert len(ledger.events(run_id="r1")) == 2
    assert len(ledger.events(subject="s1")) == 2
    assert len(ledger.events(kind="note", limit=1)) == 1


def test_payload_that_json_cannot_hold_is_refused_naming_the_kind(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="payload of event 'odd' must be JSON-serialisable"):
        ledger.append("odd", {"when": object()})
    assert ledger.events(kind="odd") == []


def test_event_log_cannot_be_edited_or_deleted(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET kind = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    conn.close()


def test_subscribers_hear_each_event_after_commit(ledger: Ledger) -> None:
    heard: list[tuple[str, int]] = []

    def listener(event: Event) -> None:
        # The event is committed: a fresh read sees it.
        heard.append((event.kind, len(ledger.events(since_id=event.id - 1))))

    ledger.subscribe(listener)
    ledger.queue.add("a.py", "f")
    ledger.append("note")
    assert heard == [("task.added", 1), ("note", 1)]


def test_subscriber_filtered_by_kind_and_unsubscribed(ledger: Ledger) -> None:
    heard: list[str] = []
    unsubscribe = ledger.subscribe(lambda e: heard.append(e.kind), kind="task.")
    ledger.queue.add("a.py", "f")
    ledger.append("note")
    unsubscribe()
    ledger.queue.add("b.py", "g")
    assert heard == ["task.added"]


def test_failing_subscriber_is_logged_and_the_write_stays(
    ledger: Ledger, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[str] = []

    def broken(event: Event) -> None:
        raise RuntimeError("subscriber bug")

    ledger.subscribe(broken)
    ledger.subscribe(lambda e: heard.append(e.kind))
    with caplog.at_level(logging.ERROR, logger="agentic_action.ledger"):
        ledger.append("note")
    assert heard == ["note"]
    assert "subscriber" in caplog.text and "subscriber bug" in caplog.text
    assert len(ledger.events(kind="note")) == 1


def test_batch_commits_together_and_subscribers_hear_it_once_done(ledger: Ledger) -> None:
    heard: list[str] = []
    ledger.subscribe(lambda e: heard.append(e.kind))
    with ledger.batch():
        ledger.queue.add("a.py", "f")
        ledger.queue.add("a.py", "g")
        assert heard == []  # nothing is delivered before COMMIT
    assert heard == ["task.added", "task.added"]


def test_batch_that_raises_rolls_back_every_write_and_event(ledger: Ledger) -> None:
    heard: list[str] = []
    ledger.subscribe(lambda e: heard.append(e.kind))
    before = ledger.last_event_id()
    with pytest.raises(RuntimeError, match="agent crashed"), ledger.batch():
        run_id = ledger.start_run("r1")
        ledger.queue.add("a.py", "f", run_id=run_id)
        ledger.record_spend(model="gpt-4o", cost_usd=0.5)
        raise RuntimeError("agent crashed")
    assert ledger.run("r1") is None
    assert ledger.queue.list() == []
    assert ledger.month_spent("2026-11") == 0
    assert ledger.last_event_id() == before and heard == []


def test_failed_operation_inside_a_batch_undoes_only_itself(ledger: Ledger) -> None:
    with ledger.batch():
        kept = ledger.queue.add("a.py", "f")
        with pytest.raises(ValueError, match="not in the queue"):
            ledger.queue.add("b.py", "g", depends_on=[999])
        ledger.append("note")
    assert [t.id for t in ledger.queue.list()] == [kept]
    assert [e.kind for e in ledger.events(since_id=1)] == ["task.added", "note"]


def test_events_written_through_another_connection_are_read_by_polling(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as reader, Ledger.open(path) as writer:
        cursor = reader.last_event_id()
        writer.append("agent.started", {"agent": "a2"})
        [event] = reader.events(since_id=cursor)
        assert event.payload == {"agent": "a2"}
