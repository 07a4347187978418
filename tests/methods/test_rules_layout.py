"""A rules candidate keeps a ruff-formatted file formatted, in the repository's own style."""

from __future__ import annotations

import subprocess
from pathlib import Path

from agentic_action.methods.rules import RulesMethod
from agentic_action.model import Candidate, FunctionTarget
from agentic_action.rewrite._ruff import ruff_executable

SOURCE = "def build(wrapper, func):\n    execdict = dict(_call=wrapper, _func=func)\n"
SOURCE += "    return execdict\n"
SINGLE_QUOTES = '[tool.ruff.format]\nquote-style = "single"\n'
TARGET = FunctionTarget("pkg/build.py", "build", 1, 3)


def _repo(root: Path, pyproject: str, source: str = SOURCE) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / TARGET.file).write_text(source)
    return root


def _formatted(root: Path, source: str) -> bool:
    done = subprocess.run(
        [ruff_executable(), "format", "--check", "--stdin-filename", TARGET.file, "-"],
        cwd=root, input=source.encode(), capture_output=True, check=False,
    )  # fmt: skip
    return done.returncode == 0


def test_a_formatted_file_gets_its_candidate_in_the_repositorys_format(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo", SINGLE_QUOTES)
    assert _formatted(root, SOURCE)  # single quotes: the file is clean as it is
    candidate = RulesMethod().candidate(TARGET, SOURCE, root)
    assert isinstance(candidate, Candidate), candidate
    assert "execdict = {'_call': wrapper, '_func': func}" in candidate.new_source
    assert _formatted(root, candidate.new_source)


def test_an_unformatted_file_is_left_as_the_rules_wrote_it(tmp_path: Path) -> None:
    messy = SOURCE.replace("def build(wrapper, func):", "def build( wrapper,func ):")
    root = _repo(tmp_path / "repo", SINGLE_QUOTES, messy)
    assert not _formatted(root, messy)
    candidate = RulesMethod().candidate(TARGET, messy, root)
    assert isinstance(candidate, Candidate), candidate
    assert 'execdict = {"_call": wrapper, "_func": func}' in candidate.new_source
    assert "def build( wrapper,func ):" in candidate.new_source  # nothing else reformatted
