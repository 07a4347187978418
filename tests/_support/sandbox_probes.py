"""Run hostile programs through the real sandbox from a separate parent process.

The parent is a fresh ``python -m sandbox_probes`` process started with the secrets in its own
environment, exactly like the optimizer on a CI runner: only then does ``/proc/<parent>/environ``
hold them (a later ``os.environ[...] = ...`` in pytest would not show there).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPPORT = Path(__file__).resolve().parent

SECRETS: dict[str, str] = {
    "GITHUB_TOKEN": "ghp_probeGithubToken0000000000000000000",
    "OPENAI_API_KEY": "sk-probeOpenAiKey00000000000000000000",
    "MY_SECRET": "probe-my-secret-value-11111",
    "ACTIONS_RUNTIME_TOKEN": "probe-actions-runtime-22222",
    "OPTIMIZER_LLM_API_KEY": "probe-optimizer-llm-33333",
    "DB_PASSWORD": "probe-db-password-44444",
}
# A harmless variable that must reach the child: proves the probes can see what is there.
VISIBLE = ("PROBE_PLAIN_SETTING", "probe-visible-55555")


# Looks for every secret value in its environment, its own /proc environ, the environ of the
# parent that holds the secrets, and every /proc/<pid>/environ it can open.
ENV_PROBE = """
import json, os
VALUES = {values!r}
VISIBLE = {visible!r}

def hits(blob):
    return sorted(name for name, value in VALUES.items() if value.encode() in blob)

def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        return type(error).__name__

own = read("/proc/self/environ")
parent = read("/proc/__PARENT_PID__/environ")
scanned, leaks = 0, {{}}
for entry in os.listdir("/proc"):
    if entry.isdigit():
        blob = read(f"/proc/{{entry}}/environ")
        if isinstance(blob, bytes):
            scanned += 1
            if hits(blob):
                leaks[entry] = hits(blob)
environment = "\\0".join(f"{{k}}={{v}}" for k, v in os.environ.items()).encode()
print(json.dumps({{
    "env_names": sorted(set(VALUES) & set(os.environ)),
    "env_values": hits(environment),
    "own_environ": hits(own),
    "own_environ_has_visible": VISIBLE.encode() in own,
    "parent_environ": hits(parent) if isinstance(parent, bytes) else parent,
    "proc_leaks": leaks,
    "environs_scanned": scanned,
}}))
"""


def env_probe() -> str:
    return ENV_PROBE.format(values=SECRETS, visible=VISIBLE[1])


@dataclass(frozen=True)
class Outcome:
    isolation: str
    returncode: int | None
    timed_out: bool
    stdout: str
    stderr: str
    seconds: float

    @property
    def report(self) -> Any:
        """The JSON object the hostile child printed on its last stdout line."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"the child printed nothing; stderr: {self.stderr[-2000:]}"
        return json.loads(lines[-1])


def run_hostile(
    code: str,
    cwd: Path,
    *,
    timeout: float = 20.0,
    memory_mb: int | None = 1024,
    env: Mapping[str, str] | None = None,
    writable: Sequence[Path] = (),
) -> Outcome:
    """Start a parent process (with ``env`` added to ours) that sandboxes ``python -c code``.

    ``__PARENT_PID__`` in ``code`` becomes that parent's pid (the process holding the secrets).
    """
    request = {
        "code": code,
        "cwd": str(cwd),
        "timeout": timeout,
        "memory_mb": memory_mb,
        "writable": [str(p) for p in writable],
    }
    parent_env = dict(os.environ)
    parent_env.update(env or {})
    parent_env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(SUPPORT)])
    done = subprocess.run(
        [sys.executable, "-m", "sandbox_probes", json.dumps(request)],
        env=parent_env,
        capture_output=True,
        text=True,
        timeout=timeout + 60,
        check=False,
    )
    assert done.returncode == 0, f"the parent failed: {done.stderr[-3000:]}"
    data = json.loads(done.stdout)
    return Outcome(**{key: data[key] for key in Outcome.__dataclass_fields__})


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker`` (zombies have none, so they don't count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def survivors(marker: str, settle: float = 5.0) -> list[int]:
    """Processes carrying ``marker`` that are still alive once killing had ``settle`` s to land."""
    deadline = time.monotonic() + settle
    while (found := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


@contextlib.contextmanager
def host_dir_outside_tmp() -> Iterator[Path | None]:
    """A fresh host directory that is not under /tmp (the sandbox hides /tmp behind a private
    one), removed afterwards; None when there is no writable place for it."""
    for base in (Path("/var/tmp"), Path.home()):
        if not base.is_dir() or str(base.resolve()).startswith("/tmp"):
            continue
        try:
            folder = Path(tempfile.mkdtemp(prefix="agentic-sandbox-test-", dir=base))
        except OSError:
            continue
        try:
            yield folder.resolve()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    yield None


def kill_marked(marker: str) -> None:
    """Kill what a test's child left behind (only processes that test started carry its marker)."""
    for pid in processes_with(marker):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def llm_gate(env: Mapping[str, str] | None = None) -> str:
    """ "" when an LLM method may run candidates here, else the refusal's message."""
    from agentic_action.sandbox.policy import IsolationRefused, refuse_unisolated

    try:
        refuse_unisolated("test-driven", env)
    except IsolationRefused as error:
        return str(error)
    return ""


def main(argv: list[str]) -> None:
    from agentic_action.sandbox.policy import UNSAFE_VARIABLE
    from agentic_action.sandbox.runner import run_sandboxed
    from agentic_action.sandbox.vault import protect

    request = json.loads(argv[0])
    if request.get("protect"):  # what the entrypoint does first: re-exec without the secrets
        protect()
    code = request["code"].replace("__PARENT_PID__", str(os.getpid()))
    result = run_sandboxed(
        [sys.executable, "-c", code],
        cwd=Path(request["cwd"]),
        timeout=request["timeout"],
        memory_mb=request["memory_mb"],
        writable=[Path(p) for p in request["writable"]],
    )
    print(
        json.dumps(
            {
                "isolation": result.isolation,
                "returncode": result.returncode,
                "timed_out": result.timed_out,
                "stdout": result.stdout,
                "stderr": result.stderr,
                "seconds": result.seconds,
                "llm_gate": llm_gate(),
                "unsafe_gate": llm_gate({**os.environ, UNSAFE_VARIABLE: "true"}),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
