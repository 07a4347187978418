"""Issues and draft PRs: what a maintainer sees, and that reruns never duplicate anything."""

from __future__ import annotations

from fake_github_world import FASTER, REPO, World, result
from gitrepos import git

from agentic_action.model import Status
from agentic_action.publish.github import Publisher, branch_name, target_slug

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def writes(world: World) -> list[str]:
    return [f"{r.method} {r.path}" for r in world.fake.requests if r.method in WRITES]


def test_accepted_result_becomes_a_labelled_draft_pr_closing_its_analysis_issue(
    world: World,
) -> None:
    publisher = Publisher(world.client())
    outcome = publisher.publish(world.item(result()))

    assert outcome.destination == "github" and outcome.created
    pull, issue = world.fake.issues(REPO)  # the pull request first, then its issue
    assert not issue.is_pull and pull.is_pull and pull.draft
    assert outcome.pr_url and outcome.pr_url.endswith(f"/pull/{pull.number}")
    assert outcome.issue_url and outcome.issue_url.endswith(f"/issues/{issue.number}")
    slug = target_slug(result().target)
    assert pull.head == branch_name(slug) and pull.base == "main"
    assert set(pull.labels) == set(issue.labels) == {"agentic-optimizer", "performance"}
    body = pull.body or ""
    assert body.startswith(f"<!-- agentic-optimizer:change={slug} cid=bafkreiaaaa1111 -->")
    for evidence in ("affected-tests", "1.42x", "95% CI 1.35x–1.50x", "bafkreiaaaa1111"):
        assert evidence in body
    assert "agentic-optimizer approve bafkreiaaaa1111" in body
    assert "agentic-optimizer rollback bafkreiaaaa1111" in body
    assert f"Closes #{issue.number}" in body


def test_pushed_branch_holds_exactly_the_change_on_the_base_commit(world: World) -> None:
    Publisher(world.client()).publish(world.item(result()))

    head = world.remote_head(branch_name(target_slug(result().target)))
    assert head is not None
    assert git(world.bare, "rev-parse", f"{head}^").strip() == world.base_commit
    assert git(world.bare, "show", f"{head}:src/mod.py") == FASTER
    assert git(world.clone, "status", "--porcelain") == ""  # the clone's work tree is untouched


def test_rerun_with_nothing_changed_writes_nothing_and_reads_from_cache_or_304(
    world: World,
) -> None:
    first = Publisher(world.client())
    first.publish(world.item(result()))
    first.finish([result()])
    before = len(world.fake.requests)
    head = world.remote_head(branch_name(target_slug(result().target)))

    again = Publisher(world.client())
    outcome = again.publish(world.item(result()))
    dashboard = again.finish([result()])

    rerun = world.fake.requests[before:]
    assert outcome.destination == "github" and not outcome.created
    assert outcome.reason.startswith("kept draft PR")
    assert not dashboard.written
    assert [r for r in rerun if r.method in WRITES] == []
    assert len(world.fake.issues(REPO)) == 3  # issue, PR, dashboard: nothing new
    assert world.remote_head(branch_name(target_slug(result().target))) == head
    stats = again.api_stats()
    assert stats.writes == 0 and stats.cached_share >= 0.9
    assert world.fake.calls("GET", r"/issues/\d+$") == []  # no lazy per-issue completion


def test_new_patch_for_the_same_target_updates_the_open_pr_and_moves_its_branch(
    world: World,
) -> None:
    Publisher(world.client()).publish(world.item(result()))
    branch = branch_name(target_slug(result().target))
    old_head = world.remote_head(branch)
    newer = "def slow(items):\n    return list(map((2).__mul__, items))\n"

    outcome = Publisher(world.client()).publish(world.item(result(cid="bafkreibbbb2222"), newer))

    assert outcome.destination == "github" and not outcome.created
    assert outcome.reason.startswith("updated draft PR")
    pulls = [r for r in world.fake.issues(REPO) if r.is_pull]
    assert len(pulls) == 1 and "bafkreibbbb2222" in (pulls[0].body or "")
    assert world.remote_head(branch) not in (None, old_head)


def test_pr_closed_by_a_maintainer_is_not_proposed_again_for_the_same_change(
    world: World,
) -> None:
    Publisher(world.client()).publish(world.item(result()))
    pull = next(r for r in world.fake.issues(REPO) if r.is_pull)
    world.fake.close(REPO, pull.number)

    same = Publisher(world.client()).publish(world.item(result()))
    assert same.destination == "patch" and "closed" in same.reason
    assert len([r for r in world.fake.issues(REPO) if r.is_pull]) == 1

    newer = "def slow(items):\n    return [2 * x for x in items]\n"
    other = Publisher(world.client()).publish(world.item(result(cid="bafkreicccc3333"), newer))
    assert other.destination == "github" and other.created


def test_merged_pr_is_reported_not_reopened(world: World) -> None:
    Publisher(world.client()).publish(world.item(result()))
    pull = next(r for r in world.fake.issues(REPO) if r.is_pull)
    world.fake.close(REPO, pull.number, merged=True)

    outcome = Publisher(world.client()).publish(world.item(result()))

    assert outcome.destination == "github" and "merged" in outcome.reason
    assert len(world.fake.issues(REPO)) == 2


def test_skip_label_on_our_pr_keeps_the_optimizer_away(world: World) -> None:
    Publisher(world.client()).publish(world.item(result()))
    pull = next(r for r in world.fake.issues(REPO) if r.is_pull)
    world.fake.label_issue(REPO, pull.number, "agentic-optimizer:skip")
    before = writes(world)

    publisher = Publisher(world.client())
    outcome = publisher.publish(world.item(result(cid="bafkreidddd4444")))

    assert outcome.destination == "patch" and "agentic-optimizer:skip" in outcome.reason
    assert writes(world) == before
    assert publisher.skip_reason(result().target) is not None


def test_skip_label_on_a_maintainers_issue_naming_the_function_keeps_it_away(
    world: World,
) -> None:
    world.fake.add_issue(
        REPO, "Please leave src/mod.py::slow alone", "it is fine", ("agentic-optimizer:skip",)
    )
    publisher = Publisher(world.client())

    outcome = publisher.publish(world.item(result()))

    assert outcome.destination == "patch" and "src/mod.py::slow" in outcome.reason
    assert writes(world) == []
    other = result(qualname="slow", file="src/other.py")
    assert publisher.skip_reason(other.target) is None


def test_skip_comment_on_the_function_keeps_it_away(world: World) -> None:
    from dataclasses import replace

    marked = result()
    marked = replace(marked, target=replace(marked.target, skip_reason="# agentic-optimizer: skip"))

    outcome = Publisher(world.client()).publish(world.item(marked))

    assert outcome.destination == "patch" and "skip" in outcome.reason
    assert world.fake.requests == []


def test_at_most_max_prs_per_run_new_pull_requests_are_opened(world: World) -> None:
    publisher = Publisher(world.client(max_prs_per_run=1))
    first = publisher.publish(world.item(result()))
    second = publisher.publish(world.item(result(file="src/other.py", cid="bafkreieeee5555")))

    assert first.destination == "github"
    assert second.destination == "patch" and "max_prs_per_run=1" in second.reason
    assert len([r for r in world.fake.issues(REPO) if r.is_pull]) == 1


def test_no_new_pull_request_while_max_open_prs_are_open(world: World) -> None:
    Publisher(world.client()).publish(world.item(result()))

    publisher = Publisher(world.client(max_open_prs=1))
    outcome = publisher.publish(world.item(result(file="src/other.py", cid="bafkreiffff6666")))

    assert outcome.destination == "patch" and "max_open_prs=1" in outcome.reason


def test_issue_only_mode_opens_an_issue_with_the_diff_and_pushes_nothing(world: World) -> None:
    outcome = Publisher(world.client(publish="issue")).publish(world.item(result()))

    assert outcome.destination == "github" and outcome.pr_url is None and outcome.issue_url
    (issue,) = world.fake.issues(REPO)
    assert not issue.is_pull and "```diff" in (issue.body or "")
    assert "+    return [x * 2 for x in items]" in (issue.body or "")
    assert world.remote_head(branch_name(target_slug(result().target))) is None


def test_pr_only_mode_opens_no_issue(world: World) -> None:
    outcome = Publisher(world.client(publish="pr")).publish(world.item(result()))

    assert outcome.destination == "github" and outcome.issue_url is None
    assert [r.is_pull for r in world.fake.issues(REPO)] == [True]


def test_rejected_result_cannot_be_published(world: World) -> None:
    import pytest

    with pytest.raises(ValueError, match="only accepted results"):
        world.item(result(status=Status.REJECTED))
