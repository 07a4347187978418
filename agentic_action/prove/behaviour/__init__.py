"""The behaviour check: recorded real inputs replayed on original and candidate, compared.

    verdict = check_behaviour(original_root, candidate_root, target, inputs_dir)
    verdict.to_check()  # CheckResult(name="behaviour", ...)

The inputs come from :mod:`agentic_action.record`. All target code runs through
:func:`agentic_action.sandbox.runner.run_sandboxed`. The modules imported by sandboxed workers
(``loader``, ``pins``, ``watch``, ``reprs``, ``compare``, ``worker``, ``compare_worker``) use the
standard library only, and this package imports its public API lazily so that workers start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentic_action.lazy import lazy_exports

if TYPE_CHECKING:
    from agentic_action.prove.behaviour.check import BehaviourVerdict, check_behaviour

_EXPORTS = {"BehaviourVerdict": "check", "check_behaviour": "check"}

__all__ = ["BehaviourVerdict", "check_behaviour"]


__getattr__ = lazy_exports(__name__, _EXPORTS)
