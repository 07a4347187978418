"""Several processes opening the same new ledger at the same instant all get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OPEN = (
    "import sys, time\n"
    "from agentic_action.ledger import Ledger\n"
    "start = float(sys.argv[2])\n"
    "while time.time() < start:\n"
    "    pass\n"
    "with Ledger.open(sys.argv[1]) as ledger:\n"
    "    ledger.append('opened', {})\n"
)


def test_processes_opening_one_new_ledger_at_once_all_succeed(tmp_path: Path) -> None:
    import time

    for attempt in range(3):
        path = tmp_path / f"ledger-{attempt}.sqlite"
        start = str(time.time() + 1.0)
        procs = [
            subprocess.Popen([sys.executable, "-c", OPEN, str(path), start], stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        errors = [p.communicate(timeout=60)[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
        from agentic_action.ledger import Ledger

        with Ledger.open(path) as ledger:
            assert len(ledger.events(kind="opened")) == 4
