"""What every door tells the shell: the exit codes, and the one root of bad-input errors.

``BadInput`` is what a user can fix: a setting, an input, a CID, a repository path. Every entry
point (the CLI, its commands, the Action's entrypoint) maps it to ``ExitCode.BAD_INPUT`` with its
message, which names the bad input and the fix. Anything else that escapes, an internal
``ValueError`` included, is a bug or a failure of the run: ``ExitCode.FAILED``.
Imports nothing of ours.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # the command completed (a run that improved nothing included)
    FAILED = 1  # the run failed (or could not test anything), or a bug
    BAD_INPUT = 2  # bad input: the message names it and the fix; nothing was changed


EXIT_OK = ExitCode.OK
EXIT_FAILED = ExitCode.FAILED
EXIT_BAD_INPUT = ExitCode.BAD_INPUT


class BadInput(Exception):
    """Input a user can fix. The message says which input, where it came from, and the fix."""
