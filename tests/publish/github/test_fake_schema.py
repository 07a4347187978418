"""The fake GitHub answers in GitHub's published shapes (npm @octokit/openapi's description)."""

from __future__ import annotations

import contextlib

import requests
from fake_github_openapi import problems, require_description
from fake_github_routes import ROUTES
from fake_github_world import REPO, TOKEN, World, result
from github import Auth, Github, GithubException

from agentic_action.publish.github import Publisher


def _drive_every_route(world: World) -> None:
    """Make the fake answer each route it serves, and each kind of error it can give."""
    world.fake.set_permission(REPO, "maintainer", "admin")
    publisher = Publisher(world.client())
    publisher.publish(world.item(result()))
    publisher.finish([result()])
    gh = Github(base_url=world.fake.base_url, auth=Auth.Token(TOKEN), retry=None)
    repo = gh.get_repo(REPO)
    pull = repo.get_pull(1)  # the pull request is opened before its issue
    issue = repo.get_issue(2)
    gh.get_rate_limit()
    issue.edit(body=issue.body)
    issue.create_comment("thanks")
    list(issue.get_comments())
    list(pull.get_reviews())
    pull.edit(body=pull.body)
    repo.get_label("performance")
    repo.get_git_ref(f"heads/{pull.head.ref}")
    repo.get_collaborator_permission("maintainer")
    list(repo.get_pulls(state="all", head=f"octo:{pull.head.ref}"))
    pull.mark_ready_for_review()  # POST /graphql (tests/action/test_fake_github_merge.py)
    pull.merge(merge_method="squash", sha=pull.head.sha)
    for call in (
        lambda: repo.create_label("performance", "ededed"),  # 422 already exists
        lambda: repo.get_issue(99),  # 404
        lambda: repo.create_pull(base="main", head="nope", title="t", body="b"),  # 422 head
        lambda: Github(base_url=world.fake.base_url, auth=Auth.Token("bad")).get_user("x").login,
    ):
        with contextlib.suppress(GithubException):
            call()
    world.fake.fail("GET", "/labels$", status=502)
    world.fake.secondary_limit("GET", "/labels$")
    url = f"{world.fake.base_url}/repos/{REPO}/labels"
    for remaining in (100, 100, 0):
        world.fake.set_rate_limit(remaining=remaining)
        requests.get(url, timeout=5, headers={"Authorization": f"token {TOKEN}"})


def test_every_kind_of_answer_of_the_fake_matches_githubs_rest_description(world: World) -> None:
    require_description()
    _drive_every_route(world)

    seen: dict[tuple[str, str, int], list[str]] = {}
    for answer in world.fake.answers:
        key = (answer.method, answer.template, answer.status)
        if key not in seen:
            seen[key] = problems(answer.method, answer.template, answer.status, answer.body)

    broken = {f"{m} {t or '<any>'} {s}": p[:3] for (m, t, s), p in seen.items() if p}
    assert broken == {}
    served = {(m, t) for (m, t, s) in seen if s < 300}
    assert served >= {(r.method, r.template) for r in ROUTES}
    assert {s for (_, _, s) in seen} >= {200, 201, 401, 403, 404, 422, 502}


def test_the_description_is_found_where_setup_octokit_installs_it() -> None:
    path = require_description()

    assert path.name == "api.github.com.json" and ".ci/node/node_modules" in path.as_posix()


def test_the_shape_check_rejects_an_answer_github_would_not_give() -> None:
    require_description()
    template = "/repos/{owner}/{repo}/issues/{issue_number}"

    found = problems("GET", template, 200, {"id": "not-a-number", "number": 1})

    assert any("'url' is a required property" in p for p in found)
    assert any(p.startswith("id:") for p in found)
    assert problems("GET", template, 200, None) != []  # null is not an issue
