"""The benchmark harness: is the candidate significantly faster on the recorded real inputs?

    verdict = compare_speed(original_root, candidate_root, target, inputs_dir)
    verdict.to_check()  # CheckResult(name="benchmark", ...)

How every number is obtained is written down in docs/methodology.md. The worker modules
(``worker``, ``channel``) use the standard library only; this package imports its public API
lazily so that workers start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_action.lazy import lazy_exports

if TYPE_CHECKING:
    from agentic_action.prove.benchmark.decision import SpeedVerdict
    from agentic_action.prove.benchmark.harness import compare_speed
    from agentic_action.prove.benchmark.stats import PairedAnalysis, analyse

_EXPORTS = {
    "SpeedVerdict": "decision",
    "compare_speed": "harness",
    "PairedAnalysis": "stats",
    "analyse": "stats",
}

__all__ = [
    "PairedAnalysis",
    "SpeedVerdict",
    "analyse",
    "compare_speed",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
