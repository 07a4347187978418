"""Errors of the patch store: one base, one subclass per thing a user can get wrong.

Every message names the bad value and what to do about it; messages of errors raised before
anything was written end with ": nothing was changed".
"""

from __future__ import annotations

from agentic_action.errors import BadInput

NOTHING_CHANGED = "nothing was changed"


class PatchError(Exception):
    """Base of every error raised by the patch store (``agentic_action.patches``)."""


class InvalidCidError(PatchError, BadInput, ValueError):
    """A CID that is not a CIDv1 / raw / sha2-256 / base32 string."""


class UnknownCidError(PatchError, BadInput, LookupError):
    """A well-formed CID that the patch store does not hold."""


class CorruptPatchError(PatchError):
    """A stored patch file whose bytes no longer hash to its CID (or that is missing)."""


class PatchRejectedError(PatchError, ValueError):
    """A diff the store refuses to keep: unsafe paths, unparseable, empty or too large."""


class PatchDoesNotApplyError(PatchError):
    """``git apply --check`` refused the patch: the files changed since it was made."""


class NotAGitRepositoryError(PatchError, BadInput, ValueError):
    """The directory given as a repository is not a git work tree."""


class GitCommandError(PatchError):
    """A git command failed for a reason other than the ones above."""


class PatchStoreError(PatchError):
    """The store itself is unusable: unreadable or malformed index.json, unwritable folder."""
