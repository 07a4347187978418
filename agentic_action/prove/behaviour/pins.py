"""Pin the usual sources of non-determinism around one replayed call (standard library only).

While a :class:`Pins` block is active:

- clocks (``time.time``, ``time_ns``, ``monotonic``, ``perf_counter``, ``process_time`` and their
  ``_ns`` forms, ``datetime.datetime.now/utcnow/today``, ``datetime.date.today``) are *tick
  clocks*: they start at a fixed value when the block starts and advance 1 ms per reading, so a
  function that waits for time to pass still ends, and the same sequence of readings gives the
  same values in every run;
- ``random`` (the module-level generator) is seeded with 0, and so is ``numpy.random`` when numpy
  is already imported;
- ``os.urandom`` (and with it ``uuid.uuid4``, ``secrets``, ``random.SystemRandom``) returns bytes
  from a generator seeded with 0.

Names bound directly in the target's modules (``from time import time``) are pinned too. The
string hash seed is pinned by the parent (``PYTHONHASHSEED=0``). The benchmark never uses this
module: it must measure with the real ``perf_counter``.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import sys
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

BASE_EPOCH = 1_700_000_000.0  # 2023-11-14T22:13:20Z
BASE_MONOTONIC = 1_000.0
TICK = 0.001

_REAL_DATETIME = _dt.datetime
_REAL_DATE = _dt.date


class _FakeClassMeta(type):
    """Makes ``isinstance(real_datetime, datetime.datetime)`` stay true while pinned."""

    _real: type

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls._real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls._real)


class Pins:
    """Install with ``with pins:``; every entry restarts the clocks and the generators."""

    def __init__(self, modules: Iterable[types.ModuleType] = ()) -> None:
        self.modules = list(modules)
        self._ticks = 0
        self._rng = random.Random(0)
        self._saved: list[tuple[Any, str, Any]] = []
        self._fakes = self._make_fakes()

    def _tick(self) -> float:
        self._ticks += 1
        return self._ticks * TICK

    def epoch(self) -> float:
        return BASE_EPOCH + self._tick()

    def _monotonic(self) -> float:
        return BASE_MONOTONIC + self._tick()

    def _urandom(self, size: int) -> bytes:
        return self._rng.randbytes(size)

    def _make_fakes(self) -> list[tuple[Any, str, Any]]:
        """(owner, attribute, replacement) for every pinned name."""
        mono: Callable[[], float] = self._monotonic
        fakes: list[tuple[Any, str, Any]] = [
            (time, "time", self.epoch),
            (time, "time_ns", lambda: int(self.epoch() * 1e9)),
            (os, "urandom", self._urandom),
            (random, "_urandom", self._urandom),
            (_dt, "datetime", _fake_datetime(self)),
            (_dt, "date", _fake_date(self)),
        ]
        for name in ("monotonic", "perf_counter", "process_time"):
            fakes.append((time, name, mono))
            fakes.append((time, f"{name}_ns", lambda: int(mono() * 1e9)))
        return fakes

    def reset(self) -> None:
        self._ticks = 0
        self._rng.seed(0)
        random.seed(0)
        numpy = sys.modules.get("numpy")
        seed = getattr(getattr(numpy, "random", None), "seed", None)
        if callable(seed):
            seed(0)

    def __enter__(self) -> Pins:
        self.reset()
        for owner, name, fake in self._fakes:
            real = getattr(owner, name)
            self._replace(owner, name, fake)
            for module in self.modules:
                for key, value in list(vars(module).items()):
                    if value is real:
                        self._replace(module, key, fake)
        return self

    def __exit__(self, *exc: object) -> None:
        while self._saved:
            owner, name, value = self._saved.pop()
            setattr(owner, name, value)

    def _replace(self, owner: Any, name: str, value: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)


def _fake_datetime(pins: Pins) -> type:
    class datetime(_REAL_DATETIME, metaclass=_FakeClassMeta):
        _real = _REAL_DATETIME

        @classmethod
        def now(cls, tz: _dt.tzinfo | None = None) -> Any:
            return _REAL_DATETIME.fromtimestamp(pins.epoch(), tz)

        @classmethod
        def utcnow(cls) -> Any:
            return _REAL_DATETIME.fromtimestamp(pins.epoch(), _dt.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls) -> Any:
            return _REAL_DATETIME.fromtimestamp(pins.epoch())

    return datetime


def _fake_date(pins: Pins) -> type:
    class date(_REAL_DATE, metaclass=_FakeClassMeta):
        _real = _REAL_DATE

        @classmethod
        def today(cls) -> Any:
            return _REAL_DATE.fromtimestamp(pins.epoch())

    return date
