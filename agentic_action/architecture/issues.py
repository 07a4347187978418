"""GitHub mode: one issue per finding, labelled ``agentic-optimizer:architecture``.

Etiquette: an issue's first line is a marker with the finding's id, so a finding seen again
updates its open issue (only when the text changed) instead of opening another; at most
``max_new`` new issues per run (the rest wait for a later run, largest findings first); an issue
a maintainer closed is never reopened or replaced; writes stop when the rate-limit budget runs
low. Nothing here writes code or opens a pull request.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from github.Issue import Issue

from agentic_action.architecture.render import issue_body, issue_title, parse_marker
from agentic_action.publish.github.client import GitHubClient

LABEL = "agentic-optimizer:architecture"
LABEL_COLOR = "5319e7"


def _ours(client: GitHubClient) -> dict[str, Issue]:
    """finding id -> its issue (the open one if any, else the newest)."""
    found: dict[str, Issue] = {}
    for issue in client.repo().get_issues(state="all", labels=[LABEL]):
        if "/pull/" in issue.html_url:
            continue
        finding = parse_marker(issue.body)
        if finding is None:
            continue
        known = found.get(finding)
        if known is None or (issue.state == "open" and known.state != "open"):
            found[finding] = issue
    return found


def publish_findings(
    client: GitHubClient, findings: Sequence[Mapping[str, Any]], commit: str, max_new: int
) -> list[dict[str, Any]]:
    """Open, update or leave alone one issue per finding; what was done, per finding."""
    repo = client.repo()
    spacing = client.config.write_spacing
    if LABEL not in {label.name for label in repo.get_labels()}:
        repo.create_label(LABEL, LABEL_COLOR, "A design suggestion from agentic-optimizer")
    known = _ours(client)
    actions: list[dict[str, Any]] = []
    new = 0
    for finding in findings:
        fid = str(finding["id"])
        title, body = issue_title(finding), issue_body(finding, commit)
        issue = known.get(fid)
        low = client.budget_reason(cost=2)
        if issue is not None and issue.state != "open":
            actions.append(_done(fid, "left closed", issue, "a maintainer closed it"))
        elif low is not None:
            actions.append({"id": fid, "action": "deferred", "reason": low, "url": None})
        elif issue is not None:
            changed = issue.title != title or (issue.body or "") != body
            if changed:
                time.sleep(spacing)
                issue.edit(title=title, body=body)
            actions.append(_done(fid, "updated" if changed else "unchanged", issue, ""))
        elif new >= max_new:
            reason = f"at most {max_new} new architecture issue(s) per run"
            actions.append({"id": fid, "action": "deferred", "reason": reason, "url": None})
        else:
            time.sleep(spacing)
            made = repo.create_issue(title=title, body=body, labels=[LABEL])
            new += 1
            actions.append(_done(fid, "opened", made, ""))
    return actions


def _done(fid: str, action: str, issue: Issue, reason: str) -> dict[str, Any]:
    return {"id": fid, "action": action, "number": issue.number, "url": issue.html_url,
            "reason": reason}  # fmt: skip
