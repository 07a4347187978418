"""Small process helpers: atomic writes and file locks for the files that keep state, scoped
environment."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path


def atomic_write(path: Path, data: bytes | str, *, private: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` so that a reader sees the old file or the new
    one, never half of one: a new file beside it, flushed to disk, renamed over it. The folder
    is created if missing; the file gets the permissions any new file gets (the umask's), or
    only its owner's with ``private`` (prompts, answers and spend: no other user reads them)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes on the file ``path`` (created, with its folder, if
    missing) where the OS has flock; elsewhere nothing."""
    try:
        import fcntl
    except ImportError:  # Windows: the thread lock is all there is
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def environ_set(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in os.environ for the duration (child processes inherit them); every variable
    is restored afterwards, unset ones removed again."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
