"""The one dashboard issue, and what a run costs in API calls."""

from __future__ import annotations

from fake_github_world import REPO, World, result

from agentic_action.model import Status
from agentic_action.publish.github import Publisher


def test_dashboard_lists_what_is_open_proven_and_rejected_and_why(world: World) -> None:
    publisher = Publisher(world.client())
    publisher.publish(world.item(result()))
    rejected = result(qualname="fast", status=Status.REJECTED)

    outcome = publisher.finish([result(), rejected])

    assert outcome.written and outcome.url
    dashboard = world.fake.issues(REPO)[-1]
    body = dashboard.body or ""
    assert body.startswith("<!-- agentic-optimizer:dashboard -->")
    # the pull request is opened before its issue
    assert "#2 (issue)" in body and "#1 (pull request)" in body
    assert "`src/mod.py::slow` — 1.42x faster" in body and "draft PR #1, issue #2" in body
    assert "`src/mod.py::fast` (rules, rejected): candidate changed behaviour" in body
    assert dashboard.labels == ["agentic-optimizer"]


def test_dashboard_is_updated_in_place_not_duplicated(world: World) -> None:
    Publisher(world.client()).finish([])
    outcome = Publisher(world.client()).finish([result(qualname="fast", status=Status.REJECTED)])

    assert outcome.written and outcome.reason.startswith("updated dashboard")
    assert len(world.fake.issues(REPO)) == 1


def test_dashboard_closed_by_a_maintainer_stays_closed(world: World) -> None:
    Publisher(world.client()).finish([])
    world.fake.close(REPO, 1)

    outcome = Publisher(world.client()).finish([result(status=Status.REJECTED)])

    assert not outcome.written and "closed by a maintainer" in outcome.reason
    assert len(world.fake.issues(REPO)) == 1


def test_opening_one_pr_with_its_issue_takes_at_most_8_api_calls(world: World) -> None:
    for name in ("agentic-optimizer", "performance"):
        world.fake.add_label(REPO, name)
    publisher = Publisher(world.client())

    publisher.publish(world.item(result()))

    assert len(world.fake.requests) <= 8
    assert publisher.api_stats().sent == len(world.fake.requests)


def test_api_unavailable_at_the_end_leaves_the_dashboard_with_a_reason(world: World) -> None:
    world.fake.fail("GET", r"/labels$", status=500, times=10)

    outcome = Publisher(world.client()).finish([])

    assert not outcome.written and "GitHub unavailable" in outcome.reason
