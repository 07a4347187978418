"""Apply a stored patch to a work tree, or roll it back, all or nothing.

Order of work, so that a refusal at any step leaves the repository as it was:

1. the CID is well formed, the repository is a git work tree, the store knows the CID;
2. both diffs (the one to apply and its counterpart) still hash to their CIDs;
3. ``git apply --check`` of the diff to apply; on failure PatchDoesNotApplyError with git's
   words (which file, which hunk);
4. ``git apply`` (itself atomic), then ``git apply --check`` of the counterpart: if the stored
   reversal would not undo what was just done, the change is taken back with ``git apply -R``
   and PatchError is raised — a patch that cannot be rolled back is never left applied;
5. the action (applied / rolled-back, time, repository, HEAD) is appended to index.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentic_action.patches.cid import parse_cid
from agentic_action.patches.errors import (
    NOTHING_CHANGED,
    GitCommandError,
    PatchDoesNotApplyError,
    PatchError,
)
from agentic_action.patches.git import (
    apply_to_worktree,
    check_applies,
    head_commit,
    patch_paths,
    repo_toplevel,
)
from agentic_action.patches.meta import APPLIED, ROLLED_BACK, PatchAction, PatchEvent, utc_now
from agentic_action.patches.store import PatchStore

Direction = Literal["apply", "rollback"]
_APPLY_WHY = (
    "the files differ from those the patch was made against (edited since, or already patched)"
)
_ROLLBACK_WHY = (
    "the files are not as the patch left them (it is not applied, or they were edited since)"
)


@dataclass(frozen=True)
class ApplyOutcome:
    """What ``apply_patch`` did."""

    cid: str  # the CID the caller named
    applied_cid: str  # the CID of the diff that was applied (forward or reversal)
    files: tuple[str, ...]  # repository-relative paths that changed
    direction: Direction  # "apply" or "rollback", as asked
    repo: Path  # the work tree's root
    entry_status: PatchAction  # the stored entry's new status: APPLIED or ROLLED_BACK


def apply_patch(repo: Path, store: PatchStore, cid: str, *, reverse: bool = False) -> ApplyOutcome:
    """Apply the patch ``cid`` names to ``repo``'s work tree (``reverse=True``: roll it back).

    ``cid`` may be an entry's forward CID or its reverse CID; rolling back a reverse CID
    applies the forward diff.
    """
    wanted = parse_cid(cid)
    top = repo_toplevel(Path(repo))
    entry, named_reverse = store.resolve(wanted)
    applies_reverse = named_reverse != reverse  # the entry's reversal is the diff to apply
    to_apply = entry.reverse_cid if applies_reverse else entry.cid
    counterpart = entry.cid if applies_reverse else entry.reverse_cid
    patch = store.read(to_apply)
    undo = store.read(counterpart)
    files = tuple(patch_paths(patch, top))
    direction: Direction = "rollback" if reverse else "apply"
    _check(top, patch, wanted, direction)
    _apply(top, patch, wanted)
    _ensure_undoable(top, patch, undo, wanted)
    status: PatchAction = ROLLED_BACK if applies_reverse else APPLIED
    event = PatchEvent(status, utc_now(), repo=str(top), head=head_commit(top), cid=wanted)
    store.record_event(entry.cid, event)
    return ApplyOutcome(wanted, to_apply, files, direction, top, status)


def _check(top: Path, patch: bytes, cid: str, direction: Direction) -> None:
    reason = check_applies(top, patch)
    if reason is not None:
        why = _ROLLBACK_WHY if direction == "rollback" else _APPLY_WHY
        raise PatchDoesNotApplyError(
            f"cannot {direction.replace('rollback', 'roll back')} patch {cid} in {top}: {why}.\n"
            f"git apply --check says:\n{reason}\n{NOTHING_CHANGED}"
        )


def _apply(top: Path, patch: bytes, cid: str) -> None:
    reason = apply_to_worktree(top, patch)
    if reason is not None:  # --check passed a moment ago: something edited the files meanwhile
        raise PatchDoesNotApplyError(
            f"git apply of {cid} in {top} failed after its check passed (were the files "
            f"being edited?):\n{reason}\ngit apply is all-or-nothing: {NOTHING_CHANGED}"
        )


def _ensure_undoable(top: Path, patch: bytes, undo: bytes, cid: str) -> None:
    reason = check_applies(top, undo)
    if reason is None:
        return
    failed_undo = apply_to_worktree(top, patch, reverse=True)
    if failed_undo is not None:
        raise GitCommandError(
            f"patch {cid} was applied in {top} but its stored reversal does not undo it, and "
            f"taking it back with git apply -R failed too:\n{failed_undo}\n"
            "inspect `git diff` and restore the files with `git checkout -- FILE`"
        )
    raise PatchError(
        f"patch {cid} was not kept in {top}: its stored reversal would not undo it "
        f"(git apply --check of the reversal says: {reason}); the store entry is damaged, "
        f"re-create the patch: {NOTHING_CHANGED}"
    )
