"""Waves of agents: focus mapping, small waves, continuous waves that stop cleanly, ownership."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from coordinate_repos import env, fast_repository_pytest, make_calc_repo, many_functions_repo  # noqa: F401
from fake_github import FakeGitHub
from gitrepos import git, make_repo

from agentic_action.errors import BadInput
from agentic_action.ledger import Ledger, TaskStatus
from agentic_action.model import FunctionTarget
from agentic_action.orchestrate.focus import FOCUSES, FocusUnavailable, choose, filter_targets
from agentic_action.orchestrate.stopping import StopControl
from agentic_action.orchestrate.waves import WaveOptions, run_waves
from agentic_action.patches import PatchStore
from agentic_action.settings import load_settings

ALL_METHODS = ("rules", "test-driven", "adversarial", "actor-critic", "chaos")


def waves_argv(repo: Path, out: Path, *more: str, ledger: Path | None = None) -> list[str]:
    return [
        sys.executable, "-m", "agentic_action", "waves", "--repo", str(repo),
        "--mode", "patch", "--out", str(out), "--validation-level", "quick",
        "--worktree-base", str(out.parent / "wt"), "--ledger", str(ledger or out / "ledger.db"),
        *more,
    ]  # fmt: skip


def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "report.json").read_text())
    return data


def assert_nothing_lost(out: Path) -> set[str]:
    """Every stored patch is in report.json and every reported patch is stored; returns the
    functions the report holds results for."""
    data = report(out)
    reported = {r["patch"]["cid"] for r in data["results"] if r["patch"]}
    store = PatchStore(out / "patches")
    stored = {e.cid for e in store.entries()} if store.index_path.exists() else set()
    assert reported == stored
    parts = [r for r in data["results"] if not r["merged_from"]]
    return {f"{r['file']}::{r['function']}" for r in parts}


def test_each_focus_maps_to_a_method_a_level_and_a_target_filter() -> None:
    settings = load_settings({"repo": "."}, {})
    chosen = {
        name: choose(f, settings, ALL_METHODS) for name, f in FOCUSES.items() if name != "workflows"
    }
    assert chosen["performance"].method == "rules"
    assert chosen["security"].method == "adversarial"
    assert chosen["security"].validation_level == "thorough"
    assert chosen["tests"].method == "test-driven"
    assert FOCUSES["security"].target_filter == "semgrep"
    only_rules = choose(FOCUSES["tests"], settings, ("rules",))
    assert only_rules.method == "rules" and "not available" in only_rules.notes[0]
    explicit = load_settings({"repo": ".", "method": "chaos", "validation_level": "quick"}, {})
    picked = choose(FOCUSES["performance"], explicit, ALL_METHODS)
    assert (picked.method, picked.validation_level) == ("chaos", "quick")
    with pytest.raises(FocusUnavailable, match="workflow files"):
        choose(FOCUSES["workflows"], settings, ALL_METHODS)


def test_the_time_limit_stops_before_a_wave_that_would_not_finish() -> None:
    now = [0.0]
    stop = StopControl(time_limit=100, clock=lambda: now[0])
    assert stop.before_wave(None) is None
    now[0] = 70.0
    assert stop.before_wave(20.0) is None
    assert "less than the last wave took" in (stop.before_wave(40.0) or "")
    later = StopControl(time_limit=10, clock=lambda: now[0])
    now[0] += 11
    assert "time limit reached" in (later.before_wave(None) or "")
    assert later.pause(5.0)  # returns at once: stopped


def test_a_small_wave_takes_the_top_ranked_functions_and_records_them_in_the_ledger(
    tmp_path: Path,
) -> None:
    repo = many_functions_repo(tmp_path / "repo", 5)
    out = tmp_path / "out"
    settings = load_settings(
        {"repo": repo, "out": out, "mode": "patch", "validation_level": "quick", "max_agents": 1,
         "worktree_base": tmp_path / "wt"}, {},
    )  # fmt: skip
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        outcome = run_waves(settings, WaveOptions("small"), ledger=ledger)
        tasks = ledger.queue.list()
        results = ledger.search()
    assert len(outcome.waves) == 1 and len(outcome.waves[0].keys) == 3  # max_agents 1 -> 3
    assert outcome.stop_reason == "small wave finished"
    assert sorted(t.status.value for t in tasks) == ["done"] * 3 + ["pending"] * 2
    done = {t.key for t in tasks if t.status is TaskStatus.DONE}
    assert done == set(outcome.waves[0].keys) == assert_nothing_lost(out)
    # Each function's own result; a run that accepts several in one file also records their
    # combination (function "f0+f1+f2"), merged and re-validated before publishing.
    assert {f"{r.file}::{r.function}" for r in results if "+" not in r.function} == done
    assert outcome.publishable and all(r.patch for r in outcome.publishable)


def test_continuous_waves_stop_at_the_time_limit_with_nothing_lost(tmp_path: Path) -> None:
    repo = many_functions_repo(tmp_path / "repo", 8)
    out = tmp_path / "out"
    argv = waves_argv(repo, out, "--wave", "continuous", "--wave-size", "1", "--time-limit", "2")
    done = subprocess.run(argv, capture_output=True, text=True, env=env(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "time limit" in done.stdout
    worked = assert_nothing_lost(out)
    assert 1 <= len(worked) < 8
    assert any(n.startswith("Waves stopped: time limit") for n in report(out)["notes"])
    with Ledger.open(out / "ledger.db") as ledger:
        done_tasks = {t.key for t in ledger.queue.list(status="done")}
        assert not ledger.queue.list(status="claimed")
    assert done_tasks == worked


def start_waves(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, env=env())


def wait_for(log: Path, text: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(1200):
        if text in log.read_text(errors="replace"):
            return
        assert proc.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared: {log.read_text()}")


def test_sigterm_finishes_the_wave_in_flight_then_stops_with_nothing_lost(tmp_path: Path) -> None:
    repo = many_functions_repo(tmp_path / "repo", 4)
    out, log = tmp_path / "out", tmp_path / "log"
    proc = start_waves(waves_argv(repo, out, "--wave", "continuous", "--wave-size", "2"), log)
    wait_for(log, "wave 1:", proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=300) == 0, log.read_text()
    assert "SIGTERM" in log.read_text()
    data = report(out)
    assert any(n == "Waves stopped: stopped by SIGTERM." for n in data["notes"])
    worked = assert_nothing_lost(out)
    assert len(worked) == 2  # wave 1 finished; wave 2 never started
    with Ledger.open(out / "ledger.db") as ledger:
        assert {t.key for t in ledger.queue.list(status="done")} == worked
        assert len(ledger.queue.list(status="pending")) == 2


def test_a_second_signal_aborts_and_hands_unfinished_functions_back(tmp_path: Path) -> None:
    repo = many_functions_repo(tmp_path / "repo", 4)
    out, log = tmp_path / "out", tmp_path / "log"
    proc = start_waves(waves_argv(repo, out, "--wave", "continuous", "--wave-size", "2"), log)
    wait_for(log, "wave 1:", proc)
    proc.send_signal(signal.SIGTERM)
    wait_for(log, "finishing the agents in flight", proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 130, log.read_text()
    with Ledger.open(out / "ledger.db") as ledger:
        tasks = ledger.queue.list()
    assert not [t for t in tasks if t.status is TaskStatus.CLAIMED]  # none left held
    handed_back = [t for t in tasks if t.status is TaskStatus.PENDING and "aborted" in t.last_error]
    finished = {t.key for t in tasks if t.status is TaskStatus.DONE}
    assert len(handed_back) + len(finished) == 2
    if (out / "report.json").exists():
        assert finished <= assert_nothing_lost(out)


def test_two_wave_processes_never_work_on_the_same_function(tmp_path: Path) -> None:
    repo = make_calc_repo(tmp_path / "repo")
    ledger_path = tmp_path / "shared.db"
    wave = ("--wave", "small", "--wave-size", "2", "--targets", "calc.py")
    procs = [
        start_waves(waves_argv(repo, tmp_path / f"out{n}", *wave, ledger=ledger_path), log)
        for n, log in ((1, tmp_path / "log1"), (2, tmp_path / "log2"))
    ]
    for n, proc in enumerate(procs, start=1):
        assert proc.wait(timeout=300) == 0, (tmp_path / f"log{n}").read_text()
    first, second = (assert_nothing_lost(tmp_path / f"out{n}") for n in (1, 2))
    assert not first & second
    assert len(first | second) == 4
    with Ledger.open(ledger_path) as ledger:
        tasks = ledger.queue.list()
        claims = ledger.events(kind="task.claimed")
    assert sorted(t.status.value for t in tasks) == ["done"] * 4
    assert len({t.owner for t in tasks}) == 2
    assert sorted(e.subject for e in claims) == sorted(t.key for t in tasks)  # one claim each


def test_the_quality_focus_works_only_on_functions_ruff_flags(tmp_path: Path) -> None:
    source = (
        "def clean(xs):\n    return [x for x in xs]\n\n\n"
        "def flagged(xs):\n    unused = 1\n    return list(xs)\n"
    )
    repo = make_repo(tmp_path / "repo", {"m.py": source})
    settings = load_settings({"repo": repo}, {})
    targets = [FunctionTarget("m.py", "clean", 1, 2), FunctionTarget("m.py", "flagged", 5, 7)]
    picked, note = filter_targets(FOCUSES["quality"], targets, {"m.py": source}, repo, settings)
    assert [t.qualname for t in picked] == ["flagged"]
    assert "1 function(s) with ruff findings" in note


def test_waves_in_github_mode_publish_once_after_conflicts_are_resolved(tmp_path: Path) -> None:
    upstream = make_calc_repo(tmp_path / "upstream")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(upstream), str(bare))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    out = tmp_path / "out"
    with FakeGitHub() as fake:
        fake.add_token("ghs_waves", login="optimizer-bot")
        fake.add_repo("octo/calc", bare=bare)
        github = {
            "GITHUB_TOKEN": "ghs_waves", "GITHUB_REPOSITORY": "octo/calc",
            "GITHUB_API_URL": fake.base_url,
            "OPTIMIZER_GITHUB_CACHE_PATH": str(tmp_path / "cache" / "github.sqlite"),
        }  # fmt: skip
        argv = waves_argv(clone, out, "--wave", "small", "--targets", "calc.py")
        argv[argv.index("patch")] = "github"
        done = subprocess.run(argv, capture_output=True, text=True, env=env(**github), timeout=300)
        pulls = [i for i in fake.issues("octo/calc") if i.is_pull]
    assert done.returncode == 0, done.stderr
    data = report(out)
    assert (data["run"]["mode_requested"], data["run"]["mode_used"]) == ("github", "github")
    on_github = [r for r in data["results"] if r["destination"] == "github"]
    assert [r["function"] for r in on_github] == ["double+names+squares+evens"]  # source order
    assert len(pulls) == 1 and on_github[0]["pr_url"]
    parts = [r for r in data["results"] if r["withheld"] == "merged"]
    assert len(parts) == 4 and all(r["destination"] == "patch" for r in parts)


def test_wave_sizes_follow_the_kind_and_bad_options_are_refused_at_the_door() -> None:
    assert WaveOptions("small").wave_size(max_agents=1) == 3
    assert WaveOptions("small").wave_size(max_agents=8) == 5
    assert WaveOptions("large").wave_size(max_agents=5) == 10
    assert WaveOptions("large").wave_size(max_agents=64) == 15
    assert WaveOptions("continuous", size=1).wave_size(max_agents=5) == 1
    with pytest.raises(BadInput, match="--throttle must be 0 or more"):
        WaveOptions("continuous", throttle=-1)
    with pytest.raises(BadInput, match="unknown focus 'speed'"):
        WaveOptions("small", focus="speed")
