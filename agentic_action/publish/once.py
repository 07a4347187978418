"""Publish once, after waves or a merge of shards: the conflict-free results, in GitHub mode.

The change control is chosen before any work (a GitHub mode that cannot be used is bad input at
the door); the runs themselves work in patch mode, so nothing reaches GitHub before every
conflict between the session's patches is resolved.
"""

from __future__ import annotations

from pathlib import Path

from agentic_action.model import OptimizationResult
from agentic_action.patches import PatchStore
from agentic_action.publish.conflicts import ConflictReport
from agentic_action.publish.control import ChangeControl


def base_branch(repo_root: Path, configured: str = "") -> str:
    """The branch PRs target: ``configured`` (the Actions ref, ``GitHubConfig.base_branch``)
    when there is one, else the checked-out branch."""
    if configured:
        return configured
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
        conflicts.publishable,
        store,
        repo_root,
        base_branch(repo_root, control.base_branch),
        base_commit,
    )
    return conflicts.with_published(published)
