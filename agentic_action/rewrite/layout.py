"""A rewrite keeps a formatted file formatted: the repository's own ``ruff format`` layout.

The rules write their code in one fixed layout. In a file that ``ruff format --check`` finds
clean on HEAD (under the repository's ruff configuration, or ruff's defaults when it has none,
exactly as the gate's ruff check runs it), that layout may not be the repository's, and the
gate would rightly reject the candidate for making the file unformatted. So such a file's
candidate is passed through ``ruff format`` before it is proven: the formatter changes layout
only (ruff checks that the syntax tree is unchanged), and since the rest of the file was
already in that layout, only the rewritten lines move. A file that is not format-clean on HEAD
is left as the rules wrote it: reformatting it is not ours to do.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
from pathlib import Path

from agentic_action.prove.static_tools import ruff_config
from agentic_action.rewrite._ruff import RUFF_TIMEOUT_SECONDS, ruff_executable

_CLEAN: dict[str, bool] = {}  # (root, path, content) -> format-clean on HEAD
_FORMATTED: dict[str, str] = {}  # (root, path, candidate) -> the candidate as it is proven
_LOCK = threading.Lock()


def format_like_head(root: Path, path: str, original: str, new: str) -> str:
    """``new`` (the candidate's version of ``path``, whose HEAD version is ``original``) in the
    repository's ruff format when ``original`` is in it; else ``new`` unchanged. Any failure of
    ruff leaves ``new`` unchanged: the gate's ruff check then judges it as it is. Answers are
    kept for the process: the semgrep scan before the agents and the agent ask for the same."""
    if new == original or not _format_clean(root, path, original):
        return new
    key = _key(root, path, new)
    with _LOCK:
        known = _FORMATTED.get(key)
    if known is None:
        formatted = _ruff_format(root, path, new, check=False)
        known = formatted if formatted is not None else new
        with _LOCK:
            _FORMATTED[key] = known
    return known


def _format_clean(root: Path, path: str, original: str) -> bool:
    key = _key(root, path, original)
    with _LOCK:
        known = _CLEAN.get(key)
    if known is None:
        known = _ruff_format(root, path, original, check=True) is not None
        with _LOCK:
            _CLEAN[key] = known
    return known


def _key(root: Path, path: str, source: str) -> str:
    return hashlib.sha256(f"{root.resolve()}\0{path}\0{source}".encode()).hexdigest()


def _ruff_format(root: Path, path: str, source: str, *, check: bool) -> str | None:
    """The formatted source (or, with ``check``, the source itself when it is already
    formatted); None when ruff would change it (``check``) or cannot format it."""
    command = [ruff_executable(), "format", "--no-cache", "--stdin-filename", path]
    if check:
        command.append("--check")
    if ruff_config(root) is None:
        command.append("--isolated")
    try:
        done = subprocess.run(
            [*command, "-"],
            cwd=root,
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=RUFF_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired, RuntimeError):
        return None
    if done.returncode != 0:
        return None
    return source if check else done.stdout.decode("utf-8")
