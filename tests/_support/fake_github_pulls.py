"""Merging pull requests in the fake GitHub server: ``PUT .../pulls/{pull_number}/merge``.

The merge is real: the bare repository's base branch moves to a new commit made with git
plumbing (``merge-tree --write-tree``, ``commit-tree``, ``update-ref`` with the old value, so
a concurrent push is never lost). Answers follow GitHub's REST description
(``pull-request-merge-result``; 405 for a draft, a closed or a conflicting pull request or a
merge method the repository does not allow; 409 when ``sha`` is not the head).

``rebase`` is refused with 422 by this fake (one commit per pull request is all the project
makes; ``squash`` gives the same result for it).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import fake_github_objects as obj
from fake_github_routes import Call, _pull_rec, _repo, route
from fake_github_state import Answer, HttpError, Repo, State

MERGER = ("GitHub", "noreply@github.com")
NOT_ALLOWED = {
    "merge": "Merge commits are not allowed on this repository.",
    "squash": "Squash merges are not allowed on this repository.",
    "rebase": "Rebase merges are not allowed on this repository.",
}


@route("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge")
def merge_pull(state: State, call: Call) -> Answer:
    repo = _repo(state, call, write=True)
    rec = _pull_rec(state, repo, call)
    body = call.body if isinstance(call.body, dict) else {}
    method = str(body.get("merge_method") or "merge")
    if method not in NOT_ALLOWED:
        raise HttpError(
            422, "Validation Failed", [{"resource": "PullRequest", "field": "merge_method"}]
        )
    if rec.state != "open":
        raise HttpError(405, "Pull Request is not mergeable")
    if rec.draft:
        raise HttpError(405, "Pull Request is still a draft")
    if method not in repo.merge_methods:
        raise HttpError(405, NOT_ALLOWED[method])
    if method == "rebase":
        raise HttpError(422, "Validation Failed: the fake GitHub server merges or squashes only")
    head = state.branch_sha(repo, rec.head)
    if "sha" in body and body["sha"] != head:
        raise HttpError(409, "Head branch was modified. Review and try the merge again.")
    if repo.bare is None or head is None:
        raise HttpError(405, "Pull Request is not mergeable")
    sha = _merge_commit(state, repo, rec, head, method, body)
    rec.state = "closed"
    rec.merged_at = rec.closed_at = rec.updated_at = state.now()
    rec.merge_commit_sha = sha
    return 200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}, {}


def _merge_commit(
    state: State, repo: Repo, rec: obj.IssueRecord, head: str, method: str, body: dict[str, object]
) -> str:
    assert repo.bare is not None
    base = state.branch_sha(repo, rec.base)
    if base is None:
        raise HttpError(405, "Pull Request is not mergeable")
    merged = _git(repo.bare, "merge-tree", "--write-tree", "--no-messages", base, head)
    if merged.returncode != 0:
        raise HttpError(405, "Pull Request is not mergeable")
    tree = merged.stdout.split()[0]
    if method == "squash":
        title = str(body.get("commit_title") or f"{rec.title} (#{rec.number})")
        parents = ["-p", base]
    else:
        default = f"Merge pull request #{rec.number} from {repo.record.owner}/{rec.head}"
        title = str(body.get("commit_title") or default)
        parents = ["-p", base, "-p", head]
    message = f"{title}\n\n{body.get('commit_message') or ''}".rstrip() + "\n"
    stamp = state.now()
    env = {
        "GIT_AUTHOR_NAME": rec.author,
        "GIT_AUTHOR_EMAIL": f"{rec.author}@users.noreply.github.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": MERGER[0],
        "GIT_COMMITTER_EMAIL": MERGER[1],
        "GIT_COMMITTER_DATE": stamp,
    }
    made = _git(repo.bare, "commit-tree", tree, *parents, "-m", message, env=env)
    sha = made.stdout.strip()
    moved = _git(repo.bare, "update-ref", f"refs/heads/{rec.base}", sha, base)
    if made.returncode != 0 or moved.returncode != 0:
        raise HttpError(405, "Pull Request is not mergeable")  # the base moved meanwhile
    return sha


def _git(
    bare: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ) | (env or {})
    return subprocess.run(
        ["git", *args], cwd=bare, capture_output=True, text=True, env=full, check=False
    )
