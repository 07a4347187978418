"""chaos: faults injected into real sandboxed test runs; fixes proven by the gate and a rerun."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply
from methods_world import Project, fake_router, fenced

from agentic_action.methods._workspace import Workspace, private_copy
from agentic_action.methods.chaos import ChaosMethod
from agentic_action.methods.llm_base import MethodSettings
from agentic_action.methods.registry import get_method
from agentic_action.model import FunctionTarget

ATOMIC = """import os
import tempfile


def save_lines(path, lines):
    directory = os.path.dirname(os.fspath(path)) or "."
    fd, tmp = tempfile.mkstemp(dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            for line in lines:
                handle.write(line + "\\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
"""
STILL_PARTIAL = """def save_lines(path, lines):
    handle = open(path, "w")
    try:
        for line in lines:
            handle.write(line + "\\n")
    finally:
        handle.close()
"""
SETTINGS = {"rounds": 1, "candidates": 3}


def test_a_partial_write_that_loses_data_is_found_and_only_a_real_fix_is_accepted(
    project: Project, server: FakeOpenAI, state_dir: Path
) -> None:
    server.script(
        Reply("Use an atomic write."),  # prose: rejected before any fault rerun
        Reply(fenced(STILL_PARTIAL, "Close the file in finally.")),
        Reply(fenced(ATOMIC, "Write to a temporary file, then rename.")),
    )
    method = get_method("chaos", router=fake_router(server, state_dir), config=SETTINGS)
    target = project.target("pkg/store.py", "save_lines")
    outcome = method.optimize(target, project.source("pkg/store.py"), project.ctx)

    assert outcome.data["probe"] == {"tests": 1, "uses": ["file-write"]}
    assert outcome.data["faults"] == {
        "io-error": {"error-raised": 1},
        "partial-write": {"lost-data": 1},
        "too-many-files": {"error-raised": 1},
    }
    finding = outcome.data["findings"]["partial-write"]
    assert "lost-data in tests/test_store.py::test_save_lines" in finding
    assert "left a partially written file: <tmp>/out.txt" in finding
    prompt = server.chat_requests()[0].messages[1]["content"]
    assert "partial-write: the first write to a file opened for writing" in prompt
    assert finding in prompt

    prose, still, fixed = outcome.attempts
    assert [c.name for c in prose.verdict.checks] == ["answer"]
    assert prose.verdict.checks[0].data["reason"] == "no-code"
    assert not still.accepted
    assert still.verdict.reason.startswith("chaos-faults failed: partial-write: still fails badly")
    assert fixed.accepted and outcome.chosen is fixed
    assert fixed.candidate.purpose == "robustness"
    check = next(c for c in fixed.verdict.checks if c.name == "chaos-faults")
    assert check.data["resolved"] == ["partial-write"]
    assert check.data["faults"]["partial-write"]["candidate"] == {"error-raised": 1}
    suite = next(c for c in fixed.verdict.checks if c.name == "full-suite")
    assert suite.outcome.value == "passed"  # behaviour without faults
    assert outcome.data["resolved"] == ["partial-write"]

    # Rerun on unchanged code (one fix asked, to keep the test short): the same findings give
    # the same prompt, answered by the cache (with the same unusable prose).
    asked = len(server.requests)
    rerun = get_method("chaos", router=fake_router(server, state_dir), config={"candidates": 1})
    again = rerun.optimize(target, project.source("pkg/store.py"), project.ctx)
    assert len(server.requests) == asked
    assert again.data["llm"]["tokens"] == 0 and again.data["llm"]["cached"] == 1
    assert again.data["findings"] == outcome.data["findings"]
    assert [p.verdict.reason for p in again.attempts] == [prose.verdict.reason]


def test_code_that_handles_every_fault_costs_no_llm_call(
    project: Project, server: FakeOpenAI
) -> None:
    method = get_method("chaos", router=fake_router(server))
    target = project.target("pkg/store.py", "load_lines")
    outcome = method.optimize(target, project.source("pkg/store.py"), project.ctx)
    assert outcome.note == "chaos: no fault made it fail badly (tried: io-error, too-many-files)"
    assert outcome.data["faults"] == {"io-error": {"handled": 1}, "too-many-files": {"handled": 1}}
    assert server.chat_requests() == [] and outcome.attempts == []


FAULTY = """import socket
import subprocess


def version():
    return subprocess.run(["python3", "--version"], capture_output=True, text=True).stdout


def version_with_timeout():
    done = subprocess.run(["python3", "--version"], capture_output=True, text=True, timeout=5)
    return done.stdout


def fetch(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        return conn.recv(16)


def fetch_with_retry(port):
    for attempt in range(3):
        try:
            return fetch_once(port)
        except ConnectionError:
            if attempt == 2:
                raise


def fetch_once(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        return conn.recv(16)


def parse_config(path):
    try:
        text = open(path).read()
    except OSError:
        text = None
    return text.split("=")
"""
FAULTY_TESTS = """import socket
import threading

import pytest
from faulty import fetch, fetch_with_retry, parse_config, version, version_with_timeout


@pytest.fixture
def port():
    server = socket.create_server(("127.0.0.1", 0))
    def serve():
        for _ in range(4):
            conn, _ = server.accept()
            conn.sendall(b"hello")
            conn.close()
    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def test_version():
    assert version().startswith("Python")


def test_version_with_timeout():
    assert version_with_timeout().startswith("Python")


def test_fetch(port):
    assert fetch(port) == b"hello"


def test_fetch_with_retry(port):
    assert fetch_with_retry(port) == b"hello"


def test_parse_config(tmp_path):
    (tmp_path / "c.ini").write_text("a=1")
    assert parse_config(tmp_path / "c.ini") == ["a", "1"]
"""


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("faulty")
    (root / "faulty.py").write_text(FAULTY)
    (root / "test_faulty.py").write_text(FAULTY_TESTS)
    with private_copy(root) as workspace:
        yield workspace


@pytest.mark.parametrize(
    ("qualname", "fault", "expected"),
    [
        ("version", "subprocess-slow", {"hang": 1}),
        ("version_with_timeout", "subprocess-slow", {"error-raised": 1}),
        ("fetch", "network-error", {"unhandled-transient": 1}),
        ("fetch_with_retry", "network-error", {"handled": 1}),
        ("fetch", "network-slow", {"error-raised": 1}),  # it sets a timeout: a clean TimeoutError
        ("parse_config", "io-error", {"crash": 1}),  # None.split after swallowing the error
    ],
)
def test_each_fault_is_injected_only_into_the_target_and_judged(
    faulty: Workspace, qualname: str, fault: str, expected: dict[str, int]
) -> None:
    method = ChaosMethod(None, MethodSettings(slow_seconds=0.05))
    target = FunctionTarget("faulty.py", qualname, 1, 1)
    run = method._plan(faulty.tree, faulty, target, fault, None)
    assert run.error == ""
    assert run.classes() == expected
    # every other test still passed: the fault only reached the target's own calls
    others = {t for t in run.passed if not t.endswith(f"::test_{qualname}")}
    assert len(others) == 4
