"""What the Action's files promise, checked on the files: jobs, permissions, triggers, plumbing."""

from __future__ import annotations

import json
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
SELF_ACTION = "$/./"  # the Action at the commit of the workflow that uses it (github.com)
STATE_ACTIONS = ("$/.github/actions/restore-state", "$/.github/actions/save-state")
OWN_ACTION_PATH = ".agentic-optimizer-action"  # the merge job's checkout of its own commit
# Third-party actions: their Node 24 majors, each pinned to the commit of its release tag.
PINNED = {
    "actions/checkout": "3d3c42e5aac5ba805825da76410c181273ba90b1",  # v7.0.1
    "actions/setup-python": "5fda3b95a4ea91299a34e894583c3862153e4b97",  # v7.0.0
    "actions/cache/restore": "27d5ce7f107fe9357f9df03efb73ab90386fccae",  # v5.0.5
    "actions/cache/save": "27d5ce7f107fe9357f9df03efb73ab90386fccae",  # v5.0.5
    "actions/upload-artifact": "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",  # v7.0.0
    "actions/download-artifact": "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",  # v8.0.1
}
ISSUE_INPUTS = (
    "targets", "method", "mode", "description", "validation-level", "max-agents", "llm-model",
    "llm-fallback", "budget-usd", "priority", "github-token", "ipfs-api",
)  # fmt: skip
ISSUE_OUTPUTS = ("mode-used", "accepted", "rejected", "report-path", "patch-cids", "pr-urls")
ONE_GROUP = "agentic-optimizer-${{ github.repository }}"
TRUSTED = (
    'contains(fromJSON(\'["OWNER","MEMBER","COLLABORATOR"]\'), github.event.{}.author_association)'
)


def load(path: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / path).read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


REUSABLE = {name: load(name) for name in (".github/workflows/optimize.yml",
                                          ".github/workflows/approve.yml")}  # fmt: skip
RELEASE = load(".github/workflows/release.yml")
WORKFLOWS = {**REUSABLE, ".github/workflows/release.yml": RELEASE}
EXAMPLES = {
    str(p.relative_to(ROOT)): load(p) for p in sorted(ROOT.glob("examples/workflows/*.yml"))
}
ACTION = load("action.yml")
STATE = {name: load(f".github/actions/{name}/action.yml") for name in ("restore-state",
                                                                      "save-state")}  # fmt: skip


def all_uses() -> list[tuple[str, str]]:
    found = [(name, s["uses"]) for name, w in WORKFLOWS.items() for s in steps(w) if "uses" in s]
    for name, doc in [("action.yml", ACTION), *STATE.items()]:
        found += [(name, s["uses"]) for s in doc["runs"]["steps"] if "uses" in s]
    return found


def test_the_reusable_workflows_run_the_action_from_their_own_commit() -> None:
    for name, workflow in REUSABLE.items():
        own = [s for s in steps(workflow) if s.get("id") == "optimizer"]
        assert own and all(s["uses"] == SELF_ACTION for s in own), name
        assert list(workflow["on"]) == ["workflow_call"]
        text = (ROOT / name).read_text()
        assert "org/agentic-optimizer@" not in text.split("\npermissions:", 1)[1], name
    for _, ref in all_uses():
        assert not ref.startswith("./"), ref  # nothing depends on where the caller checked out


def test_the_merge_job_checks_out_and_installs_this_workflows_commit() -> None:
    job = REUSABLE[".github/workflows/optimize.yml"]["jobs"]["merge"]
    own = next(s for s in job["steps"] if s.get("with", {}).get("path") == OWN_ACTION_PATH)
    assert own["uses"] == f"actions/checkout@{PINNED['actions/checkout']}"
    assert own["with"] == {
        "repository": "${{ job.workflow_repository }}",
        "ref": "${{ job.workflow_sha }}",
        "path": OWN_ACTION_PATH,
        "persist-credentials": False,
    }
    install = next(s for s in job["steps"] if "install-action.sh" in s.get("run", ""))
    assert install["run"] == (
        f'sh {OWN_ACTION_PATH}/scripts/install-action.sh "$AO_PYTHON" "$AO_VENV" "$AO_EXTRAS"'
    )
    run_step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    assert install["env"]["AO_VENV"] == run_step["env"]["AO_VENV"]


def test_the_state_actions_are_used_from_the_same_commit_by_every_writing_job() -> None:
    for name, workflow in REUSABLE.items():
        for job_name, job in workflow["jobs"].items():
            if job_name == "plan":
                continue
            used = [s["uses"] for s in job["steps"] if s.get("uses", "").startswith("$/.github")]
            assert used == list(STATE_ACTIONS), (name, job_name)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_permissions_are_least_privilege_per_job(name: str) -> None:
    workflow = WORKFLOWS[name]
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        granted = job["permissions"]
        assert isinstance(granted, dict)
        assert set(granted) <= {"actions", "contents", "issues", "pull-requests"}
        assert set(granted.values()) <= {"read", "write"}
        assert granted.get("actions", "read") == "read"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_no_untrusted_code_or_expression_reaches_a_shell(name: str) -> None:
    workflow = WORKFLOWS[name]
    assert "pull_request_target" not in workflow["on"]
    every = steps(workflow) + [s for doc in STATE.values() for s in doc["runs"]["steps"]]
    for step in every:
        assert "${{" not in step.get("run", "")
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
            assert "head" not in str(step["with"].get("ref", ""))


def test_every_job_that_writes_the_store_or_pushes_shares_one_group_per_repository() -> None:
    optimize = REUSABLE[".github/workflows/optimize.yml"]["jobs"]
    approve = REUSABLE[".github/workflows/approve.yml"]["jobs"]["approve"]
    sharded = "needs.plan.outputs.sharded == 'true'"
    assert optimize["optimize"]["concurrency"] == {
        "group": (
            f"${{{{ {sharded} && format('agentic-optimizer-{{0}}-shard-{{1}}', github.repository, "
            "matrix.shard) || format('agentic-optimizer-{0}', github.repository) }}"
        ),
        "cancel-in-progress": False,
    }
    for job in (optimize["merge"], approve):
        assert job["concurrency"] == {"group": ONE_GROUP, "cancel-in-progress": False}
    assert "concurrency" not in optimize["plan"]  # it writes nothing


def test_approve_fetches_the_history_that_approval_proves_ancestry_in() -> None:
    job = REUSABLE[".github/workflows/approve.yml"]["jobs"]["approve"]
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.ref || github.ref }}"


def test_outsiders_comments_and_reviews_start_no_runner() -> None:
    condition = REUSABLE[".github/workflows/approve.yml"]["jobs"]["approve"]["if"]
    assert TRUSTED.format("comment") in condition
    assert TRUSTED.format("review") in condition
    assert f"'{REPLY_MARKER}'" in condition
    assert condition.count("sender.type != 'Bot'") == 2


def test_runs_triggered_by_the_optimizer_or_other_bots_are_skipped() -> None:
    optimize_if = REUSABLE[".github/workflows/optimize.yml"]["jobs"]["optimize"]["if"]
    assert f"'{OPTIMIZE_LABEL}'" in optimize_if and "sender.type != 'Bot'" in optimize_if


def test_third_party_actions_are_their_node24_majors_pinned_to_a_commit() -> None:
    uses = all_uses()
    assert len(uses) > 10
    for name, ref in uses:
        if ref.startswith("$/"):
            assert ref in (SELF_ACTION, *STATE_ACTIONS), (name, ref)
            continue
        action, _, commit = ref.partition("@")
        assert PINNED.get(action) == commit, (name, ref)


def test_every_artifact_upload_overwrites_so_a_rerun_of_failed_jobs_works() -> None:
    uploads = [s for _, doc in [*WORKFLOWS.items()] for s in steps(doc)]
    uploads += [s for doc in STATE.values() for s in doc["runs"]["steps"]]
    found = [s for s in uploads if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(found) == 3
    assert all(s["with"]["overwrite"] is True for s in found)


def test_the_state_survives_a_quiet_month() -> None:
    restore, save = STATE["restore-state"]["runs"]["steps"], STATE["save-state"]["runs"]["steps"]
    saved = next(s for s in save if s.get("uses", "").startswith("actions/cache/save@"))
    for item in ("/patches", "/state", "/ledger.sqlite"):
        assert f"${{{{ inputs.out }}}}{item}" in saved["with"]["path"]
    upload = next(s for s in save if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "agentic-optimizer-state"
    assert upload["with"]["retention-days"] == 90  # the cache is evicted after 7 days unused
    download = next(s for s in restore if s.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"]["run-id"] == "${{ steps.last.outputs.run-id }}"
    cached = next(s for s in restore if s.get("uses", "").startswith("actions/cache/restore@"))
    assert cached["with"]["path"] == saved["with"]["path"]
    assert cached["with"]["key"] == saved["with"]["key"]


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


OPTIMIZE = ".github/workflows/optimize.yml"


def run_plan_step(tmp_path: Path, shard_count: str) -> tuple[int, str, dict[str, str]]:
    """Run the plan job's shell as the runner would (bash -e), with shard-count as given."""
    plan = WORKFLOWS[OPTIMIZE]["jobs"]["plan"]["steps"][0]
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


def test_shard_count_replaces_the_list_of_target_sets() -> None:
    inputs = WORKFLOWS[OPTIMIZE]["on"]["workflow_call"]["inputs"]
    assert "shards" not in inputs
    assert (inputs["shard-count"]["type"], inputs["shard-count"]["default"]) == ("number", 1)
    plan = WORKFLOWS[OPTIMIZE]["jobs"]["plan"]
    assert plan["permissions"] == {}
    assert plan["steps"][0]["env"] == {"SHARD_COUNT": "${{ inputs.shard-count }}"}


def test_each_matrix_job_passes_its_shard_and_runs_in_patch_mode_when_sharded() -> None:
    job = WORKFLOWS[OPTIMIZE]["jobs"]["optimize"]
    assert job["needs"] == "plan"
    assert job["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    step = next(s for s in job["steps"] if s.get("uses") == SELF_ACTION)
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
    save = next(s for s in job["steps"] if s.get("uses") == STATE_ACTIONS[1])
    assert save["with"]["artifact"] == "${{ needs.plan.outputs.sharded != 'true' }}"


def test_the_artifact_of_shard_k_is_named_by_k_alone(tmp_path: Path) -> None:
    job = WORKFLOWS[OPTIMIZE]["jobs"]["optimize"]
    naming = next(s for s in job["steps"] if s.get("id") == "artifact")
    for shard, sharded, expected in [("3/4", "true", "agentic-optimizer-shard-3"),
                                     ("1/1", "false", "agentic-optimizer")]:  # fmt: skip
        output = tmp_path / f"out-{sharded}"
        output.write_text("")
        env = {"PATH": "/usr/bin:/bin", "SHARD": shard, "SHARDED": sharded,
               "GITHUB_OUTPUT": str(output)}  # fmt: skip
        subprocess.run(["bash", "-e", "-c", naming["run"]], env=env, check=True)
        key = "shard-3" if sharded == "true" else "optimize"
        assert output.read_text() == f"name={expected}\nkey={key}\n"
    env = {
        "PATH": "/usr/bin:/bin",
        "SHARD": "../x/2",
        "SHARDED": "true",
        "GITHUB_OUTPUT": "/dev/null",
    }
    assert subprocess.run(["bash", "-e", "-c", naming["run"]], env=env, capture_output=True,
                          check=False).returncode != 0  # fmt: skip


def test_the_merge_job_merges_every_shard_artifact_and_publishes_once() -> None:
    job = WORKFLOWS[OPTIMIZE]["jobs"]["merge"]
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
    assert merge["env"]["GITHUB_TOKEN"] == TOKEN
    assert 'set -- "$SHARDS_DIR"/agentic-optimizer-shard-*' in merge["run"]
    assert '[ "$#" -ne "$SHARD_COUNT" ]' in merge["run"]  # a missing shard fails the job
    assert '"$AO_VENV/bin/agentic-optimizer" merge "$@" --out "$OUT_DIR" --repo .' in merge["run"]
    assert '--mode "$MODE"' in merge["run"]
    summary = by_name["Add the merged summary to the job summary"]
    assert 'cat "$OUT_DIR/summary.md" >> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    upload = by_name["Upload the merged report and patches"]
    for item in ("report.json", "summary.md", "patches/"):
        assert item in upload["with"]["path"]


def test_only_the_publishing_jobs_may_write() -> None:
    jobs = WORKFLOWS[OPTIMIZE]["jobs"]
    assert jobs["plan"]["permissions"] == {}
    publishing = {"actions": "read", "contents": "write", "issues": "write",
                  "pull-requests": "write"}  # fmt: skip
    # Permissions cannot depend on inputs: the optimize job publishes unsharded runs, the merge
    # job sharded ones. Neither gets anything beyond what publishing needs.
    assert jobs["optimize"]["permissions"] == publishing
    assert jobs["merge"]["permissions"] == publishing
    assert "secrets." not in str(jobs["plan"])
    assert str(jobs["merge"]).count("secrets.") == str(jobs["merge"]).count(
        "secrets.OPTIMIZER_GITHUB_TOKEN"
    )  # the merge job reads no other secret (no LLM key)


def called(example: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The one job of an example caller, and the reusable workflow it calls."""
    (job,) = example["jobs"].values()
    path, _, ref = job["uses"].partition("@")
    assert path.startswith("org/agentic-optimizer/.github/workflows/") and ref == "v1", path
    return path, job, REUSABLE[".github/workflows/" + path.rsplit("/", 1)[1]]


TOKEN = "${{ secrets.OPTIMIZER_GITHUB_TOKEN || github.token }}"


def test_an_app_token_can_stand_in_for_the_workflows_own_everywhere_it_writes() -> None:
    for workflow in REUSABLE.values():
        assert "OPTIMIZER_GITHUB_TOKEN" in workflow["on"]["workflow_call"]["secrets"]
        own = [s for s in steps(workflow) if s.get("uses") == SELF_ACTION]
        assert own and all(s["with"]["github-token"] == TOKEN for s in own)


def test_the_examples_are_the_callers_the_issue_names() -> None:
    assert sorted(EXAMPLES) == [
        "examples/workflows/approve.yml",
        "examples/workflows/optimize-dispatch.yml",
        "examples/workflows/optimize-sharded.yml",
        "examples/workflows/optimize-weekly.yml",
    ]
    on = {name: example["on"] for name, example in EXAMPLES.items()}
    assert on["examples/workflows/optimize-weekly.yml"]["schedule"][0]["cron"]
    assert "workflow_dispatch" in on["examples/workflows/optimize-dispatch.yml"]
    assert {"issue_comment", "pull_request_review"} <= set(on["examples/workflows/approve.yml"])
    sharded = called(EXAMPLES["examples/workflows/optimize-sharded.yml"])[1]
    assert int(sharded["with"]["shard-count"]) > 1


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_passes_only_inputs_and_secrets_the_workflow_declares(name: str) -> None:
    _, job, workflow = called(EXAMPLES[name])
    declared = workflow["on"]["workflow_call"]
    assert set(job.get("with", {})) <= set(declared["inputs"])
    secrets = job.get("secrets", {})
    assert secrets != "inherit" and "secrets: inherit" not in (ROOT / name).read_text()
    assert set(secrets) <= set(declared.get("secrets") or {})
    assert EXAMPLES[name]["permissions"] == {}
    needed: dict[str, str] = {}
    for callee in workflow["jobs"].values():
        for scope, level in callee["permissions"].items():
            needed[scope] = "write" if "write" in (level, needed.get(scope)) else level
    assert job["permissions"] == needed  # a caller grants what the called jobs ask, no more


def test_the_approve_example_reads_the_cache_only() -> None:
    _, job, _ = called(EXAMPLES["examples/workflows/approve.yml"])
    assert job["cache-mode"] == "read"  # issue_comment is a low-trust event
    save = next(s for s in steps(REUSABLE[".github/workflows/approve.yml"])
                if s.get("uses") == STATE_ACTIONS[1])  # fmt: skip
    assert save["with"]["cache"] == "false"


def test_the_release_workflow_moves_the_major_tag_only_on_a_release_tag() -> None:
    assert RELEASE["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    job = RELEASE["jobs"]["major-tag"]
    assert job["permissions"] == {"contents": "write"}
    push = job["steps"][-1]["run"]
    assert 'git tag --force "$MAJOR" HEAD' in push
    assert '-c "http.$SERVER_URL/.extraheader="' in push  # no second Authorization header


@pytest.mark.parametrize(
    ("tag", "version", "major"),
    [("v1.4.2", "1.4.2", "v1"), ("v1.4.2", "1.4.3", ""), ("v2.0.0", "2.0.0", "v2"),
     ("1.0.0", "1.0.0", "")],
)  # fmt: skip
def test_the_release_check_accepts_only_a_tag_equal_to_the_version(
    tmp_path: Path, tag: str, version: str, major: str
) -> None:
    check = next(s for s in RELEASE["jobs"]["major-tag"]["steps"] if s.get("id") == "tag")
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\nversion = "{version}"\n')
    output = tmp_path / "out"
    output.write_text("")
    env = {"PATH": "/usr/bin:/bin", "TAG": tag, "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", check["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert (done.returncode == 0) == bool(major), done.stdout
    assert output.read_text() == (f"major={major}\n" if major else "")


def test_the_action_stops_at_once_on_a_runner_other_than_linux(tmp_path: Path) -> None:
    first = ACTION["runs"]["steps"][0]
    assert first["if"] == "runner.os != 'Linux'"
    env = {"PATH": "/usr/bin:/bin", "RUNNER_OS_NAME": "Windows"}
    done = subprocess.run(["bash", "-e", "-c", first["run"]], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=agentic-optimizer: unsupported runner::")
    assert "(this job runs on Windows)" in done.stdout and "ubuntu-latest" in done.stdout


@pytest.mark.parametrize(
    ("level", "method", "model", "sections"),
    [("quick", "rules", "", ""), ("standard", "rules", "", "checks"), ("", "", "", "checks"),
     ("thorough", "chaos", "openai/gpt-4o-mini", "checks llm"),
     ("quick", "rules", "openai/gpt-4o-mini", "llm")],
)  # fmt: skip
def test_the_install_takes_only_the_lock_sections_the_inputs_need(
    tmp_path: Path, level: str, method: str, model: str, sections: str
) -> None:
    choose = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    output = tmp_path / "out"
    output.write_text("")
    env = {"PATH": "/usr/bin:/bin", "METHOD": method, "LLM_MODEL": model, "LEVEL": level,
           "PY_VERSION": "3.11.9", "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_OS": "Linux",
           "RUNNER_ARCH": "X64", "GITHUB_OUTPUT": str(output)}  # fmt: skip
    subprocess.run(["bash", "-e", "-c", choose["run"]], env=env, check=True)
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values["sections"] == sections
    lock = subprocess.run(["cksum"], input=(ROOT / "requirements.lock").read_bytes(),
                          capture_output=True, check=True).stdout.split()[0].decode()  # fmt: skip
    name = sections.replace(" ", "-") or "base"
    assert values["key"] == f"agentic-optimizer-venv-Linux-X64-py3.11.9-{name}-{lock}"
    restore = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "venv")
    assert restore["with"]["key"] == "${{ steps.install.outputs.key }}"
