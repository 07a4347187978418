"""Publish once, after waves or a merge of shards: the conflict-free results, in GitHub mode.

The change control is chosen before any work (a GitHub mode that cannot be used is bad input at
the door); the runs themselves work in patch mode, so nothing reaches GitHub before every
conflict between the session's patches is resolved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from agentic_action.model import OptimizationResult
from agentic_action.patches import PatchStore
from agentic_action.publish.conflicts import ConflictReport
from agentic_action.publish.control import ChangeControl


def base_branch(repo_root: Path, env: Mapping[str, str] | None = None) -> str:
    """The branch PRs target: the Actions ref when there is one, else the checked-out branch."""
    env = os.environ if env is None else env
    for name in ("GITHUB_BASE_REF", "GITHUB_REF_NAME"):
        value = env.get(name, "")
        if value and not value.endswith("/merge"):
            return value
    from agentic_action.workspace import Repository

    return Repository(repo_root).branch_name() or "main"


def publish_once(
    control: ChangeControl,
    conflicts: ConflictReport,
    store: PatchStore,
    repo_root: Path,
    base_commit: str,
) -> list[OptimizationResult]:
    """Every result, the publishable ones as publishing left them (patch mode: unchanged)."""
    if control.mode != "github" or not conflicts.publishable:
        return list(conflicts.results)
    published = control.publish(
        conflicts.publishable, store, repo_root, base_branch(repo_root), base_commit
    )
    return conflicts.with_published(published)
