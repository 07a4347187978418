"""Values built once per key, by the first caller who needs them; the others wait for it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class OnceByKey(Generic[T]):
    """One build per key at a time (the agents of a run share it); a build that raises is not
    kept, so the next caller tries again."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _keys: dict[str, threading.Lock] = field(default_factory=dict)
    _done: dict[str, T] = field(default_factory=dict)

    def get(self, key: str, build: Callable[[], T]) -> T:
        with self._lock:
            lock = self._keys.setdefault(key, threading.Lock())
        with lock:
            if key not in self._done:
                self._done[key] = build()
            return self._done[key]
