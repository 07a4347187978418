"""GitHub refuses pull requests from GITHUB_TOKEN until the repository allows it (403): the
error names the setting, no issue is left pointing at a pull request that never came, and the
next results go to patch files without pushing more branches."""

from __future__ import annotations

from fake_github_world import REPO, World, result

from agentic_action.publish.github import Publisher

SETTING = '"Allow GitHub Actions to create and approve pull requests"'


def test_the_403_names_the_setting_and_leaves_no_issue_behind(world: World) -> None:
    world.fake.repo(REPO).actions_may_open_pulls = False
    publisher = Publisher(world.client())
    first = publisher.publish(world.item(result()))
    assert first.destination == "patch"
    assert "403" in first.reason and SETTING in first.reason
    assert "docs/action.md" in first.reason
    assert world.fake.issues(REPO) == []  # the pull request is tried before the issue
    pushes = [r for r in world.fake.requests if r.method == "POST"]
    second = publisher.publish(world.item(result(qualname="other", cid="bafkreibbbb2222")))
    assert second.destination == "patch" and SETTING in second.reason
    assert [r for r in world.fake.requests if r.method == "POST"] == pushes  # nothing new tried


def test_once_the_setting_is_on_a_rerun_opens_the_pull_request_and_its_issue(
    world: World,
) -> None:
    world.fake.repo(REPO).actions_may_open_pulls = False
    Publisher(world.client()).publish(world.item(result()))
    world.fake.repo(REPO).actions_may_open_pulls = True
    outcome = Publisher(world.client()).publish(world.item(result()))
    assert outcome.destination == "github" and outcome.pr_url and outcome.issue_url
    pull, issue = world.fake.issues(REPO)
    assert pull.is_pull and f"Closes #{issue.number}" in (pull.body or "")
