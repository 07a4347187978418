"""Seconds to make and remove one candidate's tree, by four ways of making it.

    python benchmarks/worktree_cost.py                   # a generated repository
    python benchmarks/worktree_cost.py --repo /path/to/checkout --rounds 10

- ``worktree``: ``git worktree add --detach`` (a full checkout; what a run does);
- ``sparse``: ``git worktree add --no-checkout`` then a cone-mode sparse checkout of the
  directories holding Python files (and every file at the top level);
- ``clone``: ``git clone --shared --no-checkout`` then a checkout (objects shared through
  alternates; a repository of its own, so nothing of the main repository is written);
- ``copy``: ``cp -a --reflink=auto`` of a clean worktree made once (copy-on-write where the file
  system has it; a plain copy on ext4), which then needs its own git directory to diff in, so
  the copy is of a ``clone`` and costs a copy instead of a checkout.

Each is timed one at a time and two at a time (two threads, as two agents do); the table shows
the median seconds per tree. The machine's load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "_support"))

from gitrepos import make_repo  # noqa: E402

Make = Callable[[Path, Path], None]


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def make_worktree(repo: Path, path: Path) -> None:
    git("worktree", "add", "--detach", "--quiet", str(path), "HEAD", cwd=repo)


def make_sparse(repo: Path, path: Path) -> None:
    git("worktree", "add", "--detach", "--quiet", "--no-checkout", str(path), "HEAD", cwd=repo)
    git("sparse-checkout", "set", "--cone", *python_dirs(repo), cwd=path)
    git("checkout", "--quiet", "--detach", "HEAD", cwd=path)


def make_clone(repo: Path, path: Path) -> None:
    git("clone", "--quiet", "--shared", "--no-checkout", str(repo), str(path), cwd=repo)
    git("checkout", "--quiet", "--detach", git("rev-parse", "HEAD", cwd=repo).strip(), cwd=path)


def copier(template: Path) -> Make:
    def make_copy(repo: Path, path: Path) -> None:
        subprocess.run(["cp", "-a", "--reflink=auto", str(template), str(path)], check=True)

    return make_copy


def remove(repo: Path, path: Path) -> None:
    if (path / ".git").is_file():
        git("worktree", "remove", "--force", str(path), cwd=repo)
    shutil.rmtree(path, ignore_errors=True)


def python_dirs(repo: Path) -> list[str]:
    files = git("ls-files", "*.py", cwd=repo).splitlines()
    return sorted({f.split("/", 1)[0] for f in files if "/" in f})


def timed(make: Make, repo: Path, base: Path, name: str, rounds: int, width: int) -> float:
    """Median seconds to make and remove one tree, ``width`` trees at a time."""

    def one(index: int) -> float:
        path = base / f"{name}-{width}-{index}"
        started = time.perf_counter()
        make(repo, path)
        remove(repo, path)
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=width) as pool:
        seconds = list(pool.map(one, range(rounds * width)))
    return statistics.median(seconds)


def generated(root: Path, files: int) -> Path:
    sources = {f"pkg/mod{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(files)}
    sources |= {f"tests/test_{i}.py": f"def test_{i}():\n    assert True\n" for i in range(files)}
    sources |= {f"docs/page{i}.md": "text\n" * 200 for i in range(files)}
    sources["pkg/__init__.py"] = ""
    made: Path = make_repo(root, sources)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="a git checkout (default: generated)")
    parser.add_argument("--files", type=int, default=200, help="modules of the generated repo")
    parser.add_argument("--rounds", type=int, default=5, help="trees per way and width")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ao-wtcost-") as tmp:
        work = Path(tmp)
        repo = args.repo.resolve() if args.repo else generated(work / "repo", args.files)
        tracked = len(git("ls-files", cwd=repo).splitlines())
        template = work / "template"
        make_clone(repo, template)
        ways: dict[str, Make] = {
            "worktree": make_worktree,
            "sparse": make_sparse,
            "clone": make_clone,
            "copy": copier(template),
        }
        print(f"{repo.name}: {tracked} tracked files; load before {os.getloadavg()[0]:.2f}")
        print("| way | 1 at a time (s) | 2 at a time (s, each) |")
        print("|---|---:|---:|")
        for name, make in ways.items():
            one = timed(make, repo, work, name, args.rounds, 1)
            two = timed(make, repo, work, name, args.rounds, 2)
            print(f"| {name} | {one:.3f} | {two:.3f} |")
        print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
