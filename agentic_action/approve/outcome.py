"""How a request ended: carried out, or refused with the reason (nothing changed by a refusal)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agentic_action.approve.request import ChangeRequest, Command

log = logging.getLogger("agentic_action")


@dataclass(frozen=True)
class ChangeOutcome:
    command: Command
    completed: bool
    reason: str  # why it was refused, or what was checked before it landed
    cid: str = ""
    commit: str = ""
    files: tuple[str, ...] = ()
    pushed_to: str = ""  # the branch pushed: the base, or GitHub mode's revert branch
    bad_input: str = ""  # the action input at fault ("cid"), for workflow_dispatch requests
    url: str = ""  # GitHub mode: the pull request merged, or the revert pull request opened
    note: str = ""  # GitHub mode: what was done, in words, for the reply
    changed: str = ""  # what was changed although the request could not be completed


def refused(
    request: ChangeRequest, reason: str, *, cid: str = "", bad_input: str = ""
) -> ChangeOutcome:
    """``request`` refused for ``reason``; logged once here."""
    log.warning("refused /%s from @%s: %s", request.command, request.actor, reason)
    return ChangeOutcome(request.command, False, reason, cid, bad_input=bad_input)
