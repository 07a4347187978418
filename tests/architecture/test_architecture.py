"""The architecture agent on real git histories made in tmp dirs, and its issue etiquette
against the local fake GitHub (PyGithub over real HTTP)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from fake_github import FakeGitHub
from github import Auth, Github
from gitrepos import commit_files, make_repo

from agentic_action.architecture.agent import write_outputs
from agentic_action.architecture.analyse import SuiteProfile, analyse
from agentic_action.architecture.findings import AnalysisState, Kind
from agentic_action.architecture.issues import LABEL, publish_findings
from agentic_action.cli import main
from agentic_action.publish.github import GitHubClient, GitHubConfig
from agentic_action.sandbox.pytest_runner import PytestOptions

TOKEN = "ghs_fakeTokenForArchitecture0123456789"
LONG = "def long_one(x):\n" + "".join(f"    x = x + {i}\n" for i in range(70)) + "    return x\n"
COMPLEX = "def branchy(x):\n" + "".join(
    f"    if x == {i}:\n        return {i}\n" for i in range(15)
) + "    return -1\n"  # fmt: skip
BLOCK = "".join(f"    total = total * {i} + len(items) - {i}\n" for i in range(8))
PYPROJECT = """
[tool.importlinter]
root_package = "app"

[[tool.importlinter.contracts]]
name = "app layers"
type = "layers"
layers = ["app.high", "app.low"]
"""
FILES = {
    "pyproject.toml": PYPROJECT,
    "app/__init__.py": "",
    "app/a.py": "from app import b\n\n\ndef fa():\n    return b.fb\n",
    "app/b.py": "from app import a\n\n\ndef fb():\n    return a.fa\n",
    "app/high.py": "VALUE = 1\n",
    "app/low.py": "from app.high import VALUE\n\n\n" + LONG + "\n\n" + COMPLEX,
    "app/dup1.py": "def one(items):\n    total = 0\n" + BLOCK + "    return total\n",
    "app/dup2.py": "def two(items):\n    total = 1\n" + BLOCK + "    return -total\n",
    "tests/test_slow.py": "import time\n\n\ndef test_slow():\n    time.sleep(1.2)\n\n\n"
    "def test_fast():\n    assert True\n",
    "tests/test_quick.py": "def test_quick():\n    assert 1 + 1 == 2\n",
}


@pytest.fixture(scope="module")
def busy_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("arch") / "repo", FILES)
    for n in range(4):  # a.py and b.py keep changing together
        commit_files(root, {"app/a.py": FILES["app/a.py"] + f"# {n}\n",
                            "app/b.py": FILES["app/b.py"] + f"# {n}\n"}, f"change {n}")  # fmt: skip
    return root


@pytest.fixture(scope="module")
def busy_report(busy_repo: Path):  # type: ignore[no-untyped-def]
    return analyse(busy_repo, SuiteProfile(run=PytestOptions(sys.executable, 120.0)))


def test_each_analysis_finds_its_problem_with_evidence(busy_report) -> None:  # type: ignore[no-untyped-def]
    kinds = {f.kind: f for f in busy_report.findings}
    cycle = kinds[Kind.IMPORT_CYCLE]
    assert cycle.subject == "app.a,app.b" and cycle.evidence[0].file in ("app/a.py", "app/b.py")
    layer = kinds[Kind.LAYER_VIOLATION]
    assert "app.low" in layer.title and layer.evidence[0].where() == "app/low.py:1"
    assert kinds[Kind.LONG_FUNCTION].figures["lines"] == 72
    assert kinds[Kind.COMPLEX_FUNCTION].figures["complexity"] == 16
    duplicate = kinds[Kind.DUPLICATE]
    assert {e.file for e in duplicate.evidence} == {"app/dup1.py", "app/dup2.py"}
    assert duplicate.figures["lines"] >= 8
    assert kinds[Kind.HOTSPOT].subject == "app/a.py|app/b.py"
    assert kinds[Kind.HOTSPOT].figures["together"] == 5
    slow = kinds[Kind.SLOW_TESTS]
    assert slow.subject == "tests.test_slow" and slow.figures["tests"] == 2
    assert all(f.proposal for f in busy_report.findings)  # a proposed shape, never a patch


def test_one_commit_no_tests_no_cycles_is_an_honest_empty_section(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "plain", {"lib/__init__.py": "", "lib/m.py": "X = 1\n"})
    report = analyse(root, SuiteProfile(run=PytestOptions(sys.executable, 60.0)))
    states = {a.name: (a.state, a.note) for a in report.analyses}
    assert report.findings == []
    assert states["import cycles and layers"][0] is AnalysisState.RAN
    assert "no import-linter layers contract" in states["import cycles and layers"][1]
    assert states["change hotspots"] == (
        AnalysisState.NOT_APPLICABLE, "1 commit(s): no history to compare"
    )  # fmt: skip
    assert states["slow test modules"][0] is AnalysisState.NOT_APPLICABLE
    assert "no tests" in states["slow test modules"][1]
    out = tmp_path / "out"
    report_path, summary_path = write_outputs(report, out)
    section = json.loads(report_path.read_text())["architecture"]
    assert section["findings"] == [] and section["patches"].startswith("none")
    assert "Nothing to suggest" in summary_path.read_text()


def test_the_architecture_wave_focus_runs_the_agent_not_agents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "plain", {"lib/__init__.py": "", "lib/m.py": "X = 1\n"})
    out = tmp_path / "out"
    argv = ["waves", "--wave", "small", "--focus", "architecture", "--repo", str(root)]
    assert main([*argv, "--mode", "patch", "--out", str(out)]) == 0
    assert "the architecture focus ran the architecture agent" in capsys.readouterr().out
    section = json.loads((out / "report.json").read_text())["architecture"]
    assert section["mode"] == "patch" and len(section["analyses"]) == 6


def test_the_command_adds_its_section_to_an_existing_report(
    busy_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text(json.dumps({"schema_version": 1, "results": []}))
    (out / "summary.md").write_text("## agentic-optimizer: 0 accepted\n")
    argv = ["architecture", "--repo", str(busy_repo), "--out", str(out), "--mode", "patch"]
    assert main([*argv, "--no-tests"]) == 0
    assert main([*argv, "--no-tests"]) == 0  # again: the section is replaced, not repeated
    data = json.loads((out / "report.json").read_text())
    assert data["results"] == [] and len(data["architecture"]["findings"]) >= 6
    summary = (out / "summary.md").read_text()
    assert summary.startswith("## agentic-optimizer") and summary.count("### Architecture") == 1


def test_issues_are_deduplicated_capped_updated_and_never_reopened(
    busy_report,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    findings = [f.to_json() for f in busy_report.findings][:3]
    bare = make_repo(tmp_path / "upstream", {"README.md": "x\n"})
    with FakeGitHub() as fake:
        fake.add_token(TOKEN, login="optimizer-bot")
        fake.add_repo("octo/demo", bare=bare)
        config = GitHubConfig(token=TOKEN, repo="octo/demo", api_url=fake.base_url,
                              write_spacing=0.0)  # fmt: skip
        client = GitHubClient(config)
        first = publish_findings(client, findings, busy_report.commit, max_new=2)
        assert [a["action"] for a in first] == ["opened", "opened", "deferred"]
        second = publish_findings(client, findings, busy_report.commit, max_new=2)
        assert [a["action"] for a in second] == ["unchanged", "unchanged", "opened"]
        maintainer = Github(base_url=fake.base_url, auth=Auth.Token(TOKEN)).get_repo("octo/demo")
        maintainer.get_issue(first[0]["number"]).edit(state="closed")
        changed = [dict(findings[1], summary="new figures"), findings[0], findings[2]]
        third = publish_findings(client, changed, busy_report.commit, max_new=2)
        assert [a["action"] for a in third] == ["updated", "left closed", "unchanged"]
        issues = list(maintainer.get_issues(state="all", labels=[LABEL]))
        assert len(issues) == 3  # one per finding, none duplicated, the closed one not reopened
        assert {i.state for i in issues if i.number == first[0]["number"]} == {"closed"}
        client.close()


def test_github_mode_files_at_most_n_new_issues_per_run(busy_repo: Path, tmp_path: Path) -> None:
    from agentic_action.cli import build_parser
    from agentic_action.commands.architecture import architecture_command

    bare = make_repo(tmp_path / "upstream", {"README.md": "x\n"})
    with FakeGitHub() as fake:
        fake.add_token(TOKEN, login="optimizer-bot")
        fake.add_repo("octo/demo", bare=bare)
        env = {
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": "octo/demo",
            "GITHUB_API_URL": fake.base_url,
            "OPTIMIZER_GITHUB_WRITE_SPACING": "0",
        }
        argv = ["architecture", "--repo", str(busy_repo), "--out", str(tmp_path / "out")]
        args = build_parser().parse_args([*argv, "--mode", "github", "--no-tests"])
        for _ in range(2):
            assert architecture_command(args, env) == 0
        repo = Github(base_url=fake.base_url, auth=Auth.Token(TOKEN)).get_repo("octo/demo")
        issues = list(repo.get_issues(state="all", labels=[LABEL]))
    assert len(issues) == 4  # two new per run; the first two were kept, not filed again
    section = json.loads((tmp_path / "out" / "report.json").read_text())["architecture"]
    actions = [i["action"] for i in section["issues"]]
    assert section["mode"] == "github" and actions.count("opened") == 2
    assert actions.count("unchanged") == 2 and "deferred" in actions


def test_without_the_architecture_extra_the_import_analysis_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "grimp", None)  # as if the extra were not installed
    root = make_repo(tmp_path / "plain", {"lib/__init__.py": "", "lib/m.py": "X = 1\n"})
    report = analyse(root, SuiteProfile())
    imports = next(a for a in report.analyses if a.name == "import cycles and layers")
    assert imports.state is AnalysisState.UNAVAILABLE
    assert "pip install 'agentic-optimizer[architecture]'" in imports.note
    assert {a.state for a in report.analyses if a is not imports} != {AnalysisState.UNAVAILABLE}
