"""The branch of a change: one deterministic commit on the base commit, pushed with GitPython.

The commit is built with git plumbing in a private index (the clone's work tree and index are
not touched), with a fixed identity and the base commit's date, so the same change always
gives the same commit id: a rerun's push is a no-op. A branch that exists with commits not
made by agentic-optimizer for this target is never overwritten.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import git

from agentic_action.publish.github.config import DEFAULT_SERVER_URL

BOT_NAME = "agentic-optimizer"
BOT_EMAIL = "agentic-optimizer@users.noreply.github.com"
TRAILER = "Agentic-Optimizer-Change"


@dataclass(frozen=True)
class PushResult:
    ok: bool
    action: Literal["created", "updated", "unchanged", "refused", "failed"]
    commit: str
    reason: str


def build_commit(repo: git.Repo, base_commit: str, diff: str, message: str) -> str:
    """The id of a commit holding ``diff`` applied on ``base_commit`` (ValueError if it can't)."""
    try:
        base = repo.commit(base_commit)
    except (ValueError, git.BadName) as error:
        raise ValueError(
            f"base commit {base_commit!r} is not in {repo.working_dir}; fetch it first"
        ) from error
    stamp = f"@{base.committed_date} +0000"
    with tempfile.TemporaryDirectory(prefix="agentic-optimizer-index-") as tmp:
        patch = Path(tmp) / "change.diff"
        patch.write_text(diff if diff.endswith("\n") else diff + "\n", encoding="utf-8")
        env = {
            "GIT_INDEX_FILE": str(Path(tmp) / "index"),
            "GIT_AUTHOR_NAME": BOT_NAME,
            "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": BOT_NAME,
            "GIT_COMMITTER_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_DATE": stamp,
        }
        repo.git.read_tree(base.hexsha, env=env)
        try:
            repo.git.apply("--cached", "--whitespace=nowarn", str(patch), env=env)
        except git.GitCommandError as error:
            raise ValueError(
                f"the diff does not apply on {base_commit[:12]}: {error.stderr.strip()}"
            ) from error
        tree = repo.git.write_tree(env=env)
        commit: str = repo.git.commit_tree(tree, "-p", base.hexsha, "-m", message, env=env)
    return commit.strip()


def commit_message(title: str, slug: str, cid: str) -> str:
    return f"{title}\n\n{TRAILER}: {slug}\nAgentic-Optimizer-CID: {cid}\n"


def auth_env(
    token: str | None,
    remote: str,
    env: Mapping[str, str] | None = None,
    *,
    server_url: str | None = None,
) -> dict[str, str]:
    """Git's environment for a push or fetch to the GitHub server: the token as an HTTP header
    (``actions/checkout`` with ``persist-credentials: false`` leaves git without one). Passed
    through GIT_CONFIG_* variables, never on a command line or in .git/config; nothing when
    origin is elsewhere (a local path in tests) or there is no token.

    ``server_url``: the GitHub server (``GitHubConfig.server_url``); without it, ``env``'s
    GITHUB_SERVER_URL. ``env`` (default: this process's, which git inherits) also gives the
    GIT_CONFIG_COUNT entries already set, which are kept.

    The header is set after an empty value of the same key, which resets git's list of extra
    headers: a checkout made with ``actions/checkout``'s default ``persist-credentials: true``
    keeps its own header in .git/config, and git would send both Authorization headers, which
    GitHub answers with 400."""
    env = os.environ if env is None else env
    server = (server_url or env.get("GITHUB_SERVER_URL", DEFAULT_SERVER_URL)).rstrip("/")
    if not token or urlsplit(remote).netloc != urlsplit(server).netloc:
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)  # keep what is set (e.g. safe.directory)
    key = f"http.{server}/.extraheader"
    return {
        "GIT_CONFIG_COUNT": str(count + 2),
        f"GIT_CONFIG_KEY_{count}": key,
        f"GIT_CONFIG_VALUE_{count}": "",  # reset: drop a header the checkout persisted
        f"GIT_CONFIG_KEY_{count + 1}": key,
        f"GIT_CONFIG_VALUE_{count + 1}": f"AUTHORIZATION: basic {basic}",
        "GIT_TERMINAL_PROMPT": "0",
    }


def push_branch(
    repo_path: Path,
    branch: str,
    slug: str,
    commit: str,
    secret: str | None,
    *,
    server_url: str | None = None,
) -> PushResult:
    """Point origin's ``branch`` at ``commit``, unless the branch holds someone else's work.
    ``server_url``: the GitHub server the token is for (see :func:`auth_env`)."""
    repo = git.Repo(repo_path)
    try:
        remote = str(repo.git.remote("get-url", "origin"))
        env = auth_env(secret, remote, server_url=server_url)
        tip = _remote_tip(repo, branch, env)
        if tip == commit:
            return PushResult(True, "unchanged", commit, f"{branch} already at {commit[:12]}")
        if tip is None:
            repo.git.push("origin", f"{commit}:refs/heads/{branch}", env=env)
            return PushResult(True, "created", commit, f"pushed {branch}")
        repo.git.fetch("origin", f"refs/heads/{branch}", env=env)
        mine, who = _is_ours(repo, tip, slug)
        if not mine:
            return PushResult(
                False,
                "refused",
                commit,
                f"branch {branch} already exists on origin with other content (tip {tip[:12]} "
                f"by {who}); not overwritten. Delete the branch, or label the PR/issue "
                "agentic-optimizer:skip",
            )
        lease = f"--force-with-lease=refs/heads/{branch}:{tip}"
        repo.git.push(lease, "origin", f"{commit}:refs/heads/{branch}", env=env)
        return PushResult(True, "updated", commit, f"moved {branch} from {tip[:12]}")
    except git.GitCommandError as error:
        detail = (error.stderr or str(error)).strip()
        if secret:
            detail = detail.replace(secret, "***")
        return PushResult(False, "failed", commit, f"git push of {branch} failed: {detail[-400:]}")


def _remote_tip(repo: git.Repo, branch: str, env: Mapping[str, str]) -> str | None:
    listed = str(repo.git.ls_remote("origin", f"refs/heads/{branch}", env=env))
    for line in listed.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            return sha
    return None


def _is_ours(repo: git.Repo, tip: str, slug: str) -> tuple[bool, str]:
    commit = repo.commit(tip)
    who = f"{commit.author.name} <{commit.author.email}>"
    message = str(commit.message)
    return commit.author.email == BOT_EMAIL and f"{TRAILER}: {slug}" in message, who
