"""Fail closed: code an LLM wrote runs only where the sandbox hides what it must.

A candidate an LLM wrote is untrusted code. It may run only under an isolation level that hides
the host's file system (credentials, the checkout's token, the runner's temp files), the network
(nowhere to send what it found) and the other processes (``/proc/<pid>/environ`` of the optimizer
and its parents). Only bubblewrap gives all three; ``unshare-net`` hides the network and the
processes but not the file system; ``none`` hides nothing. Below that, the LLM methods refuse to
start with :class:`IsolationRefused` (exit 2, the message names the cause and the fix), unless
the variable named :data:`UNSAFE_VARIABLE` is ``true``: its name says what it does.

``OPTIMIZER_SANDBOX=none`` switches the isolation off on a machine that has it: the way to see
what a machine without it does (a GitHub-hosted runner where AppArmor blocks user namespaces).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from agentic_action.errors import BadInput
from agentic_action.sandbox.runner import Isolation, isolation_level

Hidden = Literal["file system", "network", "processes"]
HIDES: Mapping[Isolation, tuple[Hidden, ...]] = {
    "bwrap": ("file system", "network", "processes"),
    "unshare-net": ("network", "processes"),
    "none": (),
}
REQUIRED: tuple[Hidden, ...] = ("file system", "network", "processes")
UNSAFE_VARIABLE = "OPTIMIZER_UNSAFE_RUN_CANDIDATES_WITHOUT_ISOLATION"
SANDBOX_VARIABLE = "OPTIMIZER_SANDBOX"
SETUP_SCRIPT = "scripts/setup-sandbox.sh"


class IsolationRefused(BadInput):
    """An LLM method was asked to run where candidates cannot be isolated."""


def missing(level: Isolation) -> tuple[Hidden, ...]:
    """What ``level`` leaves visible to a candidate, of what it must hide."""
    return tuple(part for part in REQUIRED if part not in HIDES[level])


def unsafe_allowed(env: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if env is None else env).get(UNSAFE_VARIABLE, "")
    return value.strip().lower() in ("1", "true", "yes")


def why_weak(level: Isolation, env: Mapping[str, str] | None = None) -> str:
    """The cause of a weak isolation level, as far as this process can tell."""
    env = os.environ if env is None else env
    if env.get(SANDBOX_VARIABLE, "").lower() == "none":
        return f"{SANDBOX_VARIABLE}=none switched the isolation off"
    if level == "unshare-net":
        return "bubblewrap is missing or cannot create its namespaces; only unshare (root) works"
    return (
        "bubblewrap is missing or cannot create user namespaces (on ubuntu-24.04 runners "
        "AppArmor blocks them: kernel.apparmor_restrict_unprivileged_userns=1), and unshare "
        "needs root"
    )


def refuse_unisolated(method: str, env: Mapping[str, str] | None = None) -> None:
    """Raise :class:`IsolationRefused` unless candidates of ``method`` can run isolated here
    (or the unsafe variable allows running them anyway)."""
    level = isolation_level()
    gaps = missing(level)
    if not gaps or unsafe_allowed(env):
        return
    raise IsolationRefused(
        f"method {method!r} runs code an LLM wrote, but the sandbox here (isolation "
        f"{level!r}) does not hide the {', '.join(gaps)} from it: {why_weak(level, env)}. "
        f"Fix: install bubblewrap and let it create namespaces (the Action's isolation step "
        f"runs {SETUP_SCRIPT}: apt-get install bubblewrap and, where AppArmor restricts user "
        f"namespaces, a profile for /usr/bin/bwrap, both through sudo), or use method 'rules'. "
        f"To run the candidates anyway, exposed to your secrets and network, set "
        f"{UNSAFE_VARIABLE}=true."
    )
