"""``agentic-optimizer merge``: shard outputs of one commit become one output; bad sets refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from coordinate_repos import cli, env, fast_repository_pytest, head, make_calc_repo, optimize_args  # noqa: F401
from fake_github import FakeGitHub
from gitrepos import git

from agentic_action.patches import PatchStore
from agentic_action.publish.conflicts import resolve_run_conflicts
from agentic_action.report.json_report import result_to_json
from agentic_action.report.read import result_from_json
from agentic_action.sandbox.pytest_runner import PytestOptions


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One unsharded run and shards 1/2 and 2/2 of the same commit, run side by side."""
    work = tmp_path_factory.mktemp("merge")
    repo = make_calc_repo(work / "calc")
    jobs = {"single": [], "s1": ["--shard", "1/2"], "s2": ["--shard", "2/2"]}

    def optimize(name: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "agentic_action", *optimize_args(repo, work / name)]
        return subprocess.run(
            [*argv, *jobs[name]], capture_output=True, text=True, env=env(), timeout=300
        )

    with ThreadPoolExecutor(3) as pool:
        done = dict(zip(jobs, pool.map(optimize, jobs), strict=True))
    for name, proc in done.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
    return {"repo": repo, "work": work, **{name: work / name for name in jobs}}


def report(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "report.json").read_text())
    return data


def accepted_cids(data: dict[str, Any]) -> set[str]:
    return {r["patch"]["cid"] for r in data["results"] if r["status"] == "accepted"}


def function_cids(data: dict[str, Any]) -> set[str]:
    """The accepted patches of single functions (not combinations of them)."""
    return {
        r["patch"]["cid"]
        for r in data["results"]
        if r["status"] == "accepted" and not r["merged_from"]
    }


def published_cids(data: dict[str, Any]) -> set[str]:
    """What would be published: accepted, neither combined into another patch nor held back."""
    return {
        r["patch"]["cid"]
        for r in data["results"]
        if r["status"] == "accepted" and r["withheld"] is None
    }


def copy_output(source: Path, target: Path, **run_changes: Any) -> Path:
    shutil.copytree(source, target)
    data = report(target)
    data["run"].update(run_changes)
    notes = run_changes.pop("notes", None)
    if notes is not None:
        data["notes"] = notes
    (target / "report.json").write_text(json.dumps(data))
    return target


def test_two_shards_merge_into_the_accepted_patches_of_one_unsharded_run(
    runs: dict[str, Path],
) -> None:
    out = runs["work"] / "merged"
    done = cli(
        "merge", str(runs["s1"]), str(runs["s2"]), "--out", str(out), "--repo", str(runs["repo"])
    )
    assert done.returncode == 0, done.stderr
    merged, single = report(out), report(runs["single"])
    # The unsharded run, with the conflicts of one run resolved the same way before publishing:
    results = [result_from_json(r) for r in single["results"]]
    resolved = resolve_run_conflicts(
        results, PatchStore(runs["single"] / "patches"), runs["repo"], head(runs["repo"]),
        options=PytestOptions(sys.executable, 120), worktree_base=runs["work"] / "wt",
    )  # fmt: skip
    single_resolved = {"results": [result_to_json(r) for r in resolved.results]}
    assert function_cids(merged) == function_cids(single_resolved) == function_cids(single)
    assert published_cids(merged) == published_cids(single_resolved)
    assert len(published_cids(merged)) == 1  # calc.py's four functions, combined and re-proven
    assert [s["shard"] for s in merged["run"]["shards"]] == ["1/2", "2/2"]
    assert merged["run"]["base_commit"] == single["run"]["base_commit"]
    assert merged["totals"] == {"candidates": 5, "accepted": 4, "rejected": 0, "error": 0}
    assert merged["plan"]["functions_examined"] == 4
    assert any(n.startswith("Shard 1/2") for n in merged["notes"])
    assert any(n.startswith("Shard 2/2") for n in merged["notes"])
    assert any("merged into patch" in n for n in merged["notes"])
    store = PatchStore(out / "patches")
    assert {e.cid for e in store.entries()} == accepted_cids(merged)
    assert "4 accepted" in (out / "summary.md").read_text()  # functions, not the combination


def test_results_read_back_from_a_report_are_the_same_results(runs: dict[str, Path]) -> None:
    for data in report(runs["single"])["results"]:
        assert result_to_json(result_from_json(data)) == data


def refused(runs: dict[str, Path], *dirs: Path) -> subprocess.CompletedProcess[str]:
    out = runs["work"] / "refused"
    done = cli("merge", *map(str, dirs), "--out", str(out), "--repo", str(runs["repo"]))
    assert done.returncode == 2, done.stdout + done.stderr
    assert not out.exists()  # nothing written
    return done


def test_merge_refuses_outputs_of_different_base_commits(runs: dict[str, Path]) -> None:
    other = copy_output(runs["s2"], runs["work"] / "other-commit", base_commit="f" * 40)
    done = refused(runs, runs["s1"], other)
    assert "different base commits" in done.stderr
    assert head(runs["repo"]) in done.stderr and "f" * 40 in done.stderr


def test_merge_refuses_one_shard_given_twice(runs: dict[str, Path]) -> None:
    twin = copy_output(runs["s1"], runs["work"] / "twin")
    assert "shard 1/2 appears twice" in refused(runs, runs["s1"], twin).stderr


def test_merge_refuses_shards_of_different_splits(runs: dict[str, Path]) -> None:
    notes = [n.replace("Shard 2/2", "Shard 2/3") for n in report(runs["s2"])["notes"]]
    thirds = copy_output(runs["s2"], runs["work"] / "thirds", notes=notes, shard="2/3")
    assert "N must agree" in refused(runs, runs["s1"], thirds).stderr


def test_merge_refuses_an_invalid_shard(runs: dict[str, Path]) -> None:
    bad = copy_output(runs["s2"], runs["work"] / "bad-shard", shard="3/2")
    assert "K must be between 1 and N" in refused(runs, runs["s1"], bad).stderr


def test_merge_refuses_an_unsharded_output_beside_a_shard(runs: dict[str, Path]) -> None:
    done = refused(runs, runs["single"], runs["s2"])
    assert "is not a shard" in done.stderr


def test_merge_refuses_an_output_whose_patch_is_damaged(runs: dict[str, Path]) -> None:
    damaged = copy_output(runs["s2"], runs["work"] / "damaged")
    [cid] = accepted_cids(report(damaged))
    (damaged / "patches" / f"{cid}.diff").write_text("tampered\n")
    done = refused(runs, runs["s1"], damaged)
    assert cid in done.stderr and "no longer matches its CID" in done.stderr


def test_a_missing_shard_is_merged_with_a_note(runs: dict[str, Path]) -> None:
    out = runs["work"] / "partial"
    done = cli("merge", str(runs["s2"]), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert any("Shard(s) 1/2 missing" in n for n in report(out)["notes"])


def test_merge_in_github_mode_publishes_the_merged_results_once(runs: dict[str, Path]) -> None:
    work = runs["work"] / "github"
    bare = work / "origin.git"
    work.mkdir()
    git(work, "clone", "-q", "--bare", str(runs["repo"]), str(bare))
    clone = work / "clone"
    git(work, "clone", "-q", str(bare), str(clone))
    out = work / "merged"
    with FakeGitHub() as fake:
        fake.add_token("ghs_merge", login="optimizer-bot")
        fake.add_repo("octo/calc", bare=bare)
        github = {
            "GITHUB_TOKEN": "ghs_merge", "GITHUB_REPOSITORY": "octo/calc",
            "GITHUB_API_URL": fake.base_url,
            "OPTIMIZER_GITHUB_CACHE_PATH": str(work / "cache" / "github.sqlite"),
        }  # fmt: skip
        done = cli(
            "merge", str(runs["s1"]), str(runs["s2"]), "--out", str(out), "--repo", str(clone),
            "--mode", "github", extra_env=github,
        )  # fmt: skip
        pulls = [i for i in fake.issues("octo/calc") if i.is_pull]
    assert done.returncode == 0, done.stderr
    merged = report(out)
    assert merged["run"]["mode_used"] == "github"
    on_github = [r for r in merged["results"] if r["destination"] == "github"]
    assert len(on_github) == len(pulls) == 1
    assert {r["patch"]["cid"] for r in on_github} == published_cids(merged)
