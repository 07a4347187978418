"""An interpreter in a virtualenv under the system temp dir starts inside the sandbox, also when
a launcher (``setarch`` for the benchmark workers) runs it: the private /tmp must not hide it."""

from __future__ import annotations

import shutil
import tempfile
import venv
from pathlib import Path

from agentic_action.prove.benchmark._sides import fixed_layout_prefix
from agentic_action.sandbox.runner import run_sandboxed


def test_a_venv_under_tmp_runs_behind_a_launcher() -> None:
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as work:
        env_dir = Path(folder) / "venv"
        venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
        python = str(env_dir / "bin" / "python")
        launcher = fixed_layout_prefix() or (shutil.which("env") or "/usr/bin/env",)
        argv = [*launcher, python, "-c", "import sys; print(sys.prefix)"]
        result = run_sandboxed(argv, cwd=Path(work), timeout=60)
        assert result.returncode == 0, result.tail()
        assert result.stdout.strip() == str(env_dir)
