"""Combine patches made independently against one base commit, with git's three-way merge.

For every file the patches touch: the base version is the blob at the base commit; each patch's
version is what ``git apply --cached`` makes of the base in a throw-away index (no work tree is
touched, the user's index neither); the versions are folded together with ``git merge-file``
(base, merged-so-far, next), in the order given. Any conflicting region, a file one patch deletes
and another edits, or a patch that no longer applies to the base, stops the merge with git's words.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agentic_action.patches.git import run_git, stderr_text
from agentic_action.publish.hunks import changed_files

Content = bytes | None  # None: the file does not exist


@dataclass(frozen=True)
class ThreeWay:
    """The merged content of every touched file, or why git could not merge."""

    files: dict[str, Content] = field(default_factory=dict)
    conflict: str | None = None


def merge_patches(repo: Path, base_commit: str, patches: Sequence[tuple[str, bytes]]) -> ThreeWay:
    """Merge ``patches`` ((label, diff bytes), in order) against ``base_commit`` of ``repo``."""
    paths = list(dict.fromkeys(p for _, diff in patches for p in changed_files(diff.decode())))
    with tempfile.TemporaryDirectory(prefix="ao-merge-") as tmp:
        work = Path(tmp)
        versions: list[tuple[str, dict[str, Content]]] = []
        for index, (label, diff) in enumerate(patches):
            applied = _apply_alone(repo, base_commit, diff, work / f"index-{index}", paths)
            if isinstance(applied, str):
                return ThreeWay(conflict=f"patch {label} does not apply to the base: {applied}")
            versions.append((label, applied))
        merged: dict[str, Content] = {}
        for path in paths:
            base = _blob(repo, f"{base_commit}:{path}")
            result = _fold(repo, work, path, base, [(lab, v[path]) for lab, v in versions])
            if isinstance(result, str):
                return ThreeWay(conflict=result)
            merged[path] = result
    return ThreeWay(files=merged)


def _apply_alone(
    repo: Path, base_commit: str, diff: bytes, index: Path, paths: Sequence[str]
) -> dict[str, Content] | str:
    env = {"GIT_INDEX_FILE": str(index)}
    done = run_git(repo, "read-tree", base_commit, env=env)
    if done.returncode != 0:
        return f"git read-tree {base_commit[:12]} failed: {stderr_text(done)}"
    done = run_git(repo, "apply", "--cached", "-", stdin=diff, env=env)
    if done.returncode != 0:
        return stderr_text(done) or f"git apply exited with {done.returncode}"
    return {path: _blob(repo, f":{path}", env) for path in paths}


def _blob(repo: Path, spec: str, env: dict[str, str] | None = None) -> Content:
    done = run_git(repo, "cat-file", "blob", spec, env=env)
    return done.stdout if done.returncode == 0 else None


def _fold(
    repo: Path, work: Path, path: str, base: Content, versions: list[tuple[str, Content]]
) -> Content | str:
    merged, merged_label = base, "base"
    for label, version in versions:
        if version in (base, merged):
            continue
        if merged == base:
            merged, merged_label = version, label
            continue
        if version is None or merged is None or base is None:
            gone = label if version is None else merged_label
            return f"{path}: one patch ({gone}) deletes or creates the file, another edits it"
        result = _merge_file(repo, work, (merged_label, merged), ("base", base), (label, version))
        if isinstance(result, str):
            return f"{path}: {result}"
        merged, merged_label = result, f"{merged_label}+{label}"
    return merged


def _merge_file(
    repo: Path,
    work: Path,
    ours: tuple[str, bytes],
    base: tuple[str, bytes],
    theirs: tuple[str, bytes],
) -> bytes | str:
    names = []
    for role, (_, data) in zip(("ours", "base", "theirs"), (ours, base, theirs), strict=True):
        name = work / f"merge-{role}"
        name.write_bytes(data)
        names.append(os.fspath(name))
    labels = [arg for label in (ours[0], base[0], theirs[0]) for arg in ("-L", label)]
    done = run_git(repo, "merge-file", "-p", *labels, *names)
    if done.returncode == 0:
        return done.stdout
    if done.returncode > 0:
        regions = _conflict_regions(done.stdout)
        return (
            f"git merge-file found {done.returncode} conflicting region(s) between "
            f"{ours[0]} and {theirs[0]} (merged text lines {regions})"
        )
    return f"git merge-file failed: {stderr_text(done)}"


def _conflict_regions(text: bytes) -> str:
    spans, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(b"<<<<<<< "):
            start = number
        elif line.startswith(b">>>>>>> ") and start:
            spans.append(f"{start}-{number}")
            start = 0
    return ", ".join(spans) or "?"
