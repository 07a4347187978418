"""GitHub mode: approving one of the optimizer's pull requests, proven again, then merged.

An approving review, or an ``/approve`` comment (with or without the CID) on the pull request.
Order, cheapest refusal first; every refusal changes nothing, anywhere:

1. authority (the caller, ``approval.authority_problem``): write, maintain or admin;
2. the pull request as the event describes it, then as GitHub describes it now: opened by the
   optimizer's account from ``agentic-optimizer/<slug>``, the slug and CID of the marker on
   its body's first line, open and not merged; a CID in the comment must be the marker's;
3. its branch, fetched from origin: the head GitHub reports, one commit whose parent is in
   the base branch's history, whose diff is exactly the marker's patch (``github_git``);
4. re-validation: that diff applied on the base branch's tip as fetched now, and the whole
   test suite (``landing.revalidate``);
5. the merge: marked ready for review (GraphQL) when a draft, then merged with
   ``sha`` = the validated head (GitHub refuses if the branch moved meanwhile), squashed
   unless the repository forbids it;
6. afterwards, never undoing the merge: the patch store records it (``applied``, or
   ``rolled-back`` for one of our revert pull requests) with the pull request's URL, the
   ledger gets ``patch.approved`` / ``patch.rolled_back``, and the analysis issue the body
   closes ("Closes #N", carrying this change's marker) is closed with a comment.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from agentic_action.approve.github_git import commit_diff, commit_problem, fetch_tip
from agentic_action.approve.github_pulls import GitHubTrouble, Merged, PullsPort, PullState
from agentic_action.approve.landing import COMMIT_TRAILER, LandingRefused, revalidate
from agentic_action.approve.outcome import ChangeOutcome, refused
from agentic_action.approve.request import REPLY_MARKER, ChangeRequest, PullInfo
from agentic_action.ledger import Ledger
from agentic_action.patches import (
    APPLIED,
    ROLLED_BACK,
    InvalidCidError,
    PatchAction,
    PatchError,
    PatchEvent,
    PatchStore,
    parse_cid,
    utc_now,
)
from agentic_action.patches.git import patch_paths
from agentic_action.publish.github.markers import BRANCH_PREFIX, Marker, branch_name, parse_marker
from agentic_action.report.history import import_patch_events
from agentic_action.settings import Settings
from agentic_action.workspace import Repository

log = logging.getLogger("agentic_action")
_CLOSES = re.compile(r"^Closes #(\d+)\b", re.M)
_VIA = {"comment": "a comment", "review": "an approving review", "dispatch": "workflow_dispatch"}


def approve_pull(
    request: ChangeRequest,
    settings: Settings,
    pulls: PullsPort,
    *,
    env: Mapping[str, str],
    bot_login: str,
) -> ChangeOutcome:
    """Approve pull request ``request.pull`` in GitHub mode (see the module's order)."""
    assert request.pull is not None
    number = request.pull.number
    seen = payload_problem(request.pull, bot_login)
    if seen:
        return refused(request, seen)
    try:
        pull = pulls.pull(number)
    except GitHubTrouble as trouble:
        return refused(request, str(trouble))
    problem = pull_problem(pull, bot_login)
    marker = parse_marker(pull.body)
    if problem or marker is None:
        return refused(request, problem)
    problem = _cid_problem(request, marker)
    if problem:
        return refused(request, problem, cid=marker.cid)
    try:
        return _prove_and_merge(request, settings, pulls, pull, marker, env)
    except LandingRefused as error:
        return refused(request, str(error), cid=marker.cid)


def payload_problem(pull: PullInfo, bot_login: str) -> str:
    """Why the event's own description of the pull request rules it out; "" if it does not.

    A marker alone proves nothing (anyone can write one); nobody else can open a pull request
    as the workflow's account.
    """
    branch_ok = not pull.head_ref or pull.head_ref.startswith(BRANCH_PREFIX)
    if pull.author != bot_login or parse_marker(pull.body) is None or not branch_ok:
        return _not_ours(pull.number, bot_login)
    return ""


def pull_problem(pull: PullState, bot_login: str) -> str:
    """Why GitHub's current view of the pull request rules it out; "" if it does not."""
    marker = parse_marker(pull.body)
    if pull.author != bot_login or marker is None or pull.head_ref != branch_name(marker.slug):
        return _not_ours(pull.number, bot_login)
    if pull.merged:
        return f"pull request #{pull.number} is merged already"
    if pull.state != "open":
        return f"pull request #{pull.number} is closed; reopen it first"
    return ""


def _not_ours(number: int, bot_login: str) -> str:
    return (
        f"pull request #{number} was not opened by the optimizer ({bot_login}, branch "
        f"{BRANCH_PREFIX}<change>, its marker on the first line of the body); only its own "
        "pull requests can be approved this way"
    )


def _cid_problem(request: ChangeRequest, marker: Marker) -> str:
    if not request.args:
        return ""
    try:
        if len(request.args) != 1:
            raise InvalidCidError(f"expected at most one CID after /approve, got {request.args}")
        named = parse_cid(request.args[0])
    except InvalidCidError as error:
        return str(error)
    if named != marker.cid:
        return (
            f"CID {named} is not this pull request's change ({marker.cid}); comment `/approve` "
            "alone, or with that CID"
        )
    return ""


def _prove_and_merge(
    request: ChangeRequest,
    settings: Settings,
    pulls: PullsPort,
    pull: PullState,
    marker: Marker,
    env: Mapping[str, str],
) -> ChangeOutcome:
    repo = Repository(settings.repo)
    base_tip = fetch_tip(repo.root, pull.base_ref, env)
    head = fetch_tip(repo.root, pull.head_ref, env)
    if head != pull.head_sha:
        raise LandingRefused(
            f"{pull.head_ref} moved while it was being checked ({pull.head_sha[:12]} on GitHub, "
            f"{head[:12]} fetched); approve again"
        )
    store = _store(settings)
    problem = commit_problem(repo.root, head, base_tip, marker.cid, _stored(store, marker.cid))
    if problem:
        raise LandingRefused(f"pull request #{pull.number} cannot be merged as approved: {problem}")
    diff = commit_diff(repo.root, f"{head}^", head)
    what = "reversal" if marker.slug.startswith("revert-") else "patch"
    log.info("re-validating #%d (%s) on %s at %s", pull.number, marker.cid, pull.base_ref, base_tip)
    tests = revalidate(settings, repo, diff, what, commit=base_tip)
    files = tuple(patch_paths(diff, repo.root))
    log.info("%s; merging #%d", tests, pull.number)
    changed = ""
    try:
        if pull.draft:
            pulls.mark_ready(pull.number)
            changed = f"pull request #{pull.number} was marked ready for review but not merged"
        merged = pulls.merge(
            pull.number, sha=head, title=f"{pull.title} (#{pull.number})",
            message=_merge_message(request, tests, marker.cid),
        )  # fmt: skip
    except GitHubTrouble as trouble:
        return ChangeOutcome(
            "approve", False, f"GitHub did not merge #{pull.number}: {trouble}", marker.cid,
            url=pull.url, changed=changed,
        )  # fmt: skip
    after = [
        _record(settings, store, pull, marker, merged),
        _close_issue(request, pulls, pull, marker, merged),
    ]
    note = _note(request, pull, merged, tests, [a for a in after if a])
    return ChangeOutcome(
        "approve", True, tests, marker.cid, merged.sha, files, pull.base_ref, url=pull.url,
        note=note,
    )  # fmt: skip


def _merge_message(request: ChangeRequest, tests: str, cid: str) -> str:
    return (
        f"Approved by @{request.actor} through {_VIA[request.origin]}.\n"
        f"Checked before merging: {tests}.\n\n{COMMIT_TRAILER}: {cid}\n"
    )


def _store(settings: Settings) -> PatchStore | None:
    root = settings.patches_path
    return PatchStore(root) if (root / "index.json").is_file() else None


def _stored(store: PatchStore | None, cid: str) -> bytes | None:
    if store is None:
        return None
    try:
        return store.read(cid)
    except PatchError:
        return None


def _record(
    settings: Settings, store: PatchStore | None, pull: PullState, marker: Marker, merged: Merged
) -> str:
    """Record the merge in the patch store and the ledger; a note when something was not."""
    ledger_path = settings.ledger_path
    recorded = False
    note = ""
    if store is not None:
        try:
            entry, is_reverse = store.resolve(marker.cid)
            status: PatchAction = ROLLED_BACK if is_reverse else APPLIED
            event = PatchEvent(status, utc_now(), repo=pull.url, head=merged.sha, cid=marker.cid)
            store.record_event(entry.cid, event)
            recorded = True
        except PatchError as error:
            note = f"the patch store does not record it ({error})"
    try:
        with Ledger.open(ledger_path) as ledger:
            if recorded and store is not None:
                import_patch_events(ledger, store.root)
            else:
                kind = (
                    "patch.rolled_back" if marker.slug.startswith("revert-") else "patch.approved"
                )
                body = {"cid": marker.cid, "url": pull.url, "head": merged.sha, "source": "github"}
                ledger.append(kind, body, subject=f"pull request #{pull.number}")
    except Exception as error:  # the merge is done: a ledger problem is a note, not a failure
        log.warning("the ledger %s was not updated: %s", ledger_path, error)
        note = f"the ledger {ledger_path} was not updated ({error})"
    return note


def _close_issue(
    request: ChangeRequest, pulls: PullsPort, pull: PullState, marker: Marker, merged: Merged
) -> str:
    """Close the analysis issue "Closes #N" names, if it is this change's; what was done."""
    found = _CLOSES.search(pull.body)
    if found is None:
        return ""
    number = int(found.group(1))
    comment = (
        f"{REPLY_MARKER}\n**agentic-optimizer**: fixed by #{pull.number}, merged as "
        f"{merged.sha[:12]} after @{request.actor}'s approval."
    )
    try:
        issue = pulls.issue(number)
        theirs = parse_marker(issue.body)
        if issue.is_pull or theirs is None or theirs.slug != marker.slug:
            return f"#{number} was left open: it is not this change's analysis issue"
        if issue.state != "open":
            return f"#{number} was closed already"
        pulls.close_issue(number, comment)
    except GitHubTrouble as trouble:
        return f"could not close #{number}: {trouble}"
    return f"closed #{number}"


def _note(
    request: ChangeRequest, pull: PullState, merged: Merged, tests: str, after: list[str]
) -> str:
    then = f" Then: {'; '.join(after)}." if after else ""
    return (
        f"Merged pull request #{pull.number} into `{pull.base_ref}` as {merged.sha[:12]} "
        f"({merged.method}), as @{request.actor} approved. Before merging, {tests}.{then}"
    )
