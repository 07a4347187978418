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
    python benchmarks/agents_scaling.py --agents 1,2 --code before=/tmp/old --code after=.

``--code NAME=DIR`` runs the ``agentic_action`` of another source tree (an exported older
commit), interleaved with the others, so a before/after comparison shares the machine's load.

The speedup is bounded by the cores (``os.cpu_count()``; agents beyond it queue) and by the
serial baseline (Amdahl).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "_support"))

from gitrepos import make_repo  # noqa: E402

Run = dict[str, float]
AGENT_LINE = re.compile(r"\[\d+/\d+\] ")

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


def one_run(repo: Path, work: Path, agents: int, level: str, env: dict[str, str], tag: str) -> Run:
    out = work / f"out-{tag}"
    argv = [
        sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo),
        "--targets", "pkg/*.py", "--mode", "patch", "--out", str(out),
        "--validation-level", level, "--max-agents", str(agents),
        "--worktree-base", str(work / "wt"),
    ]  # fmt: skip
    busy_before = _cpu_jiffies()
    started = time.perf_counter()
    # cwd outside any source tree: `python -m` puts the cwd first on sys.path, which would
    # shadow the PYTHONPATH that picks the code under test (--code)
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=work
    )
    assert proc.stderr is not None
    lines = [(time.perf_counter() - started, line) for line in proc.stderr]
    proc.wait()
    wall = time.perf_counter() - started
    now = _cpu_jiffies()
    busy, total = now[0] - busy_before[0], now[1] - busy_before[1]
    if proc.returncode != 0:
        tail = "".join(line for _, line in lines[-40:])
        raise SystemExit(f"run with {agents} agent(s) failed:\n{tail}")
    report = json.loads((out / "report.json").read_text())
    at = [t for t, line in lines if AGENT_LINE.search(line)] or [wall, wall]
    return {
        "wall": wall,
        "accepted": report["totals"]["accepted"],
        "candidates": report["totals"]["candidates"],
        "baseline": float((report.get("baseline") or {}).get("seconds") or 0.0),
        "before_agents": at[0],
        "agents": at[-1] - at[0],
        "after_agents": wall - at[-1],
        "benchmark": _benchmark_seconds(report)[0],
        "lock_wait": _benchmark_seconds(report)[1],
        "cores_busy": (os.cpu_count() or 1) * busy / max(total, 1),
    }


def _cpu_jiffies() -> tuple[int, int]:
    """Busy and total CPU time of the whole machine so far (/proc/stat), in clock ticks: during a
    run on a quiet machine, how many cores the run kept busy (its sandboxed processes
    included, which a child's rusage would miss)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def _benchmark_seconds(report: dict[str, Any]) -> tuple[float, float]:
    """Seconds the benchmark checks took, summed over the candidates, less the time they waited
    for the benchmark lock (the phase is serialized across agents so its timings are not
    disturbed), and that waiting."""
    checks = [
        check
        for result in report["results"]
        for check in result.get("checks") or []
        if str(check.get("name", "")).startswith("benchmark")
    ]
    waited = sum(float((c.get("data") or {}).get("lock_wait_seconds") or 0.0) for c in checks)
    return sum(float(c.get("seconds") or 0.0) for c in checks) - waited, waited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="1,2,4", help="agent counts, comma-separated")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--functions", type=int, default=4, help="functions per file")
    parser.add_argument("--level", default="quick", choices=("quick", "standard", "thorough"))
    parser.add_argument("--fast-pytest", action="store_true", help="no pytest plugin autoload")
    parser.add_argument("--repeat", type=int, default=2, help="runs per agent count (median)")
    parser.add_argument(
        "--code", action="append", default=[], metavar="NAME=DIR",
        help="compare the agentic_action of another source tree (repeatable; default: this one)",
    )  # fmt: skip
    args = parser.parse_args()
    codes = dict(c.split("=", 1) for c in args.code) or {"this": str(ROOT)}
    counts = [int(a) for a in args.agents.split(",")]
    print(f"cores: {os.cpu_count()}; load before: {os.getloadavg()[0]:.2f}")
    order = [
        (code, n)
        for attempt in range(args.repeat)
        for code in codes
        for n in (counts if attempt % 2 == 0 else counts[::-1])
    ]
    runs: dict[tuple[str, int], list[Run]] = {key: [] for key in order}
    with tempfile.TemporaryDirectory(prefix="ao-scaling-") as tmp:
        work = Path(tmp)
        repo = make_repository(work / "repo", args.files, args.functions)
        for attempt, (code, agents) in enumerate(order):
            env = _env(codes[code], args.fast_pytest)
            tag = f"{code}-{agents}-{attempt}"
            runs[(code, agents)].append(one_run(repo, work, agents, args.level, env, tag))
            done = runs[(code, agents)][-1]
            print(f"run {tag}: {done['wall']:.1f}s, load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    targets = args.files * args.functions
    print(f"\n{targets} functions, validation level {args.level}, fast pytest {args.fast_pytest}")
    print(f"median of {args.repeat} run(s) per agent count; phases from the run's log lines\n")
    print(
        "| code | agents | wall (s) | speedup vs 1 | accepted | baseline suite run (s) "
        "| before agents (s) | agents (s) | after agents (s) | benchmark checks (s) "
        "| waiting for the benchmark lock (s) | cores busy |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for code in codes:
        rows = [(n, _median(runs[(code, n)])) for n in counts]
        first = rows[0][1]["wall"]
        for agents, row in rows:
            print(
                f"| {code} | {agents} | {row['wall']:.1f} | {first / row['wall']:.2f}x | "
                f"{int(row['accepted'])}/{int(row['candidates'])} | {row['baseline']:.1f} | "
                f"{row['before_agents']:.1f} | {row['agents']:.1f} | {row['after_agents']:.1f} | "
                f"{row['benchmark']:.1f} | {row['lock_wait']:.1f} | {row['cores_busy']:.2f} |"
            )
    print("\nbefore agents: start-up, baseline suite, profile, recording; after agents: merges of")
    print("patches to one file (re-proven), report. benchmark checks: summed over candidates,")
    print("less their waiting for the lock that lets one benchmark run at a time. cores busy:")
    print("the machine's CPU time during the run / its wall time (meaningful on a quiet machine).")


def _env(code: str, fast_pytest: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    env["PYTHONPATH"] = code
    if fast_pytest:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def _median(rows: list[Run]) -> Run:
    walls = sorted(rows, key=lambda row: row["wall"])
    return walls[len(walls) // 2] if len(walls) % 2 else _mean(walls[len(walls) // 2 - 1 :][:2])


def _mean(rows: list[Run]) -> Run:
    return {key: sum(row[key] for row in rows) / len(rows) for key in rows[0]}


if __name__ == "__main__":
    main()
