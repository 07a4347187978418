"""The Action's isolation step (scripts/setup-sandbox.sh) and what it reports, run for real: here
(root, bubblewrap works) and on a simulated hosted runner (uid 1001, no sudo, user namespaces
denied), where it can change nothing and says that the LLM methods will refuse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from hostile import machine
from sandbox_probes import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "setup-sandbox.sh"


def setup(wrapper: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPTIMIZER_SANDBOX"}
    env |= {"GITHUB_ACTIONS": "true", "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [*wrapper, "bash", str(SCRIPT), sys.executable],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_where_bubblewrap_works_the_step_reports_full_isolation() -> None:
    done = setup()
    assert done.returncode == 0, done.stderr
    assert "setup-sandbox: bubblewrap works" in done.stderr
    found = json.loads(done.stdout.splitlines()[0])
    assert found["isolation"] == "bwrap"
    assert found["llm_methods"] == "run"
    assert "::notice title=agentic-optimizer isolation::bwrap" in done.stdout


def test_a_runner_without_user_namespaces_or_sudo_gets_a_warning_naming_the_cause() -> None:
    done = setup(machine(uid=1001, userns=False))
    assert done.returncode == 0, done.stderr  # the run itself refuses what must not run
    assert "no root or password-less sudo" in done.stderr
    found = json.loads(done.stdout.splitlines()[0])
    assert found["isolation"] == "none"
    assert found["missing"] == ["file system", "network", "processes"]
    assert found["llm_methods"] == "refused"
    warning = done.stdout.splitlines()[1]
    assert warning.startswith("::warning title=agentic-optimizer isolation::none: ")
    assert "kernel.apparmor_restrict_unprivileged_userns=1" in warning


def test_the_action_sets_up_isolation_before_it_runs_and_execs_the_entrypoint() -> None:
    action = yaml.safe_load(Path(REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    names = [step.get("run", "") for step in steps]
    setup_at = next(i for i, run in enumerate(names) if "scripts/setup-sandbox.sh" in run)
    run_at = next(i for i, step in enumerate(steps) if step.get("id") == "run")
    assert setup_at < run_at
    assert steps[setup_at]["env"]["AO_VENV"] == steps[run_at]["env"]["AO_VENV"]
    assert '"$AO_VENV/bin/python"' in names[setup_at]  # the probe runs with the action's venv
    # No shell stays behind holding INPUT_GITHUB_TOKEN in its environment.
    last = names[run_at].strip().splitlines()[-1]
    assert last.startswith('exec "$AO_VENV/bin/python" ') and "entrypoint.py" in last
