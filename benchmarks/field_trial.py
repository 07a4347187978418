"""Field trial: the optimizer on real packages from PyPI, as a new user would run it.

Usage: python benchmarks/field_trial.py [--only NAME ...] [--jobs N] [--cache DIR]
                                        [--timeout SECONDS] [--list FILE]

For each package of the pinned list (benchmarks/field_trial.txt, ``name==version | test deps``):
fetch its sdist (``pip download --no-binary :all: --no-deps``) into the cache, unpack it into a
fresh git repository, make a virtualenv with its test dependencies, run plain ``pytest``; then
run the optimizer (rules, patch mode, standard validation, ``--python`` = that venv); apply every
accepted patch to a fresh copy and run the whole suite again. One table row per package.

Everything third-party lives under the cache (default /work/cache/field-trial, outside the
repository): sdists/, venvs/ (reused while their requirements are unchanged) and runs/ (fresh
each time). Plain pytest and the patched suites run with ``PYTHONPATH=src:.`` like the
optimizer's own runs, so they test the copy on disk, not the installed package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_LIST = HERE / "field_trial.txt"
DEFAULT_CACHE = Path("/work/cache/field-trial")
OUR_TOOLS = ("pytest-cov",)  # the optimizer's baseline records per-test coverage with it
SUITE_TIMEOUT = 600.0


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    deps: tuple[str, ...]
    setup: str

    @property
    def spec(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass
class Row:
    package: Package
    plain: str = "-"
    ours: str = "-"
    functions: int = 0
    hot: int = 0
    with_candidate: int = 0
    hot_with_candidate: int = 0
    accepted: int = 0  # functions (a patch that combines accepted ones is not counted again)
    patches: int = 0  # accepted patches applied to a fresh copy, combinations included
    breaking: int = 0
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def read_list(path: Path) -> list[Package]:
    packages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spec, deps, setup = (part.strip() for part in line.split("|"))
        name, version = spec.split("==")
        packages.append(Package(name, version, tuple(deps.split()), setup))
    return packages


def _run(argv: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> Any:
    try:
        return subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None


def fetch(package: Package, cache: Path) -> Path:
    """The sdist, downloaded once into the cache."""
    folder = cache / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    stem = package.name.replace("-", "_").lower()
    for found in folder.glob("*.tar.gz"):
        lower = found.name.lower().replace("-", "_")
        if lower == f"{stem}_{package.version}.tar.gz":
            return found
    argv = [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps"]
    done = _run([*argv, package.spec, "-d", str(folder)], folder, 600)
    if done is None or done.returncode != 0:
        raise RuntimeError(f"pip download {package.spec} failed: {_last(done)}")
    return fetch(package, cache)


def unpack(sdist: Path, dest: Path) -> Path:
    """A fresh git repository holding the sdist's files, one commit."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        archive.extractall(dest, filter="data")
    (top,) = list(dest.iterdir())
    git = ["git", "-c", "user.name=trial", "-c", "user.email=trial@example.invalid"]
    for args in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-q", "-m", "sdist"]):
        subprocess.run([*git, *args], cwd=top, check=True, capture_output=True)
    return top


def make_venv(package: Package, sdist: Path, cache: Path) -> Path:
    """A virtualenv with the package, its test dependencies and pytest-cov (reused)."""
    folder = cache / "venvs" / package.spec
    wanted = " ".join([*package.deps, *OUR_TOOLS])
    marker = folder / "trial-requirements.txt"
    python = folder / "bin" / "python"
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted and python.exists():
        return python
    shutil.rmtree(folder, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = _run([*pip, str(sdist), *package.deps, *OUR_TOOLS], folder, 900)
    if done is None or done.returncode != 0:
        raise RuntimeError(f"installing the test dependencies failed: {_last(done)}")
    marker.write_text(wanted, encoding="utf-8")
    return python


def suite_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    paths = [str(root / "src")] if (root / "src").is_dir() else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(root)])
    return env


def plain_pytest(python: Path, root: Path, timeout: float) -> str:
    """The verdict a user sees: green when pytest exits 0."""
    argv = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    done = _run(argv, root, timeout, suite_env(root))
    if done is None:
        return f"timeout {timeout:.0f}s"
    if done.returncode == 0:
        return "green"
    return f"red (exit {done.returncode}: {_summary_line(done.stdout)})"


def _summary_line(stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.strip()]
    return lines[-1].strip("= ")[:80] if lines else "no output"


def _last(done: Any) -> str:
    if done is None:
        return "timed out"
    text = (done.stderr or done.stdout or "").strip().splitlines()
    return text[-1][:200] if text else f"exit {done.returncode}"


def optimize(python: Path, repo: Path, out: Path, timeout: float) -> tuple[int | None, str]:
    argv = [sys.executable, "-m", "agentic_action", "optimize", "--repo", str(repo)]
    argv += ["--method", "rules", "--mode", "patch", "--validation-level", "standard"]
    argv += ["--python", str(python), "--out", str(out)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["OPTIMIZER_MODE"] = "patch"
    done = _run(argv, PROJECT, timeout, env)
    if done is None:
        return None, f"optimizer timed out after {timeout:.0f}s"
    (out / "trial-stderr.txt").write_text(done.stderr, encoding="utf-8")
    return done.returncode, _last(done)


def read_report(row: Row, out: Path) -> dict[str, Any]:
    path = out / "report.json"
    if not path.is_file():
        return {}
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    baseline = report.get("baseline") or {}
    if baseline:
        row.ours = "green" if baseline.get("green") else f"red ({baseline.get('summary', '')})"
    plan = report.get("plan") or {}
    row.functions = int(plan.get("functions", 0))
    hot = set(plan.get("hot_functions") or [])
    row.hot = len(hot)
    results = report.get("results") or []
    touched = {f"{r['file']}::{r['function']}" for r in results if not r.get("merged_from")}
    row.with_candidate = len(touched)
    row.hot_with_candidate = len(touched & hot)
    row.accepted = sum(1 for r in results if r["status"] == "accepted" and not r.get("merged_from"))
    errors = [r for r in results if r["status"] == "error"]
    row.errors += len(errors)
    if errors and not row.first_error:
        row.first_error = str(errors[0]["reason"]).splitlines()[0][:100]
    return report


def check_patches(report: dict[str, Any], repo: Path, out: Path, python: Path, row: Row) -> None:
    """Every accepted patch, alone, on a fresh copy: does the whole suite still pass?"""
    for result in report.get("results") or []:
        if result["status"] != "accepted" or not result.get("patch"):
            continue
        row.patches += 1
        copy = out / "patched" / result["patch"]["cid"]
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(repo, copy, symlinks=True)
        diff = out / result["patch"]["path"]
        applied = _run(["git", "apply", str(diff)], copy, 60)
        if applied is None or applied.returncode != 0:
            row.breaking += 1
            row.notes.append(f"{result['patch']['cid'][:16]}: does not apply")
            continue
        verdict = plain_pytest(python, copy, SUITE_TIMEOUT)
        if verdict != "green":
            row.breaking += 1
            row.notes.append(f"{result['function']}: suite {verdict}")
        shutil.rmtree(copy, ignore_errors=True)


def trial(package: Package, cache: Path, timeout: float) -> Row:
    row = Row(package)
    started = time.perf_counter()
    try:
        sdist = fetch(package, cache)
        run_dir = cache / "runs" / package.spec
        repo = unpack(sdist, run_dir / "repo")
        python = make_venv(package, sdist, cache)
        row.plain = plain_pytest(python, repo, SUITE_TIMEOUT)
        out = run_dir / "out"
        shutil.rmtree(out, ignore_errors=True)
        code, last = optimize(python, repo, out, timeout)
        if code != 0:
            row.errors += 1
            row.first_error = row.first_error or f"exit {code}: {last}"
        report = read_report(row, out)
        check_patches(report, repo, out, python, row)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        row.errors += 1
        row.first_error = str(error).splitlines()[0][:100]
    row.seconds = time.perf_counter() - started
    print(f"done {package.spec} in {row.seconds:.0f}s", file=sys.stderr, flush=True)
    return row


HEADER = (
    "| package | setup | plain pytest | our baseline | agree | functions | hot | with candidate "
    "| hot with candidate | accepted | accepted that break the suite | errors | seconds |"
)


def render(rows: list[Row]) -> str:
    lines = [HEADER, "|" + "---|" * 13]
    for r in rows:
        agree = "yes" if _verdict(r.plain) == _verdict(r.ours) else "NO"
        errors = f"{r.errors}: {r.first_error}" if r.errors else "0"
        lines.append(
            f"| {r.package.spec} | {r.package.setup} | {r.plain} | {r.ours} | {agree} "
            f"| {r.functions} | {r.hot} | {r.with_candidate} | {r.hot_with_candidate} "
            f"| {r.accepted} | {r.breaking} | {errors} | {r.seconds:.0f} |"
        )
    lines.append("")
    lines += _totals(rows)
    for r in rows:
        lines += [f"- {r.package.spec}: {note}" for note in r.notes]
    return "\n".join(lines)


def _verdict(text: str) -> str:
    return "green" if text == "green" else "red"


def _totals(rows: list[Row]) -> list[str]:
    agree = sum(1 for r in rows if _verdict(r.plain) == _verdict(r.ours))
    hot = sum(r.hot for r in rows)
    hot_cand = sum(r.hot_with_candidate for r in rows)
    rate = f"{100 * hot_cand / hot:.1f}%" if hot else "n/a"
    with_accepted = sum(1 for r in rows if r.accepted)
    return [
        f"Baseline verdict agrees with plain pytest: {agree} of {len(rows)} packages.",
        f"Accepted patches that break a suite: {sum(r.breaking for r in rows)} "
        f"of {sum(r.patches for r in rows)} applied ({sum(r.accepted for r in rows)} accepted "
        "functions, and the patches that combine them).",
        f"Hot functions with a candidate: {hot_cand} of {hot} ({rate}).",
        f"Packages with at least one accepted patch: {with_accepted} of {len(rows)}.",
        f"Seconds per package: mean {sum(r.seconds for r in rows) / max(1, len(rows)):.0f}, "
        f"max {max((r.seconds for r in rows), default=0):.0f}.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST, help="pinned package list")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="outside the repo")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these packages only")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    parser.add_argument("--timeout", type=float, default=1200.0, help="optimizer, per package")
    args = parser.parse_args()
    cache = args.cache.resolve()
    if cache.is_relative_to(PROJECT):
        parser.error(f"--cache {cache} is inside the repository; third-party code stays out")
    packages = read_list(args.list)
    if args.only:
        unknown = set(args.only) - {p.name for p in packages}
        if unknown:
            parser.error(f"--only: not in {args.list}: {', '.join(sorted(unknown))}")
        packages = [p for p in packages if p.name in args.only]
    jobs = max(1, min(args.jobs, os.cpu_count() or 1, len(packages)))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(lambda p: trial(p, cache, args.timeout), packages))
    print(render(rows))


if __name__ == "__main__":
    main()
