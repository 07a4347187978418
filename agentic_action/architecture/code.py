"""Functions that are too long or too complex, and blocks of code repeated across the code.

Length is counted by the AST (a definition's first to last line); complexity is ruff's mccabe
check (C901), run on the files once. Duplicates: every window of ``WINDOW`` consecutive
significant lines (stripped; blank lines, comments and imports left out) is hashed; windows
seen in two places are extended to the longest run they share, and runs are grouped by their
first window, so a block pasted in many places is one finding.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from agentic_action.architecture.findings import Evidence, Finding, Kind

LONG_LINES = 60  # a function longer than this is worth splitting
COMPLEXITY = 12  # mccabe complexity above this is worth splitting
WINDOW = 6  # significant lines a duplicate must share at least
MAX_PLACES = 12  # places of one duplicated window compared (boilerplate repeats a lot)
MAX_FINDINGS = 10  # of each kind, largest first
_COMPLEX = re.compile(r"`(?P<name>[^`]+)` is too complex \((?P<n>\d+) > \d+\)")


def long_functions(sources: Mapping[str, str]) -> list[Finding]:
    found = []
    for file, source in sources.items():
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > LONG_LINES:
                found.append(_long(file, node.name, node.lineno, length))
    return sorted(found, key=lambda f: -f.score)[:MAX_FINDINGS]


def _long(file: str, name: str, line: int, length: int) -> Finding:
    return Finding(
        kind=Kind.LONG_FUNCTION,
        subject=f"{file}::{name}",
        title=f"{name} in {file} is {length} lines long",
        summary=f"{file}:{line} {name} spans {length} lines (more than {LONG_LINES}).",
        proposal=(
            f"Split {name} along its steps: each block that computes one value or does one "
            "side effect becomes a function named for what it does, and the original reads as "
            "the sequence of those calls."
        ),
        evidence=(Evidence(file, line, f"def {name}(...)"),),
        figures={"lines": length, "limit": LONG_LINES},
        score=length / LONG_LINES,
    )


def complex_functions(root_files: Mapping[str, str], ruff: str, cwd: str) -> list[Finding]:
    """C901 findings from one ruff run over the files (repository-relative paths in cwd)."""
    if not root_files:
        return []
    argv = [ruff, "check", "--isolated", "--no-cache", "--select", "C901", "--exit-zero"]
    argv += ["--config", f"lint.mccabe.max-complexity={COMPLEXITY}", "--output-format", "json"]
    done = subprocess.run(
        [*argv, *sorted(root_files)], cwd=cwd, capture_output=True, text=True, check=False
    )
    try:
        items = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return []
    found = []
    for item in items:
        match = _COMPLEX.search(str(item.get("message", "")))
        if match is None:
            continue
        file = _relative(str(item.get("filename", "")), cwd)
        line = int(item.get("location", {}).get("row", 0))
        found.append(_complex(file, match["name"], line, int(match["n"])))
    return sorted(found, key=lambda f: -f.score)[:MAX_FINDINGS]


def _relative(path: str, cwd: str) -> str:
    prefix = cwd.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def _complex(file: str, name: str, line: int, complexity: int) -> Finding:
    return Finding(
        kind=Kind.COMPLEX_FUNCTION,
        subject=f"{file}::{name}",
        title=f"{name} in {file} has complexity {complexity}",
        summary=(
            f"{file}:{line} {name} has mccabe complexity {complexity} (more than {COMPLEXITY}): "
            "that many independent paths each need a test."
        ),
        proposal=(
            f"Replace {name}'s branch chains with a table (dict of handlers) or early returns, "
            "and move each branch's work into a function of its own."
        ),
        evidence=(Evidence(file, line, f"def {name}(...)"),),
        figures={"complexity": complexity, "limit": COMPLEXITY},
        score=complexity / COMPLEXITY,
    )


@dataclass(frozen=True)
class _Line:
    text: str
    number: int


def _significant(source: str) -> list[_Line]:
    lines = []
    for number, raw in enumerate(source.splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith(("#", "import ", "from ")) or text in (")", "]", "}"):
            continue
        lines.append(_Line(text, number))
    return lines


def duplicates(sources: Mapping[str, str]) -> list[Finding]:
    files = {file: _significant(source) for file, source in sorted(sources.items())}
    places: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for file, lines in files.items():
        for start in range(len(lines) - WINDOW + 1):
            text = "\n".join(line.text for line in lines[start : start + WINDOW])
            key = hashlib.sha1(text.encode()).hexdigest()
            if len(places[key]) < MAX_PLACES:
                places[key].append((file, start))
    runs = _runs(places, files)
    return sorted(runs, key=lambda f: -f.score)[:MAX_FINDINGS]


def _runs(places: dict[str, list[tuple[str, int]]], files: dict[str, list[_Line]]) -> list[Finding]:
    """Group repeated windows into maximal runs, one finding per run's first window."""
    covered: set[tuple[str, int]] = set()
    found = []
    for key, where in places.items():
        if len(where) < 2 or where[0] in covered:
            continue
        length = WINDOW
        while _same_next(where, files, length):
            length += 1
        for file, start in where:
            covered.update((file, start + i) for i in range(length - WINDOW + 1))
        found.append(_duplicate(key, where, files, length))
    return found


def _same_next(where: list[tuple[str, int]], files: dict[str, list[_Line]], length: int) -> bool:
    texts = set()
    for file, start in where:
        lines = files[file]
        if start + length >= len(lines) or any(
            start + length == s for f, s in where if f == file and s != start
        ):
            return False
        texts.add(lines[start + length].text)
    return len(texts) == 1


def _duplicate(
    key: str, where: list[tuple[str, int]], files: dict[str, list[_Line]], length: int
) -> Finding:
    evidence = tuple(
        Evidence(file, files[file][start].number, files[file][start].text[:120])
        for file, start in where
    )
    first = evidence[0]
    span = files[where[0][0]][where[0][1] + length - 1].number - first.line + 1
    return Finding(
        kind=Kind.DUPLICATE,
        subject=key,
        title=f"A {length}-line block repeated in {len(where)} places (first {first.where()})",
        summary=(
            f"{length} significant lines ({span} lines of source at {first.where()}) appear "
            f"in {len(where)} places" + (" (at least)" if len(where) >= MAX_PLACES else "") + "."
        ),
        proposal=(
            "Extract the block into one function (its differing names become parameters) in "
            "the lowest module that all the places may import, and call it from each place."
        ),
        evidence=evidence,
        figures={"lines": length, "places": len(where)},
        score=length * (len(where) - 1) / WINDOW,
    )
