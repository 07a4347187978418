"""Patch mode: content-addressed unified diffs, their reversals, apply and rollback.

The public surface of the patch store. Each accepted result becomes a forward diff and the
diff that undoes it, both stored by CID (see ``cid.py``) in a local folder with an
``index.json``; ``apply_patch`` applies either one to a git work tree, all or nothing.

    forward, reverse = diff_worktree(worktree, ["pkg/mod.py"])
    store = PatchStore(Path("patches"))
    stored = store.put(forward, reverse, meta)
    apply_patch(repo, store, stored.cid)                 # apply
    apply_patch(repo, store, stored.cid, reverse=True)   # roll back

The implementation lives in the modules beside this file.
"""

from __future__ import annotations

from agentic_action.patches.apply import ApplyOutcome, apply_patch
from agentic_action.patches.checks import MAX_PATCH_BYTES
from agentic_action.patches.cid import cid_of, parse_cid
from agentic_action.patches.errors import (
    CorruptPatchError,
    GitCommandError,
    InvalidCidError,
    NotAGitRepositoryError,
    PatchDoesNotApplyError,
    PatchError,
    PatchRejectedError,
    PatchStoreError,
    UnknownCidError,
)
from agentic_action.patches.git import diff_worktree
from agentic_action.patches.meta import (
    APPLIED,
    ROLLED_BACK,
    STORED,
    PatchAction,
    PatchEvent,
    PatchMeta,
    StoredPatch,
    utc_now,
)
from agentic_action.patches.safety import unsafe_reason
from agentic_action.patches.store import DEFAULT_HISTORY_LIMIT, PatchStore

__all__ = [
    "APPLIED",
    "DEFAULT_HISTORY_LIMIT",
    "MAX_PATCH_BYTES",
    "ROLLED_BACK",
    "STORED",
    "ApplyOutcome",
    "CorruptPatchError",
    "GitCommandError",
    "InvalidCidError",
    "NotAGitRepositoryError",
    "PatchAction",
    "PatchDoesNotApplyError",
    "PatchError",
    "PatchEvent",
    "PatchMeta",
    "PatchRejectedError",
    "PatchStore",
    "PatchStoreError",
    "StoredPatch",
    "UnknownCidError",
    "apply_patch",
    "cid_of",
    "diff_worktree",
    "parse_cid",
    "unsafe_reason",
    "utc_now",
]
