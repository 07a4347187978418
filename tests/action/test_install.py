"""scripts/install-action.sh, the one install of action.yml and the Dockerfile, run for real.

The script runs in a copy of exactly the files the Dockerfile COPYs into the image, so the
image's install is the one tested here (only the base image differs).

Offline: the new venv sees this project's tested venv through a .pth file, so every pinned
requirement is already satisfied and pip downloads nothing; the package itself is built from
the copy, its build backend coming from the machine's local package index. Without such an
index the test is skipped (it never reaches the internet).
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL_INDEX = Path(os.environ.get("AO_TEST_LOCAL_INDEX", "/opt/pypi/simple"))


@pytest.mark.skipif(
    not (LOCAL_INDEX / "setuptools").is_dir(),
    reason=f"no local package index at {LOCAL_INDEX} (set AO_TEST_LOCAL_INDEX)",
)
def test_install_script_builds_a_venv_that_runs_the_entrypoint(tmp_path: Path) -> None:
    source = docker_context(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    tested = site.getsitepackages()[0]
    (venv / "lib" / version / "site-packages" / "zz-tested.pth").write_text(tested + "\n")
    env = {
        **os.environ,
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": LOCAL_INDEX.as_uri(),
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
    }
    done = subprocess.run(
        ["sh", str(source / "scripts" / "install-action.sh"), sys.executable, str(venv)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "agentic-optimizer 0.1.0 installed in" in done.stdout
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import agentic_action.action, pathlib; print(pathlib.Path(agentic_action.__file__))"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert str(venv) in installed.stdout  # the package came from the install, not the source tree
    event = tmp_path / "event.json"
    event.write_text("{}")
    entry = subprocess.run(
        [str(venv / "bin" / "python"), str(source / "entrypoint.py")],
        env={**os.environ, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(event)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert entry.returncode == 2
    assert "::error title=agentic-optimizer%3A unsupported event::" in entry.stdout


def docker_context(target: Path) -> Path:
    """The files the Dockerfile copies, at the same relative paths."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for item in line.split():
            src, dst = ROOT / item.rstrip("/"), target / item.rstrip("/")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, dst)
    return target


def test_install_script_refuses_wrong_usage(tmp_path: Path) -> None:
    done = subprocess.run(
        ["sh", str(ROOT / "scripts" / "install-action.sh")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "usage:" in done.stderr
