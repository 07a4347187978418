"""The one place that runs untrusted code (the repository's tests, candidate code).

Every child process gets:
- an environment scrubbed of secrets (tokens, keys, passwords, every variable the LLM and GitHub
  settings name), with HOME pointed at a throw-away directory;
- a wall-clock time limit (the whole process group is killed when it runs out) and an address-space
  limit;
- its worktree as working directory;
- when bubblewrap (``bwrap``) works on this machine: a read-only view of the file system where only
  the worktree (and explicitly named output directories) are writable, a private ``/tmp`` and
  ``/run`` (no daemon sockets), no network, its own process namespace (it cannot see or read
  ``/proc/<pid>/environ`` of our process, and every process it starts dies with it), no
  capabilities even when we run as root, and well-known credential files (the repository's git
  config, where ``actions/checkout`` keeps its token, ``~/.git-credentials``, ``~/.netrc``, ...)
  replaced by empty ones. Otherwise, where ``unshare --net`` works: no network and its own
  process namespace, but no file-system isolation. Otherwise: none of these.
  :func:`isolation_level` says which, and the report repeats it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentic_action import cancel

Isolation = Literal["bwrap", "unshare-net", "none"]
# No network; a process namespace of its own (with its own /proc) that dies with the child.
UNSHARE_ARGS: tuple[str, ...] = ("--net", "--pid", "--fork", "--kill-child", "--mount-proc")

SECRET_PATTERNS: tuple[str, ...] = (
    "*TOKEN*",
    "*KEY*",
    "*SECRET*",
    "*PASSWORD*",
    "*PASSWD*",
    "*CREDENTIAL*",
    "ACTIONS_*",
    "OPTIMIZER_LLM_*",
    "OPTIMIZER_GITHUB_*",
    "LITELLM_*",
    "AWS_*",
    "AZURE_*",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "*_AUTH*",
    "SSH_AUTH_SOCK",
)
# Variables that match a pattern above but carry no secret and are needed to run Python.
SAFE_NAMES: frozenset[str] = frozenset({"PYTHONHASHSEED"})
DEFAULT_MEMORY_MB = 4096
# Credentials kept in files rather than the environment, relative to the home directory. Under
# bubblewrap, directories are hidden behind an empty tmpfs and files behind an empty file.
CREDENTIAL_DIRS: tuple[str, ...] = (
    ".ssh", ".aws", ".azure", ".gnupg", ".kube", ".docker", ".config/gh", ".config/gcloud",
)  # fmt: skip
CREDENTIAL_FILES: tuple[str, ...] = (
    ".git-credentials", ".gitconfig", ".netrc", ".pypirc", ".npmrc", ".config/git/credentials",
)  # fmt: skip
# After killing a timed-out child: how long to wait for the pipes to close before giving up on
# the rest of its output (a process that escaped the group may hold them open).
DRAIN_SECONDS = 5.0


@dataclass(frozen=True)
class SandboxResult:
    argv: tuple[str, ...]
    returncode: int | None  # None when killed for the time limit
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool
    isolation: Isolation

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def tail(self, lines: int = 30) -> str:
        text = (self.stdout + "\n" + self.stderr).strip()
        return "\n".join(text.splitlines()[-lines:])


def is_secret_name(name: str, extra: Sequence[str] = ()) -> bool:
    upper = name.upper()
    if upper in SAFE_NAMES:
        return False
    if name in extra:
        return True
    return any(fnmatch.fnmatchcase(upper, pattern) for pattern in SECRET_PATTERNS)


def scrubbed_env(
    base: Mapping[str, str] | None = None,
    *,
    extra_secret_names: Sequence[str] = (),
    home: Path | None = None,
) -> dict[str, str]:
    """A copy of ``base`` (default: os.environ) without anything that may hold a secret."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not is_secret_name(k, extra_secret_names)}
    if home is not None:
        env["HOME"] = str(home)
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    env["PYTHONNOUSERSITE"] = "1"
    return env


@functools.cache
def isolation_level() -> Isolation:
    """The strongest isolation that works here, probed once per process."""
    if os.environ.get("OPTIMIZER_SANDBOX", "").lower() == "none":
        return "none"
    bwrap = shutil.which("bwrap")
    if bwrap and _probe([bwrap, *_bwrap_args(Path("/"), ()), "--", "true"]):
        return "bwrap"
    unshare = shutil.which("unshare")
    if unshare and _probe([unshare, *UNSHARE_ARGS, "--", "true"]):
        return "unshare-net"
    return "none"


def isolation_description(level: Isolation | None = None) -> str:
    level = level or isolation_level()
    return {
        "bwrap": "bubblewrap: read-only file system except the worktree, private /tmp, no network",
        "unshare-net": "unshare: no network; file system NOT isolated (bubblewrap unavailable)",
        "none": "no OS isolation available: scrubbed environment and limits only",
    }[level]


def _probe(argv: list[str]) -> bool:
    try:
        done = subprocess.run(argv, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


PRIVATE_MOUNTS: tuple[Path, ...] = (Path("/tmp"), Path("/run"))


def hidden_mounts(env: Mapping[str, str] | None = None) -> list[Path]:
    """Folders the child sees empty: a private /tmp and /run (writable, thrown away), and
    read-only empty ones over the home directory and the runner's temp directory (where
    credentials, actions/checkout's credentials file, the job's command files and our own state
    live). Outermost folders only; never ``/``."""
    env = os.environ if env is None else env
    found: list[Path] = []
    for raw in ("/tmp", "/run", env.get("HOME", ""), env.get("RUNNER_TEMP", "")):
        if not raw or not os.path.isabs(raw) or not os.path.isdir(raw):
            continue
        path = Path(raw).resolve()
        if path != Path("/") and not any(path.is_relative_to(f) for f in found):
            found = [f for f in found if not f.is_relative_to(path)] + [path]
    return found


# Programs that start the real program named later in their argv (``setarch x86_64 -R python``).
LAUNCHERS: frozenset[str] = frozenset({"setarch", "env", "nice", "ionice", "taskset"})


def _program(argv: Sequence[str]) -> str | None:
    """The program the child really runs: ``argv[0]``, or behind a launcher the first absolute
    path after it."""
    if not argv:
        return None
    if Path(argv[0]).name not in LAUNCHERS:
        return argv[0]
    return next((arg for arg in argv[1:] if os.path.isabs(arg)), None)


def _interpreter_paths(argv: Sequence[str]) -> list[Path]:
    """What the child needs to run Python and our workers: the interpreters' environments and
    this package's source tree (an editable install points there)."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(__file__).resolve().parents[2]}
    program = _program(argv)
    if program and os.path.isabs(program):
        exe = Path(program)
        for candidate in (exe, exe.resolve()):
            parent = candidate.parent
            paths.add(parent.parent if parent.name == "bin" else parent)
    return sorted(paths)


def _reveal(paths: Sequence[Path], hidden: Sequence[Path]) -> list[str]:
    """Read-only binds for the paths a hidden folder would otherwise hide (a checkout or
    virtualenv under /tmp or the home directory, as CI machines often have), parents first."""
    args: list[str] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        covered = any(path.is_relative_to(h) and path != h for h in hidden)
        if covered and path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _bwrap_args(
    cwd: Path,
    writable: Sequence[Path],
    empty_file: Path | None = None,
    argv: Sequence[str] = (),
    readable: Sequence[Path] = (),
) -> list[str]:
    args = [
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-pid",
        "--cap-drop", "ALL",
        "--die-with-parent",
    ]  # fmt: skip
    hidden = hidden_mounts()
    for folder in hidden:
        args += ["--tmpfs", str(folder)]
    repository = _repository_dirs(cwd)
    args += _reveal([*_interpreter_paths(argv), *repository, *readable], hidden)
    for path in (cwd, *writable):
        if path != Path("/"):
            args += ["--bind", str(path), str(path)]
    if empty_file is not None:
        args += _credential_masks(cwd, writable, empty_file, hidden)
    for folder in hidden:  # last: bwrap made the mount points it needed inside them
        if not any(folder.is_relative_to(p) for p in PRIVATE_MOUNTS):
            args += ["--remount-ro", str(folder)]
    args += ["--chdir", str(cwd)]
    return args


def _credential_masks(
    cwd: Path, writable: Sequence[Path], empty_file: Path, hidden: Sequence[Path]
) -> list[str]:
    """bwrap arguments that hide credential files from the child (see CREDENTIAL_DIRS) where no
    hidden folder does already; never one that would hide the child's own directories."""
    home = Path.home()
    args: list[str] = []
    home_hidden = any(home.resolve().is_relative_to(h) for h in hidden)
    for rel in () if home_hidden else CREDENTIAL_DIRS:
        folder = home / rel
        if folder.is_dir() and not any(p.is_relative_to(folder) for p in (cwd, *writable)):
            args += ["--tmpfs", str(folder)]
    files = [] if home_hidden else [home / rel for rel in CREDENTIAL_FILES]
    files += _git_config_files(cwd)
    for path in files:
        if path.is_file():
            args += ["--ro-bind", str(empty_file), str(path.resolve())]
    return args


def _git_dirs(cwd: Path) -> tuple[Path, Path] | None:
    """The git directory of the repository holding ``cwd`` and its common directory (the same
    one, except in a linked worktree, which shares its main repository's)."""
    for folder in (cwd, *cwd.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git, dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            git_dir = (folder / text.removeprefix("gitdir:").strip()).resolve()
            common = git_dir
            if (git_dir / "commondir").is_file():
                common = git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()
            return git_dir, common.resolve()
    return None


def _repository_dirs(cwd: Path) -> list[Path]:
    """What git needs to work in ``cwd``: its git directories and the main checkout they belong
    to (shown read-only when a hidden folder holds them; their config files are masked)."""
    found = _git_dirs(cwd)
    if found is None:
        return []
    git_dir, common = found
    return [git_dir, common, common.parent] if common.name == ".git" else [git_dir, common]


def _git_config_files(cwd: Path) -> list[Path]:
    """The config files of the git repository holding ``cwd`` (a worktree shares its repo's)."""
    found = _git_dirs(cwd)
    if found is None:
        return []
    git_dir, common = found
    if git_dir == common:
        return [common / "config"]
    return [common / "config", git_dir / "config.worktree"]


def _limits(memory_mb: int | None) -> None:
    """Runs in the child between fork and exec."""
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_sandboxed(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    writable: Sequence[Path] = (),
    readable: Sequence[Path] = (),
    memory_mb: int | None = DEFAULT_MEMORY_MB,
    env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    extra_secret_names: Sequence[str] = (),
) -> SandboxResult:
    """Run ``argv`` as untrusted code inside ``cwd`` and return what happened.

    ``writable`` lists directories besides ``cwd`` that the process may write (for example a
    directory that receives coverage data); ``readable`` lists directories it may read where
    the sandbox's private /tmp would hide them (a candidate's replay reads files of the base
    worktree that recorded inputs name). Never raises for a failing or hanging child.
    """
    cancel.check()  # a cancelled run starts nothing new
    cwd = cwd.resolve()
    writable = [Path(p).resolve() for p in writable]
    readable = [Path(p).resolve() for p in readable]
    level = isolation_level()
    # The pid in the name lets the next run remove it when this process is killed (SIGKILL).
    with tempfile.TemporaryDirectory(prefix=f"agentic-home-{os.getpid()}-") as home:
        child_env = scrubbed_env(env, extra_secret_names=extra_secret_names, home=Path(home))
        child_env.update(extra_env or {})
        full_argv = list(argv)
        if level == "bwrap":
            # HOME lives on the private /tmp inside the sandbox.
            child_env["HOME"] = "/tmp"
            empty = Path(home) / "empty"
            empty.touch()
            bwrap = shutil.which("bwrap") or "bwrap"
            full_argv = [bwrap, *_bwrap_args(cwd, writable, empty, argv, readable), "--", *argv]
        elif level == "unshare-net":
            full_argv = [shutil.which("unshare") or "unshare", *UNSHARE_ARGS, "--", *argv]
        return _run(full_argv, tuple(argv), cwd, child_env, timeout, memory_mb, level)


def _run(
    full_argv: list[str],
    argv: tuple[str, ...],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    memory_mb: int | None,
    level: Isolation,
) -> SandboxResult:
    started = time.perf_counter()
    proc = subprocess.Popen(
        full_argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
        preexec_fn=functools.partial(_limits, memory_mb),
    )
    timed_out = False
    forget = cancel.on_cancel(functools.partial(_kill_group, proc))
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = _drain(proc)
    except cancel.Cancelled:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        forget()
    cancel.check()  # killed because the run was cancelled: not a result
    seconds = time.perf_counter() - started
    code = None if timed_out else proc.returncode
    if timed_out:
        err = f"{err}\n[sandbox] killed after {timeout:.0f}s time limit"
    return SandboxResult(argv, code, out, err, seconds, timed_out, level)


def _drain(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """The rest of a killed child's output, without waiting forever for pipes held open by a
    process that left the group (possible only where there is no process namespace)."""
    try:
        return proc.communicate(timeout=DRAIN_SECONDS)
    except subprocess.TimeoutExpired:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        proc.wait()
        note = "[sandbox] output cut: a process that left the group kept the pipes open"
        return "", note


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
