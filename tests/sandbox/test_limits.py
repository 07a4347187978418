"""A hostile child cannot hang the run, leave processes behind, eat the memory or crash us."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_probes import kill_marked, run_hostile, survivors

from agentic_action.sandbox.runner import isolation_level


@pytest.fixture
def marker() -> Iterator[str]:
    """A unique word put in the command line of every process a test's child starts; whatever
    carries it is killed at the end (only processes this test started can carry it)."""
    word = f"agentic-marker-{uuid.uuid4().hex}"
    yield word
    kill_marked(word)


def sleeper(marker: str, session: bool, quiet: bool) -> str:
    """Python source that starts a sleeping grandchild carrying ``marker``."""
    streams = "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, " if quiet else ""
    return (
        "subprocess.Popen([sys.executable, '-c', "
        f"'# {marker}\\nimport time; time.sleep(600)'], {streams}"
        f"start_new_session={session})\n"
    )


def test_an_infinite_loop_is_killed_at_the_time_limit(tmp_path: Path, marker: str) -> None:
    outcome = run_hostile(f"# {marker}\nwhile True:\n    pass\n", tmp_path, timeout=1.5)
    assert outcome.timed_out
    assert outcome.returncode is None
    assert "time limit" in outcome.stderr
    assert survivors(marker) == []


def test_spawned_sleeping_grandchildren_die_with_the_child(tmp_path: Path, marker: str) -> None:
    if isolation_level() == "none":
        pytest.skip("without a process namespace a child that calls setsid() escapes the kill")
    code = "import subprocess, sys, os\n"
    code += sleeper(marker, session=False, quiet=True) * 3
    code += sleeper(marker, session=True, quiet=True) * 3  # left the process group
    # a double fork: the grandchild is re-parented away from the child
    code += "if os.fork() == 0:\n    os.setsid()\n    " + sleeper(marker, True, True)
    code += "    os._exit(0)\n"
    code += "import time\nwhile True:\n    time.sleep(1)\n"
    outcome = run_hostile(code, tmp_path, timeout=2)
    assert outcome.timed_out
    assert survivors(marker) == []


def test_a_background_process_left_by_a_finished_child_is_killed(
    tmp_path: Path, marker: str
) -> None:
    if isolation_level() == "none":
        pytest.skip("without a process namespace a child that calls setsid() escapes the kill")
    code = "import subprocess, sys\n" + sleeper(marker, session=True, quiet=True)
    outcome = run_hostile(code, tmp_path, timeout=20)
    assert outcome.returncode == 0
    assert survivors(marker) == []


def test_a_grandchild_holding_the_output_pipes_cannot_hang_the_run(
    tmp_path: Path, marker: str
) -> None:
    code = "import subprocess, sys\n" + sleeper(marker, session=True, quiet=False)
    outcome = run_hostile(code, tmp_path, timeout=2)
    if isolation_level() == "none":
        assert outcome.timed_out
        assert "kept the pipes open" in outcome.stderr
    else:
        assert outcome.returncode == 0
        assert survivors(marker) == []


def test_a_memory_hog_is_stopped_by_the_memory_limit(tmp_path: Path) -> None:
    code = "chunks = []\nwhile True:\n    chunks.append(bytearray(32 * 1024 * 1024))\n"
    outcome = run_hostile(code, tmp_path, timeout=30, memory_mb=256)
    assert not outcome.timed_out
    assert outcome.returncode == 1
    assert "MemoryError" in outcome.stderr


def test_a_single_huge_allocation_fails_inside_the_child(tmp_path: Path) -> None:
    code = "import json\ntry:\n    bytearray(2 * 1024**3)\nexcept MemoryError:\n"
    code += "    print(json.dumps('refused'))\n"
    outcome = run_hostile(code, tmp_path, memory_mb=256)
    assert outcome.report == "refused"
    assert outcome.returncode == 0


def test_a_segfault_is_a_failed_run_not_a_crash_of_ours(tmp_path: Path) -> None:
    outcome = run_hostile("import ctypes\nctypes.string_at(0)\n", tmp_path)
    assert not outcome.timed_out
    # killed by SIGSEGV: -11 from a direct child, 128 + 11 through bubblewrap
    assert outcome.returncode in (-signal.SIGSEGV, 128 + signal.SIGSEGV)
