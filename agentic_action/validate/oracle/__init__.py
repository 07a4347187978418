"""The behaviour oracle: record real inputs while the tests run, replay them, compare.

    report = record_inputs(original_root, targets, out_dir=inputs_dir)
    verdict = check_behaviour(original_root, candidate_root, target, inputs_dir)
    verdict.to_check()  # CheckResult(name="behaviour", ...)

All target code runs through :func:`agentic_action.validate.sandbox.run_sandboxed`. The modules
imported by sandboxed workers (``loader``, ``store``, ``pins``, ``watch``, ``reprs``,
``compare``, ``worker``, ``compare_worker``, ``record_plugin``) use the standard library only,
and this package imports its public API lazily so that workers start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentic_action.validate.oracle.behaviour import BehaviourVerdict, check_behaviour
    from agentic_action.validate.oracle.recording import (
        RecordingReport,
        TargetRecording,
        record_inputs,
    )
    from agentic_action.validate.oracle.store import input_files, write_input

_EXPORTS = {
    "BehaviourVerdict": "behaviour",
    "check_behaviour": "behaviour",
    "RecordingReport": "recording",
    "TargetRecording": "recording",
    "record_inputs": "recording",
    "input_files": "store",
    "write_input": "store",
}

__all__ = [
    "BehaviourVerdict",
    "RecordingReport",
    "TargetRecording",
    "check_behaviour",
    "input_files",
    "record_inputs",
    "write_input",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
