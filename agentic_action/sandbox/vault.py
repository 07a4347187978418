"""Keep the run's secrets out of every process environment a candidate could read.

``/proc/<pid>/environ`` shows the environment a process was *started* with: removing a variable
from ``os.environ`` later does not hide it, and a candidate running as the same user without a
process namespace (isolation ``none``) can read it from every ancestor. So the optimizer, at its
start, runs itself again (``execve``, same pid) with every secret-looking variable (the sandbox's
own list, :func:`agentic_action.sandbox.runner.is_secret_name`) removed, and hands the values to
the new image through a pipe it reads at once and closes. The new image also marks itself
non-dumpable (``prctl(PR_SET_DUMPABLE, 0)``): another process of the same non-root user can then
open neither its ``/proc/<pid>/environ`` nor its memory.

What holds at each isolation level (see docs/action.md, "Isolation and secrets"):
- every level: our ``/proc/<pid>/environ`` holds no secret; the Action's step shell ``exec``\\ s
  the entrypoint, so no parent of ours holds one either; sandboxed children get a scrubbed
  environment.
- ``bwrap`` and ``unshare-net``: the candidate's process namespace has none of our processes.
- ``none`` as a non-root user: our memory and environ are closed to it (non-dumpable); helper
  processes we start (git, linters) that inherit a restored LLM key can be read while they run.
- ``none`` as root: nothing stops root from reading our memory; LLM methods refuse there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import sys
from collections.abc import Mapping, Sequence

from agentic_action.sandbox.runner import is_secret_name

HANDOVER_VARIABLE = "AGENTIC_OPTIMIZER_SECRETS_FD"
PIPE_CAPACITY = 65536  # Linux's default pipe buffer: written whole before the exec, unread
PR_SET_DUMPABLE = 4


def secret_names(env: Mapping[str, str]) -> list[str]:
    return sorted(name for name in env if is_secret_name(name))


def reexec_without_secrets(argv: Sequence[str] | None = None) -> None:
    """Run this program again without its secrets in its environment, handing them over through
    a pipe; returns only when there is nothing to do (no secrets, already done, not Linux, or
    more secret text than a pipe holds)."""
    if sys.platform != "linux" or HANDOVER_VARIABLE in os.environ:
        return
    names = secret_names(os.environ)
    payload = json.dumps({name: os.environ[name] for name in names}).encode()
    if not names or len(payload) >= PIPE_CAPACITY:
        return
    read_end, write_end = os.pipe()
    os.write(write_end, payload)
    os.close(write_end)
    os.set_inheritable(read_end, True)
    env = {k: v for k, v in os.environ.items() if k not in names}
    env[HANDOVER_VARIABLE] = str(read_end)
    args = list(sys.orig_argv if argv is None else argv)
    os.execve(sys.executable, [sys.executable, *args[1:]], env)


def take_secrets() -> dict[str, str]:
    """The secrets :func:`reexec_without_secrets` handed over ({} when none), and make this
    process non-dumpable."""
    raw = os.environ.pop(HANDOVER_VARIABLE, None)
    found: dict[str, str] = {}
    if raw is not None and raw.isdigit():
        fd = int(raw)
        chunks = []
        while chunk := os.read(fd, PIPE_CAPACITY):
            chunks.append(chunk)
        os.close(fd)
        found = json.loads(b"".join(chunks))
    make_undumpable()
    return found


def make_undumpable() -> bool:
    """``prctl(PR_SET_DUMPABLE, 0)``: processes of the same user (root aside) can no longer open
    this one's /proc files or memory. False where there is no prctl (not Linux)."""
    if sys.platform != "linux":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return int(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0


def protect() -> dict[str, str]:
    """At a program's start: re-exec without secrets (once) and return them."""
    reexec_without_secrets()
    return take_secrets()
