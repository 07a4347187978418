"""The Docker container action for real: podman builds the real Dockerfile (base swapped for the
Debian root file system .ci/setup-podman.sh bootstrapped) and runs its entrypoint on a sample
repository the way GitHub's runner runs a Docker action: the workspace, home, workflow and
file-command folders mounted under /github, the inputs as INPUT_* variables (hyphens kept), and
``--network none``. The summary and the outputs it wrote are read back on the host.

podman must be set up (bash .ci/setup-podman.sh, which scripts/test.sh runs): without it the
test skips locally and fails with CI=true. The setup script also builds the image once, so the
build here mostly reads podman's layer cache.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from action_runner import make_workspace, parse_outputs
from container_build import IMAGE, PODMAN, ROOT, build, podman_ready


@dataclass(frozen=True)
class ContainerRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    home: Path  # the host folder mounted at /github/home


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


@pytest.fixture(scope="module")
def image() -> str:
    missing = podman_ready()
    if missing:
        if in_ci():
            pytest.fail(f"CI=true: the container test may not skip: {missing}")
        pytest.skip(missing)
    done = build()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return IMAGE


def run_action(image: str, root: Path, workspace: Path, inputs: dict[str, str]) -> ContainerRun:
    """Start the image as GitHub's runner starts a Docker action."""
    temp = root / "_temp"
    folders = {name: temp / name for name in ("_github_home", "_github_workflow", "files")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    (folders["_github_workflow"] / "event.json").write_text(json.dumps({"schedule": "17 3 * * 1"}))
    (folders["files"] / "output").touch()
    (folders["files"] / "summary").touch()
    env = {
        "HOME": "/github/home", "CI": "true", "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "schedule", "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_WORKSPACE": "/github/workspace", "GITHUB_REPOSITORY": "octo/shop",
        "GITHUB_REF": "refs/heads/main", "GITHUB_OUTPUT": "/github/file_commands/output",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
        "RUNNER_TEMP": "/home/runner/work/_temp",  # the host's path, as the runner passes it
        "GITHUB_TOKEN": "ghs_containerProbeToken000000000000000",
        **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
    }  # fmt: skip
    mounts = {
        workspace: "/github/workspace",
        folders["_github_home"]: "/github/home",
        folders["_github_workflow"]: "/github/workflow",
        folders["files"]: "/github/file_commands",
    }
    argv = [*PODMAN, "run", "--rm", "--network", "none", "--workdir", "/github/workspace"]
    for host, inside in mounts.items():
        argv += ["--volume", f"{host}:{inside}"]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    done = subprocess.run([*argv, image], capture_output=True, text=True, timeout=900, check=False)
    return ContainerRun(
        done.returncode,
        done.stdout,
        done.stderr,
        parse_outputs((folders["files"] / "output").read_text(encoding="utf-8")),
        (folders["files"] / "summary").read_text(encoding="utf-8"),
        folders["_github_home"],
    )


def action_inputs() -> dict[str, str]:
    """Every input of container/action.yml at its default, as the runner passes them."""
    document = yaml.safe_load((ROOT / "container" / "action.yml").read_text(encoding="utf-8"))
    defaults = {name: str(spec.get("default", "")) for name, spec in document["inputs"].items()}
    defaults["github-token"] = ""  # the runner would put the workflow's token here
    return defaults


def test_the_entrypoint_runs_in_the_built_image_offline_and_reports_like_a_runner_expects(
    image: str, tmp_path: Path
) -> None:
    workspace = make_workspace(tmp_path)  # examples/shop, committed
    inputs = {**action_inputs(), "targets": "shop/receipts.py", "mode": "patch"}
    inputs |= {"validation-level": "quick", "max-agents": "2"}

    run = run_action(image, tmp_path, workspace, inputs)

    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    outputs = run.outputs
    assert outputs["command"] == "optimize"
    assert outputs["outcome"] == "completed"
    assert outputs["mode-used"] == "patch"
    assert int(outputs["accepted"]) + int(outputs["rejected"]) >= 1  # candidates were proved
    assert outputs["report-path"] == "/github/home/agentic-optimizer/report.json"
    report = json.loads((run.home / "agentic-optimizer" / "report.json").read_text())
    assert report["run"]["targets"] == ["shop/receipts.py"]
    assert {r["file"] for r in report["results"]} == {"shop/receipts.py"}
    assert run.summary.startswith("## agentic-optimizer:"), run.summary[:500]
    # No namespaces in a container: the run says so, and the rules method still ran.
    assert "no OS isolation" in json.dumps(report), report.get("run")


def test_an_llm_method_refuses_in_the_container_and_says_why(image: str, tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path)
    inputs = {**action_inputs(), "targets": "shop/receipts.py", "mode": "patch"}
    inputs["method"] = "test-driven"

    run = run_action(image, tmp_path, workspace, {**inputs, "llm-model": "openai/gpt-4o-mini"})

    assert run.returncode == 2, run.stdout[-4000:] + run.stderr[-4000:]
    assert "::error title=agentic-optimizer%3A candidates cannot be isolated::" in run.stdout
    assert "OPTIMIZER_UNSAFE_RUN_CANDIDATES_WITHOUT_ISOLATION" in run.stdout


def test_the_container_action_mirrors_the_composite_one() -> None:
    """Same inputs (without python and the LLM ones) with the same defaults, except where the
    container differs (out), and the same outputs."""
    composite = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    container = yaml.safe_load((ROOT / "container" / "action.yml").read_text(encoding="utf-8"))
    dropped = {"python", "llm-model", "llm-fallback", "budget-usd", "priority"}
    assert set(container["inputs"]) == set(composite["inputs"]) - dropped
    for name, spec in container["inputs"].items():
        if name != "out":
            assert spec.get("default") == composite["inputs"][name].get("default"), name
    assert set(container["outputs"]) == set(composite["outputs"])
    assert container["runs"] == {"using": "docker", "image": "../Dockerfile"}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    assert not [line for line in dockerfile if line.startswith("USER")]  # root, as GitHub asks
