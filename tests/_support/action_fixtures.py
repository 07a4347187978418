"""Fixtures of the Action and approval tests: one real scheduled run of the Action on examples/shop,
shared by the end-to-end tests (registered in tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import action_events as ev
import pytest
from action_runner import ActionRunner, Checkout, Optimized, copy_workspace, make_workspace
from fake_github import FakeGitHub


@pytest.fixture(scope="session")
def optimized(tmp_path_factory: pytest.TempPathFactory) -> Optimized:
    """``schedule`` on examples/shop in patch mode: the patches later tests approve."""
    root = tmp_path_factory.mktemp("optimized")
    workspace = make_workspace(root)
    runner = ActionRunner(root, workspace)
    run = runner.run(
        "schedule",
        ev.schedule(),
        inputs={"targets": "shop/**/*.py", "mode": "patch", "max-agents": "2"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return Optimized(workspace, runner.out, run)


@pytest.fixture
def checkout(optimized: Optimized, tmp_path: Path) -> Checkout:
    workspace = copy_workspace(optimized.workspace, tmp_path)
    runner = ActionRunner(tmp_path, workspace)
    shutil.copytree(optimized.out / "patches", runner.out / "patches")
    return Checkout(workspace, runner)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """The local GitHub server: the repository, its bot token, a maintainer and an outsider."""
    with FakeGitHub() as gh:
        gh.add_token(ev.TOKEN, login=ev.BOT)
        gh.add_repo(ev.FULL)
        gh.set_permission(ev.FULL, "maintainer", "write")
        gh.set_permission(ev.FULL, "outsider", "read")
        yield gh
