"""``/approve`` and ``/rollback``: who may ask, what is asked, and carrying it out.

Order, cheapest refusal first, nothing changed by any refusal:

1. authority: a comment or review counts only from a user with write, maintain or admin
   permission on the repository (asked of GitHub; without a token nobody is trusted);
   ``workflow_dispatch`` needs write access on GitHub's side already;
2. the request: exactly one well-formed CID that the patch store knows;
3. the files the patch touches have no uncommitted changes in the checkout;
4. re-validation on the current base (``landing.revalidate``);
5. landing: apply, record in the store, commit, push (``landing.land``). A refused push takes
   the commit and the store's record back; when the branch moved meanwhile, the checkout is
   fast-forwarded to it and steps 4-5 run once more there; otherwise the reply says what to do.

GitHub mode takes over where a pull request is the subject: ``/approve`` on a pull request,
or an approving review, goes to ``github_approval`` (the optimizer's own pull requests only,
proven again, then merged); ``/rollback`` opens a revert pull request through
``github_rollback`` when the ``mode`` input is ``github``, or ``auto`` and the patch was merged
through a pull request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from agentic_action.approve.github_port import UNKNOWN, WRITE_LEVELS, GitHubPort
from agentic_action.approve.landing import (
    COMMIT_TRAILER,
    LandingRefused,
    PushRejected,
    catch_up,
    diff_for,
    dirty_files,
    land,
    revalidate,
)
from agentic_action.approve.outcome import ChangeOutcome, refused
from agentic_action.approve.request import REPLY_MARKER, ChangeRequest
from agentic_action.patches import InvalidCidError, PatchStore, UnknownCidError, parse_cid
from agentic_action.patches.git import patch_paths
from agentic_action.settings import Settings
from agentic_action.workspace import Repository

log = logging.getLogger("agentic_action")


def carry_out(
    request: ChangeRequest,
    settings: Settings,
    github: GitHubPort | None,
    *,
    env: Mapping[str, str],
    push_branch: str,
    bot_login: str,
    base_branch: str = "",
) -> ChangeOutcome:
    """Carry out ``request``. ``push_branch``: where patch mode pushes ("" = do not push);
    ``base_branch``: the branch GitHub mode's revert pull requests target ("" = default)."""
    log.info("/%s from @%s (%s)", request.command, request.actor, request.origin)
    refusal = authority_problem(request, github)
    if refusal:
        return refused(request, refusal)
    if request.pull is not None and request.command == "approve":
        from agentic_action.approve.github_approval import approve_pull

        assert github is not None  # authority_problem refuses comments and reviews without
        return approve_pull(request, settings, github.pulls(), env=env, bot_login=bot_login)
    try:
        cid = _one_cid(request)
        store = _store(settings)
        entry, diff = diff_for(store, cid, rollback=request.command == "rollback")
    except (InvalidCidError, UnknownCidError) as error:
        bad = "cid" if request.origin == "dispatch" else ""
        return refused(request, str(error), bad_input=bad)
    except LandingRefused as error:
        return refused(request, str(error))
    if request.command == "rollback":
        from agentic_action.approve import github_rollback

        pulls = github.pulls() if github is not None else None
        if github_rollback.wants_github(settings, entry, pulls):
            if pulls is None:
                return refused(request, "a rollback in GitHub mode needs the github-token input")
            return github_rollback.open_revert(
                request, settings, pulls, store, cid, env=env, base_branch=base_branch
            )
    what = "reversal" if request.command == "rollback" else "patch"
    repo = Repository(settings.repo)
    files = tuple(patch_paths(diff, repo.root))
    dirty = dirty_files(repo, files)
    if dirty:
        return refused(request, f"uncommitted changes in {', '.join(dirty)}; commit them first")
    landing = Landing(request, settings, repo, store, entry.meta.file, entry.meta.qualname)
    try:
        return landing.carry(cid, diff, what, push_branch=push_branch, env=env)
    except LandingRefused as error:
        return refused(request, str(error), cid=cid)


@dataclass(frozen=True)
class Landing:
    """Re-validate and land one patch; when the push finds the branch moved, fetch it and do
    both once more on the new tip."""

    request: ChangeRequest
    settings: Settings
    repo: Repository
    store: PatchStore
    file: str
    qualname: str

    def carry(
        self, cid: str, diff: bytes, what: str, *, push_branch: str, env: Mapping[str, str]
    ) -> ChangeOutcome:
        try:
            return self._once(cid, diff, what, push_branch, env)
        except PushRejected as error:
            if not error.moved:
                raise LandingRefused(push_advice(error, push_branch)) from None
        tip = catch_up(self.repo, push_branch, env)
        log.info("%s moved on origin (now %s): checking the %s there", push_branch, tip[:12], what)
        moved = replace(self, repo=Repository(self.repo.root))  # Repository keeps its HEAD
        try:
            return moved._once(cid, diff, what, push_branch, env)
        except PushRejected as error:
            raise LandingRefused(push_advice(error, push_branch)) from None

    def _once(
        self, cid: str, diff: bytes, what: str, push_branch: str, env: Mapping[str, str]
    ) -> ChangeOutcome:
        log.info("re-validating the %s of %s on %s", what, cid, self.repo.head_commit[:12])
        tests = revalidate(self.settings, self.repo, diff, what)
        log.info("%s; landing it", tests)
        files, sha, pushed = land(
            self.repo, self.store, cid,
            rollback=self.request.command == "rollback",
            message=commit_message(self.request, self.file, self.qualname, cid, tests),
            push_branch=push_branch, env=env,
        )  # fmt: skip
        return ChangeOutcome(self.request.command, True, tests, cid, sha, files, pushed)


def push_advice(error: PushRejected, branch: str) -> str:
    """Why the push failed and what to do; the commit was taken back."""
    if error.moved:
        return (
            f"{error} — `{branch}` moved again while the patch was checked once more on its new "
            f"tip; the commit was taken back. Ask again when `{branch}` is quiet."
        )
    return (
        f"{error} — the commit was taken back. If `{branch}` is protected, let "
        "github-actions push to it (or land the patch through a pull request: run with the "
        "`push: false` input and open one in a later step); if the token may not push, give the "
        "job `contents: write`."
    )


def authority_problem(request: ChangeRequest, github: GitHubPort | None) -> str:
    """Why ``request.actor`` may not ask this; "" when they may."""
    if request.origin == "dispatch":
        return ""
    if github is None:
        return (
            f"cannot check @{request.actor}'s permission: no GitHub token (set the action's "
            "github-token input); nobody's comment is trusted without it"
        )
    level = github.permission(request.actor)
    if level == UNKNOWN:
        return f"GitHub did not say what permission @{request.actor} has; try again later"
    if level not in WRITE_LEVELS:
        return (
            f"@{request.actor} has {level!r} permission on this repository; "
            f"/{request.command} needs write or admin"
        )
    return ""


def commit_message(request: ChangeRequest, file: str, qualname: str, cid: str, tests: str) -> str:
    if request.command == "rollback":
        title = f"revert: roll back agentic-optimizer patch to {file}::{qualname}"
    else:
        title = f"perf: apply agentic-optimizer patch to {file}::{qualname}"
    via = {"comment": "a comment", "review": "a review", "dispatch": "workflow_dispatch"}
    return (
        f"{title}\n\nRequested by @{request.actor} through {via[request.origin]}.\n"
        f"Checked before landing: {tests}.\n\n{COMMIT_TRAILER}: {cid}\n"
    )


def reply_text(request: ChangeRequest, outcome: ChangeOutcome) -> str:
    asked = " ".join(("/" + request.command, *request.args))[:120]
    if not outcome.completed and outcome.changed:
        return (
            f"{REPLY_MARKER}\n**agentic-optimizer** could not finish `{_tick(asked)}` from "
            f"@{request.actor}: {outcome.reason}\n\nChanged: {outcome.changed}."
        )
    if not outcome.completed:
        return (
            f"{REPLY_MARKER}\n**agentic-optimizer** refused `{_tick(asked)}` from "
            f"@{request.actor}: {outcome.reason}\n\nNothing was changed."
        )
    if outcome.note:
        return f"{REPLY_MARKER}\n**agentic-optimizer**: {outcome.note}"
    done = "Rolled back" if outcome.command == "rollback" else "Applied"
    where = f" and pushed to `{outcome.pushed_to}`" if outcome.pushed_to else ""
    return (
        f"{REPLY_MARKER}\n**agentic-optimizer**: {done} patch `{outcome.cid}` "
        f"({', '.join(f'`{f}`' for f in outcome.files)}) as commit {outcome.commit[:12]}{where}, "
        f"as @{request.actor} asked. Before landing, {outcome.reason}."
    )


def _tick(text: str) -> str:
    return text.replace("`", "'")


def _one_cid(request: ChangeRequest) -> str:
    if len(request.args) != 1:
        usage = "/approve <cid>" if request.command == "approve" else "/rollback <cid>"
        got = "no CID" if not request.args else f"{len(request.args)} words"
        raise InvalidCidError(f"expected exactly one patch CID ({usage}), got {got}")
    return parse_cid(request.args[0])


def _store(settings: Settings) -> PatchStore:
    root = settings.patches_path
    if not (root / "index.json").is_file():
        raise LandingRefused(
            f"no patch store at {root}: restore the optimize workflow's patch store there "
            "(the approve workflow restores it from the cache) or set the `out` input"
        )
    return PatchStore(root)
