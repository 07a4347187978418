"""The GitHub Action's door: events, inputs, workflow commands; approval lives in ``approve/``.

``main()`` is what ``entrypoint.py`` runs; exit codes are ``agentic_action.errors.ExitCode``.
"""

from __future__ import annotations

from agentic_action.action.main import main

__all__ = ["main"]
