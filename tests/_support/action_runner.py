"""Run entrypoint.py the way a GitHub Actions runner does, and read back what it reported.

    ws = make_workspace(tmp_path)                 # examples/shop as a git repo with an origin
    run = ActionRunner(tmp_path, ws).run("schedule", {"schedule": "17 3 * * 1"},
                                         inputs={"targets": "shop/**/*.py", "mode": "patch"})
    run.returncode, run.outputs["accepted"], run.summary, run.commands("warning")

The runner's environment: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH (the payload written to a
file), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (empty files), GITHUB_WORKSPACE, RUNNER_TEMP,
GITHUB_REF, GITHUB_REPOSITORY, INPUT_<NAME> for each input (hyphens kept, as the runner
passes them to Docker actions). stdout is parsed for workflow commands the way the runner
parses it, honouring ::stop-commands::.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitrepos import git, make_repo

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "entrypoint.py"
EXAMPLE = ROOT / "examples" / "shop"
REPOSITORY = "octo/shop"


def make_workspace(root: Path, source: Path = EXAMPLE) -> Path:
    """A checkout of ``source`` (one commit on main) with a bare ``origin`` it can push to."""
    origin = root / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    workspace = root / "workspace"
    shutil.copytree(
        source, workspace, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    make_repo(workspace, {}, "the shop")
    git(workspace, "remote", "add", "origin", str(origin))
    git(workspace, "push", "-q", "origin", "main")
    return workspace


def copy_workspace(workspace: Path, root: Path) -> Path:
    """An independent copy of a workspace (and its origin) under ``root``."""
    shutil.copytree(workspace.parent / "origin.git", root / "origin.git")
    target = root / "workspace"
    shutil.copytree(workspace, target, symlinks=True)
    git(target, "remote", "set-url", "origin", str(root / "origin.git"))
    return target


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str]
    data: str


@dataclass(frozen=True)
class ActionRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    def commands(self, name: str | None = None) -> list[Command]:
        found = parse_commands(self.stdout)
        return [c for c in found if name is None or c.name == name]


class ActionRunner:
    def __init__(self, root: Path, workspace: Path) -> None:
        self.root = root
        self.workspace = workspace
        self.temp = root / "runner-temp"
        self.count = 0

    @property
    def out(self) -> Path:
        return self.temp / "agentic-optimizer"

    def run(
        self,
        event: str,
        payload: Mapping[str, Any],
        inputs: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        ref: str = "refs/heads/main",
    ) -> ActionRun:
        self.count += 1
        files = self.root / f"run-{self.count}"
        files.mkdir(parents=True)
        event_path, output, summary = files / "event.json", files / "output", files / "summary"
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        output.touch()
        summary.touch()
        self.temp.mkdir(exist_ok=True)
        full = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
        full.update(
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_EVENT_NAME": event,
                "GITHUB_EVENT_PATH": str(event_path),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_REPOSITORY": REPOSITORY,
                "GITHUB_REF": ref,
                "GITHUB_ACTOR": "maintainer",
                "RUNNER_TEMP": str(self.temp),
                "OPTIMIZER_WORKTREE_BASE": str(self.root / "worktrees"),
            }
        )
        full.update({f"INPUT_{k.upper()}": v for k, v in (inputs or {}).items()})
        full.update(env or {})
        done = subprocess.run(
            [sys.executable, str(ENTRYPOINT)],
            cwd=self.workspace,
            env=full,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return ActionRun(
            done.returncode,
            done.stdout,
            done.stderr,
            parse_outputs(output.read_text(encoding="utf-8")),
            summary.read_text(encoding="utf-8"),
        )


def parse_outputs(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file as the runner does (``name=value`` and ``name<<DELIM``)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for code, char in pairs:
        text = text.replace(code, char)
    return text.replace("%25", "%")


def parse_commands(stdout: str) -> list[Command]:
    """The workflow commands a runner would act on in ``stdout``."""
    found: list[Command] = []
    stopped: str | None = None
    for line in stdout.splitlines():
        if not line.startswith("::"):
            continue
        head, sep, data = line[2:].partition("::")
        if not sep:
            continue
        if stopped is not None:
            if head == stopped:
                stopped = None
            continue
        name, _, props = head.partition(" ")
        properties = {}
        for pair in filter(None, props.split(",")):
            key, _, value = pair.partition("=")
            properties[key] = _unescape(value, prop=True)
        if name == "stop-commands":
            stopped = data
            continue
        found.append(Command(name, properties, _unescape(data, prop=False)))
    return found


@dataclass(frozen=True)
class Optimized:
    workspace: Path
    out: Path
    run: ActionRun

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.out / "report.json").read_text())
        return data

    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.report["results"] if r["status"] == "accepted"]


@dataclass
class Checkout:
    """A private copy of the optimized workspace and its patch store, and a runner for it."""

    workspace: Path
    runner: ActionRunner

    @property
    def store(self) -> Path:
        return self.runner.out / "patches"
