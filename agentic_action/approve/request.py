"""What a maintainer asks of a published change: ``/approve`` or ``/rollback``, and from where.

The Action's door (``action/events.py``) builds these from the event payload; the approval flow
carries them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Command = Literal["approve", "rollback"]
Origin = Literal["comment", "review", "dispatch"]
REPLY_MARKER = "<!-- agentic-optimizer -->"  # in every comment we write; such comments are skipped


@dataclass(frozen=True)
class Thread:
    """An issue or pull request conversation a reply can go to."""

    number: int
    is_pull: bool


@dataclass(frozen=True)
class PullInfo:
    """What the event payload says about a pull request."""

    number: int
    author: str
    author_type: str
    head_ref: str  # "" when unknown (a comment's payload does not carry it)
    base_ref: str
    labels: tuple[str, ...]
    body: str  # first 4 KiB: the optimizer's marker is on the first line


@dataclass(frozen=True)
class ChangeRequest:
    command: Command
    args: tuple[str, ...]  # the words after the command (the CID), unvalidated
    actor: str
    origin: Origin
    thread: Thread | None = None
    pull: PullInfo | None = None
    notes: tuple[str, ...] = ()
