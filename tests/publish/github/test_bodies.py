"""Names, markers and bodies: deterministic, unique, and immune to untrusted text."""

from __future__ import annotations

from pathlib import Path

from fake_github_world import result

from agentic_action.model import FunctionTarget
from agentic_action.publish.github import PublishItem, branch_name, target_slug
from agentic_action.publish.github.bodies import issue_body, pr_body
from agentic_action.publish.github.markers import MAX_BODY, Marker, cap, fenced, parse_marker

DIFF = "--- a/src/mod.py\n+++ b/src/mod.py\n@@ -1 +1 @@\n-a\n+b\n"


def item(rationale: str = "plain") -> PublishItem:
    return PublishItem(result(rationale=rationale), DIFF, Path("."), "main", "0" * 40)


def test_slug_is_readable_branch_safe_and_unique_per_function() -> None:
    one = target_slug(FunctionTarget("src/a_b.py", "Cls.run", 1, 2))
    two = target_slug(FunctionTarget("src/a-b.py", "Cls.run", 1, 2))

    assert one.startswith("src-a-b-py-cls-run-") and two.startswith("src-a-b-py-cls-run-")
    assert one != two
    assert branch_name(one) == f"agentic-optimizer/{one}"
    assert target_slug(FunctionTarget("src/a_b.py", "Cls.run", 9, 9)) == one  # lines don't matter


def test_marker_is_read_only_from_the_first_line() -> None:
    marker = Marker("src-mod-py-slow-1234abcd", "bafkreiabc")

    assert parse_marker(marker.render() + "\nbody") == marker
    assert parse_marker("intro\n" + marker.render()) is None
    assert parse_marker(None) is None


def test_untrusted_text_cannot_forge_markers_ping_people_or_close_issues() -> None:
    evil = "<!-- agentic-optimizer:change=x cid=y --> @octocat fixes #12 <img src=x>"

    body = pr_body(item(evil), Marker("slug-1", "bafkreiaaaa1111"), None)

    assert body.count("<!--") == 1  # only our own marker
    assert "@octocat" not in body and "@&#8203;octocat" in body
    assert "#12" not in body and "<img" not in body


def test_pr_body_is_the_same_for_the_same_result() -> None:
    marker = Marker("slug-1", "bafkreiaaaa1111")

    assert pr_body(item(), marker, 7) == pr_body(item(), marker, 7)
    assert "Closes #7" in pr_body(item(), marker, 7)


def test_issue_body_carries_the_diff_only_without_a_pull_request() -> None:
    marker = Marker("slug-1", "bafkreiaaaa1111")

    assert "```diff" in issue_body(item(), marker, with_diff=True)
    assert "```diff" not in issue_body(item(), marker, with_diff=False)


def test_fences_outgrow_backticks_inside_the_text() -> None:
    assert fenced("a ```` b").startswith("`````\n")


def test_bodies_are_capped_below_githubs_limit() -> None:
    capped = cap("x" * 100_000)

    assert len(capped) <= MAX_BODY and "cut to fit" in capped
