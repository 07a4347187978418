"""The git commands behind patch mode: find a work tree, diff it, check and apply patches.

Every call runs the ``git`` executable with the environment variables that would point it at
another repository removed, and with ``-c`` overrides for the user settings that change what a
diff looks like or how strictly ``git apply`` matches (prefixes, colour, whitespace).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from agentic_action.patches.errors import (
    NOTHING_CHANGED,
    GitCommandError,
    NotAGitRepositoryError,
    PatchRejectedError,
)
from agentic_action.patches.safety import check_relative_path

# Variables that would make git act on some other repository, index or diff driver.
_SCRUBBED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)
_OVERRIDES = (
    "-c",
    "color.ui=never",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
    "-c",
    "apply.whitespace=nowarn",
    "-c",
    "apply.ignoreWhitespace=no",
)
DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--binary",  # binary files as "GIT binary patch" (implies --full-index)
    "--no-renames",  # a delete + an add: plain, whatever diff.renames says
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
GIT_TIMEOUT_SECONDS = 120


def run_git(
    cwd: Path,
    *args: str,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd``; the caller reads returncode, stdout and stderr."""
    full_env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    full_env["GIT_TERMINAL_PROMPT"] = "0"
    full_env.update(env or {})
    try:
        return subprocess.run(
            ["git", *_OVERRIDES, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=full_env,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitCommandError(f"cannot run git ({exc}); install git and retry") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitCommandError(f"git {args[0]} took over {GIT_TIMEOUT_SECONDS} s in {cwd}") from exc


def stderr_text(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stderr.decode("utf-8", "replace").strip()


def repo_toplevel(path: Path) -> Path:
    """The root of the git work tree that holds ``path``; NotAGitRepositoryError if none."""
    if not path.is_dir():
        raise NotAGitRepositoryError(
            f"repository {str(path)!r} does not exist or is not a directory; "
            f"pass the root of a git work tree: {NOTHING_CHANGED}"
        )
    done = run_git(path, "rev-parse", "--show-toplevel")
    if done.returncode != 0 or not done.stdout.strip():
        reason = stderr_text(done) or "it is a bare repository"
        raise NotAGitRepositoryError(
            f"{str(path)!r} is not a git work tree (git says: {reason}); "
            f"pass the root of a git clone: {NOTHING_CHANGED}"
        )
    return Path(os.fsdecode(done.stdout.strip()))


def head_commit(top: Path) -> str | None:
    """The commit HEAD points at, or None in a repository without commits."""
    done = run_git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    return done.stdout.decode().strip() if done.returncode == 0 else None


def patch_paths(patch: bytes, cwd: Path | None = None) -> list[str]:
    """Every path ``git apply`` would touch for ``patch`` (old and new names of renames).

    Raises PatchRejectedError with git's reason when git cannot parse the patch. Without
    ``cwd`` git runs in an empty folder outside any repository.
    """
    if cwd is not None:
        return _numstat(cwd, patch)
    with tempfile.TemporaryDirectory(prefix="ao-patch-") as tmp:
        ceiling = {"GIT_CEILING_DIRECTORIES": str(Path(tmp).parent)}
        return _numstat(Path(tmp), patch, ceiling)


def _numstat(cwd: Path, patch: bytes, env: Mapping[str, str] | None = None) -> list[str]:
    done = run_git(cwd, "apply", "--numstat", "-z", "-", stdin=patch, env=env)
    if done.returncode != 0:
        raise PatchRejectedError(f"git cannot parse the diff: {stderr_text(done)}")
    return _parse_numstat(done.stdout)


def _parse_numstat(out: bytes) -> list[str]:
    """Parse ``git apply --numstat -z``: ``A\\tD\\tPATH\\0``, or ``A\\tD\\t\\0OLD\\0NEW\\0``."""
    fields = out.split(b"\0")
    paths: list[bytes] = []
    index = 0
    while index < len(fields):
        parts = fields[index].split(b"\t", 2)
        if len(parts) != 3:
            index += 1  # the empty field after the last NUL
        elif parts[2]:
            paths.append(parts[2])
            index += 1
        else:
            paths.extend(fields[index + 1 : index + 3])
            index += 3
    return [os.fsdecode(path) for path in paths]


def check_applies(top: Path, patch: bytes) -> str | None:
    """None when ``patch`` applies cleanly to the work tree, else git's reason."""
    done = run_git(top, "apply", "--check", "--verbose", "-", stdin=patch)
    return None if done.returncode == 0 else _failure_lines(done)


def apply_to_worktree(top: Path, patch: bytes, *, reverse: bool = False) -> str | None:
    """Apply ``patch`` (git apply is all-or-nothing); None on success, else git's reason."""
    args = ["apply", "-R", "-"] if reverse else ["apply", "-"]
    done = run_git(top, *args, stdin=patch)
    return None if done.returncode == 0 else _failure_lines(done)


def _failure_lines(done: subprocess.CompletedProcess[bytes]) -> str:
    lines = [ln for ln in stderr_text(done).splitlines() if not ln.startswith("Checking patch")]
    return "\n".join(lines[:20]) or f"git apply exited with {done.returncode}"


def diff_worktree(worktree: Path, paths: Sequence[str]) -> tuple[str, str]:
    """(forward, reverse) unified diffs of the uncommitted changes to ``paths`` vs HEAD.

    ``paths`` are relative to the repository root. Changes count whether staged or not, and
    new untracked files under ``paths`` are included; the work tree's own index is not
    touched (a temporary index is used). Diffs are git diffs with ``a/`` ``b/`` prefixes
    and binary hunks, ready for ``git apply``. ``("", "")`` means nothing changed.
    """
    top = repo_toplevel(worktree)
    if not paths:
        raise PatchRejectedError("diff_worktree needs at least one path to diff")
    for path in paths:
        check_relative_path(path, "diff_worktree path")
    if head_commit(top) is None:
        raise GitCommandError(f"{top} has no commits yet: commit the base version first")
    with tempfile.TemporaryDirectory(prefix="ao-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _must(top, env, "read-tree", "HEAD")
        _must(top, env, "--literal-pathspecs", "add", "--all", "--", *paths)
        forward = _must(top, env, "diff", "--cached", *DIFF_OPTIONS, "HEAD", "--", *paths)
        reverse = _must(top, env, "diff", "--cached", "-R", *DIFF_OPTIONS, "HEAD", "--", *paths)
    return _utf8(forward, paths), _utf8(reverse, paths)


def _must(top: Path, env: Mapping[str, str], *args: str) -> bytes:
    done = run_git(top, *args, env=env)
    if done.returncode != 0:
        command = " ".join(args[:3])
        raise GitCommandError(f"git {command} failed in {top}: {stderr_text(done)}")
    return done.stdout


def _utf8(diff: bytes, paths: Sequence[str]) -> str:
    try:
        return diff.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PatchRejectedError(
            f"the diff of {', '.join(paths)} is not UTF-8 (byte {exc.start}); "
            "patch files are stored as UTF-8 text: convert the file's encoding first"
        ) from None
