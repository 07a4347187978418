"""Record: the real arguments of the target functions, kept while the repository's tests run.

    report = record_inputs(original_root, targets, out_dir=inputs_dir)

The recording half of the behaviour oracle; :mod:`agentic_action.prove.behaviour` replays what
is recorded here. ``plugin`` and ``store`` are imported by sandboxed processes and use the
standard library only; this package imports its public API lazily so that they start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_action.lazy import lazy_exports

if TYPE_CHECKING:
    from agentic_action.record.recording import RecordingReport, TargetRecording, record_inputs
    from agentic_action.record.store import input_files, write_input

_EXPORTS = {
    "RecordingReport": "recording",
    "TargetRecording": "recording",
    "record_inputs": "recording",
    "input_files": "store",
    "write_input": "store",
}

__all__ = ["RecordingReport", "TargetRecording", "input_files", "record_inputs", "write_input"]


__getattr__ = lazy_exports(__name__, _EXPORTS)
