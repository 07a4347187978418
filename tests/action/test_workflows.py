"""What the Action's files promise, checked on the files: jobs, permissions, triggers, plumbing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentic_action.action.events import OPTIMIZE_LABEL
from agentic_action.action.inputs import ACTION_INPUTS, PASS_THROUGH
from agentic_action.approve.request import REPLY_MARKER
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
    optimize = WORKFLOWS["workflows/optimize.yml"]["jobs"]["optimize"]
    by_action = {s["uses"].split("@")[0]: s for s in optimize["steps"] if "uses" in s}
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


OPTIMIZE_WORKFLOWS = ("workflows/optimize.yml", ".github/workflows/optimize.yml")


def run_plan_step(tmp_path: Path, shard_count: str) -> tuple[int, str, dict[str, str]]:
    """Run the plan job's shell as the runner would (bash -e), with shard-count as given."""
    plan = WORKFLOWS["workflows/optimize.yml"]["jobs"]["plan"]["steps"][0]
    output = tmp_path / "github_output"
    output.write_text("")
    env = {"PATH": "/usr/bin:/bin", "SHARD_COUNT": shard_count, "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", plan["run"]], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done.returncode, done.stdout, values


@pytest.mark.parametrize(
    ("shard_count", "shards", "sharded"),
    [("", ["1/1"], "false"), ("1", ["1/1"], "false"), ("3", ["1/3", "2/3", "3/3"], "true"),
     ("04", ["1/4", "2/4", "3/4", "4/4"], "true")],
)  # fmt: skip
def test_the_plan_job_turns_shard_count_into_the_matrix_list(
    tmp_path: Path, shard_count: str, shards: list[str], sharded: str
) -> None:
    code, _, values = run_plan_step(tmp_path, shard_count)
    assert code == 0
    assert json.loads(values["shards"]) == shards
    assert (values["sharded"], values["count"]) == (sharded, str(len(shards)))


@pytest.mark.parametrize("shard_count", ["0", "257", "2.5", "-1", "x", "1;id", "99999"])
def test_the_plan_job_refuses_a_bad_shard_count_with_an_error_naming_it(
    tmp_path: Path, shard_count: str
) -> None:
    code, stdout, values = run_plan_step(tmp_path, shard_count)
    assert code != 0 and values == {}
    assert stdout.startswith("::error title=Invalid input shard-count::")


@pytest.mark.parametrize("name", OPTIMIZE_WORKFLOWS)
def test_shard_count_replaces_the_list_of_target_sets(name: str) -> None:
    inputs = WORKFLOWS[name]["on"]["workflow_dispatch" if "github" not in name else
                                   "workflow_call"]["inputs"]  # fmt: skip
    assert "shards" not in inputs
    assert (inputs["shard-count"]["type"], inputs["shard-count"]["default"]) == ("number", 1)
    plan = WORKFLOWS[name]["jobs"]["plan"]
    assert plan["permissions"] == {}
    assert plan["steps"][0]["env"] == {"SHARD_COUNT": "${{ inputs.shard-count }}"}


@pytest.mark.parametrize("name", OPTIMIZE_WORKFLOWS)
def test_each_matrix_job_passes_its_shard_and_runs_in_patch_mode_when_sharded(name: str) -> None:
    job = WORKFLOWS[name]["jobs"]["optimize"]
    assert job["needs"] == "plan"
    assert job["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    step = next(s for s in job["steps"] if s.get("uses") == OWN_ACTION)
    sharded = "needs.plan.outputs.sharded == 'true'"
    assert step["with"]["shard"] == f"${{{{ {sharded} && matrix.shard || '' }}}}"
    assert step["with"]["mode"] == f"${{{{ {sharded} && 'patch' || inputs.mode }}}}"
    assert "matrix" not in step["with"]["targets"]
    upload = next(
        s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert upload["with"]["name"] == "${{ steps.artifact.outputs.name }}"
    naming = next(s for s in job["steps"] if s.get("id") == "artifact")
    assert naming["env"]["SHARD"] == "${{ matrix.shard }}"
    assert 'echo "name=agentic-optimizer-shard-$index"' in naming["run"]


def test_the_artifact_of_shard_k_is_named_by_k_alone(tmp_path: Path) -> None:
    job = WORKFLOWS["workflows/optimize.yml"]["jobs"]["optimize"]
    naming = next(s for s in job["steps"] if s.get("id") == "artifact")
    for shard, sharded, expected in [("3/4", "true", "agentic-optimizer-shard-3"),
                                     ("1/1", "false", "agentic-optimizer")]:  # fmt: skip
        output = tmp_path / f"out-{sharded}"
        output.write_text("")
        env = {"PATH": "/usr/bin:/bin", "SHARD": shard, "SHARDED": sharded,
               "GITHUB_OUTPUT": str(output)}  # fmt: skip
        subprocess.run(["bash", "-e", "-c", naming["run"]], env=env, check=True)
        assert output.read_text() == f"name={expected}\n"
    env = {
        "PATH": "/usr/bin:/bin",
        "SHARD": "../x/2",
        "SHARDED": "true",
        "GITHUB_OUTPUT": "/dev/null",
    }
    assert subprocess.run(["bash", "-e", "-c", naming["run"]], env=env, capture_output=True,
                          check=False).returncode != 0  # fmt: skip


@pytest.mark.parametrize("name", OPTIMIZE_WORKFLOWS)
def test_the_merge_job_merges_every_shard_artifact_and_publishes_once(name: str) -> None:
    job = WORKFLOWS[name]["jobs"]["merge"]
    assert job["needs"] == ["plan", "optimize"]
    assert job["if"] == "needs.plan.outputs.sharded == 'true'"
    by_name = {s["name"]: s for s in job["steps"]}
    download = by_name["Download the shards' outputs"]
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"] == {"pattern": "agentic-optimizer-shard-*",
                                "path": "${{ runner.temp }}/agentic-optimizer-shards"}  # fmt: skip
    merge = by_name["Merge the shards and publish once"]
    assert merge["env"]["SHARDS_DIR"] == download["with"]["path"]
    assert merge["env"]["SHARD_COUNT"] == "${{ needs.plan.outputs.count }}"
    assert merge["env"]["MODE"] == "${{ inputs.mode || 'auto' }}"
    assert merge["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert 'set -- "$SHARDS_DIR"/agentic-optimizer-shard-*' in merge["run"]
    assert '[ "$#" -ne "$SHARD_COUNT" ]' in merge["run"]  # a missing shard fails the job
    assert '"$AO_VENV/bin/agentic-optimizer" merge "$@" --out "$OUT_DIR" --repo .' in merge["run"]
    assert '--mode "$MODE"' in merge["run"]
    summary = by_name["Add the merged summary to the job summary"]
    assert 'cat "$OUT_DIR/summary.md" >> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    upload = by_name["Upload the merged report and patches"]
    for item in ("report.json", "summary.md", "patches/"):
        assert item in upload["with"]["path"]


@pytest.mark.parametrize("name", OPTIMIZE_WORKFLOWS)
def test_the_merge_job_installs_the_released_action_the_same_way(name: str) -> None:
    job = WORKFLOWS[name]["jobs"]["merge"]
    owner_repo, ref = OWN_ACTION.split("@")
    action = next(s for s in job["steps"] if s.get("with", {}).get("repository") == owner_repo)
    assert action["with"]["ref"] == ref and action["with"]["persist-credentials"] is False
    install = next(s for s in job["steps"] if "install-action.sh" in s.get("run", ""))
    path = action["with"]["path"]
    assert install["run"] == f'sh {path}/scripts/install-action.sh "$AO_PYTHON" "$AO_VENV"'
    run_step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    assert install["env"]["AO_VENV"] == run_step["env"]["AO_VENV"]


@pytest.mark.parametrize("name", OPTIMIZE_WORKFLOWS)
def test_only_the_publishing_jobs_may_write(name: str) -> None:
    jobs = WORKFLOWS[name]["jobs"]
    assert jobs["plan"]["permissions"] == {}
    publishing = {"contents": "write", "issues": "write", "pull-requests": "write"}
    # Permissions cannot depend on inputs: the optimize job publishes unsharded runs, the merge
    # job sharded ones. Neither gets anything beyond what publishing needs.
    assert jobs["optimize"]["permissions"] == publishing
    assert jobs["merge"]["permissions"] == publishing
    assert "secrets." not in str(jobs["merge"]) and "secrets." not in str(jobs["plan"])
