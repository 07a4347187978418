"""What the patch store refuses to keep, checked before a byte is written.

A diff is refused when it is empty, larger than one IPFS chunk, not UTF-8, unparseable by
unidiff or by ``git apply``, or when any path it names (as unidiff reads the headers, and as
git would apply it with ``-p1``) is absolute, climbs out with ``..``, reaches into a ``.git``
folder, or when it creates a symbolic link or a submodule.
"""

from __future__ import annotations

import re

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from agentic_action.patches.cid import IPFS_CHUNK_SIZE
from agentic_action.patches.errors import NOTHING_CHANGED, PatchRejectedError
from agentic_action.patches.git import patch_paths
from agentic_action.patches.safety import check_relative_path

MAX_PATCH_BYTES = IPFS_CHUNK_SIZE  # beyond one chunk, `ipfs add` would give another CID
_DEV_NULL = "/dev/null"
_MODE_LINE = re.compile(
    r"^(?:(?:new file|deleted file|new|old) mode|index [0-9a-f]+\.\.[0-9a-f]+) (\d{6})$",
    re.MULTILINE,
)
_FORBIDDEN_MODES = {"120000": "a symbolic link", "160000": "a submodule"}


def validate_diff(diff: str, label: str) -> tuple[bytes, frozenset[str]]:
    """Check one diff; return its UTF-8 bytes and the set of paths git would touch."""
    data = _encode(diff, label)
    for name in _unidiff_names(diff, label):
        check_relative_path(name, f"{label} path")
    try:
        paths = patch_paths(data)
    except PatchRejectedError as exc:
        raise PatchRejectedError(f"{label}: {exc}: {NOTHING_CHANGED}") from None
    for path in paths:
        check_relative_path(path, f"{label} path")
    for match in _MODE_LINE.finditer(diff):
        kind = _FORBIDDEN_MODES.get(match.group(1))
        if kind is not None:
            raise PatchRejectedError(
                f"{label} is refused: it makes {kind} ({match.group(0)!r}); "
                f"optimization patches change file contents only: {NOTHING_CHANGED}"
            )
    return data, frozenset(paths)


def validate_pair(diff: str, reverse_diff: str) -> tuple[bytes, bytes, frozenset[str]]:
    """Check a forward diff and its reversal: both valid, and touching the same paths."""
    forward, forward_paths = validate_diff(diff, "diff")
    reverse, reverse_paths = validate_diff(reverse_diff, "reverse diff")
    if forward_paths != reverse_paths:
        raise PatchRejectedError(
            "the reverse diff does not undo the diff: it touches "
            f"{sorted(reverse_paths)} where the diff touches {sorted(forward_paths)}; "
            f"make both with diff_worktree(): {NOTHING_CHANGED}"
        )
    if forward == reverse:
        raise PatchRejectedError(f"the reverse diff equals the diff: {NOTHING_CHANGED}")
    return forward, reverse, forward_paths


def _encode(diff: str, label: str) -> bytes:
    if not isinstance(diff, str):
        raise PatchRejectedError(f"{label} must be str, got {type(diff).__name__}")
    if not diff.strip():
        raise PatchRejectedError(f"{label} is empty: there is no change to store")
    try:
        data = diff.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PatchRejectedError(
            f"{label} cannot be encoded as UTF-8 (character {exc.start}): {NOTHING_CHANGED}"
        ) from None
    if len(data) > MAX_PATCH_BYTES:
        raise PatchRejectedError(
            f"{label} is {len(data):,} bytes, over the {MAX_PATCH_BYTES:,}-byte limit (one IPFS "
            "chunk, so its CID matches `ipfs add --cid-version=1 --raw-leaves`); split the "
            f"change into smaller patches: {NOTHING_CHANGED}"
        )
    return data


def _unidiff_names(diff: str, label: str) -> list[str]:
    """The paths in the ---/+++ (or diff --git) headers, without a/ b/ and /dev/null."""
    try:
        files = PatchSet(diff)
    except UnidiffParseError as exc:
        raise PatchRejectedError(
            f"{label} cannot be parsed as a unified diff: {exc}: {NOTHING_CHANGED}"
        ) from None
    if len(files) == 0:
        raise PatchRejectedError(
            f"{label} holds no file changes a unified-diff parser can read: {NOTHING_CHANGED}"
        )
    names: list[str] = []
    for patched in files:
        for raw in (patched.source_file, patched.target_file):
            name = _strip_prefix(str(raw or "").strip().strip('"'))
            if name != _DEV_NULL:
                names.append(name)
    return names


def _strip_prefix(name: str) -> str:
    return name[2:] if name.startswith(("a/", "b/")) else name
