"""Cancellation with real processes and real signals: SIGTERM and SIGINT clean up, report and
exit 143 / 130 without a traceback; after SIGKILL the next run removes what was left and
``agents list`` shows the killed run as stale."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gitrepos import git, make_repo

from agentic_action.workspace import STALE_TEMP

ROOT = Path(__file__).resolve().parents[2]
# The test writes a marker into its worktree, then waits: the run is inside its baseline.
SLOW_TEST = (
    "import pathlib, time\n\n\ndef test_slow():\n"
    "    pathlib.Path('baseline-started').write_text('x')\n    time.sleep(120)\n"
)
CODE = "def total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"


class World:
    def __init__(self, tmp_path: Path) -> None:
        files = {"pkg/__init__.py": "", "pkg/mod.py": CODE, "tests/test_mod.py": SLOW_TEST}
        self.repo = make_repo(tmp_path / "repo", files)
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir()
        self.out = tmp_path / "out"
        self.env = {**os.environ, "TMPDIR": str(self.tmp), "PYTHONPATH": str(ROOT)}

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "agentic_action", *args]

    def start(self) -> subprocess.Popen[str]:
        argv = self.cli("optimize", "--repo", str(self.repo), "--mode", "patch")
        return subprocess.Popen(
            [*argv, "--out", str(self.out)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for_baseline(self, proc: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + 240
        while not list(self.tmp.glob("agentic-optimizer-worktrees/*/baseline-started")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the baseline never started"
            time.sleep(0.2)

    def leftovers(self) -> list[str]:
        worktrees = git(self.repo, "worktree", "list", "--porcelain").count("worktree ") - 1
        temp = sorted(p.name for p in self.tmp.glob("agentic-*") if STALE_TEMP.match(p.name))
        return [f"{worktrees} worktree(s)", *temp]

    def agents(self) -> str:
        ledger = str(self.out / "ledger.sqlite")
        argv = self.cli("agents", "list", "--ledger", ledger)
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=True)
        return done.stdout


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_cleans_up_reports_and_exits_without_a_traceback(
    tmp_path: Path, signum: int, code: int
) -> None:
    world = World(tmp_path)
    proc = world.start()
    world.wait_for_baseline(proc)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert f"cancelled by {signal.Signals(signum).name}" in err
    assert world.leftovers() == ["0 worktree(s)"]
    report = json.loads((world.out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["cancelled"] == signal.Signals(signum).name
    assert "Cancelled by" in (world.out / "summary.md").read_text(encoding="utf-8")
    assert " cancelled " in world.agents()


def test_after_sigkill_the_next_run_removes_the_leftovers(tmp_path: Path) -> None:
    world = World(tmp_path)
    proc = world.start()
    world.wait_for_baseline(proc)
    proc.kill()
    proc.communicate(timeout=60)
    left = world.leftovers()
    assert left[0] == "1 worktree(s)"
    assert any(name.startswith("agentic-run-") for name in left[1:])
    assert " stale " in world.agents()
    argv = world.cli("optimize", "--repo", str(world.repo), "--mode", "patch")
    argv += ["--out", str(world.out), "--python", "/nonexistent/python"]
    done = subprocess.run(argv, env=world.env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1, done.stderr
    assert world.leftovers() == ["0 worktree(s)"]
