"""Maintainers' verdicts on GitHub, as the learning selector reads them (the fake GitHub)."""

from __future__ import annotations

from pathlib import Path

from fake_github_world import REPO, make_world, result

from agentic_action.publish.github import Publisher


def test_a_pull_request_closed_without_merging_is_a_declined_verdict(tmp_path: Path) -> None:
    with make_world(tmp_path) as world:
        Publisher(world.client()).publish(world.item(result()))
        assert Publisher(world.client()).verdicts() == []  # open: no verdict yet
        pull = next(r for r in world.fake.issues(REPO) if r.is_pull)
        world.fake.close(REPO, pull.number)
        verdicts = Publisher(world.client()).verdicts()
    assert verdicts == [{"cid": "bafkreiaaaa1111", "number": pull.number, "verdict": "declined"}]
