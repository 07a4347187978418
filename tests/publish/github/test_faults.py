"""Bad input and a failing API: bounded retries, then patch mode with the reason; nothing lost,
nothing duplicated."""

from __future__ import annotations

import subprocess

from fake_github_world import REPO, TOKEN, World, result
from gitrepos import commit_files, git

from agentic_action.publish.github import Publisher, branch_name, target_slug


def pulls(world: World) -> list[int]:
    return [r.number for r in world.fake.issues(REPO) if r.is_pull]


def test_5xx_on_reads_is_retried_with_backoff_then_succeeds(world: World) -> None:
    world.fake.fail("GET", r"/issues$", status=502, times=2)
    publisher = Publisher(world.client())

    outcome = publisher.publish(world.item(result()))

    assert outcome.destination == "github"
    assert publisher.api_stats().retries == 2
    assert world.sleeper.waits[:2] == [0.01, 0.02]  # exponential backoff


def test_5xx_that_persists_sends_the_result_to_patch_mode_after_bounded_retries(
    world: World,
) -> None:
    world.fake.fail("GET", r"/issues$", status=503, times=50)

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "patch"
    assert "GitHub unavailable" in outcome.reason and "503" in outcome.reason
    assert len(world.fake.calls("GET", r"/issues$")) == 3  # 1 + Tuning.retries
    assert world.fake.issues(REPO) == []


def test_5xx_on_pull_creation_is_not_repeated_blindly_and_never_duplicates(
    world: World,
) -> None:
    world.fake.fail("POST", r"/pulls$", status=502, times=1)

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "github"  # looked again, found nothing, created once
    assert len(pulls(world)) == 1
    assert len(world.fake.calls("POST", r"/pulls$")) == 2


def test_timeout_on_a_write_that_github_applied_is_not_duplicated(world: World) -> None:
    world.timeout = 0.5
    world.fake.fail("POST", r"/issues$", hang=1.0, times=1)  # applied; the answer is too late

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "github"
    issues = [r for r in world.fake.issues(REPO) if not r.is_pull]
    assert len(issues) == 1
    assert len(world.fake.calls("POST", r"/issues$")) == 1
    assert world.fake.calls("GET", r"/issues$")[-1].query["state"] == "open"  # looked again


def test_timeouts_on_reads_are_retried_then_go_to_patch_mode(world: World) -> None:
    world.timeout = 0.3
    world.fake.fail("GET", r"/labels$", hang=0.6, times=5)

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "patch"
    assert "no answer from GitHub (ReadTimeout)" in outcome.reason
    assert len(world.fake.calls("GET", r"/labels$")) == 3 and world.fake.issues(REPO) == []


def test_secondary_rate_limit_is_waited_out_with_retry_after(world: World) -> None:
    world.fake.secondary_limit("POST", r"/pulls$", retry_after=7)
    publisher = Publisher(world.client())

    outcome = publisher.publish(world.item(result()))

    assert outcome.destination == "github" and len(pulls(world)) == 1
    assert 7.0 in world.sleeper.waits
    stats = publisher.api_stats()
    assert stats.secondary_limits == 1 and stats.retries == 1
    after = world.sleeper.waits[world.sleeper.waits.index(7.0) + 1 :]
    assert any(0.5 < wait <= 1.0 for wait in after)  # the next write waited: spacing widened


def test_secondary_limit_longer_than_the_allowed_wait_goes_to_patch_mode(world: World) -> None:
    world.fake.secondary_limit("POST", r"/pulls$", retry_after=600)

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "patch"
    assert "secondary rate limit" in outcome.reason and "600 s" in outcome.reason
    assert pulls(world) == []


def test_budget_below_threshold_mid_run_switches_to_patch_mode(world: World) -> None:
    publisher = Publisher(world.client(rate_limit_threshold=100))
    first = publisher.publish(world.item(result()))
    world.fake.set_rate_limit(remaining=104)  # enough for one more write, not for an item
    publisher.client.rate_limit()

    second = publisher.publish(world.item(result(file="src/other.py", cid="bafkreizzzz9999")))

    assert first.destination == "github"
    assert second.destination == "patch"
    assert "budget low" in second.reason and "threshold 100" in second.reason
    assert len(world.fake.issues(REPO)) == 2  # the first item's issue and PR; nothing half-done


def test_rate_limit_spent_mid_run_goes_to_patch_mode_without_waiting_an_hour(
    world: World,
) -> None:
    publisher = Publisher(world.client(rate_limit_threshold=0))
    publisher.state()
    world.fake.set_rate_limit(remaining=0, reset_in=3000)

    outcome = publisher.publish(world.item(result()))

    assert outcome.destination == "patch"
    assert "rate limit" in outcome.reason
    assert all(wait < 60 for wait in world.sleeper.waits)


def test_token_without_push_rights_goes_to_patch_mode_before_any_write(world: World) -> None:
    world.fake.add_token("ghs_readonly", login="reader", push=False)

    outcome = Publisher(world.client(token="ghs_readonly")).publish(world.item(result()))

    assert outcome.destination == "patch" and "cannot push" in outcome.reason
    assert [r for r in world.fake.requests if r.method != "GET"] == []
    assert world.remote_head(branch_name(target_slug(result().target))) is None


def test_token_revoked_mid_run_goes_to_patch_mode_with_the_reason(world: World) -> None:
    publisher = Publisher(world.client())
    publisher.state()
    del world.fake.state.tokens[TOKEN]

    outcome = publisher.publish(world.item(result()))

    assert outcome.destination == "patch" and "401" in outcome.reason


def test_branch_that_exists_with_someone_elses_commits_is_not_overwritten(world: World) -> None:
    branch = branch_name(target_slug(result().target))
    other = world.tmp / "other"
    subprocess.run(["git", "clone", "-q", str(world.bare), str(other)], check=True)
    git(other, "checkout", "-q", "-b", branch)
    theirs = commit_files(other, {"NOTES.md": "mine\n"}, "a maintainer's work")
    git(other, "push", "-q", "origin", branch)

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "patch"
    assert "already exists on origin with other content" in outcome.reason
    assert world.remote_head(branch) == theirs
    assert pulls(world) == []


def test_pull_request_opened_outside_our_label_is_adopted_not_duplicated(world: World) -> None:
    Publisher(world.client(publish="pr")).publish(world.item(result()))
    (number,) = pulls(world)
    world.fake.repo(REPO).issues[number].labels.clear()  # a maintainer removed our labels
    world.fake.repo(REPO).issues[number].body = "rewritten by a maintainer"

    outcome = Publisher(world.client(publish="pr")).publish(world.item(result()))

    assert outcome.destination == "github"
    assert pulls(world) == [number]


def test_unknown_repository_mid_run_goes_to_patch_mode(world: World) -> None:
    outcome = Publisher(world.client(repo="octo/missing")).publish(world.item(result()))

    assert outcome.destination == "patch" and "404" in outcome.reason
