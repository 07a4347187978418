"""What the Action's files promise, checked on the files: jobs, permissions, triggers, plumbing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentic_action.action.events import OPTIMIZE_LABEL, REPLY_MARKER
from agentic_action.action.inputs import ACTION_INPUTS, PASS_THROUGH
from agentic_action.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OWN_ACTION = "org/agentic-optimizer@v1"
ISSUE_INPUTS = (
    "targets", "method", "mode", "description", "validation-level", "max-agents", "llm-model",
    "llm-fallback", "budget-usd", "priority", "github-token", "ipfs-api",
)  # fmt: skip
ISSUE_OUTPUTS = ("mode-used", "accepted", "rejected", "report-path", "patch-cids", "pr-urls")


def load(path: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / path).read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


WORKFLOWS = {name: load(name) for name in (
    "workflows/optimize.yml", "workflows/approve.yml",
    ".github/workflows/optimize.yml", ".github/workflows/approve.yml",
)}  # fmt: skip
ACTION = load("action.yml")


@pytest.mark.parametrize("name", ["optimize.yml", "approve.yml"])
def test_each_template_runs_the_same_jobs_as_its_reusable_workflow(name: str) -> None:
    template, reusable = WORKFLOWS[f"workflows/{name}"], WORKFLOWS[f".github/workflows/{name}"]
    assert template["jobs"] == reusable["jobs"]
    assert list(reusable["on"]) == ["workflow_call"]


def test_the_templates_listen_to_the_events_the_issue_names() -> None:
    optimize = WORKFLOWS["workflows/optimize.yml"]["on"]
    assert optimize["schedule"][0]["cron"]
    assert optimize["issues"] == {"types": ["labeled"]}
    assert "targets" in optimize["workflow_dispatch"]["inputs"]
    approve = WORKFLOWS["workflows/approve.yml"]["on"]
    assert approve["issue_comment"] == {"types": ["created"]}
    assert approve["pull_request_review"] == {"types": ["submitted"]}
    assert {"command", "cid"} <= set(approve["workflow_dispatch"]["inputs"])


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_permissions_are_least_privilege_per_job(name: str) -> None:
    workflow = WORKFLOWS[name]
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        granted = job["permissions"]
        assert isinstance(granted, dict)
        assert set(granted) <= {"contents", "issues", "pull-requests"}
        assert set(granted.values()) <= {"read", "write"}


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_no_untrusted_code_or_expression_reaches_a_shell(name: str) -> None:
    workflow = WORKFLOWS[name]
    assert "pull_request_target" not in workflow["on"]
    for step in steps(workflow):
        assert "${{" not in step.get("run", "")
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
            assert "head" not in str(step["with"].get("ref", ""))


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_runs_do_not_race_per_repository_and_ref(name: str) -> None:
    for job in WORKFLOWS[name]["jobs"].values():
        group = job["concurrency"]["group"]
        assert group.startswith("agentic-optimizer-${{ github.repository }}-${{ github.ref }}-")
        assert job["concurrency"]["cancel-in-progress"] is False


def test_runs_triggered_by_the_optimizer_or_other_bots_are_skipped() -> None:
    optimize_if = WORKFLOWS["workflows/optimize.yml"]["jobs"]["optimize"]["if"]
    assert f"'{OPTIMIZE_LABEL}'" in optimize_if and "sender.type != 'Bot'" in optimize_if
    approve_if = WORKFLOWS["workflows/approve.yml"]["jobs"]["approve"]["if"]
    assert f"'{REPLY_MARKER}'" in approve_if
    assert approve_if.count("sender.type != 'Bot'") == 2


@pytest.mark.parametrize("name", [*sorted(WORKFLOWS), "action.yml"])
def test_third_party_actions_are_pinned_to_a_commit(name: str) -> None:
    document = ACTION["runs"] if name == "action.yml" else WORKFLOWS[name]
    uses = [s["uses"] for s in (document["steps"] if "steps" in document else steps(document))
            if "uses" in s]  # fmt: skip
    assert uses
    for ref in uses:
        assert ref == OWN_ACTION or re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref


def test_optimize_caches_the_store_and_uploads_report_and_patches() -> None:
    by_action = {s["uses"].split("@")[0]: s for s in steps(WORKFLOWS["workflows/optimize.yml"])
                 if "uses" in s}  # fmt: skip
    cache, upload = by_action["actions/cache"]["with"], by_action["actions/upload-artifact"]["with"]
    assert "agentic-optimizer/patches" in cache["path"]
    assert "agentic-optimizer-cache" in cache["path"]
    for item in ("report.json", "summary.md", "patches/"):
        assert item in upload["path"]
    approve_cache = next(s for s in steps(WORKFLOWS["workflows/approve.yml"])
                         if s.get("uses", "").startswith("actions/cache@"))  # fmt: skip
    assert approve_cache["with"]["restore-keys"] == cache["restore-keys"]


def test_action_is_a_composite_with_branding_and_the_issues_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["branding"]) == {"icon", "color"}
    assert set(ISSUE_INPUTS) <= set(ACTION["inputs"])
    assert set(ISSUE_OUTPUTS) <= set(ACTION["outputs"])
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert all(
        spec["description"] for spec in [*ACTION["inputs"].values(), *ACTION["outputs"].values()]
    )


def test_every_input_reaches_the_entrypoint_and_is_understood() -> None:
    run_step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    for name in ACTION["inputs"]:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert run_step["env"][variable] == f"${{{{ inputs.{name} }}}}"
        field = name.replace("-", "_")
        assert (field in Settings.model_fields or name in PASS_THROUGH
                or name in (*ACTION_INPUTS, "repo", "out")), name  # fmt: skip
    assert "entrypoint.py" in run_step["run"]


def test_every_output_is_written_by_the_entrypoint() -> None:
    source = "".join(p.read_text() for p in (ROOT / "agentic_action" / "action").glob("*.py"))
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        assert f'"{name}":' in source, name


def test_action_and_dockerfile_install_the_same_way() -> None:
    install = next(s for s in ACTION["runs"]["steps"] if "install-action.sh" in s.get("run", ""))
    assert 'install-action.sh" "$AO_PYTHON" "$AO_VENV"' in install["run"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN sh scripts/install-action.sh python3 /opt/agentic-optimizer/venv" in dockerfile
    assert re.search(r"^USER (?!0\b|root\b)\S+", dockerfile, re.M)
    assert "entrypoint.py" in dockerfile.split("ENTRYPOINT", 1)[1]
    ignored = (ROOT / ".dockerignore").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for item in source.split():
            assert f"!{item}" in ignored, item


def test_the_lock_pins_what_the_tested_venv_has() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lock-requirements.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_docs_describe_every_input_and_output() -> None:
    docs = (ROOT / "docs" / "action.md").read_text()
    for name in [*ACTION["inputs"], *ACTION["outputs"]]:
        assert f"`{name}`" in docs, name
