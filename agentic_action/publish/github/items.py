"""What the Publisher takes and gives back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentic_action.model import Destination, OptimizationResult, Status


@dataclass(frozen=True)
class PublishItem:
    """One accepted result to publish; its patch is already in the local patch store."""

    result: OptimizationResult  # status accepted, with .patch (cid, reverse_cid)
    diff: str  # unified diff, git-apply-able on base_commit
    repo_path: Path  # local clone whose remote "origin" receives the branch
    base_branch: str
    base_commit: str

    def __post_init__(self) -> None:
        result = self.result
        if result.status is not Status.ACCEPTED or result.patch is None:
            raise ValueError(
                f"only accepted results with a stored patch can be published; "
                f"{result.target.key} is {result.status.value} with patch={result.patch!r}"
            )
        if not self.diff.strip():
            raise ValueError(f"the diff for {result.target.key} is empty; nothing to publish")


@dataclass(frozen=True)
class PublishOutcome:
    """Where one result went and why. ``Destination.PATCH``: it stays in the patch store."""

    destination: Literal[Destination.GITHUB, Destination.PATCH]
    reason: str
    pr_url: str | None = None
    issue_url: str | None = None
    created: bool = False  # True when a new issue or PR was opened in this call
    target: str = ""  # FunctionTarget.key
