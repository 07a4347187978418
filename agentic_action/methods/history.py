"""Accepted and rejected patterns kept across runs, offered to later prompts as examples.

A method records what became of each proven attempt (a short summary, the reason, a short diff);
later prompts get a few of them as ``PatternExample``s. Two backings share one interface:

- :class:`JsonPatternStore`: one JSON file in the state directory (atomic writes, a file lock
  between processes, the newest ``MAX_PATTERNS`` kept);
- :class:`LedgerPatternStore`: events ``pattern.recorded`` / ``pattern.pinned`` in the run ledger.

**Pins keep reruns free.** The examples chosen for one target at one version of its code are
pinned: asking again for the same (method, target, code digest) returns exactly the same
examples, so the prompt is the same and the response cache answers it at zero tokens. New
patterns reach a target's prompts once its code changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from agentic_action.fileutil import atomic_write, file_lock
from agentic_action.llm import PatternExample

if TYPE_CHECKING:
    from agentic_action.ledger import Ledger

MAX_PATTERNS = 500  # per store (JSON file); the oldest go first
MAX_PINS = 2000
RECORDED = "pattern.recorded"
PINNED = "pattern.pinned"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class PatternStore(Protocol):
    def record(self, method: str, example: PatternExample) -> None:
        """Keep one outcome (an identical one recorded before is not added again)."""
        ...

    def examples(self, method: str, pin: str, limit: int) -> list[PatternExample]:
        """Examples for a prompt: the ones pinned to ``pin`` (e.g. target key + code digest),
        else up to ``limit`` of the newest, accepted and rejected alternating, then pinned."""
        ...


def _as_json(example: PatternExample) -> dict[str, Any]:
    return asdict(example)


def _from_json(data: Any) -> PatternExample | None:
    if not isinstance(data, dict):
        return None
    try:
        return PatternExample(
            accepted=bool(data["accepted"]),
            summary=str(data["summary"]),
            reason=str(data.get("reason", "")),
            diff=str(data.get("diff", "")),
        )
    except KeyError:
        return None


def _identity(method: str, example: PatternExample) -> str:
    return digest(f"{method}\0{example.accepted}\0{example.summary}\0{example.diff}")


def choose(patterns: Sequence[PatternExample], limit: int) -> list[PatternExample]:
    """Newest first (``patterns`` oldest first), alternating accepted and rejected."""
    newest = list(reversed(patterns))
    accepted = [p for p in newest if p.accepted]
    rejected = [p for p in newest if not p.accepted]
    chosen: list[PatternExample] = []
    while len(chosen) < limit and (accepted or rejected):
        for pool in (accepted, rejected):
            if pool and len(chosen) < limit:
                chosen.append(pool.pop(0))
    return chosen


class MemoryPatternStore:
    """Forgets at exit: for a run without a state directory, and for tests."""

    def __init__(self) -> None:
        self._patterns: list[tuple[str, str, PatternExample]] = []
        self._pins: dict[str, list[PatternExample]] = {}
        self._lock = threading.Lock()

    def record(self, method: str, example: PatternExample) -> None:
        key = _identity(method, example)
        with self._lock:
            if all(k != key for _, k, _ in self._patterns):
                self._patterns.append((method, key, example))

    def examples(self, method: str, pin: str, limit: int) -> list[PatternExample]:
        with self._lock:
            pinned = self._pins.get(f"{method}|{pin}")
            if pinned is None:
                mine = [e for m, _, e in self._patterns if m == method]
                pinned = self._pins[f"{method}|{pin}"] = choose(mine, limit)
            return list(pinned)


class JsonPatternStore:
    """``{"patterns": [{method, key, at, accepted, summary, reason, diff}], "pins": {...}}``"""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, method: str, example: PatternExample) -> None:
        key = _identity(method, example)
        with self._locked() as data:
            patterns = data["patterns"]
            if any(p.get("key") == key for p in patterns):
                return
            patterns.append({"method": method, "key": key, "at": time.time(), **_as_json(example)})
            del patterns[:-MAX_PATTERNS]

    def examples(self, method: str, pin: str, limit: int) -> list[PatternExample]:
        with self._locked() as data:
            pins = data["pins"]
            pinned = pins.get(f"{method}|{pin}")
            if isinstance(pinned, list):
                return [e for e in map(_from_json, pinned) if e is not None]
            mine = [_from_json(p) for p in data["patterns"] if p.get("method") == method]
            chosen = choose([e for e in mine if e is not None], limit)
            pins[f"{method}|{pin}"] = [_as_json(e) for e in chosen]
            for old in list(pins)[:-MAX_PINS]:
                del pins[old]
            return chosen

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The file's data, written back (atomically) when the block changed it."""
        with self._lock, file_lock(self.path.with_name(self.path.name + ".lock")):
            data = self._read()
            before = repr(data)
            yield data
            if repr(data) != before:
                atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True))

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as error:
            raise ValueError(
                f"pattern history {self.path} is unreadable ({error}); fix or delete it "
                "(deleting it forgets the patterns learned so far)"
            ) from error
        if not isinstance(data, dict):
            raise ValueError(f"pattern history {self.path}: expected a JSON object")
        patterns = data.get("patterns", [])
        pins = data.get("pins", {})
        return {
            "patterns": [p for p in patterns if isinstance(p, dict)]
            if isinstance(patterns, list)
            else [],
            "pins": pins if isinstance(pins, dict) else {},
        }


class LedgerPatternStore:
    """The same interface over the run ledger's event log (subject = the method name)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._lock = threading.Lock()

    def record(self, method: str, example: PatternExample) -> None:
        key = _identity(method, example)
        with self._lock:
            if any(e.payload.get("key") == key for e in self._events(RECORDED, method)):
                return
            self.ledger.append(RECORDED, {"key": key, **_as_json(example)}, subject=method)

    def examples(self, method: str, pin: str, limit: int) -> list[PatternExample]:
        with self._lock:
            pin_subject = f"{method}|{pin}"
            for event in reversed(self._events(PINNED, pin_subject)):
                chosen = event.payload.get("examples")
                if isinstance(chosen, list):
                    return [e for e in map(_from_json, chosen) if e is not None]
            mine = [_from_json(e.payload) for e in self._events(RECORDED, method)]
            picked = choose([e for e in mine if e is not None], limit)
            payload = {"examples": [_as_json(e) for e in picked]}
            self.ledger.append(PINNED, payload, subject=pin_subject)
            return picked

    def _events(self, kind: str, subject: str) -> list[Any]:
        return list(self.ledger.events(kind=kind, subject=subject))


def open_pattern_store(state_dir: Path | None) -> PatternStore:
    """The JSON store in ``state_dir/method-patterns.json``, or memory without a state dir."""
    if state_dir is None:
        return MemoryPatternStore()
    return JsonPatternStore(Path(state_dir) / "method-patterns.json")
