"""JSON shapes the fake GitHub server answers with, built to GitHub's published REST description.

Every builder returns what api.github.com returns for the same object (required fields of the
matching schema in @octokit/openapi's api.github.com.json); tests/publish/github/test_fake_schema.py
checks that.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

_REPO_URL_FIELDS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def _node_id(kind: str, number: int) -> str:
    return hashlib.sha1(f"{kind}:{number}".encode()).hexdigest()[:20]


def user(base: str, login: str, uid: int, kind: str = "User") -> JSON:
    api = f"{base}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": _node_id("user", uid),
        "avatar_url": f"{base}/avatars/{login}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{base}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
    }


@dataclass
class RepoRecord:
    owner: str
    name: str
    rid: int
    default_branch: str = "main"
    created_at: str = "2026-01-01T00:00:00Z"
    pushed_at: str = "2026-01-01T00:00:00Z"


def repository(base: str, repo: RepoRecord, owner: JSON, push: bool, full: bool) -> JSON:
    api = f"{base}/repos/{repo.owner}/{repo.name}"
    data: JSON = {
        "id": repo.rid,
        "node_id": _node_id("repo", repo.rid),
        "name": repo.name,
        "full_name": f"{repo.owner}/{repo.name}",
        "owner": owner,
        "private": False,
        "html_url": f"{base}/{repo.owner}/{repo.name}",
        "description": None,
        "fork": False,
        "url": api,
        "clone_url": f"{base}/{repo.owner}/{repo.name}.git",
        "git_url": f"git://127.0.0.1/{repo.owner}/{repo.name}.git",
        "ssh_url": f"git@127.0.0.1:{repo.owner}/{repo.name}.git",
        "svn_url": f"{base}/{repo.owner}/{repo.name}",
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 1,
        "default_branch": repo.default_branch,
        "open_issues": 0,
        "open_issues_count": 0,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "license": None,
        "pushed_at": repo.pushed_at,
        "created_at": repo.created_at,
        "updated_at": repo.created_at,
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": push,
            "triage": push,
            "pull": True,
        },
    }
    data.update({key: api + suffix for key, suffix in _REPO_URL_FIELDS.items()})
    if full:
        data.update({"network_count": 0, "subscribers_count": 0})
    return data


def label(base: str, full_name: str, lid: int, name: str, color: str, description: str) -> JSON:
    return {
        "id": lid,
        "node_id": _node_id("label", lid),
        "url": f"{base}/repos/{full_name}/labels/{name}",
        "name": name,
        "description": description or None,
        "color": color,
        "default": False,
    }


@dataclass
class IssueRecord:
    """One issue or pull request (they share numbers, as on GitHub)."""

    number: int
    iid: int
    title: str
    body: str | None
    author: str
    created_at: str
    updated_at: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed_at: str | None = None
    comments: list[JSON] = field(default_factory=list)
    # pull request fields
    is_pull: bool = False
    head: str = ""
    head_sha: str = ""
    base: str = ""
    base_sha: str = ""
    draft: bool = False
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    reviews: list[JSON] = field(default_factory=list)


def issue(base: str, full_name: str, rec: IssueRecord, author: JSON, labels: list[JSON]) -> JSON:
    api = f"{base}/repos/{full_name}/issues/{rec.number}"
    html_kind = "pull" if rec.is_pull else "issues"
    data: JSON = {
        "id": rec.iid,
        "node_id": _node_id("issue", rec.iid),
        "url": api,
        "repository_url": f"{base}/repos/{full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{base}/{full_name}/{html_kind}/{rec.number}",
        "number": rec.number,
        "state": rec.state,
        "state_reason": rec.state_reason,
        "title": rec.title,
        "body": rec.body,
        "user": author,
        "labels": labels,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": len(rec.comments),
        "closed_at": rec.closed_at,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "author_association": "NONE",
    }
    if rec.is_pull:
        pulls = f"{base}/repos/{full_name}/pulls/{rec.number}"
        data["draft"] = rec.draft
        data["pull_request"] = {
            "url": pulls,
            "html_url": f"{base}/{full_name}/pull/{rec.number}",
            "diff_url": f"{base}/{full_name}/pull/{rec.number}.diff",
            "patch_url": f"{base}/{full_name}/pull/{rec.number}.patch",
            "merged_at": rec.merged_at,
        }
    return data


def pull_node_id(rec: IssueRecord) -> str:
    """The GraphQL global id of a pull request (its REST ``node_id``)."""
    return _node_id("pull", rec.iid)


def pull(
    base: str,
    full_name: str,
    rec: IssueRecord,
    author: JSON,
    labels: list[JSON],
    repo_json: JSON,
) -> JSON:
    api = f"{base}/repos/{full_name}/pulls/{rec.number}"
    issue_api = f"{base}/repos/{full_name}/issues/{rec.number}"
    html = f"{base}/{full_name}/pull/{rec.number}"
    owner_login = full_name.split("/")[0]
    owner = repo_json["owner"]
    return {
        "url": api,
        "id": rec.iid,
        "node_id": pull_node_id(rec),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{base}/repos/{full_name}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": f"{base}/repos/{full_name}/statuses/{rec.head_sha}",
        "number": rec.number,
        "state": rec.state,
        "locked": False,
        "title": rec.title,
        "user": author,
        "body": rec.body,
        "labels": labels,
        "milestone": None,
        "active_lock_reason": None,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "closed_at": rec.closed_at,
        "merged_at": rec.merged_at,
        "merge_commit_sha": rec.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": {
            "label": f"{owner_login}:{rec.head}",
            "ref": rec.head,
            "sha": rec.head_sha,
            "user": owner,
            "repo": repo_json,
        },
        "base": {
            "label": f"{owner_login}:{rec.base}",
            "ref": rec.base,
            "sha": rec.base_sha,
            "user": owner,
            "repo": repo_json,
        },
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "issue": {"href": issue_api},
            "comments": {"href": f"{issue_api}/comments"},
            "review_comments": {"href": f"{api}/comments"},
            "review_comment": {"href": f"{base}/repos/{full_name}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/commits"},
            "statuses": {"href": f"{base}/repos/{full_name}/statuses/{rec.head_sha}"},
        },
        "author_association": "NONE",
        "auto_merge": None,
        "draft": rec.draft,
        "merged": rec.merged_at is not None,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": len(rec.comments),
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
    }


def comment(base: str, full_name: str, number: int, cid: int, body: str, author: JSON) -> JSON:
    return {
        "id": cid,
        "node_id": _node_id("comment", cid),
        "url": f"{base}/repos/{full_name}/issues/comments/{cid}",
        "html_url": f"{base}/{full_name}/issues/{number}#issuecomment-{cid}",
        "issue_url": f"{base}/repos/{full_name}/issues/{number}",
        "body": body,
        "user": author,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "author_association": "NONE",
    }


def review(base: str, full_name: str, number: int, rid: int, state: str, author: JSON) -> JSON:
    html = f"{base}/{full_name}/pull/{number}#pullrequestreview-{rid}"
    pulls = f"{base}/repos/{full_name}/pulls/{number}"
    return {
        "id": rid,
        "node_id": _node_id("review", rid),
        "user": author,
        "body": "",
        "state": state,
        "html_url": html,
        "pull_request_url": pulls,
        "_links": {"html": {"href": html}, "pull_request": {"href": pulls}},
        "submitted_at": "2026-01-01T00:00:00Z",
        "commit_id": None,
        "author_association": "COLLABORATOR",
    }


def git_ref(base: str, full_name: str, ref: str, sha: str) -> JSON:
    return {
        "ref": ref,
        "node_id": _node_id("ref", int(hashlib.sha1(ref.encode()).hexdigest()[:8], 16)),
        "url": f"{base}/repos/{full_name}/git/{ref}",
        "object": {
            "type": "commit",
            "sha": sha,
            "url": f"{base}/repos/{full_name}/git/commits/{sha}",
        },
    }


def permission(user_json: JSON, level: str) -> JSON:
    collaborator = dict(user_json)
    collaborator["permissions"] = {
        "pull": True,
        "triage": level in ("write", "admin"),
        "push": level in ("write", "admin"),
        "maintain": level == "admin",
        "admin": level == "admin",
    }
    collaborator["role_name"] = level
    return {"permission": level, "role_name": level, "user": collaborator}


def rate_limit(limit: int, remaining: int, reset: int) -> JSON:
    core = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
    search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0}
    graphql = {"limit": limit, "remaining": limit, "reset": reset, "used": 0}
    return {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core}


def error(message: str, status: int, errors: list[JSON] | None = None) -> JSON:
    data: JSON = {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": str(status),
    }
    if errors is not None:
        data["errors"] = errors
    return data
