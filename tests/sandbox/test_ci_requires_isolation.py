"""CI cannot go green without testing isolation: with CI=true a skipped isolation test fails.

The suite is run again on two isolation tests with the isolation switched off
(OPTIMIZER_SANDBOX=none), which makes one skip through its ``skipif`` mark and the other through
``pytest.skip`` in its body: outside CI both skip, with CI=true both fail the run, saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys

from sandbox_probes import REPO_ROOT

NEEDS_ISOLATION = [
    "tests/sandbox/test_filesystem.py::test_the_childs_tmp_is_private",  # skipif mark
    "tests/sandbox/test_limits.py::test_a_background_process_left_by_a_finished_child_is_killed",
]


def start_suite(ci: bool) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    env["OPTIMIZER_SANDBOX"] = "none"
    if ci:
        env["CI"] = "true"
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-rfs", *NEEDS_ISOLATION],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_a_skipped_isolation_test_fails_in_ci_and_only_skips_elsewhere() -> None:
    runs = {ci: start_suite(ci) for ci in (False, True)}
    (local, _), (ci, _) = (
        runs[False].communicate(timeout=300),
        runs[True].communicate(timeout=300),
    )

    assert runs[False].returncode == 0, local
    assert "2 skipped" in local, local

    assert runs[True].returncode == 1, ci
    assert "1 failed, 1 error" in ci, ci  # a skip at set-up fails as an error
    for reason in ("file-system isolation needs bubblewrap", "without a process namespace"):
        assert f"CI=true: an isolation test may not skip ({reason}" in ci, ci
