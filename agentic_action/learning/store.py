"""The selector's memory: observations of past candidates and verdicts, kept in ``state/``.

One JSON file, ``STATE_DIR/learning.json``, restored with the rest of the state between runs
(the Action caches the state folder). Its shape::

    {"schema": 1, "observations": [...], "decisions": [...]}

An observation is one thing that happened to one function with one arm (method, rule family,
model): a proof outcome (accepted, rejected, error) or a maintainer's verdict on a published
change (merged, declined = closed without merge, rolled back), with what it cost. Each has an id
so that ingesting the same ledger twice, or importing the same export twice, counts it once.

A state file that cannot be read (not JSON, wrong shape, a newer schema) is never fatal: it is
moved aside to ``learning.json.corrupt-<unix time>``, a warning is logged, and learning starts
fresh. ``export``/``import`` share the observations between repositories.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from agentic_action.errors import BadInput
from agentic_action.fileutil import atomic_write, file_lock
from agentic_action.learning.features import UNKNOWN, FunctionFeatures

log = logging.getLogger("agentic_action.learning")

STATE_FILE = "learning.json"
SCHEMA = 1
MAX_OBSERVATIONS = 20_000  # the newest are kept; older ones matter less
MAX_DECISIONS = 2_000


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # proven correct and faster
    REJECTED = "rejected"  # the proof gate said no
    ERROR = "error"  # the method failed
    MERGED = "merged"  # a maintainer applied it (/approve, apply, a merged PR)
    DECLINED = "declined"  # a maintainer closed its PR without merging
    ROLLED_BACK = "rolled_back"  # applied, then reverted

    @property
    def success(self) -> bool:
        return self in (Outcome.ACCEPTED, Outcome.MERGED)

    @property
    def weight(self) -> float:
        """How much one such observation counts: a maintainer's word counts more than a gate's."""
        return 2.0 if self in (Outcome.MERGED, Outcome.DECLINED, Outcome.ROLLED_BACK) else 1.0


@dataclass(frozen=True)
class Arm:
    """What the selector chooses for a function: a method, the rule family, the model."""

    method: str
    rule_family: str = ""  # rules: the family whose rewrite it was ("" when unknown or LLM)
    model: str = ""  # LLM methods: the model that answered ("" for rules)

    def label(self) -> str:
        parts = [self.method, self.rule_family, self.model]
        return "/".join(p for p in parts if p)


@dataclass(frozen=True)
class Observation:
    id: str
    key: str  # file::qualname
    arm: Arm
    outcome: Outcome
    features: FunctionFeatures = UNKNOWN
    seconds: float = 0.0
    tokens: int = 0
    usd: float = 0.0
    at: float = 0.0
    repo: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "key": self.key, "method": self.arm.method,
            "rule_family": self.arm.rule_family, "model": self.arm.model,
            "outcome": self.outcome.value, "features": self.features.to_json(),
            "seconds": round(self.seconds, 3), "tokens": self.tokens, "usd": round(self.usd, 6),
            "at": round(self.at, 3), "repo": self.repo,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Observation:
        return cls(
            id=str(data["id"]),
            key=str(data["key"]),
            arm=Arm(
                str(data["method"]), str(data.get("rule_family", "")), str(data.get("model", ""))
            ),
            outcome=Outcome(data["outcome"]),
            features=FunctionFeatures.from_json(data.get("features") or {}),
            seconds=float(data.get("seconds", 0.0)),
            tokens=int(data.get("tokens", 0)),
            usd=float(data.get("usd", 0.0)),
            at=float(data.get("at", 0.0)),
            repo=str(data.get("repo", "")),
        )


@dataclass
class LearningState:
    observations: dict[str, Observation] = field(default_factory=dict)  # id -> observation
    decisions: list[dict[str, Any]] = field(default_factory=list)  # estimates and outcomes
    warning: str = ""  # set when a corrupt file was set aside

    def add(self, observations: Iterable[Observation]) -> int:
        """Add the observations not seen before; returns how many were new."""
        added = 0
        for observation in observations:
            if observation.id not in self.observations:
                self.observations[observation.id] = observation
                added += 1
        return added

    def to_json(self) -> dict[str, Any]:
        kept = sorted(self.observations.values(), key=lambda o: (o.at, o.id))[-MAX_OBSERVATIONS:]
        return {
            "schema": SCHEMA,
            "observations": [o.to_json() for o in kept],
            "decisions": self.decisions[-MAX_DECISIONS:],
        }


class LearningFileError(BadInput):
    """A learning export that cannot be imported; the message names the file and the fix."""


def state_file(state_dir: Path) -> Path:
    return state_dir / STATE_FILE


def parse_state(text: str) -> LearningState:
    """The state in ``text``; raises ValueError (with what is wrong) when it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("the top level is not a JSON object")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise ValueError(f"schema {schema!r}, this version reads schema {SCHEMA}")
    observations = data.get("observations")
    decisions = data.get("decisions", [])
    if not isinstance(observations, list) or not isinstance(decisions, list):
        raise ValueError("'observations' and 'decisions' must be lists")
    state = LearningState(decisions=[d for d in decisions if isinstance(d, dict)])
    try:
        state.add(Observation.from_json(item) for item in observations)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"an observation is malformed ({type(error).__name__}: {error})") from None
    return state


def load_state(state_dir: Path) -> LearningState:
    """The state kept in ``state_dir``; empty when there is none. Never raises for a bad file:
    it is set aside, a warning is logged and returned in ``LearningState.warning``."""
    path = state_file(state_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LearningState()
    except (OSError, UnicodeDecodeError) as error:
        return _set_aside(path, f"unreadable ({error})")
    try:
        return parse_state(text)
    except ValueError as error:
        return _set_aside(path, str(error))


def save_state(state_dir: Path, state: LearningState) -> None:
    path = state_file(state_dir)
    with file_lock(path.with_name(f".{path.name}.lock")):
        atomic_write(path, json.dumps(state.to_json(), indent=1) + "\n")


def _set_aside(path: Path, why: str) -> LearningState:
    aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
    try:
        path.replace(aside)
        where = f"moved to {aside}"
    except OSError as error:
        where = f"could not be moved aside ({error}); it will be overwritten"
    warning = (
        f"The learning state {path} could not be read ({why}); it was {where} and learning "
        "starts fresh."
    )
    log.warning("%s", warning)
    return LearningState(warning=warning)


def export_state(state_dir: Path, destination: Path) -> int:
    """Write the observations kept in ``state_dir`` to ``destination``; returns how many."""
    state = load_state(state_dir)
    atomic_write(destination, json.dumps(state.to_json() | {"decisions": []}, indent=1) + "\n")
    return len(state.observations)


def import_state(state_dir: Path, source: Path) -> tuple[int, int]:
    """Merge the observations of an export into ``state_dir``'s state.

    Returns (new, total). Raises LearningFileError naming the file when it is not an export."""
    try:
        incoming = parse_state(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LearningFileError(
            f"{source}: no such file; give the path of a learning export"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise LearningFileError(
            f"{source} is not a learning export ({error}); make one with "
            "'agentic-optimizer learning export --out FILE'"
        ) from None
    state = load_state(state_dir)
    added = state.add(incoming.observations.values())
    save_state(state_dir, state)
    return added, len(state.observations)
