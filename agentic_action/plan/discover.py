"""Target globs -> files at the repository's HEAD -> parsed modules and their functions.

Files are read from the commit being optimized (HEAD), never from the working tree, so
uncommitted changes are neither optimized nor touched. A file that cannot be read or parsed is
reported and skipped; it never stops the run.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field

from agentic_action.model import FileProblem, FunctionTarget
from agentic_action.plan.globs import matches, validate_glob
from agentic_action.workspace import Repository

MAX_FILE_BYTES = 2_000_000
TEST_FILE_HINTS = ("tests/", "test/", "testing/")


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    functions: list[FunctionTarget] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)
    unmatched_globs: list[str] = field(default_factory=list)


def is_test_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(path.startswith(h) or f"/{h}" in path for h in TEST_FILE_HINTS)


def discover(repo: Repository, globs: Sequence[str]) -> Discovery:
    for pattern in globs:
        validate_glob(pattern)
    found = Discovery()
    tracked = repo.tracked_files()
    hit: set[str] = set()
    for pattern in globs:
        matched = [path for path in tracked if matches(path, pattern)]
        if not matched:
            found.unmatched_globs.append(pattern)
        hit.update(matched)
    for path in sorted(hit):
        if not path.endswith(".py"):
            found.skipped.append(FileProblem(path, "not a Python file"))
        elif is_test_file(path):
            found.skipped.append(FileProblem(path, "test code is the oracle; it is not optimized"))
        else:
            _read_one(repo, path, found)
    return found


def _read_one(repo: Repository, path: str, found: Discovery) -> None:
    data = repo.read_blob(path)
    if data is None:
        found.problems.append(
            FileProblem(path, "not a regular file at HEAD (symlink or submodule)")
        )
        return
    if len(data) > MAX_FILE_BYTES:
        found.problems.append(FileProblem(path, f"larger than {MAX_FILE_BYTES} bytes"))
        return
    if b"\x00" in data:
        found.problems.append(FileProblem(path, "binary file (contains NUL bytes)"))
        return
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        found.problems.append(
            FileProblem(path, f"not UTF-8 text ({error.reason} at byte {error.start})")
        )
        return
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        found.problems.append(
            FileProblem(path, f"does not parse: {error.msg} (line {error.lineno})")
        )
        return
    found.files.append(path)
    found.sources[path] = source
    found.functions.extend(_functions(path, source, tree))


def _functions(path: str, source: str, tree: ast.Module) -> list[FunctionTarget]:
    from agentic_action.plan.functions import find_functions

    return find_functions(path, source, tree)
