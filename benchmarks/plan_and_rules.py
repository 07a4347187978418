"""Time planning (globs -> files -> functions) and the rules pass over a repository.

Usage: python benchmarks/plan_and_rules.py [--lines 20000] [--repeat 3]

Prints a table for the bundled example and for a generated repository of about --lines lines.
Only planning and rule rewriting are timed here: no test suite runs (validation cost is measured
by the proof benchmarks). "rules s" is a cold pass (an empty cache directory, a fresh process
state); "rerun s" asks a new RulesPass over the same cache directory, as the next run does.
"cpu s" is the cold pass's CPU time, ruff's subprocesses included: on a loaded machine the
wall-clock columns grow, the CPU column much less.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from agentic_action.methods.rules import rules_candidate
from agentic_action.plan.discover import Discovery, discover
from agentic_action.rewrite.rules_pass import RulesPass
from agentic_action.workspace import Repository

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shop"

TEMPLATE = '''

def lookup_{n}(items, extra):
    """Generated function {n}: several patterns the rules know, and plain code."""
    allowed = ["a{n}", "b{n}", "c{n}", "d{n}", "e{n}"]
    out = []
    for item in items:
        if item in allowed:
            out.append(item.upper())
    text = ""
    for item in out:
        text += item + ","
    total = 0
    for key in extra:
        total += extra[key]
    return text, total


def plain_{n}(a, b):
    """Nothing to rewrite here."""
    if a > b:
        return a - b
    return b - a
'''


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def make_generated(root: Path, lines: int) -> Path:
    per_function = TEMPLATE.count("\n")
    functions_per_file = 20
    count = max(1, lines // per_function)
    package = root / "gen"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for start in range(0, count, functions_per_file):
        body = "".join(
            TEMPLATE.format(n=n) for n in range(start, min(start + functions_per_file, count))
        )
        (package / f"mod_{start // functions_per_file:04d}.py").write_text(
            '"""Generated module."""\n' + body
        )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "generated")
    return root


def make_example(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "example")
    return root


def measure(repo_dir: Path, glob: str, repeat: int) -> dict[str, float]:
    plan_times, rules_times, cpu_times, rerun_times = [], [], [], []
    functions = candidates = line_count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = discover(Repository(repo_dir), [glob])
        plan_times.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as cache:
            cpu = _cpu()
            started = time.perf_counter()
            candidates = _rules_pass(found, RulesPass(Path(cache)))
            rules_times.append(time.perf_counter() - started)
            cpu_times.append(_cpu() - cpu)
            started = time.perf_counter()
            _rules_pass(found, RulesPass(Path(cache)))
            rerun_times.append(time.perf_counter() - started)
        functions = len(found.functions)
        line_count = sum(s.count("\n") for s in found.sources.values())
    return {
        "lines": line_count,
        "functions": functions,
        "candidates": candidates,
        "plan_s": statistics.median(plan_times),
        "rules_s": statistics.median(rules_times),
        "cpu_s": statistics.median(cpu_times),
        "rerun_s": statistics.median(rerun_times),
    }


def _rules_pass(found: Discovery, rules: RulesPass) -> int:
    """The rules engine's candidate for every function; how many functions have one."""
    return sum(
        not isinstance(rules_candidate(t, found.sources[t.file], rules=rules), str)
        for t in found.functions
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished children (ruff)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            (
                "example (shop)",
                measure(make_example(Path(tmp) / "ex"), "shop/**/*.py", args.repeat),
            ),
            (
                f"generated (~{args.lines} lines)",
                measure(make_generated(Path(tmp) / "gen", args.lines), "gen/**/*.py", args.repeat),
            ),
        ]
    header = f"{'repository':<26}{'lines':>8}{'functions':>11}{'candidates':>12}"
    header += f"{'plan s':>9}{'rules s':>9}{'cpu s':>8}{'ms/function':>13}{'rerun s':>9}"
    print(header)
    print("-" * len(header))
    for name, r in rows:
        per = 1000 * r["rules_s"] / max(r["functions"], 1)
        print(
            f"{name:<26}{r['lines']:>8.0f}{r['functions']:>11.0f}{r['candidates']:>12.0f}"
            f"{r['plan_s']:>9.3f}{r['rules_s']:>9.2f}{r['cpu_s']:>8.2f}{per:>13.2f}"
            f"{r['rerun_s']:>9.3f}"
        )
    print(
        f"(median of {args.repeat} runs; rules = the rules pass's candidate for every function, "
        "cold; rerun = the same over its cache; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
