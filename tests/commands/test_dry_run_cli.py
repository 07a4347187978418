"""``agentic-optimizer optimize --dry-run`` through the real CLI on a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gitrepos import git, make_repo

FILES = {
    "pkg/__init__.py": "",
    "pkg/text.py": (
        "import re\n\n\n"
        "def words(lines):\n"
        "    out = []\n"
        "    for line in lines:\n"
        "        out.append(line.strip())\n"
        "    return out\n\n\n"
        "def count(lines):\n"
        "    n = 0\n"
        "    for line in lines:\n"
        "        if re.match('[a-z]+', line):\n"
        "            n += 1\n"
        "    return n\n\n\n"
        "def plain(a, b):\n"
        "    return a + b\n"
    ),
    "tests/test_text.py": "from pkg.text import words\n\n\ndef test_words():\n"
    "    assert words([' a ']) == ['a']\n",
}


def optimize(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_dry_run_proposes_proves_nothing_and_leaves_the_repository_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    (repo / "pkg" / "text.py").write_text(FILES["pkg/text.py"] + "# local edit\n")
    before = (git(repo, "status", "--porcelain"), git(repo, "for-each-ref"), _tree(repo))
    out = tmp_path / "out"
    args = ["--repo", str(repo), "--out", str(out), "--mode", "patch", "--dry-run"]
    args += ["--worktree-base", str(tmp_path / "wt"), "--python", str(tmp_path / "no-python")]
    done = optimize(*args)
    assert done.returncode == 0, done.stderr
    assert "dry run: 2 candidate(s) among 3 function(s)" in done.stdout
    assert "pkg/text.py:4-8 words" in done.stdout
    assert "line 14: AO103 regex with a constant pattern" in done.stdout
    after = (git(repo, "status", "--porcelain"), git(repo, "for-each-ref"), _tree(repo))
    assert after == before  # no branch, no commit, no file touched (the local edit kept)
    assert git(repo, "worktree", "list").count("\n") == 1
    assert not (tmp_path / "wt").exists()
    report = json.loads((out / "report.json").read_text())
    section = report["dry_run"]
    assert [(c["function"], c["rules"], c["lines"]) for c in section["candidates"]] == [
        ("words", ["AO104"], [4, 8]),
        ("count", ["AO103"], [11, 16]),
    ]
    assert "+    out = [line.strip() for line in lines]" in section["candidates"][0]["diff"]
    assert report["plan"]["no_candidate"] == {"pkg/text.py::plain": "no rule applies"}
    assert report["results"] == [] and report["baseline"] is None
    assert not (out / "ledger.sqlite").exists()  # a dry run is not a run in the history
    assert section["files_computed"] == 1
    again = optimize(*args)
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "report.json").read_text())["dry_run"]["files_computed"] == 0


def _tree(repo: Path) -> list[tuple[str, bytes]]:
    return sorted(
        (str(p.relative_to(repo)), p.read_bytes())
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )
