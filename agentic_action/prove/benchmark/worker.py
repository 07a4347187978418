"""Sandboxed timing worker: one per side, long-lived, driven by the parent over a Unix socket.

    python -m agentic_action.prove.benchmark.worker --root R --file F --qualname Q \
        --inputs DIR --socket PATH [--extra-path P ...]

It connects twice: a command connection (JSON lines, see ``harness.py``) and a watchdog
connection whose closing by the parent ends this process at once, even when candidate code is
stuck in an endless loop. Timing uses the real ``time.perf_counter`` (no pins). Standard library
only.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import os
import pickle
import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from agentic_action.prove.behaviour.worker import ITERATOR_LIMIT
from agentic_action.prove.benchmark.channel import Channel, ChannelClosed
from agentic_action.record import byvalue, loader, store
from agentic_action.record.reprs import call_repr, clip, short_error

Call = tuple[tuple[Any, ...], dict[str, Any]]
LABEL_CHARS = 100


class Timer:
    """Times the target on the recorded inputs."""

    def __init__(self, target: loader.LoadedTarget, blobs: list[bytes]) -> None:
        self.fn: Callable[..., Any] = target.callable()
        self.clearers = loader.cache_clearers(target.module)
        self.blobs = blobs
        self.calls: list[Call] = [pickle.loads(b) for b in blobs]

    def probe(self) -> dict[str, Any]:
        """One timed pass over fresh copies of every input, and what the calls do."""
        mutates = returns_iterator = False
        seconds = 0.0
        for blob in self.blobs:
            args, kwargs = pickle.loads(blob)
            for clear in self.clearers:
                clear()
            started = time.perf_counter()
            try:
                result = self.fn(*args, **kwargs)
                _drain(result)  # a generator's work is in its items: time them from the start
            except BaseException:
                result = None
            seconds += time.perf_counter() - started
            returns_iterator |= isinstance(result, Iterator)
            mutates |= _changed((args, kwargs), blob)
        return {
            "round": seconds,
            "mutates": mutates,
            "iterator": returns_iterator,
            "caches": len(self.clearers),
        }

    def sample(self, loops: int, count: int, fresh: bool, consume: bool) -> dict[str, Any]:
        """CPU and wall seconds per pass over the first ``count`` inputs, and per input.

        Each input is timed as one block of ``loops`` calls (so each input has its own figure,
        see docs/methodology.md 2.1). CPU time is ``time.process_time`` (this process, all
        threads); wall time is ``time.perf_counter``. Fresh mode unpickles ``loops`` new argument
        copies before each block, outside the timed region, and clears the module's functools
        caches before each call, inside it. Returns ``{"cpu", "wall", "each"}``: totals per pass
        and the CPU seconds per call of each input.
        """
        random.seed(0)
        each: list[float] = []
        wall = 0.0
        fn, clearers = self.fn, self.clearers if fresh else []
        for index in range(count):
            if fresh:
                calls = [pickle.loads(self.blobs[index]) for _ in range(loops)]
            else:
                calls = [self.calls[index]] * loops
            cpu_started, started = time.process_time(), time.perf_counter()
            for args, kwargs in calls:
                for clear in clearers:
                    clear()
                try:
                    result = fn(*args, **kwargs)
                    if consume:
                        _drain(result)
                except BaseException:
                    pass
            wall += time.perf_counter() - started
            each.append((time.process_time() - cpu_started) / loops)
        return {"cpu": sum(each), "wall": wall / loops, "each": each}

    def labels(self, name: str) -> list[str]:
        """A short text of each input's call, for the report (``work(10)``)."""
        return [clip(call_repr(name, args, kwargs), LABEL_CHARS) for args, kwargs in self.calls]


def _drain(result: Any) -> None:
    """Run a returned iterator for as many items as the behaviour check compares (an endless
    generator ends there too)."""
    if isinstance(result, Iterator):
        for _ in itertools.islice(result, ITERATOR_LIMIT):
            pass


def _changed(call: Call, blob: bytes) -> bool:
    try:
        return byvalue.dumps(call, protocol=store.PICKLE_PROTOCOL) != blob
    except Exception:
        return True


def serve(channel: Channel, timer: Timer) -> None:
    while True:
        message = channel.recv()
        command = message.get("cmd")
        if command == "probe":
            channel.send(timer.probe())
        elif command == "sample":
            channel.send(
                timer.sample(
                    int(message["loops"]),
                    int(message["count"]),
                    bool(message.get("fresh")),
                    bool(message.get("consume")),
                )
            )
        else:
            return


def _watchdog(control: socket.socket) -> None:
    """Exit as soon as the parent closes the control connection (or dies)."""
    with contextlib.suppress(OSError):
        control.recv(1)
    os._exit(70)


def _connect(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


def _load(ns: argparse.Namespace) -> tuple[Timer | None, dict[str, Any]]:
    files = store.inputs_in(ns.inputs)
    try:
        target = loader.load_target(ns.root, ns.file, ns.qualname, ns.extra_path)
    except loader.TargetLoadError as exc:
        return None, {"ok": False, "error": str(exc)}
    blobs, unloadable = [], 0
    for path in files:
        data = path.read_bytes()
        try:
            pickle.loads(data)
        except BaseException:
            unloadable += 1
            continue
        blobs.append(data)
    try:
        timer = Timer(target, blobs)
    except BaseException as exc:
        return None, {"ok": False, "error": short_error(exc)}
    name = ns.qualname.rsplit(".", 1)[-1]
    hello = {"ok": True, "inputs": len(blobs), "unloadable": unloadable}
    return timer, hello | {"labels": timer.labels(name)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentic_action.prove.benchmark.worker")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--qualname", required=True)
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--extra-path", action="append", default=[])
    ns = parser.parse_args(argv)
    channel = Channel(_connect(ns.socket))
    threading.Thread(target=_watchdog, args=(_connect(ns.socket),), daemon=True).start()
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    timer, hello = _load(ns)
    channel.send(hello)
    if timer is None:
        return 3
    gc.collect()
    with contextlib.suppress(ChannelClosed):
        serve(channel, timer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
