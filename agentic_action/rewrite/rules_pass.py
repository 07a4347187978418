"""The rules over whole files, once per file content: in memory for the run, on disk across runs.

    rules = RulesPass(cache_dir=settings.state_path / "rules")
    rules.outcome(source, "Class.method")  # RewriteOutcome, or why the engine could not read it

The first question about a file rewrites every function in it (rewrite_file: one parse, one ruff
run per round) and keeps all the answers, so the other functions of that file cost a lookup. The
answers are stored under the sha256 of the file's text, the rules left out, and the engine itself
(the rewrite package's code and the ruff version): an unchanged file costs nothing on a rerun,
and a changed engine never reuses an old answer. A cache file that cannot be read is ignored and
rewritten.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import logging
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from agentic_action.fileutil import atomic_write
from agentic_action.model import Edit
from agentic_action.plan.functions import find_functions
from agentic_action.rewrite._engine import rewrite_file
from agentic_action.rewrite._ruff import ruff_executable
from agentic_action.rewrite._types import RewriteOutcome, Tier

log = logging.getLogger(__name__)

CACHE_VERSION = 1
MEMORY_FILES = 512  # files whose answers a RulesPass keeps in memory
DISK_FILES = 20_000  # cache files kept on disk; the oldest beyond this are removed

Answers = dict[str, RewriteOutcome | str]  # qualname -> outcome, or why it could not be read


class RulesPass:
    """Rule rewrites of functions, computed a whole file at a time and cached by content."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self._memory: OrderedDict[str, Answers] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}
        self.computed_files = 0  # files rewritten by this pass (not found in a cache)
        if cache_dir is not None:
            _prune(cache_dir)

    def outcome(
        self, source: str, qualname: str, exclude: Collection[str] = (), tier: Tier = "proven"
    ) -> RewriteOutcome | str:
        """The rewrite of `qualname` in `source` (rules in `exclude` left out, the rules of
        `tier`), or the reason the engine could not read the function."""
        answers = self.file(source, exclude, also=(qualname,), tier=tier)
        return answers[qualname]

    def file(
        self,
        source: str,
        exclude: Collection[str] = (),
        also: Iterable[str] = (),
        tier: Tier = "proven",
    ) -> Answers:
        """Every function of the file (top level and methods), plus the qualnames in `also`."""
        key = cache_key(source, exclude, tier)
        extra = tuple(also)
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # one thread computes a file; the others wait for its answers
            answers = self._memory_get(key)
            if answers is None:
                answers = self._disk_get(key, source)
            missing = [q for q in extra if answers is None or q not in answers]
            if answers is None or missing:
                fresh = _compute(source, exclude, tier, missing, whole_file=answers is None)
                answers = {**(answers or {}), **fresh}
                self.computed_files += 1
                self._disk_put(key, source, answers)
            self._memory_put(key, answers)
        with self._lock:  # later callers find the answers in memory; waiting ones hold the gate
            self._computing.pop(key, None)
        return answers

    def _memory_get(self, key: str) -> Answers | None:
        with self._lock:
            found = self._memory.get(key)
            if found is not None:
                self._memory.move_to_end(key)
            return found

    def _memory_put(self, key: str, answers: Answers) -> None:
        with self._lock:
            self._memory[key] = answers
            self._memory.move_to_end(key)
            while len(self._memory) > MEMORY_FILES:
                self._memory.popitem(last=False)

    def _disk_get(self, key: str, source: str) -> Answers | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _decode(data, source)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            log.warning("rules cache %s is unreadable (%s): computing again", path, error)
            return None

    def _disk_put(self, key: str, source: str, answers: Answers) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            atomic_write(self.cache_dir / f"{key}.json", json.dumps(_encode(answers, source)))
        except OSError as error:
            log.warning("rules cache not written to %s: %s", self.cache_dir, error)


def cache_key(source: str, exclude: Collection[str] = (), tier: Tier = "proven") -> str:
    digest = hashlib.sha256()
    for part in (engine_fingerprint(), tier, ",".join(sorted(exclude)), source):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


@functools.cache
def engine_fingerprint() -> str:
    """The rewrite package's code and the ruff version: answers are only valid for these."""
    digest = hashlib.sha256(f"v{CACHE_VERSION}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(_ruff_version().encode())
    return digest.hexdigest()


def _ruff_version() -> str:
    try:
        done = subprocess.run(
            [ruff_executable(), "--version"], capture_output=True, text=True, timeout=30
        )
    except (RuntimeError, OSError, subprocess.SubprocessError):
        return "ruff: unavailable"
    return done.stdout.strip()


def _compute(
    source: str, exclude: Collection[str], tier: Tier, also: list[str], *, whole_file: bool
) -> Answers:
    names = list(also)
    if whole_file:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            tree = None
        if tree is not None:
            names = [t.qualname for t in find_functions("", source, tree)] + names
    if not names:
        return {}
    try:
        results = rewrite_file(source, names, exclude=exclude, tier=tier)
    except (SyntaxError, ValueError) as error:
        reason = f"rules engine could not read the function: {error}"
        return dict.fromkeys(names, reason)
    return {
        name: f"rules engine could not read the function: {result}"
        if isinstance(result, ValueError)
        else result
        for name, result in results.items()
    }


def _encode(answers: Answers, source: str) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    for name, answer in answers.items():
        if isinstance(answer, str):
            encoded[name] = {"error": answer}
            continue
        start, end, text = _change(source, answer.new_source)
        encoded[name] = {
            "change": [start, end, text],
            "edits": [[e.rule, e.title, e.line, e.rationale] for e in answer.edits],
        }
    return {"version": CACHE_VERSION, "answers": encoded}


def _decode(data: dict[str, Any], source: str) -> Answers:
    if data.get("version") != CACHE_VERSION:
        raise ValueError(f"cache version {data.get('version')!r}")
    answers: Answers = {}
    for name, item in data["answers"].items():
        if "error" in item:
            answers[name] = str(item["error"])
            continue
        start, end, text = item["change"]
        edits = tuple(Edit(str(r), str(t), int(n), str(w)) for r, t, n, w in item["edits"])
        new_source = source[:start] + text + source[end:]
        answers[name] = RewriteOutcome(new_source=new_source, edits=edits)
    return answers


def _change(old: str, new: str) -> tuple[int, int, str]:
    """The one span [start, end) of `old` that `new` replaces, and its replacement."""
    if old == new:
        return 0, 0, ""
    limit = min(len(old), len(new))
    prefix = _common(limit, lambda n: old[:n] == new[:n])
    tail_limit = limit - prefix
    suffix = _common(tail_limit, lambda n: n == 0 or old[-n:] == new[-n:])
    return prefix, len(old) - suffix, new[prefix : len(new) - suffix]


def _common(limit: int, agrees: Any) -> int:
    """The largest n <= limit with agrees(n) (agrees is monotone: true up to some n)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if agrees(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _prune(cache_dir: Path) -> None:
    try:
        files = list(cache_dir.glob("*.json"))
        if len(files) <= DISK_FILES:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for path in files[: len(files) - DISK_FILES * 3 // 4]:
            path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("rules cache %s not pruned: %s", cache_dir, error)
