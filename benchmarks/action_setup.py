"""What the Action's set-up costs, cold and warm: its install step replayed locally.

    python benchmarks/action_setup.py --wheels /work/cache/wheels            # every section set
    python benchmarks/action_setup.py --wheels DIR --sections "checks llm" --repeat 3

``--wheels``: a directory of wheels for every pin of requirements.lock (make it once with
``pip download -r requirements.lock --no-deps --only-binary :all: -d DIR``); pip installs from
it with ``--no-index``, so the figures leave out the network, which a hosted runner adds to the
cold case only.

Per set of sections (``base``: a rules run at the quick level; ``checks``: rules at standard or
thorough, the default; ``checks llm``: an LLM method), the steps action.yml runs:

- **cold**: no cache. ``scripts/install-action.sh PYTHON VENV SECTIONS`` into a new venv (the
  pinned dependencies, then the package), then ``tar --zstd`` of the venv: what actions/cache
  saves.
- **warm**: the cache hit. The venv is deleted, the archive extracted (actions/cache's restore),
  and ``install-action.sh`` run again on it: it finds the pins in place and the package current,
  and only imports the package to check it.

The venv's size and the archive's size are shown too. The machine is shared (2 cores): the load
average is printed; read the figures as rough. Goals (issue 13): warm <= 15 s, cold <= 60 s.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-action.sh"


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 1e6


def one_round(python: str, sections: str, wheels: Path, work: Path) -> dict[str, float]:
    venv, archive = work / "venv", work / "venv.tar.zst"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
           "PIP_CONFIG_FILE": os.devnull}  # fmt: skip
    install = ["sh", str(SCRIPT), python, str(venv), sections]
    cold = timed(install, env)
    save = timed(["tar", "--zstd", "-cf", str(archive), "-C", str(work), "venv"], env)
    venv_mb, archive_mb = size_mb(venv), size_mb(archive)
    shutil.rmtree(venv)
    restore = timed(["tar", "--zstd", "-xf", str(archive), "-C", str(work)], env)
    again = timed(install, env)
    shutil.rmtree(venv)
    archive.unlink()
    return {"cold": cold, "save": save, "restore": restore, "warm_install": again,
            "warm": restore + again, "venv_mb": venv_mb, "archive_mb": archive_mb}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True, help="directory of locked wheels")
    parser.add_argument("--sections", action="append", help='e.g. "checks llm" (repeatable)')
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    sets = args.sections or ["", "checks", "checks llm"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"python {args.python}; wheels {args.wheels}")  # fmt: skip
    print("| sections | packages | cold s | warm s (restore + check) | venv MB | archive MB |")
    print("|---|---|---|---|---|---|")
    for sections in sets:
        rounds = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="ao-setup-") as tmp:
                rounds.append(one_round(args.python, sections, args.wheels, Path(tmp)))
        med = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        count = packages(sections)
        print(f"| {sections or 'base'} | {count} | {med['cold']:.1f} | {med['warm']:.1f} "
              f"({med['restore']:.1f} + {med['warm_install']:.1f}) | {med['venv_mb']:.0f} | "
              f"{med['archive_mb']:.0f} |")  # fmt: skip
    return 0


def packages(sections: str) -> int:
    """Pins the install takes for ``sections`` (the same selection as install-action.sh)."""
    wanted, count, started, keep = set(sections.split()), 0, False, False
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.startswith("# --- dev only"):
            break
        if line.startswith("# --- section "):
            started, keep = True, line.split()[3] in wanted
        elif line and not line.startswith("#") and (not started or keep):
            count += 1
    return count


if __name__ == "__main__":
    sys.exit(main())
