"""Wall time of one optimization run for 1, 2 and 4 agents, on a generated repository.

The repository has ``--files`` modules of ``--functions`` functions each; every function is a
loop the rules engine rewrites (so every agent proves a real candidate: import, affected tests,
full suite) and has its own test. Each agent count runs ``optimize`` ``--repeat`` times, in
fresh output folders, as subprocesses, the counts interleaved (1 2 4 4 2 1 ...) so that drift of
a shared machine's load hits them alike; the table shows the median wall time, the speedup over
one agent, and the baseline suite run (the serial part, with the profile, before any agent
starts). The machine is shared: the load average is printed before and after.

    python benchmarks/agents_scaling.py                        # 3 files x 4 functions, quick
    python benchmarks/agents_scaling.py --agents 1,2,4 --files 4 --functions 6
    python benchmarks/agents_scaling.py --fast-pytest          # PYTEST_DISABLE_PLUGIN_AUTOLOAD=1

The speedup is bounded by the cores (``os.cpu_count()``; agents beyond it queue) and by the
serial baseline (Amdahl).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "_support"))

from gitrepos import make_repo  # noqa: E402

FUNCTION = """def f{n}(xs):
    out = []
    for x in xs:
        out.append(x * {n} + 1)
    return out
"""
TEST = """def test_f{n}():
    assert mod{m}.f{n}([1, 2]) == [{n} + 1, 2 * {n} + 1]
"""


def make_repository(root: Path, files: int, functions: int) -> Path:
    sources: dict[str, str] = {}
    for m in range(files):
        numbers = range(m * functions, (m + 1) * functions)
        sources[f"pkg/mod{m}.py"] = "\n\n".join(FUNCTION.format(n=n) for n in numbers)
        tests = "\n\n".join(TEST.format(n=n, m=m) for n in numbers)
        sources[f"tests/test_mod{m}.py"] = f"from pkg import mod{m}\n\n\n{tests}"
    sources["pkg/__init__.py"] = ""
    made: Path = make_repo(root, sources)
    return made


def one_run(
    repo: Path, work: Path, agents: int, level: str, env: dict[str, str], attempt: int
) -> dict[str, float]:
    out = work / f"out-{agents}-{attempt}"
    argv = [
        sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo),
        "--targets", "pkg/*.py", "--mode", "patch", "--out", str(out),
        "--validation-level", level, "--max-agents", str(agents),
        "--worktree-base", str(work / "wt"),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run with {agents} agent(s) failed:\n{done.stderr[-2000:]}")
    report = json.loads((out / "report.json").read_text())
    return {
        "wall": wall,
        "accepted": report["totals"]["accepted"],
        "candidates": report["totals"]["candidates"],
        "baseline": float((report.get("baseline") or {}).get("seconds") or 0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="1,2,4", help="agent counts, comma-separated")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--functions", type=int, default=4, help="functions per file")
    parser.add_argument("--level", default="quick", choices=("quick", "standard", "thorough"))
    parser.add_argument("--fast-pytest", action="store_true", help="no pytest plugin autoload")
    parser.add_argument("--repeat", type=int, default=2, help="runs per agent count (median)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    env["PYTHONPATH"] = str(ROOT)
    if args.fast_pytest:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    counts = [int(a) for a in args.agents.split(",")]
    print(f"cores: {os.cpu_count()}; load before: {os.getloadavg()[0]:.2f}")
    order = [
        n for attempt in range(args.repeat) for n in (counts if attempt % 2 == 0 else counts[::-1])
    ]
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    with tempfile.TemporaryDirectory(prefix="ao-scaling-") as tmp:
        work = Path(tmp)
        repo = make_repository(work / "repo", args.files, args.functions)
        for attempt, agents in enumerate(order):
            runs[agents].append(one_run(repo, work, agents, args.level, env, attempt))
    rows = [(n, _median(runs[n])) for n in counts]
    print(f"load after: {os.getloadavg()[0]:.2f}")
    targets = args.files * args.functions
    print(f"\n{targets} functions, validation level {args.level}, fast pytest {args.fast_pytest}\n")
    print(f"median of {args.repeat} run(s) per agent count\n")
    print("| agents | wall (s) | speedup vs 1 | accepted | baseline suite run (s) |")
    print("|---:|---:|---:|---:|---:|")
    first = rows[0][1]["wall"]
    for agents, row in rows:
        print(
            f"| {agents} | {row['wall']:.1f} | {first / row['wall']:.2f}x | "
            f"{int(row['accepted'])}/{int(row['candidates'])} | {row['baseline']:.1f} |"
        )


def _median(rows: list[dict[str, float]]) -> dict[str, float]:
    walls = sorted(rows, key=lambda row: row["wall"])
    return walls[len(walls) // 2] if len(walls) % 2 else _mean(walls[len(walls) // 2 - 1 :][:2])


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(row[key] for row in rows) / len(rows) for key in rows[0]}


if __name__ == "__main__":
    main()
