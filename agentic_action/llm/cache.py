"""The response cache: one JSON file per (model, messages, parameters), written atomically.

A rerun on unchanged prompts finds every answer here and makes no HTTP call. The key covers
everything that shapes the answer (model, every message, temperature, max_tokens, the variant
number a method uses to ask the same question twice) and a format version; it does not cover
api_base or keys, so a cache moves between machines and local server ports.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentic_action.fileutil import atomic_write

CACHE_FORMAT = 1


@dataclass(frozen=True)
class CachedAnswer:
    model: str
    text: str
    prompt_tokens: int  # what the original call used (a hit spends none)
    completion_tokens: int
    cost_usd: float  # what the original call cost
    created: float  # unix time the answer was stored


def cache_key(model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> str:
    payload = {"format": CACHE_FORMAT, "model": model, "messages": messages, "params": params}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """Answers on disk under ``directory/ab/abcdef….json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer, or None (missing, or unreadable: a broken entry is a miss)."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return CachedAnswer(
                model=str(data["model"]),
                text=str(data["text"]),
                prompt_tokens=int(data["prompt_tokens"]),
                completion_tokens=int(data["completion_tokens"]),
                cost_usd=float(data["cost_usd"]),
                created=float(data["created"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, answer: CachedAnswer) -> None:
        document = {"format": CACHE_FORMAT, **asdict(answer)}
        atomic_write(self._path(key), json.dumps(document, indent=1, sort_keys=True), private=True)

    def entries(self) -> int:
        return sum(1 for _ in self.directory.glob("*/*.json")) if self.directory.exists() else 0


def new_entry(
    model: str, text: str, prompt_tokens: int, completion_tokens: int, cost_usd: float
) -> CachedAnswer:
    return CachedAnswer(model, text, prompt_tokens, completion_tokens, cost_usd, time.time())
