"""The local GitHub server merges for real and marks drafts ready the way GitHub does.

PUT .../pulls/{n}/merge is checked against GitHub's REST description (@octokit/openapi);
POST /graphql serves the one mutation GitHub offers for "ready for review", in the shapes of
GitHub's GraphQL documentation, reached through PyGithub exactly as the Action reaches it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from fake_github import FakeGitHub
from fake_github_openapi import DESCRIPTION, problems
from github import Auth, Github, GithubException
from gitrepos import commit_files, git, make_repo

TOKEN = "ghs_merge_test_token"
READER = "ghs_read_only_token"
REPO = "octo/demo"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[FakeGitHub, Path, Path]]:
    work = make_repo(tmp_path / "work", {"a.py": "A = 1\n", "b.py": "B = 1\n"})
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    git(work, "remote", "add", "origin", str(bare))
    git(work, "checkout", "-q", "-b", "feature")
    commit_files(work, {"a.py": "A = 2\n"}, "change a")
    git(work, "push", "-q", "origin", "feature")
    git(work, "checkout", "-q", "main")
    with FakeGitHub() as fake:
        fake.add_token(TOKEN, login="optimizer-bot")
        fake.add_token(READER, login="reader", push=False)
        fake.add_repo(REPO, bare=bare)
        yield fake, bare, work


def _client(fake: FakeGitHub, token: str = TOKEN) -> Github:
    return Github(
        base_url=fake.base_url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def _show(bare: Path, spec: str) -> str:
    return git(bare, "show", spec)


def _shapes_ok(fake: FakeGitHub) -> None:
    if not DESCRIPTION.is_file():
        return  # tests/publish/github/test_fake_schema.py says how to install the description
    for answer in fake.answers:
        assert problems(answer.method, answer.template, answer.status, answer.body) == []


def test_a_draft_is_marked_ready_through_graphql_then_squash_merged_into_the_bare_base(
    world: tuple[FakeGitHub, Path, Path],
) -> None:
    fake, bare, _ = world
    number = fake.add_pull(REPO, "feature", "Change a", author="optimizer-bot", draft=True)
    pull = _client(fake).get_repo(REPO).get_pull(number)
    head = pull.head.sha

    with pytest.raises(GithubException) as draft:
        pull.merge(merge_method="squash")
    assert (draft.value.status, draft.value.data["message"]) == (
        405,
        "Pull Request is still a draft",
    )
    data = pull.mark_ready_for_review()
    status = pull.merge(merge_method="squash", sha=head, commit_title="Change a (#1)")

    assert data == {"clientMutationId": None, "pullRequest": {"isDraft": False}}
    assert (status.merged, status.message) == (True, "Pull Request successfully merged")
    assert git(bare, "rev-parse", "main").strip() == status.sha
    assert _show(bare, "main:a.py") == "A = 2\n"
    assert git(bare, "log", "-1", "--format=%s%n%P", "main").split() == [
        "Change", "a", "(#1)", git(bare, "rev-parse", "main^").strip(),
    ]  # fmt: skip
    merged = _client(fake).get_repo(REPO).get_pull(number)
    assert (merged.merged, merged.state, merged.draft) == (True, "closed", False)
    assert merged.merge_commit_sha == status.sha
    assert fake.calls("POST", "^/graphql$")[0].counted is False
    _shapes_ok(fake)


def test_a_merge_commit_keeps_both_parents_and_a_stale_sha_or_closed_pull_is_refused(
    world: tuple[FakeGitHub, Path, Path],
) -> None:
    fake, bare, work = world
    number = fake.add_pull(REPO, "feature", "Change a")
    pull = _client(fake).get_repo(REPO).get_pull(number)
    base_before = git(bare, "rev-parse", "main").strip()

    with pytest.raises(GithubException) as stale:
        pull.merge(sha="0" * 40)
    commit_files(work, {"b.py": "B = 2\n"}, "change b on main")
    git(work, "push", "-q", "origin", "main")
    status = pull.merge(merge_method="merge")
    with pytest.raises(GithubException) as again:
        pull.merge()

    assert stale.value.status == 409
    assert git(bare, "rev-parse", "main").strip() == status.sha != base_before
    parents = git(bare, "log", "-1", "--format=%P", "main").split()
    assert parents == [git(work, "rev-parse", "main").strip(), pull.head.sha]
    assert (_show(bare, "main:a.py"), _show(bare, "main:b.py")) == ("A = 2\n", "B = 2\n")
    assert again.value.status == 405
    _shapes_ok(fake)


def test_a_conflict_or_a_method_the_repository_forbids_leaves_the_base_alone(
    world: tuple[FakeGitHub, Path, Path],
) -> None:
    fake, bare, work = world
    number = fake.add_pull(REPO, "feature", "Change a")
    commit_files(work, {"a.py": "A = 3\n"}, "conflicting change on main")
    git(work, "push", "-q", "origin", "main")
    base = git(bare, "rev-parse", "main").strip()
    fake.repo(REPO).merge_methods = {"merge", "rebase"}
    pull = _client(fake).get_repo(REPO).get_pull(number)

    with pytest.raises(GithubException) as squash:
        pull.merge(merge_method="squash")
    with pytest.raises(GithubException) as conflict:
        pull.merge(merge_method="merge")
    with pytest.raises(GithubException) as reader:
        _client(fake, READER).get_repo(REPO).get_pull(number).merge()

    assert squash.value.data["message"] == "Squash merges are not allowed on this repository."
    assert conflict.value.data["message"] == "Pull Request is not mergeable"
    assert reader.value.status == 403
    assert git(bare, "rev-parse", "main").strip() == base
    assert fake.issues(REPO)[0].state == "open"
    _shapes_ok(fake)


def _graphql(
    fake: FakeGitHub, body: dict[str, Any], token: str | None = TOKEN
) -> requests.Response:
    headers = {"Authorization": f"bearer {token}"} if token else {}
    return requests.post(f"{fake.base_url}/graphql", json=body, headers=headers, timeout=5)


def test_graphql_answers_in_githubs_shapes_for_inline_input_unknown_nodes_and_fields(
    world: tuple[FakeGitHub, Path, Path],
) -> None:
    fake, _, _ = world
    number = fake.add_pull(REPO, "feature", "Change a", draft=True)
    node = _client(fake).get_repo(REPO).get_pull(number).node_id
    inline = (
        "mutation Ready($id: ID!) {\n  markPullRequestReadyForReview(input: {pullRequestId: $id, "
        'clientMutationId: "m1"}) {\n    clientMutationId\n    pullRequest { id number isDraft '
        "state }\n  }\n}"
    )
    select = "mutation M($input: MarkPullRequestReadyForReviewInput!) { "
    select += "markPullRequestReadyForReview(input: $input) { pullRequest { %s } } }"

    missing = _graphql(fake, {"query": inline, "variables": {"id": "nope"}})
    forbidden = _graphql(fake, {"query": inline, "variables": {"id": node}}, READER)
    ready = _graphql(fake, {"query": inline, "variables": {"id": node}})
    unknown = _graphql(fake, {"query": select % "mergeable", "variables": {"input": {}}})
    other = _graphql(fake, {"query": "query { viewer { login } }"})
    anonymous = _graphql(fake, {"query": inline}, token=None)

    assert missing.status_code == 200
    (error,) = missing.json()["errors"]
    assert missing.json()["data"] == {"markPullRequestReadyForReview": None}
    assert error["type"] == "NOT_FOUND" and error["path"] == ["markPullRequestReadyForReview"]
    assert error["locations"] == [{"line": 2, "column": 3}]
    assert forbidden.json()["errors"][0]["type"] == "FORBIDDEN"
    assert ready.json() == {
        "data": {
            "markPullRequestReadyForReview": {
                "clientMutationId": "m1",
                "pullRequest": {"id": node, "number": number, "isDraft": False, "state": "OPEN"},
            }
        }
    }
    assert "data" not in unknown.json()
    assert unknown.json()["errors"][0]["extensions"]["code"] == "undefinedField"
    assert "serves only the markPullRequestReadyForReview" in other.json()["errors"][0]["message"]
    assert anonymous.status_code == 401
    assert fake.issues(REPO)[0].draft is False
