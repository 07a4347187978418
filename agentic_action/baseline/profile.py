"""Time spent in each function while the repository's test suite runs (cProfile).

The suite is the best stand-in we have for the repository's real workload: a function the tests
spend more time in ranks higher. Runs in the sandbox on the unmodified commit.
"""

from __future__ import annotations

import pstats
from dataclasses import dataclass, field, replace
from pathlib import Path

from agentic_action.model import FunctionTarget
from agentic_action.sandbox.pytest_runner import PytestOptions, TestOutcome, run_pytest


@dataclass
class Profile:
    # (relative file, first line of the code object) -> cumulative seconds
    seconds: dict[tuple[str, int], float] = field(default_factory=dict)
    note: str = ""

    def apply(self, targets: list[FunctionTarget]) -> list[FunctionTarget]:
        if not self.seconds:
            return targets
        return [
            replace(t, profile_seconds=self.seconds.get((t.file, t.start_line), 0.0))
            for t in targets
        ]


def profile_suite(root: Path, options: PytestOptions, scratch: Path) -> Profile:
    out = scratch / "suite.prof"
    outcome, _ = run_pytest(
        root,
        options,
        scratch=scratch,
        name="profile",
        prefix=("-m", "cProfile", "-o", str(out), "-m", "pytest"),
    )
    if not out.is_file():
        return Profile(note=f"profile unavailable: {_why(outcome)}")
    return Profile(seconds=_read(out, root), note="cProfile of the test suite")


def _why(outcome: TestOutcome) -> str:
    return outcome.describe() if outcome.ran or outcome.timed_out else "the profiled run failed"


def _read(path: Path, root: Path) -> dict[tuple[str, int], float]:
    stats = pstats.Stats(str(path))
    prefix = str(root.resolve()) + "/"
    seconds: dict[tuple[str, int], float] = {}
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, line, _name), (_cc, _nc, _tt, cumulative, _callers) in raw.items():
        if filename.startswith(prefix):
            key = (filename[len(prefix) :], line)
            seconds[key] = seconds.get(key, 0.0) + cumulative
    return seconds
