"""Record the real inputs of target functions while the repository's own tests run."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_action.model import FunctionTarget
from agentic_action.record import store
from agentic_action.record.plugin import CONFIG_ENV
from agentic_action.sandbox.launch import worker_env, worktree_pythonpath
from agentic_action.sandbox.pytest_runner import narrow_ids
from agentic_action.sandbox.runner import SandboxResult, run_sandboxed

PLUGIN = "agentic_action.record.plugin"
CONFIG_NAME = "recording-config.json"


@dataclass(frozen=True)
class TargetRecording:
    """What the recording run saw for one target."""

    key: str
    recorded: int  # distinct inputs stored
    calls: int = 0  # outermost calls seen
    duplicates: int = 0  # calls whose pickled arguments equalled an earlier one
    skipped: Mapping[str, int] = field(default_factory=dict)  # reason -> calls
    examples: tuple[str, ...] = ()  # readable reprs of the first few stored inputs
    error: str | None = None  # the target could not be wrapped (import refused, not a function)

    def describe(self) -> str:
        text = f"{self.recorded} input(s) recorded from {self.calls} call(s)"
        if self.duplicates:
            text += f", {self.duplicates} duplicate(s)"
        for reason, count in sorted(self.skipped.items()):
            text += f"; {count} skipped: {reason}"
        if self.error:
            text += f"; not recorded: {self.error}"
        return text


@dataclass(frozen=True)
class RecordingReport:
    out_dir: Path
    targets: Mapping[str, TargetRecording]
    tests_ok: bool  # the test run exited 0 (recorded inputs are usable either way)
    returncode: int | None
    timed_out: bool
    seconds: float
    isolation: str
    log_tail: str

    def for_target(self, target: FunctionTarget) -> TargetRecording:
        return self.targets.get(target.key) or TargetRecording(target.key, 0, error="not recorded")


def record_inputs(
    root: Path,
    targets: Sequence[FunctionTarget],
    *,
    out_dir: Path,
    test_ids: Sequence[str] | None = None,
    python: str = sys.executable,
    timeout: float = 600,
    max_calls: int = 50,
    max_bytes: int = 1_000_000,
) -> RecordingReport:
    """Run the repository's tests on ``root`` (sandboxed) and store each target's real inputs.

    Earlier recordings of these targets in ``out_dir`` are replaced. Never raises for a failing
    or hanging test run: the report says what happened.
    """
    root = _checked_root(root, targets)
    if max_calls < 1 or max_bytes < 1:
        raise ValueError(f"max_calls={max_calls} and max_bytes={max_bytes} must both be >= 1")
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    for target in targets:
        shutil.rmtree(store.target_dir(out_dir, target.key), ignore_errors=True)
    (out_dir / store.REPORT_NAME).unlink(missing_ok=True)
    config = out_dir / CONFIG_NAME
    config.write_text(json.dumps(_config(root, targets, out_dir, max_calls, max_bytes)))
    argv = [python, "-m", "pytest", "-q", "-p", PLUGIN, "-p", "no:cacheprovider"]
    argv += narrow_ids(test_ids or [])  # files instead of ids past the command-line limit
    env = worker_env(**{CONFIG_ENV: str(config)})
    # The worktree first, as in the gate's test runs: a module that pytest itself imports
    # before our plugin starts (packaging, pluggy) must come from it, not from an install.
    env["PYTHONPATH"] = os.pathsep.join([worktree_pythonpath(root), env["PYTHONPATH"]])
    result = run_sandboxed(argv, cwd=root, timeout=timeout, writable=[out_dir], extra_env=env)
    return _report(out_dir, targets, result)


def _checked_root(root: Path, targets: Sequence[FunctionTarget]) -> Path:
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"repository root {root} is not a directory: pass a worktree path")
    for target in targets:
        if not (root / target.file).is_file():
            raise FileNotFoundError(
                f"target file {target.file!r} does not exist under {root}: pass paths relative "
                "to the repository root"
            )
    return root


def _config(
    root: Path, targets: Sequence[FunctionTarget], out_dir: Path, max_calls: int, max_bytes: int
) -> dict[str, Any]:
    return {
        "root": str(root),
        "out_dir": str(out_dir),
        "max_calls": max_calls,
        "max_bytes": max_bytes,
        "targets": [{"key": t.key, "file": t.file, "qualname": t.qualname} for t in targets],
    }


def _report(
    out_dir: Path, targets: Sequence[FunctionTarget], result: SandboxResult
) -> RecordingReport:
    raw = _read_report(out_dir)
    found: dict[str, TargetRecording] = {}
    for target in targets:
        entry = raw.get("targets", {}).get(target.key)
        if isinstance(entry, dict):
            found[target.key] = _target_recording(target.key, entry)
        else:
            stored = len(store.input_files(out_dir, target.key))
            why = "the test run ended before the recorder wrote its report"
            found[target.key] = TargetRecording(target.key, stored, error=why)
    return RecordingReport(
        out_dir=out_dir,
        targets=found,
        tests_ok=result.ok,
        returncode=result.returncode,
        timed_out=result.timed_out,
        seconds=result.seconds,
        isolation=result.isolation,
        log_tail=result.tail(),
    )


def _read_report(out_dir: Path) -> dict[str, Any]:
    path = out_dir / store.REPORT_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _target_recording(key: str, entry: dict[str, Any]) -> TargetRecording:
    skipped = entry.get("skipped") or {}
    return TargetRecording(
        key=key,
        recorded=int(entry.get("recorded", 0)),
        calls=int(entry.get("calls", 0)),
        duplicates=int(entry.get("duplicates", 0)),
        skipped={str(k): int(v) for k, v in skipped.items()},
        examples=tuple(str(e) for e in entry.get("examples") or ()),
        error=entry.get("error"),
    )
