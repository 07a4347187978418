"""Landing an approved patch (or its reversal) on the checked-out branch, proven first.

1. ``revalidate``: in a fresh worktree at the current HEAD (the base as it is now, not as it
   was when the patch was made), apply the diff and prove the files it changes with the proof
   gate's ``AT_LANDING`` checks: the repository's whole test suite.
2. ``land``: apply the same diff to the checkout with the patch store's ``apply_patch`` (which
   checks again, keeps the change only if its reversal still undoes it, and records the event
   in the store's index), commit exactly the patched files, and push when asked.

Any refusal before the commit leaves the checkout and the store as they were.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from agentic_action.patches import (
    GitCommandError,
    PatchError,
    PatchStore,
    StoredPatch,
    apply_patch,
)
from agentic_action.patches.git import (
    apply_to_worktree,
    check_applies,
    patch_paths,
    run_git,
    stderr_text,
)
from agentic_action.prove.change import Change, read_sources
from agentic_action.prove.gate import AT_LANDING, GateConfig, GateVerdict, prove_change
from agentic_action.publish.github.gitpush import auth_env
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.settings import Settings
from agentic_action.workspace import Repository, Worktrees

COMMIT_TRAILER = "Agentic-Optimizer-Patch"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


class LandingRefused(Exception):
    """The change cannot land; the message says why. Nothing was changed."""


def diff_for(store: PatchStore, cid: str, *, rollback: bool) -> tuple[StoredPatch, bytes]:
    """The stored entry for ``cid`` and the diff that approving/rolling it back applies."""
    entry, named_reverse = store.resolve(cid)
    applies_reverse = named_reverse != rollback
    return entry, store.read(entry.reverse_cid if applies_reverse else entry.cid)


def revalidate(
    settings: Settings, repo: Repository, diff: bytes, what: str, *, commit: str | None = None
) -> str:
    """Apply ``diff`` in a worktree at ``commit`` (default HEAD) and prove it with the gate's
    ``AT_LANDING`` checks; a line saying what passed. GitHub mode passes the base branch's tip
    as just fetched from origin."""
    worktrees = Worktrees(repo, settings.worktree_base)
    worktrees.prune_stale()
    options = PytestOptions(
        python=settings.python,
        timeout=settings.test_timeout,
        run_integration=settings.run_integration_tests,
        run_performance=settings.run_performance_tests,
    )
    base = (commit or repo.head_commit)[:12]
    with worktrees.checkout(f"revalidate-{what}", commit) as root:
        change = _applied(root, diff, f"the {what} no longer applies to the current base {base}")
        with tempfile.TemporaryDirectory(prefix="agentic-revalidate-") as scratch:
            config = GateConfig(options, settings.min_test_coverage, Path(scratch))
            verdict = prove_change(root, change, config, checks=AT_LANDING, label="revalidate")
    if not verdict.accepted:
        raise LandingRefused(
            f"the test suite does not pass with the {what} on the current base {base}: "
            f"{_summary(verdict)}"
        )
    return f"the whole test suite passed with the {what} applied on {base} ({_summary(verdict)})"


def _applied(root: Path, diff: bytes, refusal: str) -> Change:
    """Apply ``diff`` to ``root``: the files it changes, with their sources before it."""
    problem = check_applies(root, diff)
    if problem is None:
        paths = patch_paths(diff, root)
        originals = read_sources(root, paths)
        problem = apply_to_worktree(root, diff)
        if problem is None:
            files = {path: _content(root / path) for path in paths}
            return Change.of_files(files, (), originals)
    raise LandingRefused(f"{refusal}:\n{problem}")


def _content(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _summary(verdict: GateVerdict) -> str:
    """The suite's own words (pytest's summary line), or why the gate stopped before it."""
    lines = verdict.checks[-1].detail.strip().splitlines() if verdict.checks else []
    return lines[0] if lines else verdict.reason


class PushRejected(LandingRefused):
    """The push was refused after the commit; the commit and the store's record were taken back,
    so nothing was changed. ``moved``: the branch moved on origin (a re-fetch may help)."""

    def __init__(self, message: str, *, moved: bool) -> None:
        super().__init__(message)
        self.moved = moved


MOVED_SIGNS = ("non-fast-forward", "fetch first", "stale info", "updates were rejected")


def land(
    repo: Repository,
    store: PatchStore,
    cid: str,
    *,
    rollback: bool,
    message: str,
    push_branch: str,
    env: Mapping[str, str],
) -> tuple[tuple[str, ...], str, str]:
    """Apply, commit (only the patched files) and push; (files, commit sha, pushed branch).
    A refused push takes the commit back (:class:`PushRejected`)."""
    top = repo.root
    recorded = store.index_path.read_bytes() if store.index_path.is_file() else None
    try:
        outcome = apply_patch(top, store, cid, reverse=rollback)
    except GitCommandError:
        raise  # the checkout may be left changed: a failure, not a refusal
    except PatchError as error:
        raise LandingRefused(str(error)) from None
    files = outcome.files
    done = run_git(
        top, "-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}",
        "commit", "--no-verify", "--quiet", "-m", message, "--", *files,
    )  # fmt: skip
    if done.returncode != 0:
        apply_to_worktree(top, store.read(outcome.applied_cid), reverse=True)
        raise LandingRefused(f"git commit failed, the change was taken back: {stderr_text(done)}")
    sha = run_git(top, "rev-parse", "HEAD").stdout.decode().strip()
    if not push_branch:
        return files, sha, ""
    pushed = run_git(
        top, "push", "--quiet", "origin", f"HEAD:refs/heads/{push_branch}",
        env=git_auth_env(env, top),
    )  # fmt: skip
    if pushed.returncode != 0:
        _take_back(top, store, outcome.applied_cid, files, recorded)
        why = stderr_text(pushed)
        raise PushRejected(
            f"could not push the commit to {push_branch}: {why}",
            moved=any(sign in why.lower() for sign in MOVED_SIGNS),
        )
    return files, sha, push_branch


def _take_back(
    top: Path, store: PatchStore, applied: str, files: tuple[str, ...], recorded: bytes | None
) -> None:
    """Undo a commit that could not be pushed: HEAD, index, work tree and the store's record
    as they were before :func:`land`."""
    run_git(top, "reset", "--quiet", "--soft", "HEAD^")
    run_git(top, "reset", "--quiet", "--", *files)
    apply_to_worktree(top, store.read(applied), reverse=True)
    if recorded is not None:
        store.index_path.write_bytes(recorded)


def catch_up(repo: Repository, branch: str, env: Mapping[str, str]) -> str:
    """Move the checkout to origin's ``branch`` as it is now (a fast-forward); the new HEAD."""
    top = repo.root
    fetched = run_git(
        top, "fetch", "--quiet", "--no-tags", "origin", f"refs/heads/{branch}",
        env=git_auth_env(env, top),
    )  # fmt: skip
    if fetched.returncode != 0:
        raise LandingRefused(f"could not fetch {branch} from origin: {stderr_text(fetched)}")
    merged = run_git(top, "merge", "--quiet", "--ff-only", "FETCH_HEAD")
    if merged.returncode != 0:
        raise LandingRefused(
            f"{branch} on origin is not ahead of the checkout, so it was rewritten: "
            f"{stderr_text(merged)}"
        )
    return run_git(top, "rev-parse", "HEAD").stdout.decode().strip()


def dirty_files(repo: Repository, files: tuple[str, ...]) -> list[str]:
    done = run_git(repo.root, "status", "--porcelain", "--", *files)
    return [line[3:] for line in done.stdout.decode().splitlines() if line.strip()]


def git_auth_env(env: Mapping[str, str], top: Path) -> dict[str, str]:
    """Git's environment for a push or fetch: the token as an HTTP header for the GitHub
    server only (nothing when origin is elsewhere, e.g. a local path in tests).

    Passed through GIT_CONFIG_* variables, never on a command line or in .git/config.
    """
    token = env.get("OPTIMIZER_GITHUB_TOKEN") or env.get("GITHUB_TOKEN") or ""
    remote = run_git(top, "remote", "get-url", "origin").stdout.decode().strip()
    return auth_env(token, remote, env)
