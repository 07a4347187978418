"""``--shard K/N``: a stable share of the targets, so a matrix of N jobs covers each target once.

A target belongs to shard ``int(sha256(file::qualname)) % N + 1``: the same target always lands
in the same shard whatever else changed in the repository, and shards never overlap.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from agentic_action.errors import BadInput
from agentic_action.model import FunctionTarget

_FORM = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 256


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, target: FunctionTarget) -> bool:
        return shard_of(target.key, self.count) == self.index


class ShardError(BadInput, ValueError):
    """A ``--shard`` value that is not K/N (also a ValueError, so that a settings validator
    reports it with the setting's name and source)."""


def parse_shard(text: str) -> Shard:
    """``"2/4"`` -> Shard(2, 4); anything else raises ShardError naming the value and the form."""
    match = _FORM.match(text)
    if not match:
        raise ShardError(f"shard {text!r} is not of the form K/N (for example 2/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise ShardError(f"shard {text!r}: N must be between 1 and {MAX_SHARDS}")
    if not 1 <= index <= count:
        raise ShardError(f"shard {text!r}: K must be between 1 and N ({count})")
    return Shard(index, count)


def shard_of(key: str, count: int) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select(targets: Sequence[FunctionTarget], shard: Shard | None) -> list[FunctionTarget]:
    return list(targets) if shard is None else [t for t in targets if shard.owns(t)]
