"""Differential inputs: original and candidate side by side on inputs built around the recorded
ones (mutations that keep their shape, boundary mutations, hypothesis draws shaped by their
runtime types, and the model's own edge cases), before the benchmark.

    prepared = prepare_inputs(python, original_root, target, inputs_dir, work, settings)
    check_differential(Sides(...), prepared, settings)  # CheckResult(name="differential")

The modules imported by sandboxed workers (``mutate``, ``shrink``, ``oddities``, ``strategies``,
``generate_worker``) use the standard library only (hypothesis when installed), and this package
imports its public API lazily so that workers start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_action.lazy import lazy_exports

if TYPE_CHECKING:
    from agentic_action.prove.differential.check import Sides, check_differential
    from agentic_action.prove.differential.prepare import (
        DifferentialCache,
        DifferentialSettings,
        Prepared,
        cache_key,
        prepare_inputs,
    )

_EXPORTS = {
    "DifferentialCache": "prepare",
    "DifferentialSettings": "prepare",
    "Prepared": "prepare",
    "Sides": "check",
    "cache_key": "prepare",
    "check_differential": "check",
    "prepare_inputs": "prepare",
}

__all__ = [
    "DifferentialCache",
    "DifferentialSettings",
    "Prepared",
    "Sides",
    "cache_key",
    "check_differential",
    "prepare_inputs",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
