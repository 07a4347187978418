"""The README's main command, end to end, on the bundled example and on bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepos import git, make_repo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"


def optimize(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def example_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("e2e")
    repo = work / "shop"
    shutil.copytree(EXAMPLE, repo)
    make_repo(repo, {}, "example shop")
    out = work / "out"
    summary = work / "step-summary.md"
    done = optimize(
        "--repo", str(repo), "--targets", "shop/**/*.py", "--method", "rules", "--mode", "patch",
        "--out", str(out), "--description", "e2e", "--worktree-base", str(work / "wt"),
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    return repo, out, done


def test_example_run_completes_and_writes_every_output(example_run) -> None:  # type: ignore[no-untyped-def]
    repo, out, done = example_run
    assert done.returncode == 0, done.stderr
    assert (out / "summary.md").is_file()
    assert (out / "patches" / "index.json").is_file()
    report = json.loads((out / "report.json").read_text())
    assert report["schema_version"] == 1
    assert report["baseline"]["green"] is True
    assert report["run"]["mode_used"] == "patch"
    assert report["totals"]["accepted"] >= 3
    assert "[agentic-optimizer]" in done.stderr  # progress lines
    assert git(repo, "status", "--porcelain") == ""  # the user's tree is untouched


def test_every_accepted_result_carries_its_evidence_and_patch(example_run) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = example_run
    report = json.loads((out / "report.json").read_text())
    accepted = [r for r in report["results"] if r["status"] == "accepted"]
    combined = [r for r in accepted if r["merged_from"]]
    for result in combined:  # several accepted patches of one file, merged and re-validated
        assert [c["outcome"] for c in result["checks"]] == ["passed"] * len(result["checks"])
        assert (out / result["patch"]["path"]).is_file()
    accepted = [r for r in accepted if r not in combined]
    for result in accepted:
        names = [c["name"] for c in result["checks"]]
        assert names[:2] == ["syntax", "coverage"]
        assert "full-suite" in names
        assert all(c["outcome"] == "passed" for c in result["checks"])
        assert result["patch"]["cid"].startswith("bafkrei")
        assert (out / result["patch"]["path"]).is_file()
    functions = {r["function"] for r in accepted}
    assert {"restock_days_between", "valid_codes"} <= functions  # big, certain wins
    assert "most_expensive" not in functions  # sorted()[-1] must never become max()
    assert "total_after_discount" not in functions
    for result in accepted:  # speed is measured, significant, and above the threshold
        speed = result["speed"]
        assert speed["significant"] and speed["ci_low"] > 1.0
        names = [c["name"] for c in result["checks"]]
        # correct before timed; the full suite beside the affected tests (the example's suite is
        # quick) or after the benchmark
        assert names.index("behaviour") < names.index("benchmark")
        assert "full-suite" in names and names[-1] in ("benchmark", "full-suite")
    for result in report["results"]:
        if result["status"] == "rejected" and "benchmark" in result["reason"]:
            assert result["speed"] is not None  # measured, and shown, though not enough


def test_the_rules_candidates_are_scanned_by_one_semgrep_run(example_run) -> None:  # type: ignore[no-untyped-def]
    _, out, done = example_run
    report = json.loads((out / "report.json").read_text())
    semgrep = [c for r in report["results"] for c in r["checks"] if c["name"] == "semgrep"]
    assert len(semgrep) >= 4, "the example's candidates reach the static checks"
    assert all(c["data"].get("from_cache") is True for c in semgrep), semgrep
    scanned = re.search(r"proof: semgrep scanned (\d+) candidate\(s\) in one run", done.stderr)
    assert scanned is not None and int(scanned.group(1)) >= len(semgrep), done.stderr[-2000:]


def test_accepted_patches_apply_pass_the_tests_and_roll_back(example_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo, out, _ = example_run
    report = json.loads((out / "report.json").read_text())
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    before = {p: p.read_bytes() for p in clone.rglob("*.py")}
    cids = [r["patch"]["cid"] for r in report["results"] if r["patch"]]
    for cid in cids:
        done = subprocess.run(
            [sys.executable, "-m", "agentic_action", "apply", cid, "--repo", str(clone),
             "--patches", str(out / "patches")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode == 1:  # two patches of one file may overlap; each applies alone
            continue
        assert done.returncode == 0, done.stderr
        tests = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=clone, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert tests.returncode == 0, tests.stdout
        back = subprocess.run(
            [sys.executable, "-m", "agentic_action", "rollback", cid, "--repo", str(clone),
             "--patches", str(out / "patches")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert back.returncode == 0, back.stderr
        assert {p: p.read_bytes() for p in clone.rglob("*.py")} == before


def test_step_summary_gets_the_same_markdown(example_run) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = example_run
    summary = (out / "summary.md").read_text()
    assert summary.startswith("## agentic-optimizer:")
    assert (out.parent / "step-summary.md").read_text().strip() == summary.strip()


def test_missing_repo_is_a_clear_error(tmp_path: Path) -> None:
    done = optimize("--repo", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr
    assert not (tmp_path / "o").exists()


def test_directory_that_is_not_a_git_repository_is_refused(tmp_path: Path) -> None:
    done = optimize("--repo", str(tmp_path), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "not the root of a git repository" in done.stderr


def test_glob_matching_nothing_gives_an_empty_report_and_exit_0(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "def f():\n    return 1\n"})
    done = optimize("--repo", str(repo), "--targets", "src/**/*.py", "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert "matches no tracked file" in done.stderr
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["results"] == []
    assert report["plan"]["unmatched_globs"] == ["src/**/*.py"]


def test_bad_setting_value_exits_2_naming_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    done = optimize("--repo", str(repo), "--max-agents", "zero", "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "max_agents" in done.stderr and "'zero'" in done.stderr


def test_red_baseline_accepts_nothing(tmp_path: Path) -> None:
    source = (
        "def evens(values):\n    out = []\n    for v in values:\n        out.append(v)\n"
        "    return out\n"
    )
    tests = (
        "from mod import evens\n\ndef test_evens():\n    assert evens([1]) == [1]\n\n"
        "def test_red():\n    assert False\n"
    )
    repo = make_repo(tmp_path / "r", {"mod.py": source, "test_mod.py": tests})
    done = optimize("--repo", str(repo), "--targets", "mod.py", "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["baseline"]["green"] is False
    assert report["results"], "the candidate is still reported"
    assert all(r["status"] == "rejected" for r in report["results"])
    assert "Baseline is not green" in (tmp_path / "o" / "summary.md").read_text()
