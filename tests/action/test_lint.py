"""CI checks of the Action's files, offline: actionlint, zizmor, JSON schemas, hadolint."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted(ROOT.glob(".github/workflows/*.yml"))
EXAMPLES = sorted(ROOT.glob("examples/workflows/*.yml"))
ACTION = ROOT / "action.yml"
ACTIONS = [ACTION, *sorted(ROOT.glob(".github/actions/*/action.yml"))]
SEVERITY = {"unknown": 0, "informational": 1, "low": 2, "medium": 3, "high": 4}


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    other = shutil.which(name)
    if other is None:
        pytest.fail(f"{name} is not installed: pip install the dev extra (pyproject.toml)")
    return other


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


def test_the_workflows_under_test_are_all_there() -> None:
    names = sorted(str(p.relative_to(ROOT)) for p in WORKFLOWS)
    assert names == [
        ".github/workflows/approve.yml",
        ".github/workflows/optimize.yml",
        ".github/workflows/release.yml",
    ]
    assert len(EXAMPLES) == 4 and len(ACTIONS) == 3


def test_actionlint_finds_nothing_in_the_workflows_and_the_example_callers() -> None:
    done = run(tool("actionlint"), "-no-color", *map(str, WORKFLOWS + EXAMPLES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_catch_an_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issue_comment\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.comment.body }}\n"
    )
    done = run(tool("actionlint"), "-no-color", str(bad))
    assert done.returncode != 0
    assert "potentially untrusted" in done.stdout


def zizmor_findings(*paths: Path) -> list[dict[str, object]]:
    done = run(tool("zizmor"), "--offline", "--format", "json", *map(str, paths))
    assert done.returncode in (0, *range(10, 15)), done.stderr  # 1x: findings were reported
    findings: list[dict[str, object]] = json.loads(done.stdout or "[]")
    return findings


def test_zizmor_with_its_default_config_finds_nothing_above_low() -> None:
    assert not [p for p in ROOT.glob("**/zizmor.y*ml") if ".venv" not in p.parts]  # no policy
    findings = zizmor_findings(*ACTIONS, *WORKFLOWS)
    serious = [
        (f["ident"], f["determinations"]["severity"])  # type: ignore[index]
        for f in findings
        if SEVERITY.get(str(f["determinations"]["severity"]).lower(), 4) > SEVERITY["low"]  # type: ignore[index]
    ]
    assert serious == []


def test_zizmor_does_catch_an_unpinned_third_party_action(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: someone/some-action@v1\n"
    )
    assert "unpinned-uses" in {f["ident"] for f in zizmor_findings(bad)}


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-workflows", WORKFLOWS + EXAMPLES),
        ("vendor.github-actions", ACTIONS),
        ("vendor.dependabot", [ROOT / ".github" / "dependabot.yml"]),
    ],
)
def test_github_json_schemas_accept_the_files(schema: str, paths: list[Path]) -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, *map(str, paths))
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    done = run(tool("hadolint"), "--format", "json", str(ROOT / "Dockerfile"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []
