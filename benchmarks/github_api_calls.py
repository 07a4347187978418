"""API calls per run in GitHub mode, against the local fake GitHub (no network, no timing).

    python benchmarks/github_api_calls.py

Runs the GitHub part of a run (choose_mode("auto"), publish one accepted result as a draft PR
with its issue, finish() the dashboard) three times on one cache file: a first run, an
immediate rerun with nothing changed, and a third run. Prints, per run, the HTTP requests that
reached the server split into 304s, full reads, writes and /rate_limit probes, the reads the
cache answered without a request, and the share of reads answered from the cache or by a 304.
Targets (issue 4): the rerun opens no issue or PR and >= 70% of its reads come from the cache
or a 304 (aim 90%); opening one PR with its issue takes <= 8 API calls.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests/_support")]
sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from fake_github_world import REPO, World, make_world, result  # noqa: E402

from agentic_action.publish.github import ApiStats, Publisher, choose_mode  # noqa: E402

HEAD = (
    f"{'run':<34}{'sent':>5}{'304':>5}{'full':>6}{'write':>6}{'probe':>6}{'hits':>6}"
    f"{'cached/304 of data reads':>26}{'incl. probe':>13}{'new':>5}"
)


def one_run(world: World) -> tuple[ApiStats, int, int]:
    """(stats, requests the server saw, new issues+PRs) for one run; also returns publish()'s."""
    before_requests = len(world.fake.requests)
    before_items = len(world.fake.issues(REPO))
    decision = choose_mode("auto", world.config, lambda c: world.client())
    assert decision.mode == "github", decision.reason
    publisher = Publisher.from_decision(decision)
    publisher.publish(world.item(result()))
    publisher.finish([result()])
    stats = publisher.api_stats()
    publisher.client.close()
    created = len(world.fake.issues(REPO)) - before_items
    return stats, len(world.fake.requests) - before_requests, created


def row(name: str, stats: ApiStats, seen: int, created: int) -> str:
    probe_share = (stats.cache_hits + stats.not_modified) / max(1, stats.reads + stats.probes)
    return (
        f"{name:<34}{seen:>5}{stats.not_modified:>5}{stats.full_reads:>6}{stats.writes:>6}"
        f"{stats.probes:>6}{stats.cache_hits:>6}{stats.cached_share:>25.0%} {probe_share:>12.0%}"
        f"{created:>5}"
    )


def publish_only(world: World) -> tuple[int, ApiStats]:
    """Calls made by publish() alone for one PR with its issue (labels exist already)."""
    for name in ("agentic-optimizer", "performance"):
        world.fake.add_label(REPO, name)
    publisher = Publisher(world.client())
    publisher.publish(world.item(result()))
    return len(world.fake.requests), publisher.api_stats()


def main() -> None:
    print(HEAD)
    for labelled in (True, False):
        with tempfile.TemporaryDirectory() as tmp, make_world(Path(tmp)) as world:
            if labelled:
                for name in ("agentic-optimizer", "performance"):
                    world.fake.add_label(REPO, name)
            kind = "labels exist" if labelled else "fresh repository"
            for name in ("first run", "immediate rerun", "third run"):
                print(row(f"{name} ({kind})", *one_run(world)))
    with tempfile.TemporaryDirectory() as tmp, make_world(Path(tmp)) as world:
        calls, stats = publish_only(world)
    print()
    print(
        f"publish() of one draft PR with its issue, cold cache: {calls} API calls "
        f"({stats.full_reads} reads, {stats.writes} writes, {stats.probes} probes); target <= 8"
    )
    print(
        "A first run adds 1 /rate_limit probe (mode choice), 1 dashboard write and 1 re-read of "
        "the issue list after its writes (so the next run gets a 304); a fresh repository adds "
        "2 label creations and 1 labels re-read."
    )


if __name__ == "__main__":
    main()
