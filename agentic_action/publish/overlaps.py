"""Which accepted patches conflict, and how (the kinds are explained in ``conflicts.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from agentic_action.model import OptimizationResult
from agentic_action.patches import PatchMeta
from agentic_action.publish.hunks import Change


class ConflictKind(StrEnum):
    OVERLAP = "overlap"
    EVIDENCE = "evidence"
    SAME_FILE = "same-file"


@dataclass(frozen=True)
class Overlap:
    """Two accepted patches that cannot simply both be published."""

    kind: ConflictKind
    cids: tuple[str, str]
    keys: tuple[str, str]
    files: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class PatchEntry:
    result: OptimizationResult
    cid: str
    diff: bytes
    changes: tuple[Change, ...]
    meta: PatchMeta

    @property
    def key(self) -> str:
        return self.result.target.key

    @property
    def key_position(self) -> tuple[str, int, str]:
        target = self.result.target
        return (target.file, target.start_line, target.qualname)

    @property
    def files(self) -> set[str]:
        return {change.file for change in self.changes}


def find_overlaps(entries: Sequence[PatchEntry]) -> list[tuple[int, int, Overlap]]:
    """Every conflicting pair (by index), with the strongest kind that applies."""
    found = []
    for i, first in enumerate(entries):
        for j in range(i + 1, len(entries)):
            overlap = _pair(first, entries[j])
            if overlap is not None:
                found.append((i, j, overlap))
    return found


def _pair(a: PatchEntry, b: PatchEntry) -> Overlap | None:
    cids, keys = (a.cid, b.cid), (a.key, b.key)
    for ca in a.changes:
        for cb in b.changes:
            if ca.touches(cb):
                detail = (
                    f"{a.key} changes {ca.describe()} and {b.key} changes {cb.describe()} of "
                    f"{ca.file}: the changes overlap or touch (no unchanged line between them)"
                )
                return Overlap(ConflictKind.OVERLAP, cids, keys, (ca.file,), detail)
    for one, other in ((a, b), (b, a)):
        target = other.result.target
        for change in one.changes:
            if change.file == target.file and change.inside(target.start_line, target.end_line):
                detail = (
                    f"{one.key}'s patch changes {change.describe()} of {target.file}, inside "
                    f"{other.key} (lines {target.start_line}-{target.end_line}), whose tests, "
                    "behaviour and speed evidence were taken on the original lines"
                )
                return Overlap(ConflictKind.EVIDENCE, cids, keys, (target.file,), detail)
    shared = sorted(a.files & b.files)
    if shared:
        where = ", ".join(shared)
        detail = (
            f"{a.key} and {b.key} both change {where} in separate places: each was proven "
            "alone; the file with both changes must be merged and proven again"
        )
        return Overlap(ConflictKind.SAME_FILE, cids, keys, tuple(shared), detail)
    return None


def groups(count: int, pairs: list[tuple[int, int, Overlap]]) -> list[list[tuple[int, Overlap]]]:
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in pairs:
        parent[root(j)] = root(i)
    groups: dict[int, list[tuple[int, Overlap]]] = {}
    for i, j, overlap in pairs:
        groups.setdefault(root(i), []).extend([(i, overlap), (j, overlap)])
    return list(groups.values())
