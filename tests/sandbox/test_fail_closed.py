"""Fail closed: below bubblewrap an LLM method refuses to start, through both doors (the CLI and
the Action's entrypoint), with exit 2 and a message that names the cause and the fix. (That the
unsafe variable lets it through is checked at each weak level by test_hostile_candidate.py; the
rules method runs at every level: the container test runs it at isolation none.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from action_runner import ActionRunner, make_workspace
from sandbox_probes import REPO_ROOT

from agentic_action.sandbox.policy import UNSAFE_VARIABLE

NO_ISOLATION = {"OPTIMIZER_SANDBOX": "none"}
LLM = {"OPTIMIZER_LLM_PROVIDER": "openai/gpt-4o-mini", "OPTIMIZER_LLM_API_KEY": "sk-probe"}


def optimize(repo: Path, method: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("OPTIMIZER_", "INPUT_"))}
    full |= {"PYTHONPATH": str(REPO_ROOT), "OPTIMIZER_WORKTREE_BASE": str(repo.parent / "wt")}
    return subprocess.run(
        [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo),
         "--targets", "shop/receipts.py", "--method", method, "--out", str(repo.parent / "out"),
         "--validation-level", "quick"],
        env=full | env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_cli_refuses_an_llm_method_without_isolation_and_says_how_to_fix_it(
    tmp_path: Path,
) -> None:
    done = optimize(make_workspace(tmp_path), "test-driven", NO_ISOLATION | LLM)
    assert done.returncode == 2, done.stderr[-3000:]
    message = done.stderr
    assert "method 'test-driven' runs code an LLM wrote" in message
    assert "(isolation 'none')" in message
    assert "OPTIMIZER_SANDBOX=none switched the isolation off" in message
    assert "scripts/setup-sandbox.sh" in message and f"{UNSAFE_VARIABLE}=true" in message
    assert not (tmp_path / "out" / "report.json").exists()  # refused before any work


def test_the_action_refuses_it_with_an_error_annotation(tmp_path: Path) -> None:
    runner = ActionRunner(tmp_path, make_workspace(tmp_path))
    run = runner.run(
        "schedule",
        {"schedule": "17 3 * * 1"},
        inputs={"method": "test-driven", "llm-model": "openai/gpt-4o-mini", "mode": "patch"},
        env=NO_ISOLATION,
    )
    assert run.returncode == 2, run.stdout[-3000:] + run.stderr[-3000:]
    errors = run.commands("error")
    assert [e.properties.get("title") for e in errors] == [
        "agentic-optimizer: candidates cannot be isolated"
    ]
    assert UNSAFE_VARIABLE in errors[0].data
