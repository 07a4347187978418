"""What a hostile candidate finds under each isolation level this machine can produce.

    python benchmarks/hostile_candidate.py

Runs the hostile candidate of tests/sandbox/test_hostile_candidate.py (tests/_support/hostile.py)
under five simulated runners (root with bubblewrap; a uid-1001 hosted runner after the Action's
isolation step; root without bubblewrap, i.e. unshare; OPTIMIZER_SANDBOX=none; a uid-1001
hosted runner whose user namespaces are denied, as AppArmor does on ubuntu-24.04) and prints,
for each, the isolation level it got, whether the LLM methods would run there, and the
candidate's findings: process environments holding a secret, files holding one (in the home
directory, the workspace checkout, the runner temp directory), files it wrote outside its
worktree, and whether it reached a TCP server on 127.0.0.1; first with the optimizer keeping
its secrets in its environment (as before agentic_action/sandbox/vault.py), then as now. Needs
root and bubblewrap.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "_support")]

from hostile import attack, listener, make_layout, runners, table  # noqa: E402


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="hostile-", dir="/var/tmp"))
    worktree_parent = Path(tempfile.mkdtemp(prefix="hostile-wt-"))
    try:
        layout = make_layout(root, worktree_parent / "worktree")
        with listener() as (port, received):
            before = [
                attack(r, layout, port, received, protect=False) for r in runners(root / "scratch")
            ]
            findings = [attack(r, layout, port, received) for r in runners(root / "scratch")]
        print("Before the vault (the optimizer keeps its secrets in its environment):\n")
        print(table(before))
        print("\nNow (the entrypoint re-execs without them):\n")
        print(table(findings))
        for found in findings:
            for path in sorted(found.files):
                print(f"  {found.runner}: read {path} ({', '.join(found.files[path])})")
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(worktree_parent, ignore_errors=True)


if __name__ == "__main__":
    main()
