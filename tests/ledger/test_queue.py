"""The task queue: priorities, dependencies, ownership per function, leases, retries."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from agentic_action.ledger import Ledger, TaskStatus


def test_claim_takes_the_highest_priority_then_the_oldest(ledger: Ledger) -> None:
    low = ledger.queue.add("a.py", "f", priority=1)
    high = ledger.queue.add("b.py", "g", priority=5)
    also_low = ledger.queue.add("c.py", "h", priority=1)
    claimed = [ledger.queue.claim(f"agent-{i}") for i in range(4)]
    assert [t.id if t else None for t in claimed] == [high, low, also_low, None]


def test_claimed_task_records_owner_attempt_and_lease(ledger: Ledger, clock: Any) -> None:
    task_id = ledger.queue.add("a.py", "f", method="rules", payload={"score": 3.5})
    task = ledger.queue.claim("agent-1", lease_seconds=60)
    assert task is not None and task.id == task_id
    assert (task.status, task.owner, task.attempts) == (TaskStatus.CLAIMED, "agent-1", 1)
    assert task.lease_until == clock.now + 60
    assert task.payload == {"score": 3.5} and task.key == "a.py::f"


def test_two_tasks_of_one_function_are_never_claimed_at_once(ledger: Ledger) -> None:
    first = ledger.queue.add("a.py", "f", method="rules", priority=2)
    ledger.queue.add("a.py", "f", method="adversarial", priority=1)
    other = ledger.queue.add("b.py", "g", priority=0)
    assert (t := ledger.queue.claim("agent-1")) is not None and t.id == first
    assert (t := ledger.queue.claim("agent-2")) is not None and t.id == other  # not a.py::f
    assert ledger.queue.claim("agent-3") is None
    ledger.queue.complete(first, "agent-1")
    second = ledger.queue.claim("agent-3")
    assert second is not None and second.method == "adversarial"


def test_same_open_task_added_twice_is_not_duplicated(ledger: Ledger) -> None:
    first = ledger.queue.add("a.py", "f", method="rules", run_id=None)
    assert ledger.queue.add("a.py", "f", method="rules", run_id=None) == first
    assert ledger.queue.add("a.py", "f", method="chaos") != first
    assert len(ledger.queue.list()) == 2


def test_task_waits_for_its_dependencies_to_be_done(ledger: Ledger) -> None:
    base = ledger.queue.add("a.py", "f", priority=0)
    dependent = ledger.queue.add("b.py", "g", priority=9, depends_on=[base])
    assert ledger.queue.get(dependent) is not None
    claimed = ledger.queue.claim("agent-1")
    assert claimed is not None and claimed.id == base  # higher priority, but blocked
    assert ledger.queue.claim("agent-2") is None
    ledger.queue.complete(base, "agent-1")
    claimed = ledger.queue.claim("agent-2")
    assert claimed is not None and claimed.id == dependent and claimed.depends_on == (base,)


def test_dependency_on_an_unknown_task_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="depends_on names task 42, which is not in the queue"):
        ledger.queue.add("a.py", "f", depends_on=[42])
    assert ledger.queue.list() == []


def test_failed_attempt_goes_back_to_the_queue_until_attempts_run_out(ledger: Ledger) -> None:
    task_id = ledger.queue.add("a.py", "f", max_attempts=2)
    assert ledger.queue.claim("agent-1") is not None
    assert ledger.queue.fail(task_id, "agent-1", "worktree vanished")
    task = ledger.queue.get(task_id)
    assert task is not None and task.status is TaskStatus.PENDING and task.owner is None
    assert ledger.queue.claim("agent-2") is not None
    assert ledger.queue.fail(task_id, "agent-2", "timeout again")
    task = ledger.queue.get(task_id)
    assert task is not None and task.status is TaskStatus.FAILED
    assert (task.attempts, task.last_error) == (2, "timeout again")
    assert ledger.queue.claim("agent-3") is None


def test_fail_without_retry_is_final(ledger: Ledger) -> None:
    task_id = ledger.queue.add("a.py", "f")
    ledger.queue.claim("agent-1")
    assert ledger.queue.fail(task_id, "agent-1", "syntax error in target", retry=False)
    task = ledger.queue.get(task_id)
    assert task is not None and task.status is TaskStatus.FAILED


def test_only_the_owner_can_complete_or_fail_a_task(ledger: Ledger) -> None:
    task_id = ledger.queue.add("a.py", "f")
    ledger.queue.claim("agent-1")
    assert not ledger.queue.complete(task_id, "agent-2")
    assert not ledger.queue.fail(task_id, "agent-2", "not mine")
    task = ledger.queue.get(task_id)
    assert task is not None and task.status is TaskStatus.CLAIMED and task.owner == "agent-1"


def test_expired_lease_returns_the_task_and_locks_out_its_old_owner(
    ledger: Ledger, clock: Any
) -> None:
    task_id = ledger.queue.add("a.py", "f")
    ledger.queue.claim("agent-1", lease_seconds=60)
    clock.advance(30)
    assert ledger.queue.heartbeat(task_id, "agent-1", lease_seconds=60)  # lease now +90
    clock.advance(59)
    assert ledger.queue.claim("agent-2") is None  # t=89: still within the renewed lease
    clock.advance(2)
    again = ledger.queue.claim("agent-2")
    assert again is not None and again.id == task_id and again.attempts == 2
    assert not ledger.queue.complete(task_id, "agent-1")
    assert ledger.queue.complete(task_id, "agent-2")
    [expired] = ledger.events(kind="task.lease_expired")
    assert expired.payload["owner"] == "agent-1"


def test_list_filters_by_status_owner_file_and_function(ledger: Ledger) -> None:
    ledger.queue.add("a.py", "f", run_id="r1")
    ledger.queue.add("a.py", "g", run_id="r1")
    ledger.queue.add("b.py", "f", run_id="r2")
    ledger.queue.claim("agent-1", run_id="r2")
    assert [t.key for t in ledger.queue.list(file="a.py")] == ["a.py::f", "a.py::g"]
    assert [t.key for t in ledger.queue.list(function="f")] == ["a.py::f", "b.py::f"]
    assert [t.key for t in ledger.queue.list(owner="agent-1")] == ["b.py::f"]
    assert len(ledger.queue.list(status=TaskStatus.PENDING, run_id="r1")) == 2
    assert len(ledger.queue.list(limit=1)) == 1


def test_every_queue_change_writes_an_event(ledger: Ledger) -> None:
    task_id = ledger.queue.add("a.py", "f", max_attempts=2)
    ledger.queue.claim("agent-1")
    ledger.queue.heartbeat(task_id, "agent-1")
    ledger.queue.fail(task_id, "agent-1", "flaky")
    ledger.queue.claim("agent-1")
    ledger.queue.complete(task_id, "agent-1", result_id=7)
    kinds = [e.kind for e in ledger.events(kind="task.")]
    assert kinds == [
        "task.added",
        "task.claimed",
        "task.heartbeat",
        "task.requeued",
        "task.claimed",
        "task.completed",
    ]
    assert {e.subject for e in ledger.events(kind="task.")} == {"a.py::f"}


_WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from agentic_action.ledger import Ledger

    path, owner, marks, go = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    ledger = Ledger.open(path)
    while not go.exists():
        time.sleep(0.001)
    claimed, overlaps = [], []
    while (task := ledger.queue.claim(owner)) is not None:
        mark = marks / task.key.replace("/", "_")
        try:
            fd = os.open(mark, os.O_CREAT | os.O_EXCL)  # held while the function is ours
            os.close(fd)
        except FileExistsError:
            overlaps.append(task.key)
        time.sleep(0.002)
        mark.unlink(missing_ok=True)
        assert ledger.queue.complete(task.id, owner)
        claimed.append(task.id)
    print(json.dumps({"claimed": claimed, "overlaps": overlaps}))
    """
)


def test_two_processes_never_hold_the_same_function_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger, ledger.batch():
        for function in range(12):
            for method in ("rules", "adversarial", "chaos"):
                ledger.queue.add("src/m.py", f"f{function}", method=method)
    marks, go = tmp_path / "marks", tmp_path / "go"
    marks.mkdir()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), f"agent-{n}", str(marks), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    go.touch()
    outputs = [json.loads(worker.communicate(timeout=60)[0]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    claimed = [task for out in outputs for task in out["claimed"]]
    assert sorted(claimed) == list(range(1, 37))  # every task exactly once
    assert all(out["claimed"] for out in outputs)  # both processes really took part
    assert [out["overlaps"] for out in outputs] == [[], []]
    with Ledger.open(path) as ledger:
        assert {t.status for t in ledger.queue.list()} == {TaskStatus.DONE}
