"""Where recorded inputs live on disk (standard library only: sandboxed workers import it).

Layout of an inputs directory (the ``out_dir`` of :func:`record_inputs`)::

    out_dir/
      recording.json            what the recording run saw (counts, skip reasons, examples)
      <slug of target key>/
        0000-<sha16>.pkl        pickle of (args, kwargs) for one call, as it was BEFORE the call
        0001-<sha16>.pkl
        ...

The file names sort in the order the calls were first seen. Input files are untrusted data (they
can hold any pickle): only sandboxed workers ever unpickle them.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path
from typing import Any

REPORT_NAME = "recording.json"
INPUT_SUFFIX = ".pkl"
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL


def target_slug(key: str) -> str:
    """A file-system-safe, unique folder name for a target key ("pkg/mod.py::Class.meth")."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_")[:80]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}"


def target_dir(inputs_dir: Path, key: str) -> Path:
    return inputs_dir / target_slug(key)


def input_files(inputs_dir: Path, key: str) -> list[Path]:
    """The recorded input files of one target, in recording order (empty when none)."""
    folder = target_dir(inputs_dir, key)
    if not folder.is_dir():
        return []
    return [p for p in inputs_in(folder) if p.is_file()]


def inputs_in(folder: Path) -> list[Path]:
    """The input files of one folder (a target's, or a replay's copy), in name order: the order
    their outcomes are numbered in."""
    return sorted(p for p in folder.iterdir() if p.suffix == INPUT_SUFFIX)


def input_name(index: int, data: bytes) -> str:
    return f"{index:04d}-{hashlib.sha256(data).hexdigest()[:16]}{INPUT_SUFFIX}"


def write_input_bytes(inputs_dir: Path, key: str, index: int, data: bytes) -> Path:
    folder = target_dir(inputs_dir, key)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / input_name(index, data)
    path.write_bytes(data)
    return path


def write_input(
    inputs_dir: Path, key: str, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
) -> Path:
    """Store one call's arguments (used by benchmarks and tests that build inputs by hand)."""
    data = pickle.dumps((tuple(args), dict(kwargs or {})), protocol=PICKLE_PROTOCOL)
    return write_input_bytes(inputs_dir, key, len(input_files(inputs_dir, key)), data)


def recorded_sys_path(inputs_dir: Path) -> list[str]:
    """Folders (relative to the root) the recorded tests had on sys.path, e.g. ["tests"]."""
    try:
        data = json.loads((inputs_dir / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = data.get("sys_path", []) if isinstance(data, dict) else []
    return [e for e in entries if isinstance(e, str)]
