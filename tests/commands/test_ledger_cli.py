"""The ledger's CLI against a ledger a real run wrote: agents, queue, stats, events."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from history_world import RecordedRun

from agentic_action.ledger import Ledger

READ_TIMEOUT = 60  # a safety net for reading a child's output, not a speed claim


def cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OPTIMIZER_", "GITHUB_"))}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", *args],
        capture_output=True, text=True, cwd=cwd, env=full, timeout=300, check=False,
    )  # fmt: skip


def ok(*args: str, **kwargs: object) -> str:
    done = cli(*args, **kwargs)  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr
    return done.stdout


def _agent_of(ledger: Path) -> str:
    with Ledger.open(ledger) as opened:
        return str(opened.events(kind="agent.started")[0].payload["agent"])


def test_agents_list_shows_the_run_as_a_finished_agent(recorded_run: RecordedRun) -> None:
    ledger = str(recorded_run.ledger)
    agent = _agent_of(recorded_run.ledger)
    text = ok("agents", "list", "--ledger", ledger)
    assert text.splitlines()[0].split()[:3] == ["AGENT", "STATUS", "LAST"]
    assert any(line.split()[:2] == [agent, "finished"] for line in text.splitlines())
    (listed,) = json.loads(ok("agents", "list", "--ledger", ledger, "--json"))
    assert listed["name"] == agent and listed["results"] == {"accepted": 1}


def test_agents_status_shows_the_runs_results_and_events(recorded_run: RecordedRun) -> None:
    ledger = str(recorded_run.ledger)
    agent = _agent_of(recorded_run.ledger)
    text = ok("agents", "status", agent, "--ledger", ledger)
    assert text.startswith(f"agent {agent}: finished")
    assert "result accepted pkg/calc.py::squares rules" in text
    assert "patch.published" in text
    detail = json.loads(ok("agents", "status", agent, "--ledger", ledger, "--json"))
    assert [r.split()[0] for r in detail["results_detail"]] == ["accepted"]
    done = cli("agents", "status", "nobody", "--ledger", ledger)
    assert done.returncode == 2
    assert "no agent 'nobody'" in done.stderr and agent in done.stderr


def test_stats_counts_the_whole_ledger(recorded_run: RecordedRun) -> None:
    stats = json.loads(ok("stats", "--ledger", str(recorded_run.ledger), "--json"))
    assert stats["runs"] == 1 and stats["results"] == {"accepted": 1}
    assert stats["events"] >= 8 and stats["tasks"] == {}
    text = ok("stats", "--ledger", str(recorded_run.ledger))
    assert "runs: 1" in text and "results: 1 accepted" in text


def test_events_prints_the_log_and_filters_by_kind(recorded_run: RecordedRun) -> None:
    lines = ok("events", "--ledger", str(recorded_run.ledger), "--kind", "patch.").splitlines()
    assert [line.split()[3] for line in lines] == [
        "patch.proposed",
        "patch.proven",
        "patch.published",
    ]
    last = json.loads(ok("events", "--ledger", str(recorded_run.ledger), "--json", "--limit", "1"))
    assert last["kind"] == "run.finished"


def test_events_follow_prints_new_events_as_another_process_writes_them(
    recorded_run: RecordedRun, tmp_path: Path
) -> None:
    ledger = recorded_run.copy_ledger(tmp_path / "ledger.sqlite")
    with Ledger.open(ledger) as opened:
        since = opened.last_event_id()
    follower = subprocess.Popen(
        [sys.executable, "-m", "agentic_action", "events", "--follow", "--json",
         "--ledger", str(ledger), "--since", str(since), "--interval", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in follower.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        with Ledger.open(ledger) as opened:
            opened.append("agent.started", {"agent": "a9"}, subject="a9")
            opened.queue.add("pkg/calc.py", "total", priority=5)
        first = json.loads(lines.get(timeout=READ_TIMEOUT))
        second = json.loads(lines.get(timeout=READ_TIMEOUT))
    finally:
        follower.send_signal(signal.SIGTERM)
        code = follower.wait(timeout=READ_TIMEOUT)
    assert (first["kind"], first["subject"]) == ("agent.started", "a9")
    assert (second["kind"], second["payload"]["priority"]) == ("task.added", 5)
    assert first["id"] == since + 1
    assert code == 0  # SIGTERM ends the follow cleanly


def test_queue_add_list_and_process_optimize_the_queued_functions(
    recorded_run: RecordedRun, tmp_path: Path
) -> None:
    ledger = str(recorded_run.copy_ledger(tmp_path / "ledger.sqlite"))
    assert ok("queue", "add", "pkg/calc.py::squares", "--ledger", ledger).startswith(
        "queued task #1"
    )
    ok("queue", "add", "pkg/calc.py::vanished", "--priority", "2", "--ledger", ledger)
    listed = json.loads(ok("queue", "list", "--ledger", ledger, "--json"))
    assert [(t["id"], t["status"]) for t in listed] == [(2, "pending"), (1, "pending")]
    text = ok(
        "queue", "process", "--ledger", ledger, "--agent", "w1", "--repo", str(recorded_run.repo),
        "--out", str(tmp_path / "out"), "--mode", "patch", "--validation-level", "quick",
        "--worktree-base", str(tmp_path / "wt"),
    )  # fmt: skip
    assert "w1: processed 2 task(s) in 1 run(s): 1 done, 1 failed" in text
    tasks = {
        t["function"]: t for t in json.loads(ok("queue", "list", "--ledger", ledger, "--json"))
    }
    assert tasks["squares"]["status"] == "done" and tasks["squares"]["owner"] == "w1"
    assert tasks["vanished"]["status"] == "failed"
    assert "no function 'vanished' in pkg/calc.py" in tasks["vanished"]["last_error"]
    with Ledger.open(Path(ledger)) as opened:
        (result,) = opened.search(function="squares", run_id=None, limit=1)
    assert result.task_id == tasks["squares"]["id"] and result.status == "accepted"
    status = json.loads(ok("agents", "status", "w1", "--ledger", ledger, "--json"))
    assert status["status"] == "finished" and status["tasks"] == {"done": 1, "failed": 1}
    assert (tmp_path / "out" / "report.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("pkg/calc.py",), "must be FILE::FUNCTION"),
        (("pkg/calc.py::f", "--method", "magic"), "--method 'magic' is not a method"),
    ],
)
def test_queue_add_refuses_bad_input(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = cli("queue", "add", *args, "--ledger", str(tmp_path / "ledger.sqlite"))
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "ledger.sqlite").exists()


READERS = [
    ("agents", "list"), ("agents", "status", "a1"), ("queue", "list"), ("stats",), ("events",),
    ("queue", "add", "m.py::f"),
]  # fmt: skip


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_corrupt_ledger_is_refused_by_every_command_and_left_untouched(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    ledger = tmp_path / "ledger.sqlite"
    garbage = b"\x00garbage, not a database\n" * 100
    ledger.write_bytes(garbage)
    done = cli(*command, "--ledger", str(ledger))
    assert done.returncode == 2
    assert "not a SQLite database" in done.stderr and "left untouched" in done.stderr
    assert "Traceback" not in done.stderr
    assert ledger.read_bytes() == garbage


def test_a_ledger_from_a_newer_schema_is_refused_with_upgrade_advice(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    Ledger.open(ledger).close()
    conn = sqlite3.connect(ledger)
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()  # checkpoints the WAL: the file holds every byte before the snapshot
    before = ledger.read_bytes()
    done = cli("stats", "--ledger", str(ledger))
    assert done.returncode == 2
    assert "schema version 7" in done.stderr and "upgrade agentic-optimizer" in done.stderr
    assert ledger.read_bytes() == before


def test_reading_a_missing_ledger_says_how_to_make_one_and_creates_nothing(tmp_path: Path) -> None:
    done = cli("agents", "list", cwd=tmp_path)
    assert done.returncode == 2
    assert "no ledger at agentic-optimizer-out/ledger.sqlite" in done.stderr
    assert "agentic-optimizer optimize" in done.stderr
    assert not (tmp_path / "agentic-optimizer-out").exists()


def test_the_default_ledger_is_the_output_directorys(
    recorded_run: RecordedRun, tmp_path: Path
) -> None:
    recorded_run.copy_ledger(tmp_path / "agentic-optimizer-out" / "ledger.sqlite")
    assert "runs: 1" in ok("stats", cwd=tmp_path)
    recorded_run.copy_ledger(tmp_path / "elsewhere" / "ledger.sqlite")
    env = {"OPTIMIZER_OUT": str(tmp_path / "elsewhere")}
    assert "runs: 1" in ok("stats", cwd=tmp_path / "elsewhere", env=env)


def test_optimize_keeps_its_history_in_the_output_directory(
    recorded_run: RecordedRun, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ok(
        "optimize", "--repo", str(recorded_run.repo), "--targets", "pkg/**/*.py", "--mode",
        "patch", "--validation-level", "quick", "--out", str(out), "--worktree-base",
        str(tmp_path / "wt"),
    )  # fmt: skip
    stats = json.loads(ok("stats", "--ledger", str(out / "ledger.sqlite"), "--json"))
    assert stats["runs"] == 1 and stats["results"] == {"accepted": 1}
