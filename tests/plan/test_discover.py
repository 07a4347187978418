from __future__ import annotations

from pathlib import Path

import pytest
from gitrepos import make_repo

from agentic_action.plan.discover import discover
from agentic_action.plan.globs import matches
from agentic_action.workspace import Repository, RepositoryError


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("src/a.py", "src/**/*.py", True),
        ("src/pkg/deep/a.py", "src/**/*.py", True),
        ("a.py", "**/*.py", True),
        ("src/a.py", "*.py", False),
        ("src/a.py", "src/?.py", True),
        ("src/ab.py", "src/[ab].py", False),
        (".hidden/a.py", ".hidden/*.py", True),
    ],
)
def test_glob_matching(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


def test_discovery_reads_head_not_the_working_tree(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"pkg/a.py": "def f():\n    return 1\n"})
    (repo_dir / "pkg/a.py").write_text("def g(:\n")  # uncommitted and broken
    found = discover(Repository(repo_dir), ["pkg/*.py"])
    assert [t.qualname for t in found.functions] == ["f"]
    assert not found.problems


def test_bad_files_are_reported_and_skipped_never_fatal(tmp_path: Path) -> None:
    repo_dir = make_repo(
        tmp_path / "r",
        {
            "ok.py": "class C:\n    def m(self):\n        return [i for i in range(3)]\n",
            "broken.py": "def f(:\n    pass\n",
            "latin.py": "x = 1\n",
            "tests/test_ok.py": "def test_x():\n    pass\n",
        },
    )
    (repo_dir / "latin.py").write_bytes(b"s = '\xe9'\n")
    (repo_dir / "blob.py").write_bytes(b"\x00\x01binary")
    import subprocess

    subprocess.run(["git", "commit", "-qam", "more"], cwd=repo_dir, check=True)
    subprocess.run(["git", "add", "blob.py"], cwd=repo_dir, check=True)
    subprocess.run(["git", "commit", "-qm", "blob"], cwd=repo_dir, check=True)
    found = discover(Repository(repo_dir), ["**/*.py"])
    problems = {p.file: p.reason for p in found.problems}
    assert "does not parse" in problems["broken.py"]
    assert "UTF-8" in problems["latin.py"]
    assert "binary" in problems["blob.py"]
    assert [t.key for t in found.functions] == ["ok.py::C.m"]
    assert any(p.file == "tests/test_ok.py" for p in found.skipped)


def test_glob_matching_nothing_is_reported(tmp_path: Path) -> None:
    repo_dir = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    found = discover(Repository(repo_dir), ["nothing/**/*.py"])
    assert found.unmatched_globs == ["nothing/**/*.py"]
    assert found.functions == []


def test_skip_comment_keeps_the_optimizer_away(tmp_path: Path) -> None:
    source = "# agentic-optimizer: skip\ndef f():\n    return 1\n\ndef g():\n    return 2\n"
    repo_dir = make_repo(tmp_path / "r", {"a.py": source})
    found = discover(Repository(repo_dir), ["a.py"])
    reasons = {t.qualname: t.skip_reason for t in found.functions}
    assert reasons["f"] and "skip" in reasons["f"]
    assert reasons["g"] is None


def test_missing_path_and_non_git_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="does not exist"):
        Repository(tmp_path / "nope")
    with pytest.raises(RepositoryError, match="not the root of a git repository"):
        Repository(tmp_path)
