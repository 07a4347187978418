"""The GitHub Action's shell: events, inputs, workflow commands, approval and rollback.

``main()`` is what ``entrypoint.py`` runs; see ``main.py`` for the exit codes.
"""

from __future__ import annotations

from agentic_action.action.main import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "main"]
