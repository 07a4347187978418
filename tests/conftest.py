"""Shared fixtures and suite-wide hooks. Test helpers live in tests/_support (on sys.path via
pytest's pythonpath)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

# Never let anything under test reach the internet or a user's real configuration.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# The local fake GitHub needs no pause between writes (the real one gets ~1 s, the default).
os.environ.setdefault("OPTIMIZER_GITHUB_WRITE_SPACING", "0")
os.environ.setdefault("SEMGREP_ENABLE_VERSION_CHECK", "0")
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
os.environ.setdefault("GIT_AUTHOR_NAME", "Test Author")
os.environ.setdefault("GIT_AUTHOR_EMAIL", "author@example.invalid")
os.environ.setdefault("GIT_COMMITTER_NAME", "Test Author")
os.environ.setdefault("GIT_COMMITTER_EMAIL", "author@example.invalid")

# Fixtures shared by more than one test folder (each folder mirrors one package).
from action_fixtures import checkout, github, optimized  # noqa: F401
from history_fixtures import recorded_run, tiny_repo  # noqa: F401
from oracle_fixtures import candidate, recorded  # noqa: F401

TESTS = Path(__file__).resolve().parent

# --- CI must test isolation -------------------------------------------------------------------
# The sandbox tests skip where bubblewrap or unshare is missing (a laptop without them, a
# container that forbids namespaces). In CI (CI=true) such a skip means isolation went untested,
# so it is reported as a failure instead: every skip under tests/sandbox/, and a skip anywhere
# whose reason names the isolation tools.
ISOLATION_TESTS = TESTS / "sandbox"
ISOLATION_WORDS = re.compile(r"bwrap|bubblewrap|unshare|isolation", re.IGNORECASE)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def isolation_skip(item: pytest.Item, reason: str) -> bool:
    """Whether skipping ``item`` for ``reason`` leaves part of the sandbox's isolation untested."""
    return item.path.is_relative_to(ISOLATION_TESTS) or bool(ISOLATION_WORDS.search(reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        reason = _skip_reason(report)
        if isolation_skip(item, reason):
            report.outcome = "failed"
            report.longrepr = (
                f"CI=true: an isolation test may not skip ({reason}). CI must prove the "
                "sandbox: install bubblewrap (scripts/test.sh does, as root with apt-get) and "
                "check that `bwrap --ro-bind / / true` works on the runner."
            )
    return report


# --- Parallel runs (pytest -n, see scripts/test.sh) --------------------------------------------
# Tests that share a fixture built once per session or module run on one xdist worker
# (--dist loadgroup): otherwise each worker would build the expensive ones (a whole Action run,
# an IPFS daemon, a recorded optimization run) again, and a module's fixture once per worker it
# is spread over. Everything else is spread freely, the groups first (largest first), and last
# the tests that need the IPFS node while its set-up still runs (see "waiting for IPFS" below).
#
# xdist's own loadgroup passes a group by appending "@group" to the test's id, which pytest 9.2
# no longer lets a plugin change (pytest-dev/pytest-xdist#1386): groups silently vanish. So the
# workers write the groups they computed at collection into a folder the controller made, and
# the controller schedules with them (explicit xdist_group marks are honoured the same way).
GROUPS_DIR = pytest.StashKey[Path]()
GROUPS_INPUT = "shared_fixture_groups_dir"


def _shared_keys(item: pytest.Item) -> set[str]:
    """The shared fixtures of ours ``item`` uses: session ones by name, narrower ones by module."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    keys = set()
    module = item.nodeid.split("::")[0]
    for name in info.names_closure:
        for fixturedef in info.name2fixturedefs.get(name, ()):
            code = getattr(fixturedef.func, "__code__", None)
            if code is None or not Path(code.co_filename).is_relative_to(TESTS):
                continue  # pytest's own and plugins' fixtures (tmp_path_factory...) are cheap
            if fixturedef.scope == "session":
                keys.add(f"session:{name}")
            elif fixturedef.scope in ("package", "module", "class"):
                keys.add(f"module:{module}")
    return keys


def shared_fixture_groups(items: list[pytest.Item]) -> dict[str, str]:
    """Test id -> group: tests sharing an expensive fixture (directly, or through another test
    that shares another one with them) form one group; a test's xdist_group mark wins."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    item_keys = [(item, sorted(_shared_keys(item))) for item in items]
    for _, keys in item_keys:
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
    groups = {}
    for item, keys in item_keys:
        mark = item.get_closest_marker("xdist_group")
        if mark is not None:
            groups[item.nodeid] = str(mark.args[0] if mark.args else mark.kwargs.get("name"))
        elif keys:
            groups[item.nodeid] = find(keys[0])
    return groups


def pytest_configure(config: pytest.Config) -> None:
    is_controller = not hasattr(config, "workerinput")
    if is_controller and getattr(config.option, "dist", "no") == "loadgroup":
        config.stash[GROUPS_DIR] = Path(tempfile.mkdtemp(prefix="pytest-groups-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if GROUPS_DIR in config.stash:
        shutil.rmtree(config.stash[GROUPS_DIR], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:  # xdist's WorkerController
    if GROUPS_DIR in node.config.stash:
        node.workerinput[GROUPS_INPUT] = str(node.config.stash[GROUPS_DIR])


@pytest.hookimpl(trylast=True)  # the final test ids, after every other plugin
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: hand the groups to the controller, and put the tests in the order
    they are to be handed out (every worker collects the same, so every worker sorts the same)."""
    workerinput = getattr(config, "workerinput", {})
    if GROUPS_INPUT not in workerinput:
        return
    groups = shared_fixture_groups(items)
    folder = Path(workerinput[GROUPS_INPUT])
    written = folder / f"{workerinput['workerid']}.json.part"
    written.write_text(json.dumps(groups), encoding="utf-8")
    written.rename(written.with_suffix(""))  # whole before the controller schedules

    members: dict[str, list[pytest.Item]] = {}
    for item in items:
        members.setdefault(groups.get(item.nodeid, item.nodeid), []).append(item)
    # (Whether the set-up is still running is not asked here: every worker must sort the same.)
    waiting = bool(os.environ.get(IPFS_READY))
    late = {name for name, group in members.items() if waiting and any(map(needs_ipfs, group))}
    order = sorted(members, key=lambda name: (name in late, -len(members[name])))  # stable
    items[:] = [item for name in order for item in members[name]]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if GROUPS_DIR not in config.stash:
        return None
    from xdist.scheduler import LoadGroupScheduling

    folder = config.stash[GROUPS_DIR]

    class SharedFixtureScheduling(LoadGroupScheduling):
        """loadgroup with the groups the workers wrote (read once all collected: scheduling
        starts only then), handed out in the workers' order."""

        groups: dict[str, str] | None = None

        def schedule(self) -> None:
            self.config.option.loadscopereorder = False  # the workers sorted them already
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                self.groups = {}
                for written in sorted(folder.glob("*.json")):
                    self.groups.update(json.loads(written.read_text(encoding="utf-8")))
            return self.groups.get(nodeid) or super()._split_scope(nodeid)

    return SharedFixtureScheduling(config, log)


# --- Waiting for IPFS --------------------------------------------------------------------------
# On a fresh clone scripts/test.sh starts pytest while .ci/setup-ipfs.sh (minutes of npm) may
# still run, and says so with AO_TEST_IPFS_READY: the file that appears once that set-up is over.
# The tests that need the node run last and wait for it; whether it then works is theirs to say.
IPFS_READY = "AO_TEST_IPFS_READY"
IPFS_FIXTURES = frozenset({"ipfs_node", "ipfs_add_cids"})  # the node; its `add` importer
IPFS_WAIT_SECONDS = 20 * 60


def ipfs_pending() -> bool:
    ready = os.environ.get(IPFS_READY)
    return bool(ready) and not Path(ready).exists()


def needs_ipfs(item: pytest.Item) -> bool:
    return not IPFS_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if needs_ipfs(item) and ipfs_pending():
        deadline = time.monotonic() + IPFS_WAIT_SECONDS
        while ipfs_pending() and time.monotonic() < deadline:
            time.sleep(0.5)
