"""Stopping a run on SIGTERM (what a cancelled CI job sends) and SIGINT (Ctrl-C).

While :func:`handling_signals` is active, the first SIGTERM or SIGINT marks the run cancelled,
kills every sandboxed child that registered with :func:`on_cancel`, and raises
:class:`Cancelled` in the main thread. Worker threads meet it at their next sandboxed step
(:func:`check`). Everything unwinds through its context managers (worktrees, temp folders), the
run reports what was proven until then, and the process exits 128 + the signal number (143 for
SIGTERM, 130 for SIGINT) without a traceback. Further signals while it stops are ignored.
Imports nothing of ours.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

log = logging.getLogger("agentic_action")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Cancelled(BaseException):
    """The run was asked to stop by a signal. A BaseException, like KeyboardInterrupt, so the
    ``except Exception`` of a check or an agent does not record it as the candidate's error."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"cancelled by {self.name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_lock = threading.Lock()
_state: dict[str, int] = {}  # "signum" once a signal arrived
_callbacks: dict[int, Callable[[], None]] = {}
_next_id = [0]


def requested() -> int:
    """The signal number that cancelled the run, or 0."""
    return _state.get("signum", 0)


def check() -> None:
    """Raise :class:`Cancelled` when the run was cancelled (call before starting work)."""
    signum = requested()
    if signum:
        raise Cancelled(signum)


def on_cancel(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` when the run is cancelled (at once if it already is); returns the
    function that unregisters it."""
    with _lock:
        _next_id[0] += 1
        key = _next_id[0]
        _callbacks[key] = callback
    if requested():
        _run_callbacks()
    return lambda: _callbacks.pop(key, None) and None


def cancel(signum: int) -> bool:
    """Mark the run cancelled and stop its children; False when it already was."""
    with _lock:
        if "signum" in _state:
            return False
        _state["signum"] = signum
    _run_callbacks()
    return True


def _run_callbacks() -> None:
    with _lock:
        callbacks = list(_callbacks.values())
        _callbacks.clear()
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a child that is already gone, for example
            log.debug("cancel callback failed", exc_info=True)


def _handler(signum: int, _frame: FrameType | None) -> None:
    if cancel(signum):
        log.warning("%s received: stopping, cleaning up and reporting", signal.Signals(signum).name)
        raise Cancelled(signum)


@contextlib.contextmanager
def handling_signals() -> Iterator[None]:
    """SIGTERM and SIGINT cancel the run while inside (main thread only; elsewhere a no-op)."""
    with _lock:
        _state.clear()
        _callbacks.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _handler) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
