"""Weaker isolation is reported honestly, and what still holds there is proven."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sandbox_probes import (
    REPO_ROOT,
    SECRETS,
    VISIBLE,
    env_probe,
    kill_marked,
    run_hostile,
    survivors,
)

LEVEL_PROBE = (
    "import json\n"
    "from agentic_action.sandbox.runner import isolation_description, isolation_level\n"
    "print(json.dumps([isolation_level(), isolation_description()]))\n"
)


def level_in_subprocess(env: dict[str, str]) -> list[str]:
    """isolation_level() is cached per process, so each setting needs a fresh interpreter."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", LEVEL_PROBE],
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[str] = json.loads(done.stdout)
    return result


def only_unshare_on_path(tmp_path: Path) -> str:
    """A PATH where bubblewrap is missing but unshare is there."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("unshare", "true"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not installed")
        (folder / tool).symlink_to(found)
    return str(folder)


def test_optimizer_sandbox_none_turns_isolation_off_and_says_so() -> None:
    level, description = level_in_subprocess({"OPTIMIZER_SANDBOX": "none"})
    assert level == "none"
    assert "no OS isolation" in description


def test_secrets_are_scrubbed_even_without_os_isolation(tmp_path: Path) -> None:
    env = {**SECRETS, VISIBLE[0]: VISIBLE[1], "OPTIMIZER_SANDBOX": "none"}
    outcome = run_hostile(env_probe(), tmp_path, env=env)
    assert outcome.isolation == "none"
    report = outcome.report
    assert report["env_names"] == []
    assert report["own_environ"] == []
    assert report["own_environ_has_visible"] is True


def test_without_bubblewrap_unshare_still_hides_the_network_and_the_parent(
    tmp_path: Path,
) -> None:
    path = only_unshare_on_path(tmp_path)
    level, description = level_in_subprocess({"PATH": path})
    if level != "unshare-net":
        pytest.skip(f"unshare does not work here (needs root); level is {level}")
    assert "NOT isolated" in description
    code = env_probe().replace("print(json.dumps({", "print(json.dumps({'net': net(), ")
    code = "import socket\n" + NET_FUNCTION + code
    outcome = run_hostile(code, tmp_path, env={**SECRETS, "PATH": path})
    assert outcome.isolation == "unshare-net"
    report = outcome.report
    assert report["parent_environ"] == "FileNotFoundError"
    assert report["proc_leaks"] == {}
    assert report["net"] != "connected"


NET_FUNCTION = """
def net():
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=2)  # TEST-NET-1, never routed
        return "connected"
    except OSError as error:
        return type(error).__name__
"""


def test_without_bubblewrap_unshare_still_kills_escaped_grandchildren(tmp_path: Path) -> None:
    path = only_unshare_on_path(tmp_path)
    if level_in_subprocess({"PATH": path})[0] != "unshare-net":
        pytest.skip("unshare does not work here (needs root)")
    marker = f"agentic-marker-{uuid.uuid4().hex}"
    code = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', "
        f"'# {marker}\\nimport time; time.sleep(600)'], start_new_session=True)\n"
        "while True:\n    time.sleep(1)\n"
    )
    try:
        outcome = run_hostile(code, tmp_path, timeout=2, env={"PATH": path})
        assert outcome.timed_out
        assert survivors(marker) == []
    finally:
        kill_marked(marker)
