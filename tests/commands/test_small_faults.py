"""The small faults of the field trial, each through the real command line: --out naming a file,
a store without index.json, a reader that leaves the pipe, optimize --test-timeout, settings
read at HEAD, bounds in plain words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepos import make_repo

from agentic_action.cli import build_parser, main
from agentic_action.patches.cid import cid_of
from agentic_action.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_out_naming_an_existing_file_is_refused_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", {"m.py": "def f():\n    return 1\n"})
    taken = tmp_path / "report.txt"
    taken.write_text("mine", encoding="utf-8")
    assert main(["optimize", "--repo", str(repo), "--mode", "patch", "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert f"--out {taken} is an existing file, not a directory" in err
    assert "Traceback" not in err
    assert taken.read_text(encoding="utf-8") == "mine"


def test_a_store_without_index_is_not_said_to_list_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", {"m.py": "x = 1\n"})
    store = tmp_path / "patches"
    store.mkdir()
    cid = cid_of(b"no such patch")
    assert main(["apply", cid, "--repo", str(repo), "--patches", str(store)]) == 2
    err = capsys.readouterr().err
    assert "has no index (index.json is missing)" in err
    assert "listed in" not in err


def test_a_reader_that_leaves_the_pipe_ends_the_listing_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "agentic_action", "patches", "--patches", str(tmp_path)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `head -1` having read its line and gone
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "BrokenPipeError" not in err and "Traceback" not in err


def test_optimize_takes_a_test_timeout(tmp_path: Path) -> None:
    args = build_parser().parse_args(["optimize", "--test-timeout", "42", "--repo", str(tmp_path)])
    assert load_settings({"test_timeout": args.test_timeout, "repo": tmp_path}).test_timeout == 42


def test_settings_come_from_the_committed_pyproject(tmp_path: Path) -> None:
    table = "[tool.agentic-optimizer]\nmax_agents = {}\n"
    repo = make_repo(tmp_path / "repo", {"pyproject.toml": table.format(2)})
    (repo / "pyproject.toml").write_text(table.format(3), encoding="utf-8")  # not committed
    assert load_settings({"repo": repo}, env={}).max_agents == 2


def test_bounds_are_said_in_plain_words(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"max_agents": "0", "repo": tmp_path}, env={})
    assert "The value must be between 1 and 64." in str(caught.value)
    assert "Ge(" not in str(caught.value)
