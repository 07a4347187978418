"""semgrep's findings by file content: one semgrep run for many candidates, none on a rerun.

semgrep judges each file on its own: with our rules (``semgrep_rules/``, which match on a file's
text and, for some, on its path relative to the scan root), what it finds in a file depends on
that file's path and bytes and on nothing else. So its findings are kept per (path, content),
under a fingerprint of the rules and of the semgrep that ran them:

- :meth:`SemgrepCache.prefetch` runs semgrep ONCE on many versions of the files (every rules
  candidate of a run, each written under its own numbered folder, so each keeps its relative
  path), instead of once per candidate: semgrep's start-up (about 2 s of CPU) is paid once;
- the static checks ask the cache before they run semgrep, and store what a run found;
- with a directory (``state/static``), the answers outlive the run: an unchanged file costs no
  semgrep run on the next one.

Only complete runs are stored (a crash or time-out stores nothing; the check then runs semgrep
itself and reports what that run says).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, replace
from importlib import metadata
from pathlib import Path, PurePosixPath

from agentic_action.fileutil import atomic_write
from agentic_action.prove.static_tools import RULES_DIR, Finding, RunState, ToolJob, run_tool

log = logging.getLogger("agentic_action")

TOOL = "semgrep"
Version = tuple[str, bytes]  # a file's path relative to the tree's root, and its bytes


def fingerprint(command: Sequence[str] | None) -> str:
    """What semgrep's answers depend on besides the file: our rules and the semgrep running them
    (its installed version, or the command when that is unknown)."""
    digest = hashlib.sha256()
    for rule in sorted(RULES_DIR.glob("*.yaml")):
        digest.update(rule.name.encode() + b"\0" + rule.read_bytes() + b"\0")
    try:
        digest.update(metadata.version("semgrep").encode())
    except metadata.PackageNotFoundError:
        digest.update(" ".join(command or ()).encode())
    return digest.hexdigest()[:16]


class SemgrepCache:
    """semgrep findings by (path, content); in memory, and in ``directory`` when given."""

    def __init__(self, directory: Path | None, command: Sequence[str] | None) -> None:
        self.command = tuple(command) if command else None
        self._print = fingerprint(command)
        self._directory = None if directory is None else directory / f"semgrep-{self._print}"
        self._memory: dict[str, tuple[Finding, ...]] = {}
        self._lock = threading.Lock()
        self.hits = 0  # answers given from memory or the folder
        self.batch_runs = 0  # semgrep runs of prefetch()

    def get(self, path: str, content: bytes) -> tuple[Finding, ...] | None:
        key = self._key(path, content)
        with self._lock:
            found = self._memory.get(key)
        if found is None and self._directory is not None:
            found = self._read(key)
        if found is not None:
            with self._lock:
                self._memory[key] = found
                self.hits += 1
        return found

    def get_all(self, versions: Sequence[Version]) -> tuple[Finding, ...] | None:
        """The findings of every version, or None when one of them is not known."""
        found: list[Finding] = []
        for path, content in versions:
            one = self.get(path, content)
            if one is None:
                return None
            found += one
        return tuple(found)

    def put(self, path: str, content: bytes, findings: Sequence[Finding]) -> None:
        key = self._key(path, content)
        kept = tuple(f for f in findings if f.file == path)
        with self._lock:
            self._memory[key] = kept
        if self._directory is not None:
            rows = [asdict(f) for f in kept]
            atomic_write(self._directory / f"{key}.json", json.dumps(rows))

    def prefetch(self, versions: Sequence[Version], job: ToolJob) -> int:
        """Run semgrep once on every version not known yet (``job``: its command, time limit
        and scratch folder; its root and files are ignored). Returns how many were run."""
        wanted: dict[str, Version] = {}
        for path, content in versions:
            if self.get(path, content) is None:
                wanted.setdefault(self._key(path, content), (path, content))
        if not wanted:
            return 0
        tree = job.work / "versions"
        names: list[tuple[str, Version]] = []
        for number, (path, content) in enumerate(wanted.values()):
            name = f"{number}/{path}"
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes(content)
            names.append((name, (path, content)))
        run = run_tool(TOOL, replace(job, root=tree, files=tuple(n for n, _ in names)))
        self.batch_runs += 1
        if run.state is not RunState.OK:
            why = run.detail.splitlines()[0] if run.detail else run.state.value
            log.info("proof: semgrep on %d file version(s) at once: %s", len(names), why)
            return 0
        for name, (path, content) in names:
            mine = [replace(f, file=path) for f in run.findings if f.file == name]
            self.put(path, content, mine)
        return len(names)

    def _key(self, path: str, content: bytes) -> str:
        posix = PurePosixPath(path).as_posix()
        return hashlib.sha256(posix.encode() + b"\0" + content).hexdigest()

    def _read(self, key: str) -> tuple[Finding, ...] | None:
        assert self._directory is not None
        try:
            rows = json.loads((self._directory / f"{key}.json").read_text(encoding="utf-8"))
            return tuple(Finding(**row) for row in rows)
        except (OSError, ValueError, TypeError):
            return None
