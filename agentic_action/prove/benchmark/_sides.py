"""One long-lived sandboxed timing worker, seen from the parent."""

from __future__ import annotations

import contextlib
import functools
import platform
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentic_action.model import FunctionTarget
from agentic_action.prove.benchmark.channel import Channel, ChannelClosed
from agentic_action.sandbox.launch import worker_env
from agentic_action.sandbox.runner import SandboxResult, run_sandboxed

WORKER = "agentic_action.prove.benchmark.worker"
STARTUP_TIMEOUT = 60.0  # seconds for a worker to import the target and load its inputs
WATCHDOG_EXIT = 70  # the worker's exit code when the parent closed its control connection


def argv_bytes(argv: Sequence[str]) -> int:
    return sum(len(a.encode("utf-8")) + 1 for a in argv)


@functools.cache
def fixed_layout_prefix() -> tuple[str, ...]:
    """``setarch <arch> -R``: start workers without address-space layout randomization.

    Between two processes running the same code, ASLR alone moved CPU time by 1-3% here (see
    docs/methodology.md); with it off, identical code gets an identical layout. Empty when
    ``setarch`` is missing or refuses (then the lanes average the layout noise instead).
    """
    setarch = shutil.which("setarch")
    if setarch is None:
        return ()
    prefix = (setarch, platform.machine(), "-R")
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if done.returncode == 0 else ()


class SideFailed(Exception):
    """A worker could not start, died, hung or answered nonsense."""

    def __init__(self, side: str, message: str) -> None:
        super().__init__(f"{side}: {message}")
        self.side = side
        self.message = message


class Side:
    """A worker process for one side (original or candidate) and its two connections."""

    def __init__(self, name: str, root: Path, folder: Path, lane: int = 0) -> None:
        self.name = name
        self.lane = lane
        self.root = root
        self.folder = folder
        self.result: SandboxResult | None = None
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._channel: Channel | None = None
        self._control: socket.socket | None = None

    def command(self, python: str, target: FunctionTarget, extra: Sequence[str]) -> list[str]:
        argv = [*fixed_layout_prefix(), python, "-m", WORKER, "--root", str(self.root)]
        argv += ["--file", target.file, "--qualname", target.qualname]
        argv += ["--inputs", str(self.folder / "inputs"), "--socket", str(self.folder / "w.sock")]
        for entry in extra:
            argv += ["--extra-path", entry]
        return argv

    def start(
        self,
        python: str,
        target: FunctionTarget,
        inputs: Path,
        extra: Sequence[str],
        life: float,
        layout_bytes: int = 0,
        readable: Sequence[Path] = (),
    ) -> None:
        """Start the worker. Environment padding brings argv + padding to ``layout_bytes``, so
        workers whose worktree paths differ in length still start with the same stack layout."""
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(inputs, self.folder / "inputs")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.folder / "w.sock"))
        self._listener.listen(2)
        argv = self.command(python, target, extra)
        env = worker_env(AGENTIC_LAYOUT_PAD="x" * max(0, layout_bytes - argv_bytes(argv)))

        def run() -> None:
            self.result = run_sandboxed(
                argv,
                cwd=self.root,
                timeout=life,
                writable=[self.folder],
                readable=readable,
                extra_env=env,
            )

        self._thread = threading.Thread(target=run, name=f"bench-{self.name}", daemon=True)
        self._thread.start()

    def connect(self) -> dict[str, Any]:
        """Accept the command and watchdog connections; return the worker's hello."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        sockets = [self._accept(deadline), self._accept(deadline)]
        self._channel, self._control = Channel(sockets[0]), sockets[1]
        return self.ask({"cmd": "hello"}, STARTUP_TIMEOUT, send=False)

    def _accept(self, deadline: float) -> socket.socket:
        assert self._listener is not None
        self._listener.settimeout(0.1)
        while time.monotonic() < deadline:
            try:
                conn, _ = self._listener.accept()
                return conn
            except TimeoutError:
                if self._thread is not None and not self._thread.is_alive():
                    why = f"worker exited before connecting{self._tail()}"
                    raise SideFailed(self.name, why) from None
        raise SideFailed(self.name, f"worker did not start within {STARTUP_TIMEOUT:.0f} s")

    def ask(self, message: dict[str, Any], timeout: float, *, send: bool = True) -> dict[str, Any]:
        assert self._channel is not None
        try:
            if send:
                self._channel.send(message)
            return self._channel.recv(timeout)
        except ChannelClosed as exc:
            self._kill()
            time.sleep(0.05)
            raise SideFailed(self.name, f"{exc}{self._tail()}") from exc

    def _tail(self) -> str:
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        if self.result is None:
            return ""
        code = "timed out" if self.result.timed_out else f"exit code {self.result.returncode}"
        if self.result.returncode == WATCHDOG_EXIT:
            code = "stopped by its watchdog"
        tail = self.result.tail(8)
        return f" ({code}){': ' + tail if tail else ''}"

    def _kill(self) -> None:
        """Closing the watchdog connection makes the worker exit at once."""
        for sock in (self._control, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._control = None

    def stop(self) -> None:
        if self._channel is not None:
            with contextlib.suppress(ChannelClosed):
                self._channel.send({"cmd": "exit"})
            self._channel.close()
        self._kill()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
