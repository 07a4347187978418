"""GitHub mode: ``/rollback <cid>`` opens a revert pull request instead of pushing to the base.

When: the ``mode`` input is ``github``, or ``auto`` and the patch reached the base through one
of the optimizer's pull requests (the patch store's last event for it is an approval recorded
with a pull request's URL; with no event, GitHub shows that pull request merged). Otherwise
patch mode applies the reversal (``approval.py``).

What: the stored reversal patch is proven on the base branch's tip as fetched now (it applies,
and the whole test suite passes with it), committed on that tip with git plumbing
(``gitpush.build_commit``: deterministic, so asking twice pushes nothing new), pushed to
``agentic-optimizer/revert-<slug>`` (never over someone else's commits), and proposed as a
draft pull request whose body carries the marker (``change=revert-<slug> cid=<reversal CID>``),
links the original pull request and names both CIDs. Approving that pull request goes through
``github_approval`` like any of the optimizer's, and records ``rolled-back``.
"""

from __future__ import annotations

from collections.abc import Mapping

import git

from agentic_action.approve.github_git import fetch_tip, git_credentials
from agentic_action.approve.github_pulls import GitHubTrouble, PullsPort, PullState
from agentic_action.approve.landing import LandingRefused, revalidate
from agentic_action.approve.outcome import ChangeOutcome, refused
from agentic_action.approve.request import ChangeRequest
from agentic_action.model import FunctionTarget
from agentic_action.patches import APPLIED, ROLLED_BACK, PatchStore, StoredPatch
from agentic_action.patches.git import patch_paths
from agentic_action.publish.github.config import GitHubConfig
from agentic_action.publish.github.gitpush import build_commit, commit_message, push_branch
from agentic_action.publish.github.markers import (
    Marker,
    branch_name,
    neutral,
    parse_marker,
    target_slug,
)
from agentic_action.settings import Settings
from agentic_action.workspace import Repository

REVERT = "revert-"


def wants_github(settings: Settings, entry: StoredPatch, pulls: PullsPort | None) -> bool:
    """Whether ``/rollback`` of ``entry`` opens a revert pull request (see the module).

    In ``auto`` mode: when the store's last event for it is an approval recorded with a pull
    request's URL, or (without one) when GitHub shows the optimizer's pull request for it
    merged, e.g. by a maintainer's own hand. Without an answer from GitHub: patch mode.
    """
    if settings.mode != "auto":
        return settings.mode == "github"
    done = [e for e in entry.history if e.action in (APPLIED, ROLLED_BACK)]
    if done:
        return done[-1].action == APPLIED and (done[-1].repo or "").startswith("http")
    if pulls is None:
        return False
    slug = target_slug(FunctionTarget(entry.meta.file, entry.meta.qualname, 1, 1))
    try:
        original = _original(pulls, branch_name(slug), entry.cid)
    except GitHubTrouble:
        return False
    return original is not None and original.merged


def open_revert(
    request: ChangeRequest,
    settings: Settings,
    pulls: PullsPort,
    store: PatchStore,
    cid: str,
    *,
    env: Mapping[str, str],
    base_branch: str,
) -> ChangeOutcome:
    """Open (or find open already) the revert pull request for patch ``cid``."""
    entry, named_reverse = store.resolve(cid)
    reversal = entry.cid if named_reverse else entry.reverse_cid
    slug = target_slug(FunctionTarget(entry.meta.file, entry.meta.qualname, 1, 1))
    marker = Marker(REVERT + slug, reversal)
    branch = branch_name(marker.slug)
    try:
        base = base_branch or pulls.default_branch()
        original = _original(pulls, branch_name(slug), entry.cid)
        diff = store.read(reversal)
        repo = Repository(settings.repo)
        tip = fetch_tip(repo.root, base, env)
        tests = revalidate(settings, repo, diff, "reversal", commit=tip)
        title = f"revert: roll back the optimization of {entry.meta.qualname} in {entry.meta.file}"
        try:
            commit = build_commit(
                git.Repo(repo.root), tip, diff.decode("utf-8"),
                commit_message(title[:250], marker.slug, reversal),
            )  # fmt: skip
        except ValueError as error:
            raise LandingRefused(str(error)) from None
    except (LandingRefused, GitHubTrouble) as error:
        return refused(request, str(error), cid=cid)
    token = env.get("OPTIMIZER_GITHUB_TOKEN") or env.get("GITHUB_TOKEN")
    with git_credentials(env, repo.root):
        pushed = push_branch(repo.root, branch, marker.slug, commit, token)
    if not pushed.ok:
        return refused(request, pushed.reason, cid=cid)
    files = tuple(patch_paths(diff, repo.root))
    body = revert_body(request, entry, marker, base, tip, tests, original)
    try:
        pull, created = _open_or_existing(pulls, branch, base, title[:250], body, marker, env)
    except GitHubTrouble as trouble:
        changed = f"branch {branch} was pushed ({commit[:12]}) but no pull request was opened"
        return ChangeOutcome("rollback", False, str(trouble), cid, commit, files, changed=changed)
    verb = "Opened draft" if created else "Kept the open"
    note = (
        f"{verb} pull request #{pull.number} from `{branch}`: the reversal of patch "
        f"`{entry.cid}` on `{base}` (commit {commit[:12]}). Before proposing it, {tests}. "
        "Approve it to merge it, or close it to keep the change."
    )
    return ChangeOutcome(
        "rollback", True, tests, cid, commit, files, branch, url=pull.url, note=note
    )


def _original(pulls: PullsPort, branch: str, cid: str) -> PullState | None:
    for pull in pulls.find_pulls(branch):
        marker = parse_marker(pull.body)
        if marker is not None and marker.cid == cid:
            return pull
    return None


def _open_or_existing(
    pulls: PullsPort,
    branch: str,
    base: str,
    title: str,
    body: str,
    marker: Marker,
    env: Mapping[str, str],
) -> tuple[PullState, bool]:
    """The open pull request from ``branch`` with this marker, or a new draft; (it, created)."""
    for pull in pulls.find_pulls(branch, state="open"):
        if parse_marker(pull.body) == marker:
            return pull, False
    labels = GitHubConfig.from_env(env).labels
    made = pulls.open_pull(head=branch, base=base, title=title, body=body, labels=labels)
    return made, True


def revert_body(
    request: ChangeRequest,
    entry: StoredPatch,
    marker: Marker,
    base: str,
    tip: str,
    tests: str,
    original: PullState | None,
) -> str:
    where = f" in #{request.thread.number}" if request.thread is not None else ""
    merged_in = (
        f"merged in #{original.number}"
        if original is not None
        else "applied without one of the optimizer's pull requests"
    )
    return "\n".join(
        [
            marker.render(),
            f"## Roll back the optimization of `{neutral(entry.meta.qualname)}` in "
            f"`{neutral(entry.meta.file)}`",
            "",
            f"@{request.actor} asked for this with `/rollback`{where}. It reverts patch "
            f"`{entry.cid}` ({merged_in}).",
            "",
            f"- Reversal patch CID: `{marker.cid}`, committed on `{neutral(base)}` at `{tip[:12]}`",
            f"- Original patch CID: `{entry.cid}`",
            f"- Checked before opening: {tests}",
            "",
            "### How to approve",
            "Approve this pull request (a review, or a comment `/approve`): the reversal is "
            "checked again on the base as it is then, and merged. Close it to keep the change.",
            "",
        ]
    )
