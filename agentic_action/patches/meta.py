"""The records of the patch store: what a patch is about, and what was done with it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from agentic_action.patches.cid import parse_cid
from agentic_action.patches.errors import PatchRejectedError
from agentic_action.patches.safety import check_relative_path

# What was done with a stored patch: stored, its forward diff applied, its reversal applied.
PatchAction = Literal["stored", "applied", "rolled-back"]
STORED: Final = "stored"
APPLIED: Final = "applied"
ROLLED_BACK: Final = "rolled-back"
_ACTIONS: tuple[PatchAction, ...] = (STORED, APPLIED, ROLLED_BACK)


def utc_now() -> str:
    """Now, as ISO-8601 UTC with a ``Z`` (e.g. ``2026-11-21T09:30:00Z``)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_utc_timestamp(value: str, what: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.utcoffset() != timedelta(0):
        raise PatchRejectedError(
            f"{what} {value!r} is not an ISO-8601 UTC time; use e.g. {utc_now()!r} (utc_now())"
        )
    return value


@dataclass(frozen=True)
class PatchMeta:
    """What a stored patch changes and why; ``extra`` holds JSON-able figures (speedup…)."""

    file: str  # repository-relative path of the changed file
    qualname: str  # the function or method that was optimized
    method: str  # the method that produced it ("rules", "adversarial", …)
    rationale: str
    base_commit: str  # the commit the diff was made against
    created_at: str  # ISO-8601 UTC
    parent_cid: str | None = None  # the patch this one builds on, if any
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("file", "qualname", "method", "rationale", "base_commit", "created_at"):
            if not isinstance(getattr(self, name), str):
                raise PatchRejectedError(f"PatchMeta.{name} must be a str")
        check_relative_path(self.file, "PatchMeta.file")
        check_utc_timestamp(self.created_at, "PatchMeta.created_at")
        if self.parent_cid is not None:
            object.__setattr__(self, "parent_cid", parse_cid(self.parent_cid))
        if not isinstance(self.extra, dict):
            raise PatchRejectedError("PatchMeta.extra must be a dict")
        try:
            json.dumps(self.extra, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise PatchRejectedError(
                f"PatchMeta.extra is not plain JSON ({exc}); use str, int, finite float, "
                "bool, None, lists and dicts with str keys"
            ) from None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "qualname": self.qualname,
            "method": self.method,
            "rationale": self.rationale,
            "base_commit": self.base_commit,
            "created_at": self.created_at,
            "parent_cid": self.parent_cid,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PatchMeta:
        return cls(
            file=data["file"],
            qualname=data["qualname"],
            method=data["method"],
            rationale=data["rationale"],
            base_commit=data["base_commit"],
            created_at=data["created_at"],
            parent_cid=data.get("parent_cid"),
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True)
class PatchEvent:
    """One thing that happened to a stored patch."""

    action: PatchAction
    at: str  # ISO-8601 UTC
    repo: str | None = None  # the work tree it was applied in
    head: str | None = None  # that repository's HEAD commit at the time
    cid: str | None = None  # the CID the user named (forward or reverse)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PatchEvent:
        action = next((a for a in _ACTIONS if a == data["action"]), None)
        if action is None:
            raise PatchRejectedError(f"unknown patch event action {data['action']!r}")
        return cls(
            action=action,
            at=str(data["at"]),
            repo=data.get("repo"),
            head=data.get("head"),
            cid=data.get("cid"),
        )


@dataclass(frozen=True)
class StoredPatch:
    """A patch in the store: its forward diff at ``path``, its reversal beside it."""

    cid: str
    reverse_cid: str
    meta: PatchMeta
    path: Path  # the forward .diff
    history: tuple[PatchEvent, ...] = ()

    @property
    def reverse_path(self) -> Path:
        return self.path.with_name(f"{self.reverse_cid}.diff")

    @property
    def status(self) -> PatchAction:
        """The last thing done: STORED, APPLIED or ROLLED_BACK."""
        done = [e.action for e in self.history if e.action in (APPLIED, ROLLED_BACK)]
        return done[-1] if done else STORED
