"""Report the isolation this machine gives candidates (``python -m agentic_action.sandbox.probe``).

The Action's isolation step runs it after setting up bubblewrap, so the job log says what was
obtained (an annotation on GitHub: a notice when candidates are fully isolated, a warning when
the LLM methods will refuse to run). It probes the same way a run does (``isolation_level``:
a real bubblewrap sandbox, then ``unshare``) and prints one JSON line: ``isolation`` (the
level), ``hides`` and ``missing`` (of file system, network, processes) and ``llm_methods``
(``run``, ``refused``, or ``unsafe`` when the unsafe variable lets them run anyway).
Exit 0 whatever the level: the run itself refuses what must not run.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from agentic_action.sandbox.policy import (
    HIDES,
    UNSAFE_VARIABLE,
    missing,
    unsafe_allowed,
    why_weak,
)
from agentic_action.sandbox.runner import isolation_description, isolation_level


def probe(env: Mapping[str, str] | None = None) -> dict[str, object]:
    level = isolation_level()
    gaps = missing(level)
    verdict = "run" if not gaps else ("unsafe" if unsafe_allowed(env) else "refused")
    return {
        "isolation": level,
        "hides": list(HIDES[level]),
        "missing": list(gaps),
        "llm_methods": verdict,
        "description": isolation_description(level),
    }


def annotation(found: Mapping[str, object], env: Mapping[str, str]) -> str:
    """The workflow command that puts the level on the run's page."""
    level = isolation_level()
    if found["llm_methods"] == "run":
        return f"::notice title=agentic-optimizer isolation::{level}: candidates are isolated"
    cause = why_weak(level, env)
    verdict = (
        f"LLM methods run anyway ({UNSAFE_VARIABLE}=true)"
        if found["llm_methods"] == "unsafe"
        else "LLM methods will refuse to run; method rules still works"
    )
    return f"::warning title=agentic-optimizer isolation::{level}: {cause}. {verdict}"


def main(env: Mapping[str, str] | None = None, stream: TextIO = sys.stdout) -> int:
    env = os.environ if env is None else env
    found = probe(env)
    print(json.dumps(found), file=stream)
    if env.get("GITHUB_ACTIONS") == "true":
        print(annotation(found, env), file=stream)
    return 0


if __name__ == "__main__":
    sys.exit(main())
