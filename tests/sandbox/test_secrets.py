"""A hostile child cannot read the secrets of the process that runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepos import git, make_repo
from sandbox_probes import SECRETS, VISIBLE, env_probe, run_hostile

from agentic_action.sandbox.runner import isolation_level


def test_secret_variables_of_the_parent_are_not_in_the_childs_environment(tmp_path: Path) -> None:
    outcome = run_hostile(env_probe(), tmp_path, env={**SECRETS, VISIBLE[0]: VISIBLE[1]})
    report = outcome.report
    assert report["env_names"] == []
    assert report["env_values"] == []
    assert report["own_environ"] == []
    assert report["own_environ_has_visible"] is True  # the probe does see what is there


def test_no_process_environ_the_child_can_open_holds_a_secret(tmp_path: Path) -> None:
    outcome = run_hostile(env_probe(), tmp_path, env={**SECRETS, VISIBLE[0]: VISIBLE[1]})
    report = outcome.report
    assert report["environs_scanned"] >= 1  # at least its own: the scan works
    assert report["proc_leaks"] == {}


def test_the_environ_of_the_parent_holding_the_secrets_is_out_of_reach(tmp_path: Path) -> None:
    if isolation_level() == "none":
        pytest.skip("no process namespace at isolation 'none': /proc/<parent>/environ is readable")
    outcome = run_hostile(env_probe(), tmp_path, env=SECRETS)
    # The parent's pid does not exist in the child's process namespace.
    assert outcome.report["parent_environ"] in ("FileNotFoundError", "PermissionError")


FILE_PROBE = """
import json, subprocess
paths = {paths!r}
seen = {{}}
for path in paths:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            seen[path] = handle.read()
    except OSError as error:
        seen[path] = type(error).__name__
log = subprocess.run(["git", "log", "--format=%s"], capture_output=True, text=True)
print(json.dumps({{"seen": seen, "git_log": log.stdout.strip(), "git_rc": log.returncode}}))
"""

TOKEN_IN_FILES = "ghp_probeTokenKeptInAFile000000000000000"


def credential_home(root: Path) -> Path:
    home = root / "home"
    files = {
        ".git-credentials": f"https://x-access-token:{TOKEN_IN_FILES}@github.com\n",
        ".netrc": f"machine github.com login x password {TOKEN_IN_FILES}\n",
        ".ssh/id_ed25519": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{TOKEN_IN_FILES}\n",
        ".config/gh/hosts.yml": f"github.com:\n    oauth_token: {TOKEN_IN_FILES}\n",
        ".docker/config.json": f'{{"auths": {{"ghcr.io": {{"auth": "{TOKEN_IN_FILES}"}}}}}}',
    }
    for rel, text in files.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(text, encoding="utf-8")
    return home


def test_credential_files_in_home_and_the_checkout_token_in_git_config_are_hidden(
    outside_tmp: Path,
) -> None:
    if isolation_level() != "bwrap":
        pytest.skip(f"file-system isolation needs bubblewrap; here: {isolation_level()}")
    home = credential_home(outside_tmp)
    repo = make_repo(outside_tmp / "repo", {"mod.py": "x = 1\n"}, message="first commit")
    # What actions/checkout leaves behind with its default persist-credentials: true.
    header = f"AUTHORIZATION: basic {TOKEN_IN_FILES}"
    git(repo, "config", "http.https://github.com/.extraheader", header)
    worktree = outside_tmp / "wt"
    git(repo, "worktree", "add", "-q", str(worktree))
    paths = [str(p) for p in home.rglob("*") if p.is_file()] + [str(repo / ".git" / "config")]

    outcome = run_hostile(FILE_PROBE.format(paths=paths), worktree, env={"HOME": str(home)})

    report = outcome.report
    seen = report["seen"]
    assert isinstance(seen, dict) and len(seen) == 6
    assert [path for path, text in seen.items() if TOKEN_IN_FILES in text] == []
    # git still works in the worktree: the repository itself is visible, its config is empty.
    assert report["git_rc"] == 0
    assert report["git_log"] == "first commit"
    # and nothing changed on the host
    assert TOKEN_IN_FILES in (repo / ".git" / "config").read_text(encoding="utf-8")
