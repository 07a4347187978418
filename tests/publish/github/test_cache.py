"""The API cache: TTL, ETag/Last-Modified revalidation, a file that keeps it warm across runs."""

from __future__ import annotations

from fake_github_world import REPO, TOKEN, World


def test_cache_file_makes_the_next_run_start_warm(world: World) -> None:
    first = world.client()
    first.repo()
    first.close()

    second = world.client()
    repo = second.repo()

    assert repo.full_name == REPO
    assert second.api_stats().cache_hits == 1 and second.api_stats().sent == 0
    assert len(world.fake.calls("GET", f"^/repos/{REPO}$")) == 1
    assert world.config.cache_path is not None and world.config.cache_path.is_file()


def test_cache_file_never_holds_the_token(world: World) -> None:
    client = world.client()
    list(client.repo().get_issues(state="all"))
    client.close()

    assert world.config.cache_path is not None
    assert TOKEN.encode() not in world.config.cache_path.read_bytes()


def test_expired_entries_are_revalidated_and_a_304_costs_no_rate_limit(world: World) -> None:
    world.client(cache_ttl=0).repo()
    remaining = world.fake.remaining

    client = world.client(cache_ttl=0)
    client.repo()

    (again,) = world.fake.calls("GET", f"^/repos/{REPO}$")[1:]
    assert again.conditional and again.status == 304 and not again.counted
    assert world.fake.remaining == remaining
    assert client.api_stats().not_modified == 1
    assert client.limiter.budget is not None and client.limiter.budget.remaining == remaining


def test_revalidation_with_last_modified_alone_also_gets_a_304(world: World) -> None:
    import requests

    url = f"{world.fake.base_url}/repos/{REPO}/issues/1"
    world.fake.add_issue(REPO, "x")
    headers = {"Authorization": f"token {TOKEN}"}
    first = requests.get(url, headers=headers, timeout=5)
    since = first.headers["last-modified"]

    again = requests.get(url, headers={**headers, "If-Modified-Since": since}, timeout=5)

    assert again.status_code == 304


def test_lists_that_decide_writes_revalidate_even_when_fresh(world: World) -> None:
    client = world.client()
    list(client.repo().get_issues(state="all"))
    list(client.repo().get_issues(state="all"))

    first, second = world.fake.calls("GET", r"/issues$")
    assert not first.conditional and second.conditional and second.status == 304


def test_a_write_makes_cached_answers_about_the_repository_stale(world: World) -> None:
    client = world.client()
    repo = client.repo()
    assert [label.name for label in repo.get_labels()] == []

    repo.create_label("fresh", "ededed", "")

    assert [label.name for label in repo.get_labels()] == ["fresh"]
    assert world.fake.calls("GET", r"/labels$")[1].status == 200


def test_another_token_still_uses_the_cache_despite_github_varying_on_authorization(
    world: World,
) -> None:
    world.client(cache_ttl=0).repo()
    world.fake.add_token("ghs_next_run_token", login="optimizer-bot")

    client = world.client(token="ghs_next_run_token", cache_ttl=0)
    client.repo()

    assert world.fake.calls("GET", f"^/repos/{REPO}$")[1].status == 304


def test_rate_limit_probe_is_never_cached(world: World) -> None:
    client = world.client()
    client.rate_limit()
    client.rate_limit()

    assert len(world.fake.calls("GET", "^/rate_limit$")) == 2
    assert client.api_stats().probes == 2
