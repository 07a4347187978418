"""pytest plugin that records the real arguments of target functions while the tests run.

Loaded by :func:`agentic_action.prove.behaviour.record_inputs` as
``python -m pytest -p agentic_action.record.plugin`` inside the sandbox, with the
environment variable ``AGENTIC_ORACLE_CONFIG`` naming a JSON file::

    {"root": "/abs/worktree", "out_dir": "/abs/out", "max_calls": 50, "max_bytes": 1000000,
     "targets": [{"key": "pkg/mod.py::f", "file": "pkg/mod.py", "qualname": "f"}]}

At ``pytest_configure`` (after the repository's own conftest files, before test collection) each
target is imported from the root and replaced by a recording wrapper (``functools.wraps`` keeps its
name, docstring and signature); names already bound to the original elsewhere in the repository
(``from mod import f`` in a conftest) are re-pointed to the wrapper. Only the outermost call of a
target is recorded (recursion records the top call only). Standard library only.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import random
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from agentic_action.record import byvalue, loader, store
from agentic_action.record.reprs import call_repr, short_error

CONFIG_ENV = "AGENTIC_ORACLE_CONFIG"
EXAMPLES_KEPT = 3
ATTEMPTS_PER_INPUT = 20  # calls examined (pickled) per input slot before sampling stops
_STORED = "stored"
_DUPLICATE = "duplicate"


class _TooLarge(Exception):
    pass


class _BoundedSink:
    """A write-only buffer that gives up as soon as the pickle outgrows the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)


def bounded_dumps(obj: Any, limit: int) -> bytes:
    """The pickle of ``obj``, local functions and lambdas by value (see ``byvalue``)."""
    sink = _BoundedSink(limit)
    byvalue.Pickler(sink, protocol=store.PICKLE_PROTOCOL).dump(obj)
    return b"".join(sink.parts)


class Recorder:
    """Counts, deduplicates and stores the inputs of one target."""

    def __init__(self, key: str, out_dir: Path, max_calls: int, max_bytes: int) -> None:
        self.key = key
        self.out_dir = out_dir
        self.max_calls = max_calls
        self.max_bytes = max_bytes
        self.calls = 0
        self.recorded = 0
        self.duplicates = 0
        self.skipped: Counter[str] = Counter()
        self.examples: list[str] = []
        self.error: str | None = None
        self._seen: set[bytes] = set()
        self._lock = threading.Lock()

    def capture(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        with self._lock:
            self.calls += 1
            if self.recorded >= self.max_calls:
                self.skipped[f"over the limit of {self.max_calls} recorded inputs"] += 1
                return
            if self.calls > self.max_calls * ATTEMPTS_PER_INPUT:
                # A hot function called with the same few arguments: stop paying for pickling.
                self.skipped[f"not examined: past {self.max_calls * ATTEMPTS_PER_INPUT} calls"] += 1
                return
            outcome = self._store(args, kwargs)
            if outcome == _DUPLICATE:
                self.duplicates += 1
            elif outcome != _STORED:
                self.skipped[outcome] += 1
            elif len(self.examples) < EXAMPLES_KEPT:
                self.examples.append(call_repr(name, args, kwargs))

    def _store(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """_STORED, _DUPLICATE, or why the call was skipped."""
        try:
            data = bounded_dumps((tuple(args), dict(kwargs)), self.max_bytes)
        except _TooLarge:
            return f"arguments larger than {self.max_bytes} bytes when pickled"
        except Exception as exc:  # pickling runs user __reduce__ code
            return f"arguments cannot be pickled: {short_error(exc)}"
        if data in self._seen:
            return _DUPLICATE
        try:
            pickle.loads(data)
        except Exception as exc:
            return f"pickled arguments cannot be loaded back: {short_error(exc)}"
        self._seen.add(data)
        store.write_input_bytes(self.out_dir, self.key, self.recorded, data)
        self.recorded += 1
        return _STORED

    def summary(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "skipped": dict(self.skipped),
            "examples": self.examples,
            "error": self.error,
        }


def make_wrapper(func: Any, recorder: Recorder, drop_first: bool) -> Any:
    """A recording stand-in for ``func``; ``drop_first`` skips ``cls`` of a classmethod."""
    depth = threading.local()
    name = getattr(func, "__qualname__", "target")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        level = getattr(depth, "n", 0)
        depth.n = level + 1
        try:
            if level == 0:
                recorder.capture(name, args[1:] if drop_first else args, kwargs)
            return func(*args, **kwargs)
        finally:
            depth.n = level

    return wrapper


class RecordingSession:
    def __init__(self, config: dict[str, Any]) -> None:
        self.root = Path(config["root"]).resolve()
        self.out_dir = Path(config["out_dir"])
        self.targets: list[dict[str, str]] = list(config["targets"])
        self.recorders = {
            t["key"]: Recorder(
                t["key"], self.out_dir, int(config["max_calls"]), int(config["max_bytes"])
            )
            for t in self.targets
        }

    def install(self) -> None:
        for target in self.targets:
            recorder = self.recorders[target["key"]]
            try:
                self._wrap(target, recorder)
            except Exception as exc:
                recorder.error = str(exc)

    def _wrap(self, target: dict[str, str], recorder: Recorder) -> None:
        """Install the recording wrapper: a property's getter is wrapped in a new read-only
        property (its args are ``(self,)``, as a method's), a cached_property's function in a new
        cached_property of the same name; the wrapper runs only when the value is not cached, and
        ``self`` is pickled before the function runs, so it never holds the value it computes."""
        loaded = loader.load_target(self.root, target["file"], target["qualname"])
        drop_first = loaded.kind == "classmethod"
        new = loaded.replacement(make_wrapper(loaded.function, recorder, drop_first))
        setattr(loaded.owner, loaded.name, new)
        if loaded.kind == "function":
            self._repoint(loaded.raw, new)

    def _repoint(self, old: Any, new: Any) -> None:
        """Names bound to the original before wrapping (``from mod import f``) get the wrapper."""
        for module in list(sys.modules.values()):
            if module is None or not loader.is_inside(
                Path(getattr(module, "__file__", "") or "/"), self.root
            ):
                continue
            namespace = vars(module)
            for name, value in list(namespace.items()):
                if value is old:
                    namespace[name] = new

    def write_report(self) -> None:
        report = {
            "targets": {key: rec.summary() for key, rec in self.recorders.items()},
            "sys_path": self._repo_path_entries(),
        }
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / store.REPORT_NAME
        path.write_text(json.dumps(report, indent=1), encoding="utf-8")

    def _repo_path_entries(self) -> list[str]:
        """Folders inside the root that the tests put on sys.path (for classes defined in tests)."""
        entries: list[str] = []
        for entry in sys.path:
            path = Path(entry or ".").resolve()
            if loader.is_inside(path, self.root) and path != self.root:
                rel = path.relative_to(self.root).as_posix()
                if rel not in entries:
                    entries.append(rel)
        return entries


_session: RecordingSession | None = None


def pytest_configure(config: Any) -> None:
    global _session
    path = os.environ.get(CONFIG_ENV)
    if not path or _session is not None:
        return
    _session = RecordingSession(json.loads(Path(path).read_text(encoding="utf-8")))
    _session.install()


def pytest_runtest_setup(item: Any) -> None:
    random.seed(0)


def pytest_unconfigure(config: Any) -> None:
    if _session is not None:
        _session.write_report()
