"""`optimize` in GitHub and auto mode against the local GitHub server, as the CLI runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_github import FakeGitHub
from gitrepos import git, make_repo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"
TOKEN = "ghs_e2e_token"
REPO = "octo/shop"


def _optimize(
    work: Path, clone: Path, env: dict[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "OPTIMIZER_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(clone),
         "--targets", "shop/**/*.py", "--validation-level", "quick",
         "--out", str(work / "out"), "--worktree-base", str(work / "wt"), *extra],
        capture_output=True, text=True, env=full, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[Path, Path, FakeGitHub]]:
    upstream = tmp_path / "upstream"
    shutil.copytree(EXAMPLE, upstream)
    make_repo(upstream, {}, "example shop")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(upstream), str(bare))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    with FakeGitHub() as fake:
        fake.add_token(TOKEN, login="optimizer-bot")
        fake.add_repo(REPO, bare=bare)
        yield tmp_path, clone, fake


def _env(fake: FakeGitHub, work: Path) -> dict[str, str]:
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": fake.base_url,
        "OPTIMIZER_GITHUB_CACHE_PATH": str(work / "cache" / "github.sqlite"),
    }


def test_github_mode_opens_at_most_the_per_run_limit_of_prs(world) -> None:  # type: ignore[no-untyped-def]
    work, clone, fake = world
    done = _optimize(work, clone, _env(fake, work), "--mode", "github")
    assert done.returncode == 0, done.stderr
    report = json.loads((work / "out" / "report.json").read_text())
    assert report["run"]["mode_used"] == "github"
    accepted = [r for r in report["results"] if r["status"] == "accepted"]
    on_github = [r for r in accepted if r["destination"] == "github"]
    assert on_github and all(r["pr_url"] for r in on_github)
    assert len(on_github) <= 2  # at most 2 PRs per run by default, like Renovate
    for result in accepted:  # every accepted result is in the local store either way
        assert (work / "out" / result["patch"]["path"]).is_file()
    held_back = [r for r in accepted if r["destination"] == "patch"]
    assert all(r["destination_reason"] for r in held_back)
    pulls = [i for i in fake.issues(REPO) if i.is_pull]
    assert len(pulls) == len(on_github)
    assert report["github"]["api"]["writes"] > 0


def test_rerun_with_nothing_changed_duplicates_nothing(world) -> None:  # type: ignore[no-untyped-def]
    work, clone, fake = world
    env = _env(fake, work) | {"OPTIMIZER_GITHUB_MAX_PRS_PER_RUN": "10"}
    done = _optimize(work, clone, env, "--mode", "github")
    assert done.returncode == 0, done.stderr
    before = [(i.number, i.title) for i in fake.issues(REPO)]
    assert any(i.is_pull for i in fake.issues(REPO))
    again = _optimize(work, clone, env, "--mode", "github")
    assert again.returncode == 0, again.stderr
    assert [(i.number, i.title) for i in fake.issues(REPO)] == before  # nothing duplicated
    report = json.loads((work / "out" / "report.json").read_text())
    writes = [c for c in fake.calls() if c.method != "GET"][-report["github"]["api"]["writes"] :]
    assert report["github"]["api"]["writes"] == 0, writes


def test_auto_mode_without_a_token_uses_patch_mode_and_no_network(world) -> None:  # type: ignore[no-untyped-def]
    work, clone, fake = world
    done = _optimize(work, clone, {"GITHUB_API_URL": fake.base_url})
    assert done.returncode == 0, done.stderr
    report = json.loads((work / "out" / "report.json").read_text())
    assert report["run"]["mode_used"] == "patch"
    assert "token" in report["run"]["mode_reason"].lower()
    assert fake.calls() == []


def test_github_mode_with_a_rejected_token_fails_cleanly(world) -> None:  # type: ignore[no-untyped-def]
    work, clone, fake = world
    env = _env(fake, work) | {"GITHUB_TOKEN": "not-a-valid-token"}
    done = _optimize(work, clone, env, "--mode", "github")
    assert done.returncode == 2
    assert "GitHub mode cannot be used" in done.stderr
    assert not (work / "out" / "report.json").exists()


def test_auto_mode_with_low_rate_limit_falls_back_to_patch(world) -> None:  # type: ignore[no-untyped-def]
    work, clone, fake = world
    fake.set_rate_limit(remaining=20)
    done = _optimize(work, clone, _env(fake, work))
    assert done.returncode == 0, done.stderr
    report = json.loads((work / "out" / "report.json").read_text())
    assert report["run"]["mode_used"] == "patch"
    assert [i for i in fake.issues(REPO) if i.is_pull] == []
