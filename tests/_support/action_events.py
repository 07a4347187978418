"""Webhook payloads shaped like the ones GitHub writes to GITHUB_EVENT_PATH.

The embedded objects (issue, comment, pull request, review, user, repository) come from the
fake GitHub server's builders, which follow GitHub's published REST description; the envelope
(``action``, ``label``, ``sender``, ...) follows the webhook documentation for each event.
"""

from __future__ import annotations

import zlib
from typing import Any

import fake_github_objects as obj

BASE = "https://github.example"
OWNER, NAME = "octo", "shop"
FULL = f"{OWNER}/{NAME}"
BOT = "github-actions[bot]"
TOKEN = "ghs_Fake0Token0For0Tests0Only0x1234"  # what the github-token input carries
JSON = dict[str, Any]


def user(login: str, kind: str = "User") -> JSON:
    return obj.user(BASE, login, zlib.crc32(login.encode()) % 10_000_000, kind)


def repository() -> JSON:
    return obj.repository(
        BASE, obj.RepoRecord(OWNER, NAME, 4242), user(OWNER, "Organization"), True, False
    )


def label(name: str) -> JSON:
    return obj.label(BASE, FULL, zlib.crc32(name.encode()) % 100_000, name, "ededed", "")


def _issue(
    number: int, title: str, body: str, author: str, labels: list[str], *, pull: bool = False
) -> JSON:
    rec = obj.IssueRecord(
        number,
        1000 + number,
        title,
        body,
        author,
        "2026-11-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        list(labels),
        is_pull=pull,
    )
    kind = "Bot" if author.endswith("[bot]") else "User"
    return obj.issue(BASE, FULL, rec, user(author, kind), [label(x) for x in labels])


def schedule(cron: str = "17 3 * * 1") -> JSON:
    return {
        "schedule": cron,
        "repository": repository(),
        "workflow": ".github/workflows/optimize.yml",
    }


def workflow_dispatch(inputs: dict[str, str] | None = None, sender: str = "maintainer") -> JSON:
    return {
        "inputs": dict(inputs or {}),
        "ref": "refs/heads/main",
        "repository": repository(),
        "sender": user(sender),
        "workflow": ".github/workflows/optimize.yml",
    }


def issues_labeled(
    number: int,
    body: str,
    label_name: str = "needs-optimization",
    sender: str = "maintainer",
    title: str = "Checkout is slow",
) -> JSON:
    return {
        "action": "labeled",
        "issue": _issue(number, title, body, "reporter", [label_name]),
        "label": label(label_name),
        "repository": repository(),
        "sender": user(sender, "Bot" if sender.endswith("[bot]") else "User"),
    }


def issue_comment(
    number: int,
    body: str,
    commenter: str = "maintainer",
    *,
    on_pull: bool = False,
    pull_author: str = "reporter",
    pull_labels: tuple[str, ...] = (),
    action: str = "created",
) -> JSON:
    kind = "Bot" if commenter.endswith("[bot]") else "User"
    author = pull_author if on_pull else "reporter"
    return {
        "action": action,
        "issue": _issue(number, "Speed up inventory", "", author, list(pull_labels), pull=on_pull),
        "comment": obj.comment(BASE, FULL, number, 900_000 + number, body, user(commenter, kind)),
        "repository": repository(),
        "sender": user(commenter, kind),
    }


PR_CID = "bafkreiezxdrddbvw7zufkct33prnsoze26wwranx2ijbaktaoeh3via46i"


def optimizer_pr_body(cid: str = PR_CID) -> str:
    return (
        f"<!-- agentic-optimizer:change=shop-inventory-py-valid-codes-1a2b3c4d cid={cid} -->\n"
        "## perf: `shop/inventory.py::valid_codes`\n"
    )


def pull_request_review(
    number: int,
    reviewer: str = "maintainer",
    state: str = "approved",
    *,
    author: str = BOT,
    labels: tuple[str, ...] = ("agentic-optimizer",),
    head: str = "agentic-optimizer/valid-codes",
    body: str | None = None,
) -> JSON:
    """An approving review; by default of a pull request the optimizer opened (GitHub mode's
    marker on the body's first line, its branch, its account)."""
    rec = obj.IssueRecord(
        number,
        2000 + number,
        "perf: valid_codes",
        optimizer_pr_body() if body is None else body,
        author,
        "2026-11-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        list(labels),
        is_pull=True,
        head=head,
        head_sha="a" * 40,
        base="main",
        base_sha="b" * 40,
        draft=True,
    )
    kind = "Bot" if author.endswith("[bot]") else "User"
    pull = obj.pull(BASE, FULL, rec, user(author, kind), [label(x) for x in labels], repository())
    return {
        "action": "submitted",
        "review": obj.review(BASE, FULL, number, 3000 + number, state, user(reviewer)),
        "pull_request": pull,
        "repository": repository(),
        "sender": user(reviewer),
    }
