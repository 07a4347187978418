"""pytest plugin: inject one fault into a target function's dependencies while the tests run.

Loaded by the chaos method as ``python -m pytest -p agentic_action.methods._chaos_plugin`` in the
sandbox, with ``AGENTIC_CHAOS_CONFIG`` naming a JSON file::

    {"root": "/abs/tree", "file": "pkg/mod.py", "qualname": "save", "fault": "partial-write",
     "slow_seconds": 0.3, "report": "/abs/report.json"}

The target is wrapped (like the oracle's recorder) and faults fire only while its outermost call
is running on the calling thread, so pytest and the tests themselves are never hit. ``fault``
null is a probe: nothing is injected, the report says which tests call the target and which
dependencies (file reads, file writes, network, subprocesses) its calls touch.

Each outermost call under a fault is classified: ``unaffected`` (the fault never fired),
``handled`` (it returned), ``error-raised`` (a clean exception reached the caller), and the bad
ones: ``hang`` (it waited on a dependency with no timeout), ``lost-data`` (a partially written
file was left behind), ``crash`` (a programming error such as TypeError or AttributeError
escaped) and ``unhandled-transient`` (a transient fault escaped untouched: no retry). Standard
library only.
"""

from __future__ import annotations

import builtins
import errno
import functools
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from agentic_action.record import loader

CONFIG_ENV = "AGENTIC_CHAOS_CONFIG"
BAD = ("hang", "lost-data", "crash", "unhandled-transient")
BUG_TYPES = (
    AttributeError, TypeError, NameError, KeyError, IndexError, ZeroDivisionError,
    AssertionError, RecursionError,
)  # fmt: skip
TRANSIENT = {"network-error"}
MAX_CALLS = 200
MAX_SLEEPS = 3  # emulated hangs that really wait; later ones are flagged without waiting
_ABS_PATH = re.compile(r"(?:/[^\s'\":]+)+/([^\s/'\":]+)")

_real_open = io.open
_real_connect = socket.socket.connect
_real_recv = socket.socket.recv
_real_recv_into = socket.socket.recv_into
_real_popen_init = subprocess.Popen.__init__
_real_communicate = subprocess.Popen.communicate
_real_wait = subprocess.Popen.wait


class Call:
    """One outermost call of the target: what the fault did during it."""

    def __init__(self) -> None:
        self.fired: BaseException | None = None
        self.hang = ""
        self.partial: list[tuple[str, bytes | None]] = []
        self.families: set[str] = set()
        self.transient_spent = False

    def fire(self, exc: BaseException) -> BaseException:
        self.fired = self.fired or exc
        return exc


class Session:
    def __init__(self, config: dict[str, Any]) -> None:
        self.root = Path(config["root"]).resolve()
        self.file = str(config["file"])
        self.qualname = str(config["qualname"])
        self.fault: str | None = config.get("fault")
        self.slow = float(config.get("slow_seconds", 0.3))
        self.report = Path(config["report"])
        self.calls: list[dict[str, Any]] = []
        self.tests: set[str] = set()
        self.families: set[str] = set()
        self.test = ""
        self.error = ""
        self.sleeps = 0
        self.local = threading.local()

    def active(self) -> Call | None:
        return getattr(self.local, "call", None)

    def slow_down(self, call: Call, timeout: float | None, what: str) -> bool:
        """Emulate a dependency that does not answer. True: raise a timeout now."""
        if timeout is None:
            call.hang = call.hang or f"waited on {what} with no timeout"
            if self.sleeps < MAX_SLEEPS:
                self.sleeps += 1
                time.sleep(self.slow)
            return False
        time.sleep(min(timeout, self.slow))
        return True

    def finish(self, call: Call, exc: BaseException | None) -> None:
        self.families |= call.families
        if self.fault is None or len(self.calls) >= MAX_CALLS:
            return
        kind = classify(call, exc, self.fault)
        entry = {"test": self.test, "class": kind, "fired": call.fired is not None}
        if exc is not None:
            entry["exception"] = _clean(f"{type(exc).__name__}: {exc}")[:300]
        if call.hang:
            entry["detail"] = call.hang
        lost = _lost(call)
        if lost:
            entry["detail"] = "left a partially written file: " + ", ".join(lost[:3])
        self.calls.append(entry)

    def write_report(self) -> None:
        report = {
            "fault": self.fault,
            "tests": sorted(self.tests),
            "families": sorted(self.families),
            "calls": self.calls,
            "error": self.error,
        }
        self.report.write_text(json.dumps(report, indent=1), encoding="utf-8")


def classify(call: Call, exc: BaseException | None, fault: str) -> str:
    if call.fired is None and not call.hang:
        return "unaffected"
    if call.hang:
        return "hang"
    if _lost(call):
        return "lost-data"
    if exc is None:
        return "handled"
    if isinstance(exc, BUG_TYPES):
        return "crash"
    if exc is call.fired and fault in TRANSIENT:
        return "unhandled-transient"
    return "error-raised"


def _lost(call: Call) -> list[str]:
    lost = []
    for path, prior in call.partial:
        try:
            with _real_open(path, "rb") as handle:
                now = handle.read()
        except OSError:
            continue  # removed: nothing half-written is left
        if prior is None or now != prior:
            lost.append(_shown(path))
    return lost


def _shown(path: str) -> str:
    assert _session is not None
    try:
        return Path(path).resolve().relative_to(_session.root).as_posix()
    except ValueError:
        return "<tmp>/" + os.path.basename(path)


def _clean(text: str) -> str:
    """Messages without absolute paths (they differ between runs)."""
    return _ABS_PATH.sub(lambda m: "<path>/" + m.group(1), text)


def _path_of(file: Any) -> str | None:
    if isinstance(file, int):
        try:
            return os.readlink(f"/proc/self/fd/{file}")
        except OSError:
            return None
    try:
        return os.fspath(file) if not isinstance(file, bytes) else os.fsdecode(file)
    except TypeError:
        return None


class PartialWriter:
    """A file whose first write stores half the data, then fails for lack of space."""

    def __init__(self, handle: Any, call: Call, path: str | None, prior: bytes | None) -> None:
        self._handle = handle
        self._call = call
        self._path = path
        self._prior = prior
        self._failed = False

    def write(self, data: Any) -> int:
        if not self._failed:
            self._failed = True
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            if self._path:
                self._call.partial.append((self._path, self._prior))
        raise self._call.fire(OSError(errno.ENOSPC, "No space left on device (injected)"))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __enter__(self) -> PartialWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __iter__(self) -> Any:
        return iter(self._handle)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def _open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    call = _session.active() if _session else None
    if call is None or _session is None:
        return _real_open(file, mode, *args, **kwargs)
    writing = any(flag in mode for flag in "wax+")
    call.families.add("file-write" if writing else "file-read")
    fault = _session.fault
    if fault == "io-error":
        raise call.fire(OSError(errno.EIO, "Input/output error (injected)"))
    if fault == "too-many-files":
        raise call.fire(OSError(errno.EMFILE, "Too many open files (injected)"))
    if fault == "partial-write" and writing:
        path = _path_of(file)
        prior = _prior(path)
        return PartialWriter(_real_open(file, mode, *args, **kwargs), call, path, prior)
    return _real_open(file, mode, *args, **kwargs)


def _prior(path: str | None) -> bytes | None:
    """The content before an open for writing truncates it (None: no such file)."""
    if path is None or path.startswith("/proc/") or not os.path.isfile(path):
        return None
    try:
        with _real_open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _connect(self: socket.socket, address: Any) -> Any:
    call = _session.active() if _session else None
    if call is not None and _session is not None:
        call.families.add("network")
        if _session.fault == "network-error" and not call.transient_spent:
            call.transient_spent = True
            raise call.fire(ConnectionRefusedError(errno.ECONNREFUSED, "refused (injected)"))
        if _session.fault == "network-slow" and _session.slow_down(
            call, self.gettimeout(), "a network connection"
        ):
            raise call.fire(TimeoutError("timed out (injected)"))
    return _real_connect(self, address)


def _slow_socket(real: Any, what: str) -> Any:
    @functools.wraps(real)
    def method(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
        call = _session.active() if _session else None
        if (
            call is not None
            and _session is not None
            and _session.fault == "network-slow"
            and _session.slow_down(call, self.gettimeout(), what)
        ):
            raise call.fire(TimeoutError("timed out (injected)"))
        return real(self, *args, **kwargs)

    return method


def _popen_init(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> None:
    call = _session.active() if _session else None
    if call is not None and _session is not None:
        call.families.add("subprocess")
        if _session.fault == "subprocess-error":
            raise call.fire(FileNotFoundError(errno.ENOENT, "No such file (injected)"))
    _real_popen_init(self, *args, **kwargs)


def _slow_process(real: Any, what: str) -> Any:
    @functools.wraps(real)
    def method(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> Any:
        call = _session.active() if _session else None
        slowed = getattr(self, "_agentic_slowed", False)
        if call is not None and _session is not None and _session.fault == "subprocess-slow":
            self._agentic_slowed = True  # type: ignore[attr-defined]
            timeout = _timeout_of(what, args, kwargs)
            if not slowed and _session.slow_down(call, timeout, "a subprocess"):
                raise call.fire(subprocess.TimeoutExpired(self.args, timeout or 0))
        return real(self, *args, **kwargs)

    return method


def _timeout_of(what: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> float | None:
    """``communicate(input, timeout)`` / ``wait(timeout)``: the timeout given, if any."""
    if "timeout" in kwargs:
        return kwargs["timeout"]  # type: ignore[no-any-return]
    index = 1 if what == "communicate" else 0
    return args[index] if len(args) > index else None


def install() -> None:
    patches: list[tuple[Any, str, Any]] = [
        (builtins, "open", _open),
        (io, "open", _open),
        (socket.socket, "connect", _connect),
        (socket.socket, "recv", _slow_socket(_real_recv, "a network read")),
        (socket.socket, "recv_into", _slow_socket(_real_recv_into, "a network read")),
        (subprocess.Popen, "__init__", _popen_init),
        (subprocess.Popen, "communicate", _slow_process(_real_communicate, "communicate")),
        (subprocess.Popen, "wait", _slow_process(_real_wait, "wait")),
    ]
    for owner, name, value in patches:
        setattr(owner, name, value)


def wrap(session: Session) -> None:
    loaded = loader.load_target(session.root, session.file, session.qualname)
    raw = loaded.raw
    func = loaded.function

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if session.active() is not None:
            return func(*args, **kwargs)
        call = Call()
        session.local.call = call
        session.tests.add(session.test)
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            session.local.call = None
            session.finish(call, exc)
            raise
        session.local.call = None
        session.finish(call, None)
        return result

    new: Any = loaded.replacement(wrapper)
    setattr(loaded.owner, loaded.name, new)
    for module in list(sys.modules.values()):
        where = Path(getattr(module, "__file__", "") or "/")
        if (
            module is not None
            and loaded.kind == "function"
            and loader.is_inside(where, session.root)
        ):
            for name, value in list(vars(module).items()):
                if value is raw:
                    vars(module)[name] = new


_session: Session | None = None


def pytest_configure(config: Any) -> None:
    global _session
    path = os.environ.get(CONFIG_ENV)
    if not path or _session is not None:
        return
    _session = Session(json.loads(Path(path).read_text(encoding="utf-8")))
    try:
        wrap(_session)
    except Exception as exc:
        _session.error = f"{type(exc).__name__}: {exc}"
        return
    install()


def pytest_runtest_setup(item: Any) -> None:
    if _session is not None:
        _session.test = item.nodeid


def pytest_unconfigure(config: Any) -> None:
    if _session is not None:
        _session.write_report()
