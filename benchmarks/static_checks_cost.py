"""What the static checks and the sandbox cost.

    python benchmarks/static_checks_cost.py              # 3 repeats, median shown
    python benchmarks/static_checks_cost.py --repeat 5

Part 1: seconds per tool on a ~300-line module (HEAD baseline, then one candidate that changes
one function), each tool alone, then all tools together as run_static_checks runs them
(concurrently). mypy is shown with and without a warm cache from HEAD (``scratch=``), on a
module that imports numpy (a big typed library) and on one that imports only the stdlib.

Part 2: the sandbox's start-up overhead: ``run_sandboxed`` vs a plain ``subprocess.run`` of the
same program (``true`` and ``python -c pass``).

The machine is shared (2 cores): the load average is printed; read the figures as rough.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentic_action.prove.static_checks import (
    run_static_checks,
    static_baseline,
)
from agentic_action.sandbox.runner import isolation_level, run_sandboxed


def module_source(functions: int = 36, heavy_import: bool = True) -> str:
    head = ["from __future__ import annotations", "", "import json", "import os"]
    if heavy_import:
        head.append("import numpy as np")
    head.append("")
    body = []
    for i in range(functions):
        body += [
            "",
            f"def transform_{i}(items: list[int], scale: float = 1.0) -> list[float]:",
            f'    """Scale the even items ({i})."""',
            "    out: list[float] = []",
            "    for item in items:",
            "        if item % 2 == 0:",
            "            out.append(item * scale)",
            "    return out",
        ]
    tail = ["", "", "def dump(values: list[float]) -> str:", "    return json.dumps(values)", ""]
    return "\n".join(head + body + tail)


def make_trees(where: Path, heavy_import: bool) -> tuple[Path, Path]:
    head, candidate = where / "head", where / "candidate"
    for root in (head, candidate):
        root.mkdir(parents=True)
    source = module_source(heavy_import=heavy_import)
    (head / "mod.py").write_text(source, encoding="utf-8")
    changed = source.replace(
        "    out: list[float] = []\n    for item in items:\n        if item % 2 == 0:\n"
        "            out.append(item * scale)\n    return out",
        "    return [item * scale for item in items if item % 2 == 0]",
        1,
    )
    (candidate / "mod.py").write_text(changed, encoding="utf-8")
    return head, candidate


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def tool_rows(repeat: int) -> list[tuple[str, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        heavy = make_trees(base / "heavy", heavy_import=True)
        light = make_trees(base / "light", heavy_import=False)
        lines = len((heavy[0] / "mod.py").read_text(encoding="utf-8").splitlines())
        print(f"module: {lines} lines; isolation: {isolation_level()}\n")
        cases: list[tuple[str, tuple[Path, Path], tuple[str, ...], bool]] = [
            ("ruff (check + format --check)", light, ("ruff",), False),
            ("semgrep (shipped rules)", light, ("semgrep",), False),
            ("mypy, stdlib imports, no cache", light, ("mypy",), False),
            ("mypy, stdlib imports, warm cache", light, ("mypy",), True),
            ("mypy, imports numpy, no cache", heavy, ("mypy",), False),
            ("mypy, imports numpy, warm cache", heavy, ("mypy",), True),
            ("all three, concurrently (warm mypy)", heavy, ("ruff", "mypy", "semgrep"), True),
        ]
        for number, (label, (head, candidate), tools, cached) in enumerate(cases):
            scratch = base / f"scratch-{number}" if cached else None

            baseline = partial(static_baseline, head, ["mod.py"], tools=tools, scratch=scratch)
            head_seconds = median_seconds(baseline, repeat)
            ready = static_baseline(head, ["mod.py"], tools=tools, scratch=scratch)
            outcomes = run_static_checks(candidate, ["mod.py"], ready)
            assert all(r.outcome.value == "passed" for r in outcomes), outcomes
            seconds = median_seconds(
                partial(run_static_checks, candidate, ["mod.py"], ready), repeat
            )
            rows.append((label, head_seconds, seconds))
    return rows


def sandbox_rows(repeat: int) -> list[tuple[str, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        for label, argv in (("true", ["true"]), ("python -c pass", [sys.executable, "-c", "pass"])):
            plain = median_seconds(
                partial(subprocess.run, argv, cwd=cwd, check=True, capture_output=True), repeat
            )
            boxed = median_seconds(partial(run_sandboxed, argv, cwd=cwd, timeout=60), repeat)
            rows.append((label, plain, boxed))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    rows = tool_rows(args.repeat)
    title = f"static check (median of {args.repeat})"
    print(f"{title:40} {'HEAD s':>8} {'candidate s':>12}")
    for label, head, candidate in rows:
        print(f"{label:40} {head:8.3f} {candidate:12.3f}")
    repeat = max(args.repeat, 20)
    title = f"sandbox start-up (median of {repeat})"
    print(f"\n{title:40} {'plain ms':>8} {'sandboxed ms':>12} {'overhead ms':>12}")
    for label, plain, boxed in sandbox_rows(repeat):
        print(f"{label:40} {plain * 1000:8.1f} {boxed * 1000:12.1f} {(boxed - plain) * 1000:12.1f}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
