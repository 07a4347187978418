"""Run ruff, mypy or semgrep on files of one tree and turn what they say into :class:`Finding`s.

Each tool runs through :func:`~agentic_action.sandbox.runner.run_sandboxed` (scrubbed
environment, time limit, cwd in the tree, and OS isolation where available: mypy may import the
repository's own plugins, so it is not only a reader). Nothing is written into the tree: ruff
runs with ``--no-cache``, mypy's cache lives in a scratch directory (or is off), semgrep's
settings and log go to a per-run directory.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from configparser import ConfigParser
from configparser import Error as ConfigError
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from agentic_action.extras import install_hint
from agentic_action.sandbox.runner import SandboxResult, run_sandboxed

TOOLS: tuple[str, ...] = ("ruff", "mypy", "semgrep")
EXTRA_OF = {"mypy": "checks", "semgrep": "checks"}  # ruff is a base dependency
RULES_DIR = Path(__file__).with_name("semgrep_rules")
# ruff's selection for a repository without a ruff configuration of its own. Line length (E501)
# is left out: without a configured limit, how long lines may be is the repository's business.
DEFAULT_RUFF_ARGS: tuple[str, ...] = ("--isolated", "--select", "E,F,W,B", "--ignore", "E501")
TAIL_LINES = 20
_LINE_NUMBER = re.compile(r"\bline \d+\b")


class RunState(StrEnum):
    OK = "ok"  # the tool ran and its findings are complete
    MISSING = "missing"  # the tool is not installed
    CRASHED = "crashed"  # it failed or timed out: its findings are unknown


@dataclass(frozen=True)
class Finding:
    tool: str
    file: str  # relative to the tree's root, POSIX separators
    line: int
    code: str  # "F401", "arg-type", "eval-exec", "format"
    message: str
    text: str = ""  # the flagged source line, stripped: tells an old finding from a new one

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a finding across edits: no line number, so moved code is the same."""
        return (self.file, self.code, _LINE_NUMBER.sub("line N", self.message))

    def describe(self) -> str:
        return f"{self.file}:{self.line} {self.code} {self.message}"


@dataclass(frozen=True)
class ToolRun:
    """What one tool said about one tree."""

    tool: str
    state: RunState
    findings: tuple[Finding, ...] = ()
    detail: str = ""  # why it is missing, or the tail of its output when it crashed
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)  # e.g. the configuration it used


@dataclass(frozen=True)
class ToolJob:
    """Everything one tool run needs."""

    root: Path
    files: tuple[str, ...]
    timeout: float
    command: tuple[str, ...] | None  # None: not installed
    work: Path  # a writable scratch directory for this run only
    mypy_cache: Path | None = None  # None: mypy runs without incremental cache
    asked_for: tuple[str, ...] = ()  # the command the caller named, if any (for messages)
    python: str | None = None  # the interpreter whose installed packages mypy should see


def find_command(tool: str, override: Sequence[str] | None = None) -> tuple[str, ...] | None:
    """The argv prefix that runs ``tool``: ``override`` if given, else the copy installed next to
    this Python, else one on PATH. None when there is none."""
    if override is not None:
        if not override:
            return None
        found = shutil.which(override[0])
        return (found, *override[1:]) if found else None
    if tool == "mypy" and importlib.util.find_spec("mypy") is not None:
        return (sys.executable, "-m", "mypy")
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(tool, path=search)
    return (found,) if found else None


def run_tool(tool: str, job: ToolJob) -> ToolRun:
    if tool not in RUNNERS:
        raise ValueError(f"unknown static check {tool!r}: choose from {', '.join(TOOLS)}")
    if job.command is None:
        where = f"next to {sys.executable} and on PATH"
        if job.asked_for:
            where = f"for the command {' '.join(job.asked_for)!r}"
        detail = f"{tool} is not installed (looked {where})"
        if tool in EXTRA_OF and not job.asked_for:
            detail += f"; it comes with the {EXTRA_OF[tool]} extra: {install_hint(EXTRA_OF[tool])}"
        return ToolRun(tool, RunState.MISSING, detail=detail)
    run = RUNNERS[tool](job, job.command)
    return replace(run, findings=_with_source_text(run.findings, job.root))


def _execute(
    job: ToolJob, argv: Sequence[str], env: Mapping[str, str] | None = None
) -> SandboxResult:
    extra = {
        "XDG_CONFIG_HOME": str(job.work / "config"),
        "XDG_CACHE_HOME": str(job.work / "cache"),
        "NO_COLOR": "1",
        **(env or {}),
    }
    writable = [job.work] + ([job.mypy_cache] if job.mypy_cache else [])
    # Trusted analysers on a bounded input: a time limit, but no address-space limit (mypy and
    # semgrep-core reserve large virtual ranges on big repositories).
    return run_sandboxed(
        argv, cwd=job.root, timeout=job.timeout, writable=writable, memory_mb=None, extra_env=extra
    )


def _crashed(tool: str, result: SandboxResult, why: str) -> ToolRun:
    if result.timed_out:
        why = f"timed out after {result.seconds:.0f}s"
    detail = f"{tool} {why}:\n{result.tail(TAIL_LINES)}".rstrip()
    return ToolRun(tool, RunState.CRASHED, detail=detail, seconds=result.seconds)


def _relative(root: Path, name: str) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _with_source_text(findings: tuple[Finding, ...], root: Path) -> tuple[Finding, ...]:
    cache: dict[str, list[str]] = {}
    filled = []
    for finding in findings:
        if finding.file not in cache:
            try:
                text = (root / finding.file).read_text(encoding="utf-8", errors="replace")
                cache[finding.file] = text.splitlines()
            except OSError:
                cache[finding.file] = []
        lines = cache[finding.file]
        source = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
        filled.append(replace(finding, text=source))
    return tuple(filled)


# ruff -----------------------------------------------------------------------------------------


def ruff_config(root: Path) -> str | None:
    """The repository's own ruff configuration file, if it has one at its root."""
    for name in ("ruff.toml", ".ruff.toml"):
        if (root / name).is_file():
            return name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None
        if "ruff" in data.get("tool", {}):
            return "pyproject.toml"
    return None


def _run_ruff(job: ToolJob, command: tuple[str, ...]) -> ToolRun:
    config = ruff_config(job.root)
    settings = () if config else DEFAULT_RUFF_ARGS
    common = ("--no-cache", "--force-exclude", "--output-format", "json")
    lint = _execute(job, [*command, "check", "--exit-zero", *common, *settings, *job.files])
    fmt_settings = () if config else ("--isolated",)
    fmt = _execute(job, [*command, "format", "--check", *common, *fmt_settings, *job.files])
    seconds = lint.seconds + fmt.seconds
    lint_items = _json_list(lint.stdout) if lint.returncode == 0 else None
    if lint_items is None:
        return replace(
            _crashed("ruff", lint, f"check failed (exit {lint.returncode})"), seconds=seconds
        )
    fmt_items = _json_list(fmt.stdout) if fmt.returncode in (0, 1, 2) else None
    if fmt_items is None:
        why = f"format --check failed (exit {fmt.returncode})"
        return replace(_crashed("ruff", fmt, why), seconds=seconds)
    findings = [_ruff_finding(job.root, item) for item in lint_items]
    findings += [
        Finding(
            "ruff", _relative(job.root, item["filename"]), 1, "format", "file would be reformatted"
        )
        for item in fmt_items
        if item.get("code") == "unformatted"
    ]
    info = {"config": config or "none (default selection E,F,W,B without E501)"}
    return ToolRun("ruff", RunState.OK, tuple(findings), seconds=seconds, info=info)


def _ruff_finding(root: Path, item: dict[str, Any]) -> Finding:
    location = item.get("location") or {}
    code = item.get("code") or item.get("name") or "ruff"
    return Finding(
        "ruff",
        _relative(root, item["filename"]),
        int(location.get("row", 0)),
        code,
        item["message"],
    )


def _json_list(text: str) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(text or "[]")
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, list) else None


# mypy -----------------------------------------------------------------------------------------


def mypy_config(root: Path) -> str | None:
    """The repository's own mypy configuration file, found the way mypy looks in the cwd."""
    for name in ("mypy.ini", ".mypy.ini"):
        if (root / name).is_file():
            return name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {}
        if "mypy" in data.get("tool", {}):
            return "pyproject.toml"
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = ConfigParser()
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except (ConfigError, UnicodeDecodeError):
            return None
        if parser.has_section("mypy"):
            return "setup.cfg"
    return None


def _run_mypy(job: ToolJob, command: tuple[str, ...]) -> ToolRun:
    config = mypy_config(job.root)
    argv = [*command, "--output", "json", "--no-color-output", "--no-error-summary"]
    if job.mypy_cache is not None:
        argv += ["--cache-dir", str(job.mypy_cache)]
    else:
        argv += ["--no-incremental", "--cache-dir", os.devnull]
    if job.python is not None:
        argv += ["--python-executable", job.python]
    if config is None:
        # A repository without mypy settings is not curated for it: unknown imports are not its
        # errors.
        argv.append("--ignore-missing-imports")
    result = _execute(job, [*argv, *job.files])
    findings = []
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if item.get("severity") == "error":
                findings.append(_mypy_finding(job.root, item))
    if (
        result.timed_out
        or result.returncode not in (0, 1)
        or (result.returncode == 1 and not findings)
    ):
        return _crashed("mypy", result, f"failed (exit {result.returncode})")
    info = {"config": config or "none (mypy defaults, --ignore-missing-imports)"}
    return ToolRun("mypy", RunState.OK, tuple(findings), seconds=result.seconds, info=info)


def _mypy_finding(root: Path, item: dict[str, Any]) -> Finding:
    code = item.get("code") or "mypy"
    return Finding(
        "mypy", _relative(root, item["file"]), int(item.get("line", 0)), code, item["message"]
    )


# semgrep --------------------------------------------------------------------------------------


def _run_semgrep(job: ToolJob, command: tuple[str, ...]) -> ToolRun:
    rules = job.work / "semgrep_rules"
    shutil.copytree(RULES_DIR, rules)  # a private copy: visible inside the sandbox wherever we live
    env = {
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "SEMGREP_SEND_METRICS": "off",
        "SEMGREP_SETTINGS_FILE": str(job.work / "semgrep-settings.yml"),
        "SEMGREP_LOG_FILE": str(job.work / "semgrep.log"),
        "SEMGREP_VERSION_CACHE_PATH": str(job.work / "semgrep-version"),
    }
    argv = [
        *command, "scan", "--config", str(rules), "--json", "--metrics=off",
        "--disable-version-check", "--quiet", "--no-git-ignore", *job.files,
    ]  # fmt: skip
    result = _execute(job, argv, env)
    try:
        data = json.loads(result.stdout) if result.returncode == 0 else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return _crashed("semgrep", result, f"failed (exit {result.returncode})")
    findings = tuple(_semgrep_finding(job.root, item) for item in data.get("results", []))
    errors = [str(e.get("message", e))[:300] for e in data.get("errors", [])]
    info: dict[str, Any] = {"rules": str(RULES_DIR), "errors": errors}
    return ToolRun("semgrep", RunState.OK, findings, seconds=result.seconds, info=info)


def _semgrep_finding(root: Path, item: dict[str, Any]) -> Finding:
    rule = str(item.get("check_id", "semgrep")).rsplit(".", 1)[-1]
    message = " ".join(str(item.get("extra", {}).get("message", "")).split())
    line = int(item.get("start", {}).get("line", 0))
    return Finding("semgrep", _relative(root, item["path"]), line, rule, message)


RUNNERS: dict[str, Callable[[ToolJob, tuple[str, ...]], ToolRun]] = {
    "ruff": _run_ruff,
    "mypy": _run_mypy,
    "semgrep": _run_semgrep,
}
