"""A hostile candidate under every isolation level this machine can produce (tests/_support/
hostile.py): root with bubblewrap, a simulated hosted runner (uid 1001) after the Action's
isolation step, root without bubblewrap (unshare), OPTIMIZER_SANDBOX=none, and a simulated
hosted runner whose user namespaces are denied (as AppArmor does on ubuntu-24.04).

Goal: nothing read, written or sent. Where a level cannot hide something, the LLM methods refuse
to run there. Whatever the level, no process environment the candidate can open holds a secret.
benchmarks/hostile_candidate.py prints the same figures as a table.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from hostile import Findings, attack, listener, make_layout, runners

from agentic_action.sandbox.policy import UNSAFE_VARIABLE

EXPECTED_LEVELS = {
    "root, bubblewrap": "bwrap",
    "hosted runner after isolation set-up (uid 1001)": "bwrap",
    "root, no bubblewrap": "unshare-net",
    "OPTIMIZER_SANDBOX=none": "none",
    "hosted runner, user namespaces denied (uid 1001)": "none",
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Findings]:
    from sandbox_probes import host_dir_outside_tmp

    with host_dir_outside_tmp() as root:
        assert root is not None, "no writable directory outside /tmp for the runner's layout"
        layout = make_layout(root, tmp_path_factory.mktemp("hostile") / "worktree")
        with listener() as (port, received), ThreadPoolExecutor(len(EXPECTED_LEVELS)) as pool:
            jobs = [
                pool.submit(attack, runner, layout, port, received)
                for runner in runners(root / "scratch")
            ]
            return {job.result().runner: job.result() for job in jobs}


def test_each_simulated_runner_gets_the_isolation_level_it_can(
    findings: dict[str, Findings],
) -> None:
    assert {name: f.isolation for name, f in findings.items()} == EXPECTED_LEVELS


def test_no_process_environment_holds_a_secret_at_any_level(
    findings: dict[str, Findings],
) -> None:
    assert {name: f.environ for name, f in findings.items()} == {name: {} for name in findings}


def test_under_bubblewrap_the_candidate_reads_writes_and_sends_nothing(
    findings: dict[str, Findings],
) -> None:
    for name, level in EXPECTED_LEVELS.items():
        if level == "bwrap":
            found = findings[name]
            assert found.clean, found
            assert found.llm_gate == ""  # so LLM methods run here


def test_where_a_level_leaves_something_visible_llm_methods_refuse(
    findings: dict[str, Findings],
) -> None:
    weak = [f for name, f in findings.items() if EXPECTED_LEVELS[name] != "bwrap"]
    assert len(weak) == 3
    for found in weak:
        # The probe really does find what these levels leave open: the checkout's token in
        # .git/config and the runner temp's credentials file, and writes outside its worktree.
        assert any(path.endswith(".git/config") for path in found.files), found
        assert any("_temp" in path for path in found.files), found
        assert found.written, found
        # ... and that is why an LLM method refuses to start there, saying why and what to do.
        assert f"(isolation {found.isolation!r})" in found.llm_gate
        assert "setup-sandbox.sh" in found.llm_gate
        assert UNSAFE_VARIABLE in found.llm_gate
        assert found.unsafe_gate == ""  # the explicit unsafe setting lets it run anyway
    sent = {f.runner: f.sent for f in weak}
    assert sent == {  # unshare still hides the network
        "root, no bubblewrap": False,
        "OPTIMIZER_SANDBOX=none": True,
        "hosted runner, user namespaces denied (uid 1001)": True,
    }


def test_the_hosted_runner_without_user_namespaces_says_apparmor_is_the_cause(
    findings: dict[str, Findings],
) -> None:
    gate = findings["hosted runner, user namespaces denied (uid 1001)"].llm_gate
    assert "kernel.apparmor_restrict_unprivileged_userns=1" in gate
    assert "method 'test-driven'" in gate


def test_the_findings_went_to_our_server_only_where_the_network_was_open(
    findings: dict[str, Findings],
) -> None:
    for found in findings.values():
        assert bool(found.received) == found.sent, found.runner
