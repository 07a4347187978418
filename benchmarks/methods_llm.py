"""The four LLM methods against the scripted server and the real gate: calls, tokens and seconds
per accepted candidate, cold and on a rerun that the response cache answers.

    python benchmarks/methods_llm.py

One small project (tests/_support/methods_world.py: a git repository, its green baseline with
per-test coverage, the proof services of a run). For each method, one target and a script of
answers that ends in one accepted candidate (and holds the wrong answers the method must reject
on its way); then a rerun with fresh routers on the same state directory (cache and history).

Tokens are what the fake server reports (prompt words; answer words), not a real tokenizer's.
"LLM s" is time inside litellm calls (no model thinking time: the server answers at once);
"method s" is the whole optimize() call, dominated by sandboxed test runs of the gate and the
method's own checks. Timings on a shared 2-core machine vary from run to run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "_support")]

from fake_openai import FakeOpenAI, Reply  # noqa: E402
from methods_world import PROJECT_FILES, Project, fake_config, fenced, method_project  # noqa: E402

from agentic_action.llm import open_router  # noqa: E402
from agentic_action.methods.base import MethodOutcome  # noqa: E402
from agentic_action.methods.registry import get_method  # noqa: E402

EVENS = "def evens(values: list[int], strict: bool = False) -> list[int]:"
GUARD = '    if strict and not values:\n        raise ValueError("no values")\n'
EVENS_GOOD = f"{EVENS}\n{GUARD}    return [v for v in values if not v % 2]\n"
EVENS_WRONG = f"{EVENS}\n{GUARD}    return [v for v in values if v % 2]\n"
DUP = "def has_dup(values: list[int]) -> bool:"
DUP_GOOD = f"{DUP}\n    return len(set(values)) != len(values)\n"
DUP_SUBTLE = f"{DUP}\n    head = values[:100]\n    return len(set(head)) != len(head)\n"
GENERATED = (
    "```python\nimport pytest\nfrom pkg.mod import evens\n\n\n"
    "def test_strict_empty_raises():\n    with pytest.raises(ValueError):\n"
    "        evens([], strict=True)\n```"
)
EDGES = (
    "```python\ndef edge_cases():\n    return [(([],), {}), ((list(range(200)) + [150],), {})]\n```"
)
CRITIC_LOW = '{"correctness": 1, "performance": 6, "style": 7, "comments": "Wrong parity."}'
CRITIC_HIGH = '{"correctness": 10, "performance": 8, "style": 9, "comments": "Fine."}'
ATOMIC = (
    "import os\nimport tempfile\n\n\ndef save_lines(path, lines):\n"
    '    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.fspath(path)) or ".")\n'
    "    try:\n"
    '        with os.fdopen(fd, "w") as handle:\n'
    "            for line in lines:\n"
    '                handle.write(line + "\\n")\n'
    "        os.replace(tmp, path)\n"
    "    except BaseException:\n"
    "        os.unlink(tmp)\n"
    "        raise\n"
)


def script_test_driven(server: FakeOpenAI) -> None:
    server.script(Reply(GENERATED), Reply(fenced(EVENS_GOOD)))


def script_adversarial(server: FakeOpenAI) -> None:
    server.script(Reply(fenced(DUP_SUBTLE)), Reply(fenced(DUP_GOOD)), model="fake-a")
    server.script(*[Reply(EDGES)] * 3, model="fake-edge")


def script_actor_critic(server: FakeOpenAI) -> None:
    server.script(Reply(fenced(EVENS_WRONG)), Reply(fenced(EVENS_GOOD)), model="fake-a")
    server.script(Reply(CRITIC_LOW), Reply(CRITIC_HIGH), model="fake-critic")


def script_chaos(server: FakeOpenAI) -> None:
    server.script(Reply(fenced(ATOMIC)))


# method, (file, function), its script, its settings
SCENARIOS: list[tuple[str, tuple[str, str], Callable[[FakeOpenAI], None], dict[str, Any]]] = [
    ("test-driven", ("pkg/mod.py", "evens"), script_test_driven, {"rounds": 1, "candidates": 1}),
    ("adversarial", ("pkg/mod.py", "has_dup"), script_adversarial, {"candidates": 2}),
    ("actor-critic", ("pkg/mod.py", "evens"), script_actor_critic, {"rounds": 3}),
    ("chaos", ("pkg/store.py", "save_lines"), script_chaos, {"rounds": 1, "candidates": 1}),
]
ROLES = {
    "adversarial:edge-cases": ("openai/fake-edge",),
    "actor-critic:critic": ("openai/fake-critic",),
}


def run_once(
    project: Project, server: FakeOpenAI, state: Path, scenario: tuple[Any, ...]
) -> tuple[MethodOutcome, float]:
    name, (file, function), _, settings = scenario
    router = open_router(fake_config(server, method_models=ROLES), state)
    method = get_method(name, router=router, state_dir=state, config=settings)
    started = time.perf_counter()
    outcome = method.optimize(project.target(file, function), project.source(file), project.ctx)
    return outcome, time.perf_counter() - started


def row(name: str, run: str, outcome: MethodOutcome, seconds: float) -> list[str]:
    llm = outcome.data.get("llm", {})
    accepted = 1 if outcome.chosen is not None else 0
    per = max(accepted, 1)
    return [
        name,
        run,
        str(llm.get("calls", 0)),
        str(llm.get("cached", 0)),
        str(llm.get("tokens", 0)),
        f"{llm.get('seconds', 0.0):.2f}",
        f"{seconds:.1f}",
        str(accepted),
        f"{llm.get('calls', 0) / per:.1f}",
        f"{llm.get('tokens', 0) / per:.0f}",
        f"{seconds / per:.1f}",
        str(len(outcome.attempts)),
    ]


def main() -> int:
    header = [
        "method", "run", "calls", "cached", "tokens", "LLM s", "method s", "accepted",
        "calls/acc", "tokens/acc", "s/acc", "attempts",
    ]  # fmt: skip
    rows = [header]
    with tempfile.TemporaryDirectory(prefix="methods-bench-") as tmp:
        base = Path(tmp)
        with FakeOpenAI() as server, method_project(base / "project", PROJECT_FILES) as project:
            for scenario in SCENARIOS:
                state = base / f"state-{scenario[0]}"
                scenario[2](server)
                cold, cold_s = run_once(project, server, state, scenario)
                asked = len(server.requests)
                warm, warm_s = run_once(project, server, state, scenario)
                if len(server.requests) != asked:
                    print(f"warning: the {scenario[0]} rerun made HTTP calls", file=sys.stderr)
                rows.append(row(scenario[0], "cold", cold, cold_s))
                rows.append(row(scenario[0], "rerun", warm, warm_s))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
