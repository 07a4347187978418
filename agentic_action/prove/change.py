"""What the proof gate is asked about: the files a change rewrites, and the functions it is for.

The gate proves a ``Change`` in a fresh worktree of the base, whoever made it:

- a ``Candidate`` (one function's file rewritten by a method, perhaps with generated tests
  shipped beside it): ``Change.of_candidate``;
- merged files of several patches, or the files a stored patch changes when it is approved:
  ``Change.of_files``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from agentic_action.model import Candidate, FunctionTarget

PERFORMANCE = "performance"


class FileRole(Enum):
    """What the gate does with a changed file besides writing it."""

    MODULE = "module"  # repository code: compiled, imported and statically checked
    SHIPPED = "shipped"  # added beside the change (generated tests): must not exist yet
    DATA = "data"  # anything else: written only


@dataclass(frozen=True)
class ChangedFile:
    path: str  # relative to the repository root, POSIX separators
    new: bytes | None  # None: the change deletes the file
    original: str | None = None  # its source on the base, when the producer knows it
    role: FileRole = FileRole.MODULE


@dataclass(frozen=True)
class Change:
    """Files rewritten on the base, the functions the change is for (their tests are the
    affected tests; the coverage, behaviour and benchmark checks judge them) and its purpose:
    a ``performance`` change must be measured faster, a robustness fix only not clearly slower."""

    files: tuple[ChangedFile, ...]
    targets: tuple[FunctionTarget, ...] = ()
    purpose: str = PERFORMANCE
    edge_cases: str = ""  # the model's edge-case code, for the differential check

    @classmethod
    def of_candidate(cls, candidate: Candidate, original: str) -> Change:
        target = candidate.target
        main = ChangedFile(target.file, candidate.new_source.encode("utf-8"), original)
        shipped = tuple(
            ChangedFile(rel, content.encode("utf-8"), None, FileRole.SHIPPED)
            for rel, content in candidate.extra_files
        )
        return cls((main, *shipped), (target,), candidate.purpose, candidate.edge_cases)

    @classmethod
    def of_files(
        cls,
        files: Mapping[str, bytes | None],
        targets: Sequence[FunctionTarget] = (),
        originals: Mapping[str, str] | None = None,
    ) -> Change:
        """Every Python file is a module; ``originals``: sources on the base, by path."""
        known = originals or {}
        return cls(
            tuple(
                ChangedFile(path, data, known.get(path), _role(path))
                for path, data in files.items()
            ),
            tuple(targets),
        )

    @property
    def modules(self) -> tuple[ChangedFile, ...]:
        """The changed modules that still exist: what is compiled, imported, checked."""
        return tuple(f for f in self.files if f.role is FileRole.MODULE and f.new is not None)

    def file(self, path: str) -> ChangedFile | None:
        return next((f for f in self.files if f.path == path), None)


def _role(path: str) -> FileRole:
    return FileRole.MODULE if path.endswith(".py") else FileRole.DATA


def read_sources(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The text of those ``paths`` that exist under ``root`` (a worktree of the base)."""
    sources: dict[str, str] = {}
    for path in paths:
        file = root / path
        if file.is_file():
            sources[path] = file.read_bytes().decode("utf-8", "replace")
    return sources


def write_change(root: Path, change: Change) -> str | None:
    """Write (or delete) every changed file in ``root``; why not, when a path is refused."""
    top = root.resolve()
    for changed in change.files:
        path = (root / changed.path).resolve()
        if changed.role is FileRole.SHIPPED and (not path.is_relative_to(top) or path.exists()):
            return f"extra file {changed.path!r} is outside the worktree or already exists"
        if not path.is_relative_to(top):
            return f"{changed.path!r} is outside the worktree"
    for changed in change.files:
        path = root / changed.path
        if changed.new is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(changed.new)
    return None
