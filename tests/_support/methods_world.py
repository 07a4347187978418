"""A real project for the LLM methods: a git repository, its baseline, the run's proof services.

    with method_project(tmp_path, FILES) as project:
        target = project.target("pkg/mod.py", "evens")
        outcome = method.optimize(target, project.source("pkg/mod.py"), project.ctx)

Everything is real: the repository is a git repo, the baseline runs pytest with per-test coverage
in the sandbox, ``project.ctx.prove`` checks candidates in fresh worktrees through the gate.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fake_openai import FakeOpenAI
from gitrepos import make_repo

from agentic_action.agents import AgentContext, ProofServices
from agentic_action.baseline.suite import run_baseline
from agentic_action.llm import LLMConfig, Router, open_router
from agentic_action.model import FunctionTarget
from agentic_action.prove.gate import GateConfig
from agentic_action.prove.plan import ProofPlan
from agentic_action.record import record_inputs
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.workspace import Repository, Worktrees

# The project the method tests and benchmarks/methods_llm.py work on.
MOD = """def evens(values: list[int], strict: bool = False) -> list[int]:
    if strict and not values:
        raise ValueError("no values")
    out = []
    for v in values:
        if v % 2 == 0:
            out.append(v)
    return out


def has_dup(values: list[int]) -> bool:
    seen = []
    for v in values:
        if v in seen:
            return True
        seen.append(v)
    return False
"""
STORE = """def save_lines(path, lines):
    with open(path, "w") as handle:
        for line in lines:
            handle.write(line + "\\n")


def load_lines(path):
    try:
        with open(path) as handle:
            return handle.read().splitlines()
    except OSError:
        return []
"""
TEST_MOD = """from pkg.mod import evens, has_dup


def test_evens():
    assert evens([1, 2, 3, 4]) == [2, 4]


def test_has_dup():
    assert has_dup([1, 2, 1])
    assert not has_dup([1, 2, 3])
"""
TEST_STORE = """from pkg.store import load_lines, save_lines


def test_save_lines(tmp_path):
    target = tmp_path / "out.txt"
    save_lines(target, ["a", "b"])
    assert target.read_text() == "a\\nb\\n"


def test_load_lines(tmp_path):
    target = tmp_path / "in.txt"
    target.write_text("x\\ny\\n")
    assert load_lines(target) == ["x", "y"]
    assert load_lines(tmp_path / "missing.txt") == []
"""
PROJECT_FILES = {
    "pkg/__init__.py": "",
    "pkg/mod.py": MOD,
    "pkg/store.py": STORE,
    "tests/test_mod.py": TEST_MOD,
    "tests/test_store.py": TEST_STORE,
}


@dataclass
class Project:
    repo: Path
    services: ProofServices
    ctx: AgentContext
    files: dict[str, str] = field(default_factory=dict)

    def target(self, file: str, qualname: str) -> FunctionTarget:
        tree = ast.parse(self.files[file])
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == qualname.split(".")[-1]:
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                return FunctionTarget(file, qualname, start, node.end_lineno or node.lineno)
        raise ValueError(f"{qualname} not in {file}")

    def source(self, file: str) -> str:
        return self.files[file]

    def lending_ctx(self) -> CoverageLendingContext:
        """The run's context that also lends the baseline's executed lines (saves a suite run)."""
        return CoverageLendingContext(self)


class CoverageLendingContext:
    """``AgentContext`` plus ``executed_lines(file)``, the hook test-driven looks for."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self.lent: list[str] = []

    @property
    def original_root(self) -> Path:
        return self._project.ctx.original_root

    def prove(self, candidate: Any, *, extra: Any = None) -> Any:
        return self._project.ctx.prove(candidate, extra=extra)

    def executed_lines(self, file: str) -> set[int] | None:
        self.lent.append(file)
        coverage = self._project.services.baseline.coverage
        return None if coverage is None else coverage.executed(file)


@contextmanager
def method_project(
    base: Path, files: dict[str, str], record: Sequence[FunctionTarget] = ()
) -> Iterator[Project]:
    """A git repository of ``files`` under ``base``, its green baseline and proof services;
    with ``record``, the real inputs of those functions too, so the gate's behaviour and
    differential checks run."""
    repo = make_repo(base / "repo", files)
    worktrees = Worktrees(Repository(repo), base / "worktrees")
    options = PytestOptions(python=sys.executable, timeout=120)
    scratch = base / "scratch"
    scratch.mkdir()
    try:
        with worktrees.checkout("baseline") as root:
            baseline = run_baseline(root, options, scratch)
            assert baseline.usable, baseline.describe()
            plan = None
            if record:
                record_inputs(root, list(record), out_dir=scratch / "inputs", timeout=120)
                plan = ProofPlan("standard", root, sys.executable, inputs_dir=scratch / "inputs")
            services = ProofServices(
                worktrees=worktrees,
                baseline=baseline,
                config=GateConfig(options, 80.0, scratch, plan),
                original_root=root,
                sources={f: t for f, t in files.items() if f.endswith(".py")},
            )
            yield Project(repo, services, AgentContext(services), dict(files))
    finally:
        worktrees.close()


def fake_config(server: FakeOpenAI, *models: str, **fields: Any) -> LLMConfig:
    """A config for the scripted server: no budget unless given, fast retries, no fallbacks."""
    defaults: dict[str, Any] = {
        "provider": models[0] if models else "openai/fake-a",
        "fallbacks": tuple(models[1:]),
        "api_base": server.url,
        "api_key": "test",
        "budget_usd": None,
        "monthly_budget_usd": None,
        "backoff_seconds": 0.01,
        "max_retries": 0,
        "timeout": 10.0,
    }
    return LLMConfig(**{**defaults, **fields})


def fake_router(server: FakeOpenAI, state_dir: Path | None = None, **fields: Any) -> Router:
    return open_router(fake_config(server, **fields), state_dir)


def fenced(code: str, prose: str = "Faster:") -> str:
    return f"{prose}\n\n```python\n{code.strip()}\n```\n"
