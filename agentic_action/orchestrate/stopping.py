"""When waves stop: a time limit, the LLM budget, and SIGTERM/SIGINT.

- The first SIGTERM or SIGINT asks for a stop: no new wave starts, and the agents in flight
  finish (their results are stored and reported as usual).
- A second signal aborts: the results of agents that already finished are written to the store
  and the report, the functions still in flight are handed back to the queue (ledger) or
  reported as not finished, our sandboxed child processes are killed, and the process exits 130.
- The time limit: no wave starts after it, nor one that would not end before it at the pace of
  the last wave; a wave running when it passes finishes like after a first signal.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentic_action.llm.budget import SpendStore
    from agentic_action.llm.config import LLMConfig

log = logging.getLogger("agentic_action")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopControl:
    """A stop flag that signals, a time limit or the caller can raise, and an abort hook."""

    def __init__(
        self, time_limit: float | None = None, clock: Callable[[], float] = time.monotonic
    ):
        self._clock = clock
        self.started = clock()
        self.deadline = None if time_limit is None else self.started + time_limit
        self.time_limit = time_limit
        self.event = threading.Event()
        self.reason: str | None = None
        self._signals = 0
        self._on_abort: Callable[[], None] | None = None

    def request(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        self.event.set()

    def before_wave(self, last_wave_seconds: float | None) -> str | None:
        """Why no further wave may start, or None."""
        if self.reason is not None:
            return self.reason
        if self.deadline is None:
            return None
        left = self.deadline - self._clock()
        if left <= 0:
            self.request(f"time limit reached ({self.time_limit:g} s)")
        elif last_wave_seconds is not None and last_wave_seconds > left:
            self.request(
                f"time limit: {left:.0f} s left, less than the last wave took "
                f"({last_wave_seconds:.0f} s)"
            )
        return self.reason

    def pause(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (less if a stop comes, or the time limit). True: stopped."""
        if self.deadline is not None:
            seconds = min(seconds, max(self.deadline - self._clock(), 0.0))
        if seconds > 0:
            self.event.wait(seconds)
        return self.before_wave(None) is not None

    @contextmanager
    def signals(self, on_abort: Callable[[], None]) -> Iterator[None]:
        """Handle SIGTERM/SIGINT while the block runs (main thread only)."""
        self._on_abort = on_abort
        previous = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        name = signal.Signals(signum).name
        if self._signals == 1:
            log.warning("%s: finishing the agents in flight, then stopping (again: abort)", name)
            self.request(f"stopped by {name}")
            return
        log.warning("%s again: aborting", name)
        on_abort = self._on_abort
        if on_abort is not None:  # off the main thread, which may be inside a lock-holding call
            threading.Thread(target=on_abort, name="abort", daemon=True).start()


def kill_children() -> list[int]:
    """Kill the process groups of this process's children (the sandbox starts each in its own
    session); returns their pids. Linux only (/proc); elsewhere nothing."""
    me, killed = os.getpid(), []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) != me:  # field 4 of stat: the parent pid
            continue
        pid = int(entry.parent.name)
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
        killed.append(pid)
    return killed


def llm_budget_reason(method: str, spend: SpendStore | None, config: LLMConfig | str) -> str | None:
    """Why no further wave may spend on the LLM (the month's budget is used up), or None.

    The rules method spends nothing; without a configured model the LLM methods fall back to
    the rules engine; without a spend store (the ledger) the month's spend is unknown here, and
    each wave's run still enforces both budgets itself. ``config``: ``Settings.llm``."""
    if method == "rules" or spend is None:
        return None
    from agentic_action.llm.budget import current_month

    if isinstance(config, str):
        return None  # the run reports a bad LLM setting itself
    limit = config.monthly_budget_usd
    if not config.configured or limit is None:
        return None
    spent = spend.month_spent(current_month())
    if spent >= limit:
        return f"LLM budget: ${spent:.2f} of the ${limit:.2f} monthly budget is spent"
    return None
