"""What the workflow run was triggered by, and what it asks the optimizer to do.

``parse_event(name, payload, ...)`` turns ``GITHUB_EVENT_NAME`` and the JSON at
``GITHUB_EVENT_PATH`` into one request:

- ``schedule``, ``workflow_dispatch``: :class:`OptimizeRequest` (a dispatch with the input
  ``command`` = approve or rollback: :class:`ChangeRequest` for the input ``cid``);
- ``issues`` labeled ``needs-optimization``: :class:`OptimizeRequest` for the targets the
  issue names;
- ``issue_comment`` ``/approve [cid]`` or ``/rollback <cid>``: :class:`ChangeRequest`;
- ``pull_request_review`` approved: :class:`ChangeRequest` (approve that pull request).

Anything else that is ours to ignore (another label, a comment that is not a command, our own
comments) is a :class:`Skip`; an event type the workflows never subscribe to raises
:class:`UnsupportedEventError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from agentic_action.approve.request import (
    REPLY_MARKER,
    ChangeRequest,
    Command,
    PullInfo,
    Thread,
)
from agentic_action.errors import BadInput

OPTIMIZE_LABEL = "needs-optimization"
DEFAULT_BOT_LOGIN = "github-actions[bot]"
SUPPORTED_EVENTS = (
    "schedule", "workflow_dispatch", "issues", "issue_comment", "pull_request_review",
)  # fmt: skip
ActionCommand = Literal["auto", "optimize", "approve", "rollback", "architecture"]  # `command`
COMMANDS: tuple[ActionCommand, ...] = ("auto", "optimize", "approve", "rollback", "architecture")
MAX_ISSUE_TARGETS = 50
MAX_TARGET_LENGTH = 200
_SCANNED_BODY = 65_536  # characters of an issue body read for targets
_PULL_BODY = 4096


class UnsupportedEventError(BadInput):
    """The run was triggered by an event the optimizer does not handle."""


class EventPayloadError(BadInput):
    """The event payload lacks what its event type always carries."""


@dataclass(frozen=True)
class OptimizeRequest:
    trigger: str
    targets: tuple[str, ...] = ()  # from an issue; empty: the action's `targets` input
    issue: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchitectureRequest:
    """Run the architecture agent (design suggestions as issues or a report; no patches)."""

    trigger: str


@dataclass(frozen=True)
class Skip:
    reason: str


Request = OptimizeRequest | ChangeRequest | ArchitectureRequest | Skip


def parse_event(
    name: str,
    payload: Mapping[str, Any],
    *,
    command: str = "auto",
    cid: str = "",
    actor: str = "",
    bot_login: str = DEFAULT_BOT_LOGIN,
) -> Request:
    """The request behind one workflow run. ``command``/``cid`` are the action's inputs."""
    if name not in SUPPORTED_EVENTS:
        raise UnsupportedEventError(
            f"event {name!r} is not handled; the optimizer runs on: {', '.join(SUPPORTED_EVENTS)}. "
            "Trigger the workflow with one of those events."
        )
    notes: tuple[str, ...] = ()
    if name != "workflow_dispatch" and command not in ("", "auto"):
        notes = (f"input command={command!r} applies to workflow_dispatch only; ignored",)
    sender = _user(payload.get("sender"))
    if name == "schedule":
        return OptimizeRequest("schedule", notes=notes)
    if name == "workflow_dispatch":
        return _dispatch(command, cid, sender[0] or actor)
    if sender[0] == bot_login:
        return Skip(f"triggered by the optimizer's own account ({bot_login})")
    if name == "issues":
        return _issue_event(payload, notes)
    if name == "issue_comment":
        return _comment_event(payload, notes)
    return _review_event(payload, notes)


def _dispatch(command: str, cid: str, actor: str) -> Request:
    if command in ("", "auto", "optimize"):
        return OptimizeRequest("workflow_dispatch")
    if command == "architecture":
        return ArchitectureRequest("workflow_dispatch")
    if command in ("approve", "rollback"):
        args = tuple(cid.split())
        return ChangeRequest(command, args, actor, "dispatch")  # type: ignore[arg-type]
    raise ValueError(f"input command={command!r} is not allowed; use one of: {', '.join(COMMANDS)}")


def _issue_event(payload: Mapping[str, Any], notes: tuple[str, ...]) -> Request:
    action = str(payload.get("action", ""))
    label = str(_dict(payload.get("label")).get("name", ""))
    if action != "labeled" or label != OPTIMIZE_LABEL:
        return Skip(f"issues event ({action or '?'} {label!r}) is not the {OPTIMIZE_LABEL!r} label")
    issue = _dict(payload.get("issue"))
    number = _number(issue, "issue")
    targets, problems = targets_from_issue(str(issue.get("body") or ""))
    found = tuple(f"issue #{number}: {p}" for p in problems)
    if not targets:
        found += (f"issue #{number} names no targets; the workflow's `targets` input is used",)
    return OptimizeRequest("issues", targets, number, notes + found)


def _comment_event(payload: Mapping[str, Any], notes: tuple[str, ...]) -> Request:
    if payload.get("action") != "created":
        return Skip(f"comment was {payload.get('action')!r}, only new comments are read")
    comment = _dict(payload.get("comment"))
    body = str(comment.get("body") or "")
    login, kind = _user(comment.get("user"))
    if REPLY_MARKER in body or kind == "Bot":
        return Skip("the comment was written by a bot or by the optimizer itself")
    words = _command_words(body)
    if words is None:
        return Skip("the comment is not an /approve or /rollback command")
    issue = _dict(payload.get("issue"))
    number = _number(issue, "issue")
    is_pull = bool(issue.get("pull_request"))
    pull = _pull_from_issue(issue, number) if is_pull else None
    command: Command = "approve" if words[0] == "/approve" else "rollback"
    return ChangeRequest(command, words[1:], login, "comment", Thread(number, is_pull), pull, notes)


def _review_event(payload: Mapping[str, Any], notes: tuple[str, ...]) -> Request:
    review = _dict(payload.get("review"))
    state = str(review.get("state", "")).lower()
    if payload.get("action") != "submitted" or state != "approved":
        return Skip(f"review {payload.get('action')!r} with state {state!r} is not an approval")
    login, kind = _user(review.get("user"))
    if kind == "Bot":
        return Skip("the review was submitted by a bot")
    pr = _dict(payload.get("pull_request"))
    number = _number(pr, "pull_request")
    head, base = _dict(pr.get("head")), _dict(pr.get("base"))
    author, author_type = _user(pr.get("user"))
    pull = PullInfo(
        number, author, author_type, str(head.get("ref", "")), str(base.get("ref", "")),
        _labels(pr), str(pr.get("body") or "")[:_PULL_BODY],
    )  # fmt: skip
    return ChangeRequest("approve", (), login, "review", Thread(number, True), pull, notes)


def _command_words(body: str) -> tuple[str, ...] | None:
    for line in body.splitlines():
        if line.strip():
            words = tuple(line.split())
            return words if words[0] in ("/approve", "/rollback") else None
    return None


def targets_from_issue(body: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The target globs an issue names, and what was wrong with the ones dropped.

    Read in this order, the first that gives anything wins: a fenced block whose info string
    is ``targets``; a ``Targets: a.py, b/**/*.py`` line; `inline code` spans that end in
    ``.py`` or contain ``*``. Absolute paths, ``..`` and over-long entries are dropped.
    """
    text = body[:_SCANNED_BODY].replace("\r\n", "\n")
    fenced = re.search(r"^\s*(```|~~~)\s*targets\s*\n(.*?)^\s*\1", text, re.M | re.S | re.I)
    if fenced:
        raw = [line.strip().lstrip("-*").strip() for line in fenced.group(2).splitlines()]
    elif line := re.search(r"^\s*targets\s*:\s*(.+)$", text, re.M | re.I):
        raw = re.split(r"[,\s]+", line.group(1).replace("`", ""))
    else:
        spans = re.findall(r"`([^`\s]+)`", text)
        raw = [s for s in spans if s.endswith(".py") or "*" in s]
    return _clean_targets([r for r in raw if r])


def _clean_targets(raw: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kept: list[str] = []
    problems: list[str] = []
    for item in dict.fromkeys(raw):
        if len(item) > MAX_TARGET_LENGTH:
            problems.append(
                f"target {item[:40]!r}... is longer than {MAX_TARGET_LENGTH} characters"
            )
        elif item.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", item):
            problems.append(f"target {item!r} must be relative to the repository, without '..'")
        elif len(kept) >= MAX_ISSUE_TARGETS:
            problems.append(f"more than {MAX_ISSUE_TARGETS} targets; the rest are ignored")
            break
        else:
            kept.append(item)
    return tuple(kept), tuple(problems)


def _pull_from_issue(issue: Mapping[str, Any], number: int) -> PullInfo:
    author, author_type = _user(issue.get("user"))
    body = str(issue.get("body") or "")[:_PULL_BODY]
    return PullInfo(number, author, author_type, "", "", _labels(issue), body)


def _labels(item: Mapping[str, Any]) -> tuple[str, ...]:
    labels = item.get("labels") or []
    return tuple(str(_dict(x).get("name", "")) for x in labels if isinstance(x, dict))


def _user(value: Any) -> tuple[str, str]:
    user = _dict(value)
    return str(user.get("login", "")), str(user.get("type", ""))


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(item: Mapping[str, Any], what: str) -> int:
    number = item.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise EventPayloadError(f"the event payload has no valid {what}.number (got {number!r})")
    return number
