"""Sandboxed replay worker: call the target on each recorded input, write one outcome per input.

    python -m agentic_action.prove.behaviour.worker --root R --file F --qualname Q \
        --inputs DIR --out OUTCOMES.jsonl [--start N] [--extra-path P ...] [--call-timeout S]

Writes JSON lines to OUTCOMES: ``{"i": 3, "event": "start"}`` before each call, then
``{"i": 3, "event": "done", "kind": "return"|"raise"|"unloadable", ...}``. A "start" without its
"done" tells the parent which input crashed or hung the interpreter. A "done" record of a call
says how many ``seconds`` it took (never compared; the differential inputs' preparation derives
the original's time bound from it). Before each call every functools cache of the target's
module is cleared and the sources of non-determinism are pinned (see ``pins.py``).
``--call-timeout``: a call that outlasts it is stopped and recorded as ``"kind": "timeout"``,
and the replay goes on with the next input. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import collections.abc
import contextlib
import hashlib
import itertools
import json
import pickle
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from agentic_action.prove.behaviour.pins import Pins
from agentic_action.prove.behaviour.watch import TEXT_LIMIT, WriteWatch, captured_output
from agentic_action.record import byvalue, loader, store
from agentic_action.record.reprs import (
    call_repr,
    clip,
    normalize,
    safe_repr,
    short_error,
    type_name,
)

PICKLE_LIMIT = 4_000_000  # larger results are compared by hash only
ITERATOR_LIMIT = 100_000  # returned iterators are materialized up to this many items
CLOCK = time.perf_counter  # the real clock: the pins make time.perf_counter tick 1 ms a reading


def encode(value: Any) -> dict[str, Any]:
    """A comparable, JSON-safe description of a value: its pickle (when possible) and repr."""
    described: dict[str, Any] = {"type": type_name(value), "repr": safe_repr(value)}
    try:
        data = byvalue.dumps(value, protocol=store.PICKLE_PROTOCOL)
    except BaseException as exc:  # user __reduce__ code may raise anything
        described["error"] = f"cannot be pickled: {short_error(exc)}"
        return described
    described["sha"] = hashlib.sha256(data).hexdigest()
    if len(data) <= PICKLE_LIMIT:
        described["pickle"] = base64.b64encode(data).decode("ascii")
    return described


def materialize(value: Any) -> Any:
    """Returned generators and iterators are consumed (while still pinned and watched)."""
    if isinstance(value, collections.abc.Iterator) and not isinstance(value, (str, bytes)):
        items = list(itertools.islice(value, ITERATOR_LIMIT + 1))
        return {"iterator": type_name(value), "items": items[:ITERATOR_LIMIT]}
    return value


class CallTimeout(BaseException):
    """Raised inside a call that outlasts ``--call-timeout`` (a BaseException, so that the
    target's own ``except Exception`` does not swallow it)."""


@contextlib.contextmanager
def call_bound(seconds: float) -> Iterator[None]:
    """Interrupt the call after ``seconds`` (0: never). Python code is interrupted between
    bytecodes; a long C call is stopped only by the replay's process time limit."""
    if seconds <= 0:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise CallTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Replayer:
    def __init__(
        self, target: loader.LoadedTarget, root: Path, qualname: str, call_timeout: float = 0.0
    ) -> None:
        self.fn: Callable[..., Any] = target.callable()
        self.call_timeout = call_timeout
        self.qualname = qualname
        self.clearers = loader.cache_clearers(target.module)
        self.pins = Pins(_modules_inside(root))
        self.watch = WriteWatch()
        self.cwd = Path.cwd()

    def replay(self, index: int, path: Path) -> dict[str, Any]:
        record: dict[str, Any] = {"i": index, "name": path.name, "event": "done"}
        try:
            args, kwargs = _load(path.read_bytes())
        except BaseException as exc:
            return {**record, "kind": "unloadable", "error": short_error(exc)}
        record["input"] = call_repr(self.qualname, args, kwargs)
        for clear in self.clearers:
            clear()
        with captured_output() as (out, err), self.watch.watching(), self.pins:
            started = CLOCK()
            try:
                with call_bound(self.call_timeout):
                    value = materialize(self.fn(*args, **kwargs))
                record.update(kind="return", value=value)
            except CallTimeout:
                return {**record, "kind": "timeout", "seconds": CLOCK() - started}
            except BaseException as exc:  # the target may raise anything, SystemExit included
                record.update(kind="raise", exc_type=type_name(exc), message=_message(exc))
            record["seconds"] = CLOCK() - started
        if record["kind"] == "return":
            record["value"] = encode(record["value"])
        record["args_after"] = encode((args, kwargs))
        record["stdout"] = clip(normalize(out.getvalue()), TEXT_LIMIT)
        record["stderr"] = clip(normalize(err.getvalue()), TEXT_LIMIT)
        record["writes"] = self.watch.summarize_and_clean(self.cwd)
        return record


def _message(exc: BaseException) -> str:
    try:
        return clip(normalize(str(exc)), TEXT_LIMIT)
    except Exception:  # a user __str__ may raise
        return f"<{type(exc).__name__}: str() failed>"


def _load(data: bytes) -> tuple[tuple[Any, ...], dict[str, Any]]:
    args, kwargs = pickle.loads(data)
    if not isinstance(args, tuple) or not isinstance(kwargs, dict):
        raise TypeError("recorded input is not an (args, kwargs) pair")
    return args, kwargs


def _modules_inside(root: Path) -> list[types.ModuleType]:
    return [
        m
        for m in list(sys.modules.values())
        if isinstance(m, types.ModuleType)
        and getattr(m, "__file__", None)
        and loader.is_inside(Path(m.__file__ or "/"), root)
    ]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agentic_action.prove.behaviour.worker")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--qualname", required=True)
    parser.add_argument("--inputs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--call-timeout", type=float, default=0.0)
    parser.add_argument("--extra-path", action="append", default=[])
    return parser.parse_args(argv)


def _emit(stream: TextIO, record: dict[str, Any]) -> None:
    stream.write(json.dumps(record) + "\n")
    stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    ns = _parse(argv)
    files = store.inputs_in(ns.inputs)
    root = ns.root.resolve()
    with ns.out.open("a", encoding="utf-8") as stream:
        try:
            with Pins():  # generators created at import time are seeded too
                target = loader.load_target(root, ns.file, ns.qualname, ns.extra_path)
        except loader.TargetLoadError as exc:
            _emit(stream, {"event": "load-error", "error": str(exc)})
            return 3
        replayer = Replayer(target, root, ns.qualname, ns.call_timeout)
        for index in range(ns.start, len(files)):
            _emit(stream, {"i": index, "name": files[index].name, "event": "start"})
            _emit(stream, replayer.replay(index, files[index]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
